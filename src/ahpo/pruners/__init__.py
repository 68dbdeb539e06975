"""Pruners: stop hopeless trials early from the values they report.

A pruner is pure: it reads the study's view and the running trial's snapshot and
answers whether to stop; it never writes to storage.

Examples
--------
>>> import ahpo
>>> study = ahpo.create_study(pruner=ahpo.pruners.NopPruner())
>>> study = ahpo.create_study(pruner=ahpo.pruners.MedianPruner(n_warmup_steps=5))
"""

from ahpo.pruners._base import BasePruner, NopPruner
from ahpo.pruners._hyperband import HyperbandPruner
from ahpo.pruners._median import MedianPruner
from ahpo.pruners._patient import PatientPruner
from ahpo.pruners._percentile import PercentilePruner
from ahpo.pruners._successive_halving import SuccessiveHalvingPruner
from ahpo.pruners._threshold import ThresholdPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
]
