"""Start-up design: a scrambled Sobol' sequence indexed by trial number."""

from __future__ import annotations

from typing import Any

import numpy as np

from ahpo.distributions import BaseDistribution
from ahpo.trial._frozen import FrozenTrial

_DIMS = 64
_POINTS = 1024


class SobolStartup:
    """The ``j``-th parameter a trial suggests takes coordinate ``j`` of Sobol' point
    number ``trial.number``: a low-discrepancy design for any fixed space, that
    parallel workers share without talking.

    Parameters
    ----------
    seed
        Seeds the scrambling (``None``: a fresh one).

    Examples
    --------
    >>> import ahpo
    >>> startup = SobolStartup(seed=0)
    >>> trial = ahpo.create_trial(params={}, distributions={}, value=0.0)
    >>> 0.0 <= startup.value(trial, "x", ahpo.Float(0, 1)) <= 1.0
    True
    """

    def __init__(self, seed: int | None) -> None:
        self._seed = seed
        self._table: np.ndarray | None = None

    def value(self, trial: FrozenTrial, name: str, dist: BaseDistribution) -> Any:
        """The start-up value of ``name`` for ``trial`` (external)."""
        if dist.single():
            return dist.to_external_repr(dist.from_unit(0.5))
        j = len(trial.params)
        if self._table is None:
            from scipy.stats import qmc  # heavy: loaded on first use

            self._table = qmc.Sobol(_DIMS, scramble=True, seed=self._seed).random(_POINTS)
        if j >= _DIMS:
            u = float(np.random.default_rng([self._seed or 0, trial.number, j]).random())
        else:
            u = float(self._table[trial.number % _POINTS, j])
        return dist.to_external_repr(dist.from_unit(u))
