"""Grid search: every combination of the given values, each run exactly once."""

from __future__ import annotations

import decimal
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from ahpo.samplers._base import BaseSampler
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState
from ahpo.trial._trial import FIXED_PARAMS_KEY

_OWNER = "GridSampler"
_SCALARS = (type(None), bool, int, float, str)

# System attributes of a grid trial. ``before_trial`` returns them in this order and the
# study records them in order, so a reader never sees "fixed_params" on a grid trial
# before "grid_id", nor "search_space" before "grid_seed" (see ``_consumes``).
GRID_ID_KEY = "grid_id"
GRID_TRIAL_KEY = "grid_trial_number"
GRID_SEED_KEY = "grid_seed"
SEARCH_SPACE_KEY = "search_space"
GRID_OVERRUN_KEY = "grid_overrun"


def _float_steps(low: float, high: float, step: float) -> list[float]:
    lo, st = decimal.Decimal(repr(low)), decimal.Decimal(repr(step))
    n = int(((decimal.Decimal(repr(high)) - lo) / st).to_integral_value())
    return [float(lo + k * st) for k in range(n + 1)]


def _enumerate(path: str, dist: BaseDistribution) -> list[Any]:
    """The values of a finite distribution, in increasing order."""
    if isinstance(dist, CategoricalDistribution):
        return list(dist.choices)
    if isinstance(dist, IntDistribution):
        return list(range(dist.low, dist.high + 1, dist.step))
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        return _float_steps(dist.low, dist.high, dist.step)
    if isinstance(dist, FloatDistribution) and dist.single():
        return [dist.low]
    raise invalid(
        path,
        "a list of values or a finite distribution (Categorical, Int, or Float with step)",
        dist,
        owner=_OWNER,
    )


