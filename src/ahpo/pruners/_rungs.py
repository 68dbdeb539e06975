"""Rung values of a study's trials, kept up to date incrementally for ASHA.

Successive halving decides a rung by ranking a trial's value among the values every
competing trial carried into that rung. Finished trials never change, so each is read
once: its value at each rung asked for so far goes into one sorted list per rung, and a
decision costs a bisection plus a look at the trials still running, instead of a pass
over every trial's reports.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def rung_value(intermediate_values: Mapping[int, float], rung_step: int) -> float | None:
    """The value a trial carries into the rung at ``rung_step``, ``None`` if not reached.

    It is the value reported at the smallest reported step ``>= rung_step``: the report
    with which the trial crossed the rung (exactly ``rung_step`` when every step is
    reported).
    """
    crossing = min((s for s in intermediate_values if s >= rung_step), default=None)
    return None if crossing is None else intermediate_values[crossing]


def _entered(value: float | None) -> bool:
    """Whether a trial with this rung value counts among the rung's trials."""
    return value is not None and not math.isnan(value)


class RungIndex:
    """Sorted rung values of one study's finished competing trials.

    Rebuilt from scratch when the study behind the name changes (its first trial is
    another one). Safe to share between threads.

    Parameters
    ----------
    sign
        ``1.0`` to minimize, ``-1.0`` to maximize: values are stored as ``sign * value``.
    member
        ``member(number)``: whether trial ``number`` competes (Hyperband: its bracket);
        ``None``: every trial does.
    """

    def __init__(self, sign: float, member: Callable[[int], bool] | None = None) -> None:
        self._sign = sign
        self._member = member
        self._lock = threading.Lock()
        self._reset(None)

    def _reset(self, fingerprint: tuple[Any, ...] | None) -> None:
        self._fingerprint = fingerprint
        self._n_seen = 0
        self._open: set[int] = set()  # competing trials not finished when last seen
        self._finished: list[FrozenTrial] = []  # COMPLETE and PRUNED ones, indexed
        self._rungs: dict[int, list[float]] = {}  # rung step -> sorted keys

    def _sync(self, trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
        """Index the trials that finished since the last call; the running ones."""
        if trials[-1].number != len(trials) - 1:
            raise RuntimeError(
                "The storage returned the study's trials out of number order or with gaps; "
                "a storage must number a study's trials 0, 1, 2, ... and list them in order."
            )
        first = trials[0]
        fingerprint = (first.trial_id, first.datetime_start)
        if fingerprint != self._fingerprint:
            self._reset(fingerprint)
        member = self._member
        fresh = [n for n in range(self._n_seen, len(trials)) if member is None or member(n)]
        self._n_seen = len(trials)
        waiting, self._open = sorted(self._open) + fresh, set()
        running = []
        for number in waiting:
            t = trials[number]
            if t.state in _FINISHED:
                if t.state != TrialState.FAIL:
                    self._add(t)
            else:
                self._open.add(number)
                if t.state == TrialState.RUNNING:
                    running.append(t)
        return running

    def _add(self, trial: FrozenTrial) -> None:
        self._finished.append(trial)
        for step, keys in self._rungs.items():
            value = rung_value(trial.intermediate_values, step)
            if _entered(value):
                bisect.insort(keys, self._sign * value)  # type: ignore[operator]

    def _keys(self, step: int) -> list[float]:
        keys = self._rungs.get(step)
        if keys is None:
            values = (rung_value(t.intermediate_values, step) for t in self._finished)
            keys = self._rungs[step] = sorted(self._sign * v for v in values if _entered(v))
        return keys

    def prunes(
        self,
        trials: Sequence[FrozenTrial],
        trial: FrozenTrial,
        rung_step: int,
        reduction_factor: int,
        bootstrap_count: int,
        last: int,
    ) -> bool:
        """ASHA's decision for ``trial`` at its rungs from ``rung_step`` to ``last``.

        ``trials`` are all the study's trials, ordered by number. ``trial`` competes
        with every member that reached a rung (COMPLETE, PRUNED or RUNNING, itself
        included); it goes on from the rung if its value is among the best
        ``max(1, n // reduction_factor)`` of those ``n`` (ties favour it), while more
        than ``bootstrap_count`` reached it. A NaN value prunes its trial at that rung,
        and that trial does not count among the rung's (as in Optuna, which prunes it
        before recording its value).
        """
        value = trial.intermediate_values[trial.last_step]  # type: ignore[index]
        if math.isnan(value):
            return True
        own = self._sign * value
        with self._lock:
            running = [t for t in self._sync(trials) if t.number != trial.number]
            while rung_step <= last:
                keys = self._keys(rung_step)
                live = [rung_value(t.intermediate_values, rung_step) for t in running]
                rivals = [self._sign * v for v in live if _entered(v)]
                n = len(keys) + len(rivals) + 1
                if n <= bootstrap_count:
                    return True
                # Promoted if at most k others are strictly better, k = max(n // eta, 1) - 1:
                # the top 1/eta go on; while fewer than eta reached the rung, only a trial
                # that beats or ties all of them (as Optuna; ASHA would pause it, but
                # trials here cannot be resumed).
                better = bisect.bisect_left(keys, own) + sum(r < own for r in rivals)
                if better > max(n // reduction_factor - 1, 0):
                    return True
                rung_step *= reduction_factor
        return False


class RungIndexes:
    """A pruner's :class:`RungIndex` per study name, direction and group of trials.

    Pickles empty (a worker process rebuilds its own from the storage).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: dict[tuple[str, float, Any], RungIndex] = {}

    def get(
        self, study_name: str, sign: float, group: Any = None,
        member: Callable[[int], bool] | None = None,
    ) -> RungIndex:
        """The index of ``study_name``'s trials in ``group`` (those ``member`` accepts)."""
        key = (study_name, sign, group)
        with self._lock:
            index = self._indexes.get(key)
            if index is None:
                index = self._indexes[key] = RungIndex(sign, member)
            return index

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]
