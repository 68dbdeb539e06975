"""The SQL storage's trial cache: finished trials are read from the database once.

Per study the cache keeps the trials by number, the ids of those not yet finished,
and ``max_seen_id``, the largest trial id read so far. A refresh then needs only

* trials with ``trial_id > max_seen_id`` (new since the last read), and
* trials whose id is in the unfinished set (their state may have changed).

Why ``trial_id > max_seen_id`` cannot miss a trial: the storage creates a trial only
while holding its study's lock (``SELECT ... FOR NO KEY UPDATE`` on the study row in
PostgreSQL, the database write lock of ``BEGIN IMMEDIATE`` in SQLite), and the id is
drawn from a never-reused sequence (SQLite ``AUTOINCREMENT``) by the insert under
that lock. So the trials of one study get increasing ids in the order they commit:
once a reader sees id ``k``, every trial of that study with a smaller id is already
committed and was returned by this or an earlier read. Trials are never deleted
except with their study, which drops its cache entry.

Finished trials never change, so a cached finished record is never replaced.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ahpo.trial._frozen import FrozenTrial


@dataclass(slots=True)
class _StudyTrials:
    by_number: list[FrozenTrial] = field(default_factory=list)
    unfinished_ids: set[int] = field(default_factory=set)
    max_seen_id: int = -1


class TrialCache:
    """Trials already read, per study, with one lock for readers of the cache.

    The storage holds :attr:`lock` across "plan, fetch, merge", so one thread's
    refresh never interleaves with another's and the number list stays gapless.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._studies: dict[int, _StudyTrials] = {}
        self._finished: dict[int, FrozenTrial] = {}

    def finished_trial(self, trial_id: int) -> FrozenTrial | None:
        """The cached record of a finished trial, or ``None``."""
        with self.lock:
            return self._finished.get(trial_id)

    def remember_finished(self, trial: FrozenTrial) -> None:
        """Cache a finished trial read on its own (by :meth:`SQLStorage.get_trial`)."""
        if trial.state.is_finished():
            with self.lock:
                self._finished[trial.trial_id] = trial

    def plan(self, study_id: int) -> tuple[int, list[int]]:
        """``(max_seen_id, unfinished ids)``: what a refresh must read."""
        with self.lock:
            entry = self._studies.get(study_id)
            if entry is None:
                return -1, []
            return entry.max_seen_id, sorted(entry.unfinished_ids)

    def merge(self, study_id: int, fetched: list[FrozenTrial]) -> list[FrozenTrial]:
        """Add what a refresh read; return all the study's trials by number."""
        with self.lock:
            entry = self._studies.setdefault(study_id, _StudyTrials())
            trials = entry.by_number
            for trial in sorted(fetched, key=lambda t: t.number):
                if trial.number < len(trials):
                    if trials[trial.number].state.is_finished():
                        continue
                    trials[trial.number] = trial
                else:
                    # New trials arrive gapless: the refresh read every id above max_seen_id.
                    trials.append(trial)
                if trial.state.is_finished():
                    entry.unfinished_ids.discard(trial.trial_id)
                    self._finished[trial.trial_id] = trial
                else:
                    entry.unfinished_ids.add(trial.trial_id)
                entry.max_seen_id = max(entry.max_seen_id, trial.trial_id)
            return list(trials)

    def forget(self, study_id: int) -> None:
        """Drop a deleted study's entry."""
        with self.lock:
            entry = self._studies.pop(study_id, None)
            if entry is not None:
                for trial in entry.by_number:
                    self._finished.pop(trial.trial_id, None)
