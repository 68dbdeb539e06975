"""Build study histories by hand for pruner tests."""

from __future__ import annotations

from collections.abc import Mapping

import ahpo
from ahpo import TrialState


def add(
    study: ahpo.Study,
    values: Mapping[int, float],
    state: TrialState = TrialState.COMPLETE,
) -> None:
    """Add a finished trial that reported ``values`` (``step -> value``)."""
    final = None
    if state == TrialState.COMPLETE:
        final = values[max(values)] if values else 0.0
    study.add_trial(ahpo.create_trial(state=state, value=final, intermediate_values=values))


def running(study: ahpo.Study, values: Mapping[int, float]) -> ahpo.Trial:
    """Start a trial and report ``values`` in step order; it stays RUNNING."""
    trial = study.ask()
    for step in sorted(values):
        trial.report(values[step], step)
    return trial


def verdict(study: ahpo.Study, values: Mapping[int, float]) -> bool:
    """``should_prune()`` of a new running trial that reported ``values``."""
    return running(study, values).should_prune()


def study_with(pruner: ahpo.pruners.BasePruner, direction: str = "minimize") -> ahpo.Study:
    return ahpo.create_study(direction=direction, pruner=pruner)
