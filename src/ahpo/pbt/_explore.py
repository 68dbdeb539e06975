"""PBT's *explore* step: perturb or resample a copied configuration."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import Any

import numpy as np

from ahpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


def explore(
    params: Mapping[str, Any],
    distributions: Mapping[str, BaseDistribution],
    rng: np.random.Generator,
    factors: Sequence[float],
    resample_probability: float,
    mutable: Container[str] | None = None,
) -> dict[str, Any]:
    """New parameter values near ``params`` (Jaderberg et al. 2017, section 4.1).

    Each parameter named in ``mutable`` (all if ``None``; the others are copied) is,
    with probability ``resample_probability``, drawn afresh from its distribution;
    otherwise a numerical one is multiplied by one of ``factors`` (chosen uniformly),
    snapped to its step (moving at least one step the way the factor points, so small
    integers do not stay put) and clipped to its range, and a categorical one moves
    to the choice before or after it (unchanged at the ends), as Ray Tune does. Names
    are visited in sorted order, so a seeded ``rng`` gives the same result in every
    process.

    Examples
    --------
    >>> import numpy as np
    >>> from ahpo.distributions import IntDistribution
    >>> explore({"layers": 1}, {"layers": IntDistribution(1, 8)},
    ...         np.random.default_rng(0), (1.2,), 0.0)
    {'layers': 2}
    """
    out: dict[str, Any] = {}
    for name in sorted(params):
        dist = distributions[name]
        value = params[name]
        if dist.single() or (mutable is not None and name not in mutable):
            out[name] = value
        elif rng.random() < resample_probability:
            out[name] = dist.to_external_repr(float(dist.from_unit(rng.random())))
        elif isinstance(dist, CategoricalDistribution):
            index = int(dist.to_internal_repr(value)) + (-1, 1)[int(rng.integers(2))]
            out[name] = dist.choices[min(max(index, 0), len(dist.choices) - 1)]
        else:
            factor = float(factors[int(rng.integers(len(factors)))])
            out[name] = _scale(value, dist, factor)  # type: ignore[arg-type]
    return out


def _scale(value: float, dist: FloatDistribution | IntDistribution, factor: float) -> Any:
    """``value * factor`` inside ``dist``: on its grid, at least one step from ``value``."""
    moved = float(value) * factor
    if dist.step is None:
        return float(min(max(moved, dist.low), dist.high))
    old = round((value - dist.low) / dist.step)
    k = round((moved - dist.low) / dist.step)
    if k == old and moved != value:
        k += 1 if moved > value else -1
    k = min(max(k, 0), round((dist.high - dist.low) / dist.step))
    return dist.to_external_repr(dist.low + k * dist.step)