def _values(path: str, raw: Any) -> list[Any]:
    """A grid axis as a list of distinct JSON scalars."""
    if isinstance(raw, BaseDistribution):
        return _enumerate(path, raw)
    if isinstance(raw, np.ndarray):
        if raw.ndim != 1:
            raise invalid(path, "a 1-d array of values", raw, owner=_OWNER)
        raw = raw.tolist()
    elif isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence):
        raise type_error(path, "a list of values or a finite ahpo distribution", raw, owner=_OWNER)
    if len(raw) == 0:
        raise invalid(path, "a non-empty list of values", list(raw), owner=_OWNER)
    out: list[Any] = []
    seen: set[tuple[type, Any]] = set()
    for i, value in enumerate(raw):
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, _SCALARS):
            raise type_error(
                f"{path}[{i}]",
                "None, a bool, an int, a float or a str (grid values are stored as JSON)",
                value,
                owner=_OWNER,
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise invalid(f"{path}[{i}]", "a finite number", value, owner=_OWNER)
        if (type(value), value) in seen:
            raise invalid(f"{path}[{i}]", "distinct from the other values", value, owner=_OWNER)
        seen.add((type(value), value))
        out.append(value)
    return out


def _normalize(search_space: Any) -> dict[str, list[Any]] | list[dict[str, list[Any]]]:
    """Validate a grid; return it as JSON (a dict of lists, or a list of such dicts)."""
    if isinstance(search_space, Mapping):
        grids = [("search_space", search_space)]
    elif isinstance(search_space, Sequence) and not isinstance(search_space, (str, bytes)):
        if len(search_space) == 0:
            raise invalid("search_space", "a non-empty list of dicts", [], owner=_OWNER)
        grids = [(f"search_space[{i}]", grid) for i, grid in enumerate(search_space)]
    else:
        raise type_error(
            "search_space", "a dict of value lists or a list of such dicts", search_space,
            owner=_OWNER,
        )
    normalized = []
    for path, grid in grids:
        if not isinstance(grid, Mapping):
            raise type_error(path, "a dict of value lists", grid, owner=_OWNER)
        if len(grid) == 0:
            raise invalid(path, "a dict with at least one parameter", dict(grid), owner=_OWNER)
        axes = {}
        for name, raw in grid.items():
            if not isinstance(name, str):
                raise type_error(path, "a dict with str parameter names", name, owner=_OWNER)
            axes[name] = _values(f"{path}[{name!r}]", raw)
        normalized.append(axes)
    return normalized[0] if isinstance(search_space, Mapping) else normalized


@dataclass(frozen=True, slots=True)
class _Grid:
    """A validated grid: its JSON form, a canonical text of it, its points in grid order."""

    stored: dict[str, list[Any]] | list[dict[str, list[Any]]]
    key: str
    points: tuple[dict[str, Any], ...]

    @classmethod
    def build(cls, search_space: Any) -> _Grid:
        stored = _normalize(search_space)
        points: list[dict[str, Any]] = []
        seen: set[tuple[tuple[str, type, Any], ...]] = set()
        for axes in stored if isinstance(stored, list) else [stored]:
            names = sorted(axes)
            for values in itertools.product(*(axes[name] for name in names)):
                key = tuple((n, type(v), v) for n, v in zip(names, values, strict=True))
                if key not in seen:  # a union of grids runs a shared point once
                    seen.add(key)
                    points.append(dict(zip(names, values, strict=True)))
        return cls(stored, json.dumps(stored, sort_keys=True), tuple(points))


def _pending(trial: FrozenTrial) -> bool:
    """A trial created by ``ask`` whose grid attributes are not recorded yet."""
    return not trial.state.is_finished() and GRID_ID_KEY not in trial.system_attrs


class GridSampler(BaseSampler):
    """Runs every combination of a grid of parameter values exactly once.

    Parameters
    ----------
    search_space
        The grid, in Optuna's form ``{name: [values, ...]}`` or as scikit-learn's
        ``param_grid``: a dict of lists, or a list of such dicts (a union of grids, as
        ``GridSearchCV`` takes; a point shared by several of them runs once). Values
        are ``None``, bools, ints, finite floats or strs, distinct within a list; a
        finite distribution (``Categorical``, ``Int``, ``Float`` with ``step``) stands
        for all its values. ``None`` continues the grid recorded in the study's
        trials, so a worker joining a running grid study needs no copy of the grid.
    seed
        Run the points in a random order drawn from this seed (``None``: grid order,
        the names sorted and the last name varying fastest). A study keeps the order
        it started with: resuming it with another seed does not reshuffle it.

    Notes
    -----
    Each trial's point follows from trial numbers, which the storage gives out
    atomically and without gaps, so workers never need to agree on anything else.
    Call a trial a *grid trial* if it gets its parameters from this sampler: it was
    not enqueued (created with ``"fixed_params"``), not added with parameters, and is
    not a copy of a grid trial (a retry). That is visible from what a trial holds from
    the moment it is created, and never changes afterwards (the sampler's attributes
    are recorded ``"grid_id"`` first). The grid trial with ``k``
    grid trials before it runs point ``k`` of the grid order; as every trial before it
    already exists in the storage when it is created, ``k`` is the same whoever
    computes it, in whichever process and whenever. Hence no two grid trials share a
    point, and the first ``len(grid)`` grid trials cover the grid.

    A grid trial past the end of the grid (a worker that started a trial just as
    another took the last point, or an explicit :meth:`Study.ask`) is an *overrun*,
    marked ``system_attrs["grid_overrun"] = True``: it runs a point that never ran (its
    trial died before it got its point), else one whose trials all FAILED, else the
    point ``k mod len(grid)`` once more. :meth:`is_exhausted` is true when every point
    has been handed out, so ``study.optimize(..., n_trials=None)`` runs the grid once
    and stops. A grid trial records ``"grid_id"`` (the point's position in grid
    order), ``"search_space"``, ``"grid_seed"``, ``"grid_trial_number"`` and
    ``"fixed_params"`` (the point) in its system attributes.

    All workers of a study must run the same grid. Enqueued trials run as given and
    take no point; they must give every parameter the objective asks for.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     x = trial.suggest_int("x", -1, 1)
    ...     return x**2 + len(trial.suggest_categorical("kind", ["a", "bb"]))
    >>> sampler = ahpo.samplers.GridSampler({"x": [-1, 0, 1], "kind": ["a", "bb"]})
    >>> study = ahpo.create_study(sampler=sampler)
    >>> study.optimize(objective)  # n_trials=None: the whole grid, then stop
    >>> len(study.trials)
    6
    >>> study.best_params
    {'x': 0, 'kind': 'a'}

    A union of grids, as scikit-learn's ``GridSearchCV`` takes it:

    >>> grid = [
    ...     {"kernel": ["linear"], "C": [1, 10]},
    ...     {"kernel": ["rbf"], "C": [1], "gamma": [0.1]},
    ... ]
    >>> def objective(trial):
    ...     kernel = trial.suggest_categorical("kernel", ["linear", "rbf"])
    ...     c = trial.suggest_float("C", 1, 10)
    ...     return c + (trial.suggest_float("gamma", 0.01, 1) if kernel == "rbf" else 0)
    >>> study = ahpo.create_study(sampler=ahpo.samplers.GridSampler(grid))
    >>> study.optimize(objective)
    >>> sorted((t.params["kernel"], t.params["C"]) for t in study.trials)
    [('linear', 1.0), ('linear', 10.0), ('rbf', 1.0)]
    """

    def __init__(self, search_space: Any = None, seed: int | None = None) -> None:
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise invalid("seed", "None or an int >= 0", seed, owner=_OWNER)
        self._seed = None if seed is None else int(seed)
        self._grid = None if search_space is None else _Grid.build(search_space)
        self._grids: dict[str, _Grid] = {}
        self._orders: dict[tuple[str, int | None], list[int]] = {}

    # ---- which grid, in which order -----------------------------------------------
    def _resolve(self, trials: list[FrozenTrial]) -> tuple[_Grid, list[int], int | None]:
        grid = self._grid
        if grid is None:
            recorded = [t for t in trials if SEARCH_SPACE_KEY in t.system_attrs]
            if not recorded:
                raise ValueError(
                    "GridSampler() without a search_space continues the grid recorded in "
                    "the study, and this study has none; pass search_space."
                )
            grid = self._cached_grid(recorded[-1].system_attrs[SEARCH_SPACE_KEY])
        seed = next(
            (
                t.system_attrs.get(GRID_SEED_KEY)
                for t in trials
                if t.system_attrs.get(SEARCH_SPACE_KEY) == grid.stored
            ),
            self._seed,
        )
        return grid, self._order(grid, seed), seed

    def _cached_grid(self, stored: Any) -> _Grid:
        # Caches of pure functions of their key: a race between threads only builds the
        # same value twice, so no lock is needed (and the sampler stays picklable).
        key = json.dumps(stored, sort_keys=True)
        if key not in self._grids:
            self._grids[key] = _Grid.build(stored)
        return self._grids[key]

    def _order(self, grid: _Grid, seed: int | None) -> list[int]:
        key = (grid.key, seed)
        if key not in self._orders:
            n = len(grid.points)
            self._orders[key] = (
                list(range(n))
                if seed is None
                else np.random.default_rng(seed).permutation(n).tolist()
            )
        return self._orders[key]

    # ---- who runs what ------------------------------------------------------------
    @staticmethod
    def _consumes(trial: FrozenTrial, grid: _Grid) -> bool:
        """Whether ``trial`` is a grid trial (takes the next point of the grid order).

        Decided by what the trial holds from its creation on: a fresh trial holds
        nothing until ``before_trial``'s attributes arrive, "grid_id" first.
        """
        attrs = trial.system_attrs
        if GRID_ID_KEY in attrs:
            if attrs.get(SEARCH_SPACE_KEY, grid.stored) != grid.stored:
                return False  # a trial of another grid that ran in this study before
            return attrs.get(GRID_TRIAL_KEY, trial.number) == trial.number  # not a copy
        return FIXED_PARAMS_KEY not in attrs and not trial.params

    @staticmethod
    def _leftovers(
        trials: list[FrozenTrial], consumers: list[FrozenTrial], grid: _Grid, order: list[int]
    ) -> tuple[list[int], list[int]]:
        """Points that never ran and points whose every run FAILED, in grid order."""
        held = {order[slot] for slot, t in enumerate(consumers[: len(order)]) if _pending(t)}
        failed: set[int] = set()
        for t in trials:
            attrs = t.system_attrs
            if GRID_ID_KEY in attrs and attrs.get(SEARCH_SPACE_KEY, grid.stored) == grid.stored:
                (failed if t.state == TrialState.FAIL else held).add(attrs[GRID_ID_KEY])
        unrun = [p for p in order if p not in held and p not in failed]
        return unrun, [p for p in order if p in failed and p not in held]

    def before_trial(self, view: StudyView, trial: FrozenTrial) -> Mapping[str, Any] | None:
        attrs = trial.system_attrs
        if GRID_ID_KEY in attrs or FIXED_PARAMS_KEY in attrs or trial.params:
            return None  # enqueued, added or copied: it runs as given
        trials = view.get_trials()
        grid, order, seed = self._resolve(trials)
        consumers = [t for t in trials if self._consumes(t, grid)]
        slot = sum(1 for t in consumers if t.number < trial.number)
        overrun = slot >= len(order)
        if not overrun:
            point = order[slot]
        else:
            unrun, failed = self._leftovers(trials, consumers, grid, order)
            candidates = unrun + failed
            ahead = sum(
                1 for t in consumers[len(order):] if t.number < trial.number and _pending(t)
            )
            point = candidates[ahead % len(candidates)] if candidates else order[slot % len(order)]
        out: dict[str, Any] = {
            GRID_ID_KEY: point,
            GRID_TRIAL_KEY: trial.number,
            GRID_SEED_KEY: seed,
            SEARCH_SPACE_KEY: grid.stored,
        }
        if overrun:
            out[GRID_OVERRUN_KEY] = True
        out[FIXED_PARAMS_KEY] = dict(grid.points[point])
        return out

    def is_exhausted(self, view: StudyView) -> bool:
        """Whether every point of the grid has been handed out to a trial.

        Points whose trial died before it got its point count as not handed out.
        """
        trials = view.get_trials()
        grid, order, _ = self._resolve(trials)
        consumers = [t for t in trials if self._consumes(t, grid)]
        if len(consumers) < len(order):
            return False
        unrun, _ = self._leftovers(trials, consumers, grid, order)
        return len(unrun) <= sum(1 for t in consumers[len(order):] if _pending(t))

    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        fixed = trial.system_attrs.get(FIXED_PARAMS_KEY)
        if GRID_ID_KEY in trial.system_attrs:
            raise ValueError(
                f"The objective asked for parameter {name!r}, which is not in the grid: "
                f"trial {trial.number} runs the grid point {fixed!r}. GridSampler only "
                "sets the parameters of its search_space; add this one to it."
            )
        raise ValueError(
            f"Trial {trial.number} was enqueued and does not give parameter {name!r}; "
            "with a GridSampler an enqueued trial must give every parameter it asks for."
        )
