"""Samplers: how a study chooses the parameters of the next trial.

Examples
--------
>>> import ahpo
>>> study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=1))
"""

from ahpo.samplers._base import BaseSampler
from ahpo.samplers._gp import GPSampler
from ahpo.samplers._grid import GridSampler
from ahpo.samplers._qmc import QMCSampler
from ahpo.samplers._random import RandomSampler
from ahpo.samplers._tpe import TPESampler

__all__ = ["BaseSampler", "GPSampler", "GridSampler", "QMCSampler", "RandomSampler", "TPESampler"]
