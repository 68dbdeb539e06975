"""A pruner that stops at a given step, and a study that records what was reported."""

from __future__ import annotations

import ahpo
from ahpo.pruners import BasePruner


class PruneAt(BasePruner):
    """Prunes once a trial reported a step ``>= step``; never when ``step`` is None."""

    def __init__(self, step: int | None) -> None:
        self.step = step

    def prune(self, view, trial):
        return self.step is not None and (trial.last_step or 0) >= self.step


def study(direction: str = "minimize", prune_at: int | None = None) -> ahpo.Study:
    return ahpo.create_study(direction=direction, pruner=PruneAt(prune_at))
