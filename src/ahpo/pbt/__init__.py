"""Population-based training: a population that exploits and explores as it trains.

Examples
--------
>>> import ahpo.pbt
>>> pbt = ahpo.pbt.PopulationBasedTraining(population_size=8, interval=5)
>>> pbt.interval
5
"""

from ahpo.pbt._population import lineage
from ahpo.pbt._sampler import PopulationBasedTraining

__all__ = ["PopulationBasedTraining", "lineage"]
