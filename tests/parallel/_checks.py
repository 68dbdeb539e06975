"""Checks shared by the multi-worker tests."""

from __future__ import annotations

import ahpo

from ._objectives import value_of


def assert_exact_study(study: ahpo.Study, n: int) -> None:
    """Exactly ``n`` trials numbered 0..n-1, all COMPLETE, each storing its own value."""
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(n))
    assert len({t.trial_id for t in trials}) == n
    assert {t.state for t in trials} == {ahpo.TrialState.COMPLETE}
    for t in trials:
        assert t.values == (value_of(t.params["x"], t.params["k"]),)
