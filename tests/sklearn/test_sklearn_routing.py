"""Metadata routing: sample_weight and groups reach what GridSearchCV sends them to."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_iris
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV as SkGridSearchCV
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.tree import DecisionTreeClassifier

import ahpo
from ahpo.sklearn import GridSearchCV, SearchCV

X, Y = load_iris(return_X_y=True)
RNG = np.random.default_rng(0)
WEIGHTS = RNG.uniform(0.1, 3.0, size=len(Y))
GROUPS = np.arange(len(Y)) % 5
GRID = {"max_depth": [1, 2, 3], "min_samples_leaf": [1, 10]}


def _tree(request_weight=True):
    return DecisionTreeClassifier(random_state=0).set_fit_request(sample_weight=request_weight)


def _scorer(request_weight=True):
    return make_scorer(accuracy_score).set_score_request(sample_weight=request_weight)


def _mean_scores(search):
    return np.asarray(search.cv_results_["mean_test_score"], dtype=float)


@pytest.mark.parametrize(("fit_weight", "score_weight"), [(True, True), (True, False),
                                                          (False, True)])
def test_routing_matches_scikit_learn_grid_search(fit_weight, score_weight):
    with sklearn.config_context(enable_metadata_routing=True):
        cv = GroupKFold(n_splits=3)
        kwargs = {"scoring": _scorer(score_weight), "cv": cv}
        ours = GridSearchCV(_tree(fit_weight), GRID, **kwargs)
        ref = SkGridSearchCV(_tree(fit_weight), GRID, **kwargs)
        ours.fit(X, Y, sample_weight=WEIGHTS, groups=GROUPS)
        ref.fit(X, Y, sample_weight=WEIGHTS, groups=GROUPS)
    np.testing.assert_allclose(_mean_scores(ours), _mean_scores(ref))
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_routing_changes_the_scores():
    """Weights that reach the scorer change the scores (so the test above can fail)."""
    with sklearn.config_context(enable_metadata_routing=True):
        plain = GridSearchCV(_tree(False), GRID, scoring=_scorer(False), cv=3)
        weighted = GridSearchCV(_tree(False), GRID, scoring=_scorer(True), cv=3)
        plain.fit(X, Y)
        weighted.fit(X, Y, sample_weight=WEIGHTS)
    assert not np.allclose(_mean_scores(plain), _mean_scores(weighted))


def test_unrequested_metadata_raises_as_in_scikit_learn():
    with sklearn.config_context(enable_metadata_routing=True):
        search = SearchCV(DecisionTreeClassifier(), {"max_depth": ahpo.Int(1, 4)}, n_trials=2)
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            search.fit(X, Y, sample_weight=WEIGHTS)


def test_without_routing_sample_weight_reaches_estimator_and_scorer():
    ours = GridSearchCV(DecisionTreeClassifier(random_state=0), GRID, cv=3)
    ref = SkGridSearchCV(DecisionTreeClassifier(random_state=0), GRID, cv=3)
    ours.fit(X, Y, sample_weight=WEIGHTS)
    ref.fit(X, Y, sample_weight=WEIGHTS)
    np.testing.assert_allclose(_mean_scores(ours), _mean_scores(ref))


def test_search_is_routed_to_by_an_outer_cross_validate():
    with sklearn.config_context(enable_metadata_routing=True):
        search = SearchCV(
            _tree(), {"max_depth": ahpo.Int(1, 4)}, n_trials=3, cv=GroupKFold(3),
            scoring=_scorer(), random_state=0,
        )
        out = cross_validate(
            search, X, Y, cv=3, params={"sample_weight": WEIGHTS, "groups": GROUPS},
            scoring=_scorer(),
        )
        assert np.all(out["test_score"] > 0.8)
        assert search.fit(X, Y, sample_weight=WEIGHTS, groups=GROUPS).score(
            X, Y, sample_weight=WEIGHTS
        ) == pytest.approx(accuracy_score(Y, search.predict(X), sample_weight=WEIGHTS))


def test_score_params_need_routing():
    search = SearchCV(DecisionTreeClassifier(), {"max_depth": ahpo.Int(1, 4)}, n_trials=2)
    search.fit(X, Y)
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        search.score(X, Y, sample_weight=WEIGHTS)
