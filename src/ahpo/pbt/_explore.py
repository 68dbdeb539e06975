"""PBT's *explore* step: perturb or resample a copied configuration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ahpo.distributions import BaseDistribution, CategoricalDistribution


def explore(
    params: Mapping[str, Any],
    distributions: Mapping[str, BaseDistribution],
    rng: np.random.Generator,
    factors: Sequence[float],
    resample_probability: float,
) -> dict[str, Any]:
    """New parameter values near ``params`` (Jaderberg et al. 2017, section 4.1).

    Each parameter is, with probability ``resample_probability``, drawn afresh from
    its distribution; otherwise a numerical one is multiplied by one of ``factors``
    (chosen uniformly) and clipped to its range, snapped to its step; a categorical one
    is kept. Names are visited in sorted order, so a seeded ``rng`` gives the same
    result in every process.
    """
    out: dict[str, Any] = {}
    for name in sorted(params):
        dist = distributions[name]
        value = params[name]
        if dist.single():
            out[name] = value
        elif rng.random() < resample_probability:
            out[name] = dist.to_external_repr(float(dist.from_unit(rng.random())))
        elif isinstance(dist, CategoricalDistribution):
            out[name] = value
        else:
            moved = value * float(factors[int(rng.integers(len(factors)))])
            unit = float(np.clip(dist.to_unit(float(moved)), 0.0, 1.0))
            out[name] = dist.to_external_repr(float(dist.from_unit(unit)))
    return out
