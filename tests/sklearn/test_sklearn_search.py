"""SearchCV: fitting, delegation, scoring, CV, errors, pruning, cloning, pickling."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import make_scorer, r2_score
from sklearn.model_selection import GroupKFold, ShuffleSplit, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

import ahpo
from ahpo.sklearn import SearchCV

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def _cancer(n=150):
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(0)
    idx = rng.permutation(len(y))[:n]
    return StandardScaler().fit_transform(X[idx]), y[idx]


def _lr():
    return LogisticRegression(solver="liblinear")


def _logreg_search(**kwargs):
    kwargs.setdefault("n_trials", 4)
    kwargs.setdefault("cv", 3)
    kwargs.setdefault("random_state", 0)
    return SearchCV(
        Pipeline([("scale", StandardScaler()), ("lr", _lr())]),
        {"lr__C": ahpo.Float(1e-2, 1e2, log=True)},
        **kwargs,
    )


class QualityClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; its ``score`` is ``quality`` (or fails on demand)."""

    def __init__(self, quality=0.5, fail=False, fail_type="value"):
        self.quality = quality
        self.fail = fail
        self.fail_type = fail_type

    def fit(self, X, y, sample_weight=None):
        if self.fail:
            raise (TypeError if self.fail_type == "type" else ValueError)("planned failure")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        self.saw_weights_ = sample_weight is not None
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)

    def score(self, X, y, sample_weight=None):
        return float(self.quality)


# ---- fit, predict, attributes ---------------------------------------------------------
def test_classifier_fit_predict_and_fitted_attributes():
    X, y = _cancer()
    search = _logreg_search().fit(X, y)
    assert search.predict(X).shape == (len(y),)
    assert search.predict_proba(X).shape == (len(y), 2)
    assert search.decision_function(X).shape == (len(y),)
    assert 0.8 < search.score(X, y) <= 1.0
    assert set(search.classes_) == {0, 1}
    assert search.n_features_in_ == X.shape[1]
    assert search.n_splits_ == 3
    assert search.refit_time_ > 0
    assert len(search.trials_) == len(search.study_.trials) == 4
    assert search.best_trial_ is search.trials_[search.best_index_]
    assert 1e-2 <= search.best_params_["lr__C"] <= 1e2
    results = search.cv_results_
    assert search.best_score_ == results["mean_test_score"][search.best_index_]
    assert results["rank_test_score"][search.best_index_] == 1
    assert search.best_score_ == pytest.approx(search.study_.best_value)
    assert not search.multimetric_


def test_cv_results_keys_and_shapes():
    X, y = _cancer()
    search = _logreg_search(return_train_score=True).fit(X, y)
    results = search.cv_results_
    expected = {
        "mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time",
        "param_lr__C", "params", "split0_test_score", "split1_test_score",
        "split2_test_score", "mean_test_score", "std_test_score", "rank_test_score",
        "split0_train_score", "split1_train_score", "split2_train_score",
        "mean_train_score", "std_train_score", "trial_number", "state",
    }
    assert set(results) == expected
    for key, value in results.items():
        assert len(value) == 4, key
    assert isinstance(results["param_lr__C"], np.ma.MaskedArray)
    assert results["rank_test_score"].dtype == np.int32
    splits = np.column_stack([results[f"split{k}_test_score"] for k in range(3)])
    np.testing.assert_allclose(splits.mean(axis=1), results["mean_test_score"])
    assert list(results["state"]) == ["COMPLETE"] * 4
    # The fold scores are in the trials' user attributes too.
    folds = search.trials_[0].user_attrs["sklearn_cv"]["folds"]
    assert [f["test"]["score"] for f in folds] == list(splits[0])


def test_unfitted_and_refit_false():
    search = _logreg_search()
    with pytest.raises(NotFittedError):
        search.predict(X_IRIS)
    X, y = _cancer()
    search = _logreg_search(refit=False).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    assert hasattr(search, "best_params_") and hasattr(search, "best_score_")
    with pytest.raises(AttributeError) as info:
        search.predict(X)
    assert "refit=False" in str(info.value.__cause__)
    assert not hasattr(search, "n_features_in_")


