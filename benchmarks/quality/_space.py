"""A tiny search-space description, translated to define-by-run and to Hyperopt.

Each benchmark problem states its space once with these records; ``suggest`` turns it
into ``trial.suggest_*`` calls (ahpo and Optuna share that API) and ``hyperopt_space``
into the equivalent ``hp.*`` expression, so every library searches the same space.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Float:
    """A float in ``[low, high]``; ``log`` samples it uniformly in log space."""

    name: str
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Int:
    """An int in ``[low, high]`` (both included); ``log`` as for :class:`Float`."""

    name: str
    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class Cat:
    """One of ``choices`` (str, int, float or bool)."""

    name: str
    choices: tuple[Any, ...]


@dataclass(frozen=True)
class Branch:
    """A categorical ``name`` whose value selects which parameters exist.

    ``branches`` maps each choice to the parameters that only that choice has.
    """

    name: str
    branches: tuple[tuple[str, tuple[Param, ...]], ...]


Param = Float | Int | Cat | Branch
Space = Sequence[Param]


def suggest(trial: Any, space: Space) -> dict[str, Any]:
    """Ask ``trial`` (ahpo or Optuna) for every parameter; return ``{name: value}``."""
    params: dict[str, Any] = {}
    for p in space:
        if isinstance(p, Float):
            params[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
        elif isinstance(p, Int):
            params[p.name] = trial.suggest_int(p.name, p.low, p.high, log=p.log)
        elif isinstance(p, Cat):
            params[p.name] = trial.suggest_categorical(p.name, list(p.choices))
        else:
            chosen = trial.suggest_categorical(p.name, [key for key, _ in p.branches])
            params[p.name] = chosen
            params.update(suggest(trial, dict(p.branches)[chosen]))
    return params


def hyperopt_space(space: Space) -> dict[str, Any]:
    """The same space as a Hyperopt expression (a dict of ``hp.*`` nodes).

    Ints use ``hp.quniform``/``hp.qloguniform`` over ``[low - 0.5, high + 0.5]`` so every
    integer has the same mass; :func:`from_hyperopt` rounds and clips them back.
    """
    from hyperopt import hp

    out: dict[str, Any] = {}
    for p in space:
        if isinstance(p, Float):
            if p.log:
                out[p.name] = hp.loguniform(p.name, math.log(p.low), math.log(p.high))
            else:
                out[p.name] = hp.uniform(p.name, p.low, p.high)
        elif isinstance(p, Int):
            if p.log:
                low, high = math.log(max(p.low - 0.5, 0.5)), math.log(p.high + 0.5)
                out[p.name] = hp.qloguniform(p.name, low, high, 1)
            else:
                out[p.name] = hp.quniform(p.name, p.low - 0.5, p.high + 0.5, 1)
        elif isinstance(p, Cat):
            out[p.name] = hp.choice(p.name, list(p.choices))
        else:
            options = [{p.name: key, **hyperopt_space(sub)} for key, sub in p.branches]
            out[p.name] = hp.choice(p.name, options)
    return out


def from_hyperopt(space: Space, sample: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten the value Hyperopt passes to the objective into ``{name: value}``."""
    params: dict[str, Any] = {}
    for p in space:
        value = sample[p.name]
        if isinstance(p, Float):
            params[p.name] = float(value)
        elif isinstance(p, Int):
            params[p.name] = int(min(max(round(float(value)), p.low), p.high))
        elif isinstance(p, Cat):
            params[p.name] = value
        else:
            chosen = value[p.name]
            params[p.name] = chosen
            params.update(from_hyperopt(dict(p.branches)[chosen], value))
    return params


def dimension(space: Space) -> int:
    """Number of parameters on the longest path through the space."""
    total = 0
    for p in space:
        if isinstance(p, Branch):
            total += 1 + max(dimension(sub) for _, sub in p.branches)
        else:
            total += 1
    return total
