"""Samplers: how a study chooses the parameters of the next trial.

Examples
--------
>>> import ahpo
>>> study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=1))
"""

from ahpo.samplers._base import BaseSampler
from ahpo.samplers._random import RandomSampler

__all__ = ["BaseSampler", "RandomSampler"]
