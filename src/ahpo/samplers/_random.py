"""Independent uniform sampling."""

from __future__ import annotations

from typing import Any

import numpy as np

from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.samplers._base import BaseSampler
from ahpo.trial._frozen import FrozenTrial


class RandomSampler(BaseSampler):
    """Samples every parameter independently and uniformly in its unit interval.

    Log-scaled parameters are uniform in log space; integers, steps and categorical
    choices are equally likely.

    Parameters
    ----------
    seed
        Seed of the random generator; a seeded sampler in a sequential study is
        reproducible bit for bit.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=20)
    >>> study.best_value < 0.1
    True
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._rng = np.random.default_rng(seed)

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        internal = distribution.from_unit(self._rng.random())
        return distribution.to_external_repr(internal)