def test_regressor_with_scoring_string():
    X, y = load_diabetes(return_X_y=True)
    search = SearchCV(
        Ridge(),
        {"alpha": ahpo.Float(1e-3, 1e2, log=True)},
        n_trials=5,
        cv=3,
        scoring="neg_mean_squared_error",
        random_state=0,
    ).fit(X[:200], y[:200])
    assert search.best_score_ < 0
    assert search.predict(X[:5]).shape == (5,)
    assert search.score(X[:200], y[:200]) < 0  # the scorer, not Ridge's R^2
    assert not hasattr(search, "predict_proba")


def test_column_transformer_on_a_dataframe_delegates_feature_names():
    rng = np.random.RandomState(0)
    df = pd.DataFrame({
        "num": rng.randn(120),
        "cat": rng.choice(["a", "b", "c"], 120),
    })
    y = (df["num"] + (df["cat"] == "a") > 0.3).astype(int)
    pre = ColumnTransformer([("num", StandardScaler(), ["num"]), ("cat", OneHotEncoder(), ["cat"])])
    pipe = Pipeline([("pre", pre), ("lr", _lr())])
    space = {"lr__C": ahpo.Float(0.1, 10, log=True), "pre__num": [StandardScaler(), "passthrough"]}
    search = SearchCV(pipe, space, n_trials=4, cv=3, random_state=0).fit(df, y)
    assert list(search.feature_names_in_) == ["num", "cat"]
    assert search.n_features_in_ == 2
    assert search.predict(df).shape == (120,)


def test_unsupervised_transformer_delegates_transform():
    from sklearn.decomposition import PCA

    search = SearchCV(PCA(), {"n_components": [1, 2, 3]}, n_trials=3, cv=3, random_state=0)
    search.fit(X_IRIS)
    assert search.best_params_["n_components"] in (1, 2, 3)
    Z = search.transform(X_IRIS)
    assert Z.shape == (150, search.best_params_["n_components"])
    assert search.inverse_transform(Z).shape == X_IRIS.shape
    assert np.isfinite(search.score(X_IRIS))
    assert not hasattr(search, "predict")


# ---- scoring ------------------------------------------------------------------------
def test_scoring_callable():
    X, y = load_diabetes(return_X_y=True)
    search = SearchCV(
        Ridge(), {"alpha": ahpo.Float(1e-2, 10, log=True)}, n_trials=3, cv=3,
        scoring=make_scorer(r2_score), random_state=0,
    ).fit(X[:150], y[:150])
    assert "mean_test_score" in search.cv_results_
    assert search.score(X[:150], y[:150]) == pytest.approx(
        r2_score(y[:150], search.predict(X[:150]))
    )


def test_multimetric_with_refit_name():
    X, y = _cancer()
    search = _logreg_search(scoring=["accuracy", "roc_auc"], refit="roc_auc").fit(X, y)
    results = search.cv_results_
    for key in ("mean_test_accuracy", "rank_test_accuracy", "split2_test_roc_auc",
                "mean_test_roc_auc"):
        assert key in results
    assert "mean_test_score" not in results
    assert search.multimetric_
    assert set(search.scorer_) == {"accuracy", "roc_auc"}
    assert search.best_index_ == int(np.argmax(results["mean_test_roc_auc"]))
    assert search.best_score_ == results["mean_test_roc_auc"][search.best_index_]
    # The study maximized the refit metric.
    values = [t.values[0] for t in search.trials_]
    np.testing.assert_allclose(values, results["mean_test_roc_auc"])
    assert 0.5 < search.score(X, y) <= 1.0


def test_multimetric_refit_validation_and_refit_false():
    X, y = _cancer()
    with pytest.raises(ValueError, match="multi-metric scoring"):
        _logreg_search(scoring={"acc": "accuracy", "auc": "roc_auc"}).fit(X, y)
    search = _logreg_search(scoring={"acc": "accuracy", "auc": "roc_auc"}, refit=False)
    search.fit(X, y)
    assert not hasattr(search, "best_index_") and not hasattr(search, "best_params_")


