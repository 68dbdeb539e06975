"""Parameter distributions: the domains that trials sample from.

Examples
--------
>>> from ahpo.distributions import FloatDistribution, IntDistribution, CategoricalDistribution
>>> space = {
...     "lr": FloatDistribution(1e-5, 1e-1, log=True),
...     "depth": IntDistribution(2, 12),
...     "kind": CategoricalDistribution(["gbm", "rf"]),
... }
"""

from ahpo.distributions._base import BaseDistribution
from ahpo.distributions._categorical import CategoricalChoice, CategoricalDistribution
from ahpo.distributions._json import (
    check_compatible,
    distribution_to_json,
    json_to_distribution,
)
from ahpo.distributions._numerical import FloatDistribution, IntDistribution

Float = FloatDistribution
Int = IntDistribution
Categorical = CategoricalDistribution

__all__ = [
    "BaseDistribution",
    "Categorical",
    "CategoricalChoice",
    "CategoricalDistribution",
    "Float",
    "FloatDistribution",
    "Int",
    "IntDistribution",
    "check_compatible",
    "distribution_to_json",
    "json_to_distribution",
]
