"""Tree-structured (conditional) spaces: one GP over every parameter, branch by branch.

In a conditional space a categorical parameter that every trial has (the *switch*)
decides which other parameters a trial has (its *branch*). A GP over the switch alone
sees each branch as one noisy value, so it keeps choosing the branch that is good on
average and never learns that another one holds the optimum. Here the GP sees every
parameter: a parameter a trial does not have is imputed by a constant (the centre of
the unit interval, or a choice index no real choice has), which is how random-forest
and GP optimizers for conditional spaces commonly handle them. The acquisition is then
maximized once per branch seen so far, over that branch's free columns with the switch
and the absent parameters held at their constants, and the best branch wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ahpo.distributions import BaseDistribution, CategoricalDistribution
from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._kernel import FloatArray
from ahpo.trial._frozen import FrozenTrial

IMPUTED_NUMERICAL = 0.5
IMPUTED_CHOICE = -1.0


@dataclass(frozen=True)
class Branches:
    """The branches of a conditional space, read off the finished trials.

    Attributes
    ----------
    space
        Every parameter with one distribution across the trials that have it, by
        name (sorted).
    switches
        The categorical parameters every trial has.
    members
        For each combination of switch values (choice indices), the parameters its
        trials have.
    """

    space: dict[str, BaseDistribution]
    switches: tuple[str, ...]
    members: dict[tuple[int, ...], frozenset[str]]

    @classmethod
    def detect(
        cls, trials: Sequence[FrozenTrial], joint: Mapping[str, BaseDistribution]
    ) -> Branches | None:
        """The branches, or ``None`` when the trials do not form a switched tree.

        That is when there are no parameters beyond ``joint`` (the parameters every
        trial has), no categorical switch in ``joint``, a parameter with several
        distributions, or two trials with the same switch values but different
        parameters.
        """
        switches = tuple(n for n, d in joint.items() if isinstance(d, CategoricalDistribution))
        if not switches or not trials:
            return None
        space: dict[str, BaseDistribution] = {}
        for t in trials:
            for name, dist in t.distributions.items():
                if space.setdefault(name, dist) != dist:
                    return None
        if set(space) == set(joint):
            return None
        members: dict[tuple[int, ...], frozenset[str]] = {}
        for t in trials:
            key = tuple(int(space[s].to_internal_repr(t.params[s])) for s in switches)
            names = frozenset(n for n in t.params if not space[n].single())
            if members.setdefault(key, names) != names:
                return None
        space = {n: d for n, d in sorted(space.items()) if not d.single()}
        return cls(space, switches, members)

    def row(self, encoding: Encoding, params: Mapping[str, Any]) -> FloatArray | None:
        """A trial's row over ``encoding`` (of ``space``), absent parameters imputed;
        ``None`` if a value lies outside its distribution."""
        names = sorted(n for n in params if n in self.space)
        present = Encoding({n: self.space[n] for n in names}).encode(params)
        if present is None:
            return None
        row = _imputed(encoding)
        row[[encoding.names.index(n) for n in names]] = present
        return row

    def base_row(self, encoding: Encoding, key: tuple[int, ...]) -> FloatArray:
        """The row of branch ``key`` before its free columns are chosen."""
        row = _imputed(encoding)
        for name, value in zip(self.switches, key, strict=True):
            row[encoding.names.index(name)] = value
        return row

    def free(self, key: tuple[int, ...]) -> list[str]:
        """The parameters branch ``key`` chooses: its members except the switches."""
        return sorted(self.members[key] - set(self.switches))


def _imputed(encoding: Encoding) -> FloatArray:
    """A row with every column at its imputed constant."""
    return np.where(encoding.categorical, IMPUTED_CHOICE, IMPUTED_NUMERICAL)


class Embedded:
    """An acquisition over a branch's free columns: the other columns are held fixed.

    Parameters
    ----------
    acquisition
        The acquisition over all columns (``__call__`` and ``value_and_grad``).
    columns
        Indices of the free columns.
    base
        The full row the free columns are written into.
    """

    def __init__(self, acquisition: Any, columns: Sequence[int], base: FloatArray) -> None:
        self._acq = acquisition
        self._cols = np.asarray(columns, dtype=np.int64)
        self._base = base

    def full(self, x: FloatArray) -> FloatArray:
        """Full rows (shape ``(m, d)``) from rows of free columns (shape ``(m, k)``)."""
        out = np.repeat(self._base[None, :], len(x), axis=0)
        out[:, self._cols] = x
        return out

    def __call__(self, x: FloatArray) -> FloatArray:
        return self._acq(self.full(x))

    def value_and_grad(self, x: FloatArray) -> tuple[float, FloatArray]:
        value, grad = self._acq.value_and_grad(self.full(x[None, :])[0])
        return value, grad[self._cols]
