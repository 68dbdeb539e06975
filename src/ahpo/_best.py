"""Best trials of a study: the optimum for one objective, the Pareto front for several."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ahpo._direction import StudyDirection
from ahpo.multiobjective import is_pareto_front
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


def _complete(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    feasible = [t for t in done if t.feasible]
    # With constraints, only feasible trials can be best; without any, all can.
    return feasible if any(t.constraints is not None for t in done) else done


def best_trial(trials: Sequence[FrozenTrial], direction: StudyDirection) -> FrozenTrial:
    """The COMPLETE (and feasible) trial with the best value; ties go to the earliest."""
    candidates = _complete(trials)
    if not candidates:
        raise ValueError("No trials are completed yet (or none is feasible).")
    if direction == StudyDirection.MAXIMIZE:
        return max(candidates, key=lambda t: t.values[0])  # type: ignore[index]
    return min(candidates, key=lambda t: t.values[0])  # type: ignore[index]


def best_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> list[FrozenTrial]:
    """The COMPLETE (and feasible) trials on the Pareto front, by number."""
    candidates = _complete(trials)
    if not candidates:
        return []
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    losses = np.array([t.values for t in candidates], dtype=float) * signs
    mask = is_pareto_front(losses)
    return [t for t, keep in zip(candidates, mask, strict=True) if keep]
