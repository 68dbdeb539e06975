"""Multi-objective helpers: Pareto dominance.

Examples
--------
>>> from ahpo.multiobjective import is_pareto_front
>>> is_pareto_front([[0, 1], [1, 0]]).tolist()
[True, True]
"""

from ahpo.multiobjective._pareto import is_pareto_front, nondominated_ranks

__all__ = ["is_pareto_front", "nondominated_ranks"]