def test_refit_callable_chooses_best_index():
    X, y = _cancer()
    search = _logreg_search(refit=lambda results: 0).fit(X, y)
    assert search.best_index_ == 0
    assert not hasattr(search, "best_score_")
    assert search.best_params_ == search.cv_results_["params"][0]


# ---- cross-validation ---------------------------------------------------------------
def test_groups_with_group_kfold_match_cross_validate():
    X, y = _cancer(150)
    groups = np.arange(150) % 10
    search = SearchCV(
        _lr(), {"C": [0.01, 1.0]}, n_trials=3, cv=GroupKFold(n_splits=3), random_state=0,
    ).fit(X, y, groups=groups)
    assert search.n_splits_ == 3
    expected = cross_validate(
        _lr().set_params(C=search.best_params_["C"]), X, y,
        groups=groups, cv=GroupKFold(n_splits=3),
    )["test_score"]
    got = [search.cv_results_[f"split{k}_test_score"][search.best_index_] for k in range(3)]
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize(
    "cv",
    [ShuffleSplit(n_splits=2, test_size=0.3, random_state=0),
     [(np.arange(0, 100), np.arange(100, 150)), (np.arange(50, 150), np.arange(0, 50))]],
    ids=["ShuffleSplit", "iterable"],
)
def test_any_cv_splitter(cv):
    X, y = _cancer(150)
    search = _logreg_search(cv=cv, n_trials=2).fit(X, y)
    assert search.n_splits_ == 2
    assert "split1_test_score" in search.cv_results_
    assert "split2_test_score" not in search.cv_results_


def test_fit_params_reach_the_estimator():
    X, y = _cancer(60)
    search = SearchCV(QualityClassifier(), {"quality": [0.1, 0.9]}, n_trials=2, cv=2,
                      random_state=0)
    search.fit(X, y, sample_weight=np.ones(60))
    assert search.best_estimator_.saw_weights_
    # Two trials may draw the same choice: the best is the best of those tried.
    tried = [t.params["quality"] for t in search.study_.trials]
    assert search.best_params_ == {"quality": max(tried)}


# ---- errors -------------------------------------------------------------------------
def test_error_score_numeric_warns_and_scores():
    X, y = _cancer(60)
    search = SearchCV(
        QualityClassifier(), {"fail": [False, True]}, n_trials=6, cv=3, error_score=-1.0,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning, match="planned failure"):
        search.fit(X, y)
    results = search.cv_results_
    failed = [i for i, p in enumerate(results["params"]) if p["fail"]]
    assert failed
    assert all(results["mean_test_score"][i] == -1.0 for i in failed)
    assert search.best_params_ == {"fail": False}


def test_error_score_nan_marks_trials_failed():
    X, y = _cancer(60)
    search = SearchCV(QualityClassifier(), {"fail": [False, True]}, n_trials=6, cv=3,
                      random_state=0)
    with pytest.warns(FitFailedWarning), pytest.warns(UserWarning, match="non-finite"):
        search.fit(X, y)
    results = search.cv_results_
    failed = np.array([p["fail"] for p in results["params"]])
    assert np.isnan(results["mean_test_score"][failed]).all()
    assert set(results["state"][failed]) == {"FAIL"}
    assert results["rank_test_score"][failed].min() > results["rank_test_score"][~failed].max()


def test_error_score_raise_and_all_fits_failing():
    X, y = _cancer(60)
    with pytest.raises(ValueError, match="planned failure"):
        SearchCV(QualityClassifier(fail=True), {"quality": [0.5]}, n_trials=1, cv=2,
                 error_score="raise").fit(X, y)
    with pytest.raises(ValueError, match="All the 4 fits failed"):
        SearchCV(QualityClassifier(fail=True), {"quality": [0.5]}, n_trials=2, cv=2).fit(X, y)
    # One kind of non-ValueError failure is raised as itself.
    with pytest.raises(TypeError, match="planned failure"):
        SearchCV(QualityClassifier(fail=True, fail_type="type"), {"quality": [0.5]},
                 n_trials=1, cv=2).fit(X, y)


