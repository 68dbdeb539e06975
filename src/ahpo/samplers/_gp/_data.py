"""From finished trials to training data: rows, targets, constraints, subsets.

Targets are oriented so that larger is better. Several objectives are folded into
one by a random augmented Chebyshev scalarization per proposal (ParEGO, Knowles
2006): over many proposals the weights cover the Pareto front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ahpo._direction import StudyDirection
from ahpo.samplers._gp._kernel import FloatArray

_PAREGO_RHO = 0.05


@dataclass(frozen=True)
class Observations:
    """Training data of the finished trials of a search space.

    Attributes
    ----------
    x
        Rows, shape ``(n, d)``.
    values
        Objective values as reported, shape ``(n, k)``.
    constraints
        Constraint values (feasible when ``<= 0``), shape ``(n, m)``; ``m = 0`` without
        constraints.
    """

    x: FloatArray
    values: FloatArray
    constraints: FloatArray

    @property
    def feasible(self) -> np.ndarray:
        """Shape ``(n,)``: trials that satisfy every constraint."""
        return (self.constraints <= 0.0).all(axis=1)


def targets(
    values: FloatArray, directions: Sequence[StudyDirection], rng: np.random.Generator
) -> FloatArray:
    """One larger-is-better target per trial, shape ``(n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ahpo import StudyDirection
    >>> targets(np.array([[1.0], [3.0]]), [StudyDirection.MINIMIZE],
    ...         np.random.default_rng(0)).tolist()
    [-1.0, -3.0]
    """
    sign = np.array([-1.0 if d == StudyDirection.MINIMIZE else 1.0 for d in directions])
    oriented = values * sign
    if oriented.shape[1] == 1:
        return oriented[:, 0]
    losses = -oriented
    low, high = losses.min(axis=0), losses.max(axis=0)
    scaled = (losses - low) / np.where(high > low, high - low, 1.0)
    weights = rng.dirichlet(np.ones(losses.shape[1]))
    weighted = scaled * weights
    return -(weighted.max(axis=1) + _PAREGO_RHO * weighted.sum(axis=1))


def subset(y: FloatArray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of at most ``limit`` trials to model: all of them up to ``limit``; past
    it, the best half of the budget plus an even random draw from the rest, so the
    model stays accurate where it matters and the cost per trial stays bounded."""
    n = len(y)
    if n <= limit:
        return np.arange(n)
    order = np.argsort(-y, kind="stable")
    top = order[: limit // 2]
    rest = rng.choice(order[limit // 2 :], size=limit - len(top), replace=False)
    return np.sort(np.concatenate([top, rest]))
