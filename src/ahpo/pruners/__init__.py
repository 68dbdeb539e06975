"""Pruners: stop hopeless trials early from the values they report.

Examples
--------
>>> import ahpo
>>> study = ahpo.create_study(pruner=ahpo.pruners.NopPruner())
"""

from ahpo.pruners._base import BasePruner, NopPruner

__all__ = ["BasePruner", "NopPruner"]
