"""nested_cross_validate: an outer CV around a cloned search."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import GaussianNB

import ahpo
from ahpo.sklearn import SearchCV, nested_cross_validate

X, Y = load_iris(return_X_y=True)


def _search(**kwargs):
    kwargs = {"n_trials": 3, "cv": 3, "random_state": 0, **kwargs}
    return SearchCV(GaussianNB(), {"var_smoothing": ahpo.Float(1e-9, 1e-1, log=True)}, **kwargs)


def test_nested_cross_validate_returns_outer_scores_and_choices():
    search = _search()
    result = nested_cross_validate(search, X, Y, cv=3)
    assert result["test_score"].shape == (3,)
    assert result["fit_time"].shape == result["score_time"].shape == (3,)
    assert len(result["best_params"]) == 3
    assert all(set(p) == {"var_smoothing"} for p in result["best_params"])
    assert np.all((result["best_score"] > 0.5) & (result["best_score"] <= 1))
    assert not hasattr(search, "cv_results_")  # the search itself is not fitted


def test_nested_cross_validate_with_groups_and_scoring():
    groups = np.arange(len(Y)) % 6
    result = nested_cross_validate(
        _search(cv=GroupKFold(n_splits=2)), X, Y, cv=GroupKFold(n_splits=3), groups=groups,
        scoring=["accuracy", "f1_macro"],
    )
    assert result["test_accuracy"].shape == result["test_f1_macro"].shape == (3,)


def test_nested_cross_validate_refuses_a_shared_study():
    study = ahpo.create_study(direction="maximize")
    with pytest.raises(ValueError, match="study"):
        nested_cross_validate(_search(study=study, random_state=None), X, Y)


def test_outer_folds_in_processes():
    result = nested_cross_validate(_search(), X, Y, cv=2, n_jobs=2)
    assert result["test_score"].shape == (2,)
    assert all(p is not None for p in result["best_params"])
