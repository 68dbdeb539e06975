"""Spaces: ahpo distributions, lists of values or objects, scipy.stats, lists of dicts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

import ahpo
from ahpo.sklearn import SearchCV
from ahpo.sklearn._space import CHOICE, SearchSpace

X, Y = load_iris(return_X_y=True)


def test_lists_of_scalars_are_stored_as_values():
    space = SearchSpace.build({"kernel": ["rbf", "linear"], "C": np.array([0.1, 1.0])})
    (group,) = space.groups
    assert [p.name for p in group] == ["C", "kernel"]
    assert group[0].distribution == ahpo.Categorical([0.1, 1.0])
    assert group[1].kind == "value"


def test_objects_none_and_tuples_are_stored_as_indices():
    scalers = [StandardScaler(), MinMaxScaler(), None, (1, 2)]
    space = SearchSpace.build({"scale": scalers, "dup": [1, 1]})
    params = {p.key: p for p in space.groups[0]}
    assert params["scale"].kind == "index"
    assert params["scale"].distribution == ahpo.Categorical([0, 1, 2, 3])
    assert params["dup"].kind == "index"  # duplicates are fine, as in scikit-learn
    assert space.decode({"scale": 1, "dup": 0})["scale"] is scalers[1]


def test_scipy_distributions_map_to_ahpo_distributions():
    space = SearchSpace.build({
        "u": stats.uniform(1, 2),
        "lu": stats.loguniform(1e-3, 10),
        "r": stats.reciprocal(1e-2, 1),
        "ri": stats.randint(2, 7),
        "n": stats.norm(5, 2),
        "p": stats.poisson(3),
    })
    params = {p.key: p for p in space.groups[0]}
    assert params["u"].distribution == ahpo.Float(1.0, 3.0)
    assert params["lu"].distribution == ahpo.Float(1e-3, 10, log=True)
    assert params["r"].distribution == ahpo.Float(1e-2, 1, log=True)
    assert params["ri"].distribution == ahpo.Int(2, 6)
    assert params["n"].kind == "ppf" and params["n"].distribution == ahpo.Float(0, 1)
    assert params["n"].decode(0.5) == pytest.approx(5.0)
    assert np.isfinite(params["n"].decode(0.0)) and np.isfinite(params["n"].decode(1.0))
    assert params["p"].decode(0.5) == 3 and isinstance(params["p"].decode(0.5), int)


def test_a_search_with_every_kind_of_spec():
    est = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(solver="liblinear"))])
    scalers = [StandardScaler(), MinMaxScaler(), "passthrough"]
    search = SearchCV(
        est,
        {
            "scale": scalers,
            "lr__C": stats.loguniform(1e-2, 1e2),
            "lr__intercept_scaling": stats.expon(1, 1),
            "lr__tol": ahpo.Float(1e-5, 1e-3, log=True),
            "lr__fit_intercept": [True, False],
        },
        n_trials=5,
        cv=3,
        random_state=0,
    ).fit(X[:100], Y[:100])  # two classes: liblinear is binary
    assert any(search.best_params_["scale"] is s for s in scalers)
    for params in search.cv_results_["params"]:
        assert 1e-2 <= params["lr__C"] <= 1e2
        assert params["lr__intercept_scaling"] >= 1
        assert isinstance(params["lr__fit_intercept"], bool)
    trial = search.trials_[0]
    assert trial.distributions["scale"] == ahpo.Categorical([0, 1, 2])
    assert trial.distributions["lr__C"] == ahpo.Float(1e-2, 1e2, log=True)
    # The study keeps a readable copy of the estimator's parameters.
    assert isinstance(trial.user_attrs["sklearn_params"]["scale"], str)


def test_pipeline_step_choices_as_a_list_of_dicts():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    svc, forest = SVC(), RandomForestClassifier(n_estimators=5, random_state=0)
    space = [
        {"clf": [svc], "clf__C": ahpo.Float(1e-2, 1e2, log=True)},
        {"clf": [forest], "clf__max_depth": ahpo.Int(1, 4)},
    ]
    search = SearchCV(pipe, space, n_trials=8, cv=3, random_state=0).fit(X, Y)
    kinds = {type(p["clf"]) for p in search.cv_results_["params"]}
    assert kinds == {SVC, RandomForestClassifier}
    assert search.best_params_["clf"] is svc or search.best_params_["clf"] is forest
    assert type(search.best_estimator_.named_steps["clf"]) is type(search.best_params_["clf"])
    assert search.best_estimator_.named_steps["clf"] is not search.best_params_["clf"]
    is_svc = np.array([type(p["clf"]) is SVC for p in search.cv_results_["params"]])
    np.testing.assert_array_equal(search.cv_results_["param_clf__C"].mask, ~is_svc)
    np.testing.assert_array_equal(search.cv_results_["param_clf__max_depth"].mask, is_svc)
    # The choice of dict is a study parameter; "clf" differs per dict, so it is split.
    names = set().union(*(t.params for t in search.trials_))
    assert {CHOICE, "clf@0", "clf@1", "clf__C", "clf__max_depth"} <= names
    assert not svc.__dict__.get("support_", None)  # the space's objects are never fitted


def test_shared_names_across_dicts_with_the_same_spec_are_one_parameter():
    space = SearchSpace.build([
        {"var_smoothing": ahpo.Float(1e-9, 1e-6, log=True), "priors": [None]},
        {"var_smoothing": ahpo.Float(1e-9, 1e-6, log=True)},
    ])
    assert [p.name for g in space.groups for p in g] == ["priors", "var_smoothing",
                                                          "var_smoothing"]
    assert space.decode({CHOICE: 1, "var_smoothing": 1e-8}) == {"var_smoothing": 1e-8}
    search = SearchCV(GaussianNB(), [{"var_smoothing": [1e-9]}, {}], n_trials=3, cv=2,
                      random_state=0).fit(X, Y)
    assert {} in search.cv_results_["params"] or {"var_smoothing": 1e-9} in \
        search.cv_results_["params"]


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"C": 1.0}, TypeError),
        ({"C": []}, ValueError),
        ({"C": np.ones((2, 2))}, ValueError),
        ([], ValueError),
        ("C", TypeError),
        ([{"C": [1]}, 3], TypeError),
        ({1: [1]}, TypeError),
    ],
)
def test_invalid_spaces_name_the_parameter(spec, error):
    with pytest.raises(error, match="param_distributions"):
        SearchSpace.build(spec)


def test_grid_spaces_reject_continuous_distributions():
    with pytest.raises(TypeError, match="param_grid"):
        SearchSpace.build({"C": stats.uniform(0, 1)}, grid=True, param="param_grid")
    with pytest.raises(ValueError, match="finite distribution"):
        SearchSpace.build({"C": ahpo.Float(0, 1)}, grid=True, param="param_grid")
    space = SearchSpace.build(
        {"C": ahpo.Float(0, 1, step=0.5), "n": ahpo.Int(1, 3)}, grid=True, param="param_grid"
    )
    assert space.n_combinations() == 9
    assert space.combinations()[:2] == [{"C": 0.0, "n": 1}, {"C": 0.0, "n": 2}]
