"""GridSearchCV and RandomizedSearchCV: equivalence with scikit-learn's, storage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV as SkGridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

import ahpo
from ahpo.sklearn import GridSearchCV, RandomizedSearchCV, SearchCV, _shortcuts

X, Y = load_iris(return_X_y=True)

GRIDS = {
    "dict": {"C": [0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]},
    "list_of_dicts": [
        {"kernel": ["linear"], "C": [0.1, 1.0]},
        {"kernel": ["rbf"], "C": [1.0, 10.0], "gamma": [0.1, "scale"]},
    ],
}
STANDARD_KEYS = [
    "mean_test_score", "std_test_score", "rank_test_score", "split0_test_score",
    "split1_test_score", "split2_test_score", "mean_train_score", "split0_train_score",
]


def _key(params):
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


@pytest.mark.parametrize("grid", list(GRIDS.values()), ids=list(GRIDS))
def test_grid_search_matches_scikit_learn(grid):
    ours = GridSearchCV(SVC(), grid, cv=3, return_train_score=True).fit(X, Y)
    theirs = SkGridSearchCV(SVC(), grid, cv=3, return_train_score=True).fit(X, Y)
    a, b = ours.cv_results_, theirs.cv_results_
    assert set(b) <= set(a)
    assert [_key(p) for p in a["params"]] == [_key(p) for p in b["params"]]  # same order
    for key in STANDARD_KEYS:
        np.testing.assert_allclose(a[key], b[key], err_msg=key)
    for key in b:
        if key.startswith("param_"):
            assert list(a[key].mask) == list(b[key].mask), key
            assert list(a[key].compressed()) == list(b[key].compressed()), key
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    assert ours.best_index_ == theirs.best_index_
    n = len(b["params"])
    assert len(ours.study_.trials) == n  # every combination exactly once
    assert len({_key(p) for p in a["params"]}) == n


def test_grid_search_with_estimator_objects_matches_scikit_learn():
    pipe = Pipeline([("scale", StandardScaler()), ("nb", GaussianNB())])
    grid = {"scale": [StandardScaler(), MinMaxScaler(), "passthrough"],
            "nb__var_smoothing": [1e-9, 1e-3]}
    ours = GridSearchCV(pipe, grid, cv=3).fit(X, Y)
    theirs = SkGridSearchCV(pipe, grid, cv=3).fit(X, Y)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"])
    assert ours.best_params_["scale"] is theirs.best_params_["scale"]


def test_grid_search_without_grid_sampler_enqueues_every_point(monkeypatch):
    monkeypatch.setattr(_shortcuts, "_grid_sampler_class", lambda: None)
    grid = GRIDS["list_of_dicts"]
    ours = GridSearchCV(SVC(), grid, cv=3).fit(X, Y)
    theirs = SkGridSearchCV(SVC(), grid, cv=3).fit(X, Y)
    assert [_key(p) for p in ours.cv_results_["params"]] == [
        _key(p) for p in theirs.cv_results_["params"]
    ]
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"])


def test_grid_search_multimetric_and_n_jobs():
    grid = GRIDS["dict"]
    scoring = {"acc": "accuracy", "f1": "f1_macro"}
    ours = GridSearchCV(SVC(), grid, cv=3, scoring=scoring, refit="f1", n_jobs=2).fit(X, Y)
    theirs = SkGridSearchCV(SVC(), grid, cv=3, scoring=scoring, refit="f1").fit(X, Y)
    order = [[_key(p) for p in ours.cv_results_["params"]].index(_key(p))
             for p in theirs.cv_results_["params"]]
    for key in ("mean_test_acc", "mean_test_f1", "rank_test_f1"):
        np.testing.assert_allclose(ours.cv_results_[key][order], theirs.cv_results_[key])
    assert ours.best_params_ == theirs.best_params_


def test_randomized_search_samples_distributions():
    search = RandomizedSearchCV(
        SVC(), {"C": stats.loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]},
        n_iter=5, cv=3, random_state=0,
    ).fit(X, Y)
    assert len(search.cv_results_["params"]) == 5
    assert isinstance(search.study_.sampler, ahpo.samplers.RandomSampler)
    again = RandomizedSearchCV(
        SVC(), {"C": stats.loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]},
        n_iter=5, cv=3, random_state=0,
    ).fit(X, Y)
    assert again.cv_results_["params"] == search.cv_results_["params"]


def test_randomized_search_over_lists_draws_without_replacement():
    grid = {"C": [0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]}
    search = RandomizedSearchCV(SVC(), grid, n_iter=4, cv=3, random_state=1).fit(X, Y)
    keys = [_key(p) for p in search.cv_results_["params"]]
    assert len(keys) == len(set(keys)) == 4
    with pytest.warns(UserWarning, match="smaller than n_iter=10"):
        search = RandomizedSearchCV(SVC(), grid, n_iter=10, cv=3, random_state=1).fit(X, Y)
    assert len(search.cv_results_["params"]) == 6


def test_storage_persists_trials_in_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'search.db'}"
    grid = {"C": [0.1, 1.0], "kernel": ["linear", "rbf"]}
    search = GridSearchCV(SVC(), grid, cv=3, storage=url, study_name="svc-grid").fit(X, Y)
    study = ahpo.load_study(study_name="svc-grid", storage=url)
    assert len(study.trials) == 4
    stored = study.trials[search.best_index_]
    assert stored.user_attrs["sklearn_cv"]["n_splits"] == 3
    assert stored.values[0] == pytest.approx(search.best_score_)
    # A second fit continues the stored grid: nothing left to run, same results.
    again = GridSearchCV(SVC(), grid, cv=3, storage=url, study_name="svc-grid").fit(X, Y)
    assert len(ahpo.load_study(study_name="svc-grid", storage=url).trials) == 4
    np.testing.assert_allclose(again.cv_results_["mean_test_score"],
                               search.cv_results_["mean_test_score"])
    # SearchCV with a storage URL makes a new study per fit, in the same database.
    s = SearchCV(SVC(), {"C": ahpo.Float(0.1, 10, log=True)}, n_trials=2, cv=3,
                 storage=url).fit(X, Y)
    reloaded = ahpo.load_study(study_name=s.study_.study_name, storage=url)
    assert [t.params for t in reloaded.trials] == [t.params for t in s.trials_]
