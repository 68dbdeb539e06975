"""Pruners: stop hopeless trials early from the values they report.

A pruner is pure: it reads the study's view and the running trial's snapshot and
answers whether to stop; it never writes to storage.

Several workers (threads, processes or machines on one storage) can share a study:
each decision is a function of the trials in the storage when ``should_prune`` runs,
so workers need no coordination (Hyperband's brackets follow from trial numbers
alone); like ASHA, a decision depends on which rivals had reported by then.
Multi-objective studies cannot be pruned: ``Trial.report`` and ``Trial.should_prune``
raise ``NotImplementedError`` there, so a pruner set on such a study never prunes.

Model-based multi-fidelity (BOHB-style) needs no glue: under ``HyperbandPruner``
a model-based sampler (TPE, GP) is fitted on the trials' values at the highest rung
that has enough trials; ``TPESampler(random_fraction=1/3)`` also draws a third of the
trials at random, as BOHB. See :meth:`BasePruner.sampler_view` for the hook.

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
from ahpo.pruners._wilcoxon import WilcoxonPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
    "WilcoxonPruner",
]