def test_invalid_arguments_raise_in_fit_not_init():
    with pytest.raises(TypeError, match="param_distributions"):
        SearchCV(LogisticRegression(), {"C": 1.0}).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="'n_trials'"):
        SearchCV(LogisticRegression(), {"C": [1.0]}, n_trials=0).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="Invalid parameter"):
        SearchCV(LogisticRegression(), {"nope": [1.0]}, n_trials=1).fit(X_IRIS, Y_IRIS)
    study = ahpo.create_study(direction="minimize")
    with pytest.raises(ValueError, match="maximize"):
        SearchCV(LogisticRegression(), {"C": [1.0]}, study=study).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="'sampler'"):
        SearchCV(LogisticRegression(), {"C": [1.0]}, study=study,
                 sampler=ahpo.samplers.RandomSampler()).fit(X_IRIS, Y_IRIS)


# ---- pruning ------------------------------------------------------------------------
@pytest.mark.skipif(
    not hasattr(ahpo.pruners, "MedianPruner"),
    reason="ahpo.pruners.MedianPruner is not available in this checkout",
)
def test_pruning_across_folds_stops_bad_trials():
    X, y = _cancer(60)
    search = SearchCV(
        QualityClassifier(), {"quality": ahpo.Float(0, 1)}, n_trials=20, cv=4,
        sampler=ahpo.samplers.RandomSampler(seed=0),
        pruner=ahpo.pruners.MedianPruner(n_startup_trials=3),
        enable_pruning=True,
    ).fit(X, y)
    states = list(search.cv_results_["state"])
    assert states.count("PRUNED") >= 3
    results = search.cv_results_
    pruned = results["state"] == "PRUNED"
    assert np.isnan(results["mean_test_score"][pruned]).all()
    assert np.isnan(results["split3_test_score"][pruned]).all()
    assert not np.isnan(results["split0_test_score"][pruned]).any()
    assert search.best_trial_.state == ahpo.TrialState.COMPLETE
    best = max(t.params["quality"] for t in search.trials_ if t.state == ahpo.TrialState.COMPLETE)
    assert search.best_params_["quality"] == best
    # Pruned trials reported the running mean at each fold they ran.
    trial = search.trials_[int(np.flatnonzero(pruned)[0])]
    assert trial.intermediate_values
    assert max(trial.intermediate_values) < 3


# ---- cloning, parameters, pickling, parallelism -------------------------------------------
def test_clone_and_get_params_round_trip():
    search = SearchCV(
        SVC(), {"C": ahpo.Float(0.1, 10, log=True), "kernel": ["rbf", "linear"]},
        sampler=ahpo.samplers.GridSampler({"C": [1.0], "kernel": ["rbf"]}),
        n_trials=3,
    )
    cloned = clone(search)
    assert cloned.get_params(deep=False).keys() == search.get_params(deep=False).keys()
    assert cloned.sampler is not search.sampler  # clone() deep-copies it, as sklearn does
    assert isinstance(cloned.sampler, ahpo.samplers.GridSampler)
    params = search.get_params()
    assert params["estimator__C"] == 1.0
    cloned.set_params(estimator__C=2.0, n_trials=5)
    assert cloned.estimator.C == 2.0 and cloned.n_trials == 5
    assert search.estimator.C == 1.0
    study = ahpo.create_study(direction="maximize")
    with_study = clone(SearchCV(SVC(), {"C": [1.0]}, study=study))
    assert with_study.study is study


def test_continuing_a_study_and_repeated_fits_are_reproducible():
    X, y = _cancer(100)
    study = ahpo.create_study(direction="maximize", sampler=ahpo.samplers.RandomSampler(seed=0))
    search = SearchCV(_lr(), {"C": ahpo.Float(0.01, 1, log=True)}, n_trials=2, cv=2,
                      study=study)
    search.fit(X, y)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    seeded = _logreg_search(n_trials=3, sampler=ahpo.samplers.RandomSampler(seed=3))
    first = seeded.fit(X, y).cv_results_["params"]
    assert seeded.fit(X, y).cv_results_["params"] == first  # fit copies the sampler


