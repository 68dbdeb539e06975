"""Keeps the proposals for a deterministic objective off points already evaluated.

Evaluating a point of a noiseless objective twice teaches nothing, yet on a grid
(integer, stepped or categorical parameters) the acquisition's maximizer often
lands on an evaluated point: the best candidates are snapped perturbations of the
best rows, and the exact search over a small integer range returns to them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._kernel import FloatArray

_DECIMALS = 9  # rows equal to this many decimals are one point
_N_FRESH = 1024  # random rows drawn when the maximizer found only seen ones
_N_ENUMERATED = 20_000  # grids up to this size are searched whole


def _keys(x: FloatArray) -> list[bytes]:
    rounded = np.round(np.asarray(x, dtype=float), _DECIMALS) + 0.0  # -0.0 becomes 0.0
    return [row.tobytes() for row in rounded]


class Unseen:
    """An acquisition that is ``-inf`` at the rows already seen.

    Parameters
    ----------
    acquisition
        The acquisition to wrap (``__call__`` and ``value_and_grad``).
    seen
        Rows of the points evaluated or being evaluated (shape ``(m, d)``), in the
        coordinates the acquisition takes.

    Examples
    --------
    >>> import numpy as np
    >>> flat = lambda x: np.zeros(len(x))
    >>> acq = Unseen(flat, np.array([[0.5, 0.0]]))
    >>> acq(np.array([[0.5, 0.0], [0.5, 1.0]])).tolist()
    [-inf, 0.0]
    """

    def __init__(self, acquisition: Any, seen: FloatArray) -> None:
        self._acq = acquisition
        self._seen = set(_keys(seen))

    def __call__(self, x: FloatArray) -> FloatArray:
        values = np.asarray(self._acq(x), dtype=float)
        taken = np.fromiter((k in self._seen for k in _keys(x)), dtype=bool, count=len(x))
        return np.where(taken, -np.inf, values)

    def value_and_grad(self, x: FloatArray) -> tuple[float, FloatArray]:
        """The wrapped acquisition's value and gradient (the gradient step moves
        relaxed columns; the snapped result is then scored by ``__call__``)."""
        value, grad = self._acq.value_and_grad(x)
        return float(value), grad

    def taken(self, row: FloatArray) -> bool:
        """Whether ``row`` (shape ``(d,)``) is a seen point."""
        return _keys(row[None, :])[0] in self._seen

    def fresh(self, encoding: Encoding, rng: np.random.Generator) -> FloatArray | None:
        """A random row that is not seen, or ``None`` if there is none (see
        :func:`fresh_row`)."""
        return _fresh(encoding, self._seen, rng)


def fresh_row(
    encoding: Encoding, seen: FloatArray, rng: np.random.Generator
) -> FloatArray | None:
    """A random row that is none of the rows ``seen``, or ``None`` if there is none.

    A grid of at most ``_N_ENUMERATED`` points is enumerated, so ``None`` means every
    point was seen; otherwise ``_N_FRESH`` random rows are tried.
    """
    return _fresh(encoding, set(_keys(seen)), rng)


def _fresh(encoding: Encoding, seen: set[bytes], rng: np.random.Generator) -> FloatArray | None:
    n_values = encoding.n_values
    if n_values.all() and np.prod(n_values.astype(float)) <= _N_ENUMERATED:
        columns = [encoding.values(j) for j in range(encoding.dim)]
        grid = np.stack(np.meshgrid(*columns, indexing="ij"), axis=-1)
        rows = rng.permutation(grid.reshape(-1, encoding.dim))
    else:
        rows = encoding.from_unit(rng.random((_N_FRESH, encoding.dim)))
    for row, key in zip(rows, _keys(rows), strict=True):
        if key not in seen:
            return row
    return None
