"""Maps parameters to the model's input columns and back.

A numerical parameter becomes one column in the unit cube (the distribution's own
``to_unit``: log-aware, and for integers and steps one equal-probability cell per
value). A categorical parameter becomes one column holding the choice index; the
kernel compares those with a Hamming distance. Discrete columns are snapped to the
centres of their cells wherever a point is proposed, so the acquisition is only
ever evaluated at points the trial can take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ahpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from ahpo.samplers._gp._kernel import FloatArray

_ALL_VALUES = 32  # a discrete column with at most this many values is searched exhaustively


class Encoding:
    """The columns of a search space.

    Parameters
    ----------
    space
        Distributions by name; columns follow the sorted names.

    Examples
    --------
    >>> from ahpo.distributions import FloatDistribution, CategoricalDistribution
    >>> enc = Encoding({"x": FloatDistribution(0, 4), "c": CategoricalDistribution(["a", "b"])})
    >>> row = enc.encode({"x": 1.0, "c": "b"})
    >>> row.tolist(), enc.decode(row)
    ([1.0, 0.25], {'c': 'b', 'x': 1.0})
    """

    def __init__(self, space: Mapping[str, BaseDistribution]) -> None:
        self.names = sorted(space)
        self.dists = [space[n] for n in self.names]
        self.categorical = np.array(
            [isinstance(d, CategoricalDistribution) for d in self.dists], dtype=bool
        )
        self.n_values = np.array([_n_values(d) for d in self.dists], dtype=np.int64)
        discrete = self.n_values > 0
        #: Columns moved by the gradient step (continuous, or discrete with many values).
        self.relaxed = ~self.categorical & ~(discrete & (self.n_values <= _ALL_VALUES))
        #: Columns moved by the local search (categorical and discrete numerical).
        self.discrete = discrete

    @property
    def dim(self) -> int:
        """Number of columns."""
        return len(self.names)

    def encode(self, params: Mapping[str, Any]) -> FloatArray | None:
        """The row of ``params`` (shape ``(d,)``), or ``None`` if a value is missing or
        outside its distribution."""
        row = np.empty(self.dim)
        for j, (name, dist) in enumerate(zip(self.names, self.dists, strict=True)):
            if name not in params:
                return None
            try:
                internal = dist.to_internal_repr(params[name])
            except (ValueError, TypeError):
                return None
            if not dist.contains(internal):
                return None
            row[j] = internal if self.categorical[j] else dist.to_unit(internal)
        return row

    def decode(self, row: FloatArray) -> dict[str, Any]:
        """External values of a row, by name."""
        out = {}
        for j, (name, dist) in enumerate(zip(self.names, self.dists, strict=True)):
            internal = float(row[j]) if self.categorical[j] else dist.from_unit(float(row[j]))
            out[name] = dist.to_external_repr(internal)
        return out

    def from_unit(self, u: FloatArray) -> FloatArray:
        """Rows from points of the unit cube (shape ``(m, d)``), snapped."""
        x = np.clip(u, 0.0, 1.0).copy()
        cat = self.categorical
        x[:, cat] = np.minimum(np.floor(x[:, cat] * self.n_values[cat]), self.n_values[cat] - 1)
        return self.snap(x)

    def snap(self, x: FloatArray) -> FloatArray:
        """Discrete numerical columns of ``x`` (shape ``(m, d)``) moved to cell centres."""
        out = x.copy()
        for j in np.flatnonzero(self.discrete & ~self.categorical):
            dist = self.dists[j]
            out[:, j] = dist.to_unit(dist.from_unit(np.clip(x[:, j], 0.0, 1.0)))
        return out

    def values(self, j: int) -> FloatArray:
        """Every value of the discrete column ``j``, encoded."""
        n = int(self.n_values[j])
        if self.categorical[j]:
            return np.arange(n, dtype=float)
        dist = self.dists[j]
        grid = dist.step or 1
        return np.asarray(dist.to_unit(dist.low + grid * np.arange(n)), dtype=float)

    def alternatives(self, row: FloatArray, j: int) -> FloatArray:
        """Values column ``j`` may take next to ``row[j]`` in a local search."""
        dist = self.dists[j]
        n = int(self.n_values[j])
        if self.categorical[j] or n <= _ALL_VALUES:
            return self.values(j)
        internal = float(dist.from_unit(float(row[j])))
        grid = dist.step or 1
        near = internal + grid * np.array([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0])
        near = near[(near >= dist.low) & (near <= dist.high)]
        return np.asarray(dist.to_unit(near), dtype=float)


def _n_values(dist: BaseDistribution) -> int:
    """Number of values of a discrete distribution, 0 for a continuous one."""
    if isinstance(dist, CategoricalDistribution):
        return len(dist.choices)
    if isinstance(dist, IntDistribution) or (
        isinstance(dist, FloatDistribution) and dist.step is not None
    ):
        step = dist.step or 1
        return round((dist.high - dist.low) / step) + 1
    return 0
