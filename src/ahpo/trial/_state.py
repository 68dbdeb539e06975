"""The life cycle of a trial."""

from __future__ import annotations

import enum


class TrialState(enum.IntEnum):
    """Where a trial is in its life.

    ``WAITING`` (enqueued, not yet claimed) → ``RUNNING`` → one of the finished
    states ``COMPLETE``, ``PRUNED`` or ``FAIL``. Finished trials never change.
    """

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def __repr__(self) -> str:
        return f"TrialState.{self.name}"

    __str__ = __repr__

    def is_finished(self) -> bool:
        """Whether the state is COMPLETE, PRUNED or FAIL."""
        return self in _FINISHED


_FINISHED = frozenset({TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL})
