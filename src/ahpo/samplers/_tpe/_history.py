"""An incremental, columnar record of the finished trials a sampler has seen.

Finished trials never change, so each is read once: its parameters are stored as
internal values in one column per parameter, keyed by trial number. Asking for the
observations of a set of trials is then a dictionary lookup per value instead of a
conversion and a range check. A trial seen under a number it did not have before (the
sampler now samples another study of the same name) clears the record.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ahpo.distributions import BaseDistribution
from ahpo.trial._frozen import FrozenTrial, identity


class History:
    """Columns of internal parameter values of finished trials, by trial number.

    Safe to share between the threads of ``study.optimize(n_jobs=...)``: one lock
    guards every read and write.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        # The identity of the trial recorded under each number.
        self._seen: dict[int, tuple[object, ...]] = {}
        # Internal values by trial number (numbers are dense), NaN where absent.
        self._columns: dict[str, np.ndarray] = {}
        self._raw: dict[str, dict[int, object]] = {}
        self._dists: dict[str, BaseDistribution] = {}
        self._conflicting: set[str] = set()

    def update(self, finished: Iterable[FrozenTrial]) -> None:
        """Record the trials not seen before (each finished trial is read once)."""
        with self._lock:
            self._update(finished)

    def _update(self, finished: Iterable[FrozenTrial]) -> None:
        finished = list(finished)
        # Two studies share no trial, so one number recorded before tells which study
        # this is: the first finished trial whose number was recorded decides.
        for t in finished:
            known = self._seen.get(t.number)
            if known is not None:
                if known != identity(t):
                    self._clear()
                break
        for t in finished:
            if t.number in self._seen:
                continue
            self._seen[t.number] = identity(t)
            for name, dist in t.distributions.items():
                known = self._dists.setdefault(name, dist)
                if known != dist:
                    self._conflicting.add(name)
                value = t.params[name]
                self._raw.setdefault(name, {})[t.number] = value
                self._store(name, t.number, dist.to_internal_repr(value))

    def _store(self, name: str, number: int, internal: float) -> None:
        column = self._columns.get(name)
        if column is None or number >= len(column):
            size = max(64, 2 * (number + 1))
            grown = np.full(size, np.nan)
            if column is not None:
                grown[: len(column)] = column
            column = self._columns[name] = grown
        column[number] = internal

    def search_space(self) -> dict[str, BaseDistribution]:
        """Parameters with one distribution in every trial that has them, by name."""
        with self._lock:
            return self._search_space()

    def _search_space(self) -> dict[str, BaseDistribution]:
        return {
            n: d
            for n, d in sorted(self._dists.items())
            if n not in self._conflicting and not d.single()
        }

    def groups(self, names: Iterable[str]) -> list[list[str]]:
        """Partition ``names`` into parameters that always appear in the same trials."""
        by_signature: dict[frozenset[int], list[str]] = {}
        with self._lock:
            for name in sorted(names):
                column = self._columns.get(name, np.empty(0))
                present = frozenset(np.flatnonzero(~np.isnan(column)).tolist())
                by_signature.setdefault(present, []).append(name)
        return list(by_signature.values())

    def present(self, names: Iterable[str], numbers: Sequence[int]) -> np.ndarray:
        """Which trials in ``numbers`` have every one of ``names``: a ``(len(numbers),)`` mask."""
        index = np.asarray(numbers, dtype=np.int64)
        mask = np.ones(len(index), dtype=bool)
        with self._lock:
            for name in names:
                column = self._columns.get(name, np.empty(0))
                inside = index < len(column)
                has = np.zeros(len(index), dtype=bool)
                has[inside] = ~np.isnan(column[index[inside]])
                mask &= has
        return mask

    def shared(self, names: Iterable[str], numbers: Sequence[int]) -> list[str]:
        """The ``names`` that every trial in ``numbers`` has, sorted."""
        return [name for name in sorted(names) if self.present([name], numbers).all()]

    def observations(
        self, numbers: Sequence[int], space: Mapping[str, BaseDistribution]
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Internal values of the trials in ``numbers`` that have every parameter of
        ``space`` inside its distribution.

        Returns the values by name (arrays of equal length) and which of ``numbers``
        they come from: a ``(len(numbers),)`` mask.
        """
        names = sorted(space)
        with self._lock:
            columns = [self._column(numbers, name, space[name]) for name in names]
        matrix = np.array(columns, dtype=float).reshape(len(names), len(numbers)).T
        keep = ~np.isnan(matrix).any(axis=1)
        return {name: matrix[keep, j] for j, name in enumerate(names)}, keep

    def _column(
        self, numbers: Sequence[int], name: str, dist: BaseDistribution
    ) -> np.ndarray | list[float]:
        if name not in self._conflicting and self._dists.get(name) == dist:
            column = self._columns.get(name, np.empty(0))
            index = np.asarray(numbers, dtype=np.int64)
            out = np.full(len(index), np.nan)
            inside = index < len(column)
            out[inside] = column[index[inside]]
            return out
        # The range or kind changed between trials: re-express each value in `dist`.
        raw = self._raw.get(name, {})
        out = []
        for k in numbers:
            internal = np.nan
            if k in raw:
                try:
                    candidate = dist.to_internal_repr(raw[k])
                    internal = candidate if dist.contains(candidate) else np.nan
                except (ValueError, TypeError):
                    pass
            out.append(internal)
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
