"""SearchCV with resource-based successive halving (``resource=...``)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

import ahpo
from ahpo.sklearn import SearchCV

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def _tree_search(**kwargs):
    kwargs.setdefault("n_trials", 12)
    kwargs.setdefault("cv", 3)
    kwargs.setdefault("random_state", 0)
    return SearchCV(
        DecisionTreeClassifier(random_state=0),
        {"min_samples_leaf": ahpo.Int(1, 30), "criterion": ["gini", "entropy"]},
        resource="max_depth", min_resources=1, max_resources=9, **kwargs,
    )


def test_rows_per_level_and_best_at_full_resources():
    search = _tree_search().fit(X_IRIS, Y_IRIS)
    results = search.cv_results_
    assert search.n_resources_ == [1, 3, 9][: search.n_iterations_]
    assert search.n_possible_iterations_ == 3
    assert search.min_resources_ == 1 and search.max_resources_ == 9
    # Every trial starts at the first level; each level has at most as many as the one before.
    assert search.n_candidates_[0] == 12
    assert all(a >= b for a, b in pairwise(search.n_candidates_))
    assert len(results["params"]) == sum(search.n_candidates_)
    for number in np.unique(results["trial_number"]):
        rows = np.flatnonzero(results["trial_number"] == number)
        assert list(results["iter"][rows]) == list(range(len(rows)))
        assert list(results["n_resources"][rows]) == [1, 3, 9][: len(rows)]
        assert [results["params"][i]["max_depth"] for i in rows] == [1, 3, 9][: len(rows)]
        state = results["state"][rows[0]]
        assert state == ("COMPLETE" if len(rows) == 3 else "PRUNED")
    # The best candidate is the best mean score among the full-resource rows.
    full = results["n_resources"] == 9
    assert search.best_score_ == np.max(results["mean_test_score"][full])
    assert results["n_resources"][search.best_index_] == 9
    assert search.best_params_["max_depth"] == 9
    assert search.best_estimator_.max_depth == 9
    assert search.best_trial_.state == ahpo.TrialState.COMPLETE
    assert search.best_trial_.value == pytest.approx(search.best_score_)


def test_pruned_trials_report_their_levels():
    search = _tree_search(n_trials=15).fit(X_IRIS, Y_IRIS)
    pruned = [t for t in search.study_.trials if t.state == ahpo.TrialState.PRUNED]
    assert pruned, "successive halving should stop some of 15 trials"
    for trial in pruned:
        assert set(trial.intermediate_values) <= {1, 3}
    # Fewer fits than cross-validating every trial at every level.
    n_fits = search.n_splits_ * sum(search.n_candidates_)
    assert n_fits < search.n_splits_ * 15 * 3


def test_n_samples_resource_subsamples_training_folds():
    search = SearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": ahpo.Int(1, 8)},
        n_trials=9, cv=3, random_state=0, resource="n_samples", factor=3,
    ).fit(X_IRIS, Y_IRIS)
    assert search.n_resources_[0] == 2 * 3 * 3  # 2 * n_splits * n_classes
    assert search.max_resources_ == len(Y_IRIS)
    assert "n_samples" not in search.best_params_
    fitted = search.study_.trials[0].user_attrs["sklearn_cv"]["levels"]
    assert [level["n_resources"] for level in fitted] == search.n_resources_
    assert search.best_estimator_.tree_.n_node_samples[0] == len(Y_IRIS)


def test_a_given_pruner_is_used():
    search = _tree_search(pruner=ahpo.pruners.NopPruner()).fit(X_IRIS, Y_IRIS)
    assert search.n_candidates_ == [12, 12, 12]
    assert all(t.state == ahpo.TrialState.COMPLETE for t in search.study_.trials)


def test_halving_excludes_fold_pruning():
    with pytest.raises(ValueError, match="'enable_pruning' parameter of SearchCV"):
        _tree_search(enable_pruning=True).fit(X_IRIS, Y_IRIS)


def test_halving_beats_its_cost_on_a_seeded_problem():
    """With fewer fits, halving finds a configuration close to the full search's."""
    full = _tree_search(pruner=ahpo.pruners.NopPruner(), n_trials=20).fit(X_IRIS, Y_IRIS)
    halving = _tree_search(n_trials=20).fit(X_IRIS, Y_IRIS)
    assert sum(halving.n_candidates_) < sum(full.n_candidates_)
    assert halving.best_score_ >= full.best_score_ - 0.03


def test_halving_in_threads_and_its_budget_message(capsys):
    search = _tree_search(n_jobs=2, verbose=1).fit(X_IRIS, Y_IRIS)
    assert "Successive halving on max_depth at levels [1, 3, 9]" in capsys.readouterr().out
    assert search.n_candidates_[0] == 12
    assert len(search.cv_results_["params"]) == sum(search.n_candidates_)
    assert search.cv_results_["n_resources"][search.best_index_] == 9