def test_pickle_round_trip_keeps_predictions_and_trials():
    X, y = _cancer()
    search = _logreg_search(n_trials=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert len(restored.study_.trials) == 3
    assert restored.study_.best_value == pytest.approx(search.study_.best_value)


def test_threads_run_trials_in_parallel():
    X, y = _cancer(100)
    search = _logreg_search(n_trials=6, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert sorted(search.cv_results_["trial_number"]) == list(range(6))


def test_timeout_budget():
    X, y = _cancer(100)
    search = _logreg_search(n_trials=None, timeout=0.5).fit(X, y)
    assert len(search.trials_) >= 1


def test_verbose_prints(capsys):
    X, y = _cancer(100)
    _logreg_search(n_trials=2, verbose=2).fit(X, y)
    out = capsys.readouterr().out
    assert "Fitting 3 folds for each of 2 candidates, totalling 6 fits" in out
    assert "[trial 1]" in out


def test_no_warnings_on_a_clean_fit():
    X, y = _cancer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _logreg_search(n_trials=2).fit(X, y)


# ---- the estimator's own values as the first trial ------------------------------------
def test_first_trial_is_the_estimators_own_values_inside_the_space():
    X, y = _cancer(100)
    space = {"lr__C": ahpo.Float(1e-2, 1e2, log=True), "lr__tol": ahpo.Float(1e-2, 1.0)}
    pipe = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(C=3.0))])
    search = SearchCV(pipe, space, n_trials=3, cv=2, random_state=0, start_from_estimator=True)
    first = search.fit(X, y).cv_results_["params"][0]
    assert first["lr__C"] == 3.0  # the estimator's value
    assert first["lr__tol"] != 1e-4  # its value (1e-4) is outside the space: sampled
    assert 1e-2 <= first["lr__tol"] <= 1.0
    off = SearchCV(pipe, space, n_trials=3, cv=2, random_state=0)  # the default: sampled
    assert off.fit(X, y).cv_results_["params"][0]["lr__C"] != 3.0


def test_point_of_keeps_only_values_inside_a_one_dict_space():
    from ahpo.sklearn._space import SearchSpace

    space = SearchSpace.build({"a": ahpo.Int(1, 5), "b": ["x", "y"], "c": [SVC(), None],
                               "d": ahpo.Float(0, 1)})
    assert space.point_of({"a": 3, "b": "y", "c": None, "d": True}) == {"a": 3, "b": "y"}
    assert space.point_of({"a": 2.5, "b": "z", "d": 2.0}) == {}
    conditional = SearchSpace.build([{"a": [1, 2]}, {"b": [1, 2]}])
    assert conditional.point_of({"a": 1, "b": 1}) == {}


@pytest.mark.parametrize(
    ("space", "kwargs", "expected"),
    [
        ({"quality": ahpo.Float(0.0, 1.0)}, {}, "GPSampler"),
        ([{"quality": ahpo.Float(0.0, 0.5)}, {"quality": [0.9]}], {}, "TPESampler"),
        ({"quality": ahpo.Float(0.0, 1.0)}, {"enable_pruning": True}, "TPESampler"),
        ({"quality": ahpo.Float(0.0, 1.0)}, {"resource": "n_samples"}, "TPESampler"),
    ],
)
def test_default_sampler_is_gp_for_flat_unpruned_searches(space, kwargs, expected):
    X, y = _cancer(60)
    search = SearchCV(QualityClassifier(), space, n_trials=3, cv=2, random_state=0, **kwargs)
    search.fit(X, y)
    assert type(search.study_.sampler).__name__ == expected


def test_default_gp_sampler_tunes_a_flat_space():
    X, y = _cancer(60)
    search = SearchCV(QualityClassifier(), {"quality": ahpo.Float(0.0, 1.0)}, n_trials=16,
                      cv=2, random_state=0)
    search.fit(X, y)
    qualities = [t.params["quality"] for t in search.study_.trials]
    # After 10 start-up points the GP proposes better ones than the start-up's best.
    assert max(qualities[10:]) > max(qualities[:10])
    assert search.best_score_ == pytest.approx(max(qualities))
