"""Translate scikit-learn style parameter spaces into ahpo distributions.

A space given to :class:`ahpo.sklearn.SearchCV` is a dict ``{param: spec}`` or a list
of such dicts (a union of sub-spaces, as ``GridSearchCV``'s ``param_grid`` takes). A
spec is one of:

* an ahpo distribution (``ahpo.Float(1e-3, 1e3, log=True)``): used as is;
* a list, tuple or 1-d array of values: a categorical parameter. When the values are
  distinct JSON scalars (``None``, bools, ints, floats, strs) the study stores them
  directly; otherwise (estimators, tuples, arrays, duplicates) the study stores the
  *index* of the value and the objects stay in the space, substituted back into the
  parameters the estimator gets;
* a frozen ``scipy.stats`` distribution: ``uniform(loc, scale)`` becomes
  ``Float(loc, loc + scale)``, ``loguniform(a, b)`` (alias ``reciprocal``) becomes
  ``Float(a, b, log=True)``, ``randint(low, high)`` becomes ``Int(low, high - 1)``.
  Any other distribution with a ``ppf`` is sampled through its quantile function: the
  study stores a quantile ``q`` from ``Float(0, 1)`` and the estimator gets
  ``dist.ppf(q)`` (clipped to ``[1e-12, 1 - 1e-12]`` so unbounded distributions stay
  finite; an int for discrete distributions). An object with only an ``rvs`` method
  is sampled with ``dist.rvs(random_state=s)``, the study storing the seed ``s``.

Several dicts make a conditional space: the study parameter ``"__grid__"`` picks the
dict (its index), then only that dict's parameters are suggested. A name that appears
in several dicts with the same definition is one study parameter; with different
definitions each dict gets its own study parameter ``"<name>@<dict index>"``, and the
suffix is stripped before the estimator sees it.
"""

from __future__ import annotations

import decimal
import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from ahpo.trial import BaseTrial

CHOICE = "__grid__"
_QUANTILE_EPS = 1e-12
_MAX_SEED = 2**31 - 1


@dataclass(frozen=True, eq=False)
class Param:
    """One searched estimator parameter and how the study represents it.

    ``kind`` is ``"value"`` (the study stores the value itself), ``"index"`` (the
    study stores an index into ``source``, a tuple of objects), ``"ppf"`` (a quantile
    mapped through ``source.ppf``) or ``"rvs"`` (a seed for ``source.rvs``).
    """

    key: str
    name: str
    distribution: BaseDistribution
    kind: str = "value"
    source: Any = None

    def decode(self, value: Any) -> Any:
        """The estimator's value for the study's stored ``value``."""
        if self.kind == "index":
            return self.source[int(value)]
        if self.kind == "ppf":
            q = min(max(float(value), _QUANTILE_EPS), 1.0 - _QUANTILE_EPS)
            x = self.source.ppf(q)
            return round(float(x)) if _is_discrete(self.source) else float(x)
        if self.kind == "rvs":
            x = self.source.rvs(random_state=int(value))
            return x.item() if isinstance(x, np.generic) else x
        return value

    def same_as(self, other: Param) -> bool:
        """Whether two dicts define this parameter identically (one study parameter)."""
        if self.kind != other.kind or self.distribution != other.distribution:
            return False
        if self.kind == "index":
            return len(self.source) == len(other.source) and all(
                a is b for a, b in zip(self.source, other.source, strict=True)
            )
        return self.kind == "value" or self.source is other.source

    def suggest(self, trial: BaseTrial) -> Any:
        """Suggest the study parameter on ``trial`` and return the estimator's value."""
        d = self.distribution
        if isinstance(d, FloatDistribution):
            value = trial.suggest_float(self.name, d.low, d.high, step=d.step, log=d.log)
        elif isinstance(d, IntDistribution):
            value = trial.suggest_int(self.name, d.low, d.high, step=d.step, log=d.log)
        else:
            value = trial.suggest_categorical(self.name, list(d.choices))  # type: ignore[attr-defined]
        return self.decode(value)


def _is_discrete(dist: Any) -> bool:
    from scipy.stats import rv_discrete

    return isinstance(getattr(dist, "dist", None), rv_discrete)


def _from_values(key: str, values: Any, path: str, owner: str) -> Param:
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise invalid(path, "a one-dimensional array", values, owner=owner)
        values = list(values)
    values = list(values)
    if not values:
        raise invalid(path, "a non-empty list of values", values, owner=owner)
    try:
        return Param(key, key, CategoricalDistribution(values))
    except (TypeError, ValueError):
        indices = CategoricalDistribution(list(range(len(values))))
        return Param(key, key, indices, "index", tuple(values))


def _from_scipy(key: str, dist: Any) -> Param:
    inner = getattr(dist, "dist", None)
    name = getattr(inner, "name", None)
    try:
        shapes, loc, scale = inner._parse_args(*dist.args, **dist.kwds)  # type: ignore[union-attr]
    except Exception:  # not a frozen scipy.stats distribution: use its ppf or rvs
        name = None
    if name == "uniform":
        return Param(key, key, FloatDistribution(float(loc), float(loc + scale)))
    if name in ("loguniform", "reciprocal") and loc == 0 and scale > 0:
        a, b = shapes
        return Param(key, key, FloatDistribution(float(a * scale), float(b * scale), log=True))
    if name == "randint":
        low, high = shapes
        return Param(key, key, IntDistribution(int(low + loc), int(high + loc) - 1))
    if callable(getattr(dist, "ppf", None)):
        return Param(key, key, FloatDistribution(0.0, 1.0), "ppf", dist)
    return Param(key, key, IntDistribution(0, _MAX_SEED), "rvs", dist)


def _param(key: Any, spec: Any, path: str, owner: str, grid: bool) -> Param:
    if not isinstance(key, str):
        raise type_error(path, "a dict with str parameter names", key, owner=owner)
    path = f"{path}[{key!r}]"
    if isinstance(spec, BaseDistribution):
        return Param(key, key, spec)
    if isinstance(spec, np.ndarray) or (
        isinstance(spec, Sequence) and not isinstance(spec, (str, bytes))
    ):
        return _from_values(key, spec, path, owner)
    if not grid and callable(getattr(spec, "rvs", None)):
        return _from_scipy(key, spec)
    what = (
        "a list (or 1-d array) of values or an ahpo distribution; single values need to "
        "be wrapped in a list with one element"
        if grid
        else "a list of values, an ahpo distribution or a scipy.stats distribution"
    )
    raise type_error(path, what, spec, owner=owner)


def _finite_values(param: Param, owner: str, where: str = "param_grid") -> list[Any]:
    """Every value of a grid axis (as the study stores them), in increasing order."""
    d = param.distribution
    if isinstance(d, CategoricalDistribution):
        return list(d.choices)
    if isinstance(d, IntDistribution):
        return list(range(d.low, d.high + 1, d.step))
    if isinstance(d, FloatDistribution) and d.single():
        return [d.low]
    if isinstance(d, FloatDistribution) and d.step is not None:
        low, step = decimal.Decimal(repr(d.low)), decimal.Decimal(repr(d.step))
        n = int(((decimal.Decimal(repr(d.high)) - low) / step).to_integral_value())
        return [float(low + k * step) for k in range(n + 1)]
    raise invalid(
        f"{where}[{param.key!r}]",
        "a list of values or a finite distribution (Categorical, Int, or Float with step)",
        d,
        owner=owner,
    )


class SearchSpace:
    """A validated scikit-learn style space: sub-spaces of :class:`Param`.

    Examples
    --------
    >>> from ahpo.sklearn._space import SearchSpace
    >>> space = SearchSpace.build({"C": [0.1, 1.0], "kernel": ["rbf", "linear"]})
    >>> space.decode({"C": 1.0, "kernel": "rbf"})
    {'C': 1.0, 'kernel': 'rbf'}
    >>> space.n_combinations()
    4
    """

    def __init__(self, groups: list[list[Param]], param: str = "param_distributions") -> None:
        self.groups = groups
        self.param = param
        self.choice = len(groups) > 1 or any(not group for group in groups)

    @classmethod
    def build(cls, spec: Any, *, owner: str = "SearchCV", grid: bool = False,
              param: str = "param_distributions") -> SearchSpace:
        """Validate ``spec`` (a dict or a list of dicts) and translate it."""
        if isinstance(spec, Mapping):
            dicts = [(param, spec)]
        elif isinstance(spec, Sequence) and not isinstance(spec, (str, bytes)):
            if len(spec) == 0:
                raise invalid(param, "a dict or a non-empty list of dicts", [], owner=owner)
            dicts = [(f"{param}[{i}]", d) for i, d in enumerate(spec)]
        else:
            raise type_error(param, "a dict or a list of dicts", spec, owner=owner)
        groups: list[list[Param]] = []
        for path, d in dicts:
            if not isinstance(d, Mapping):
                raise type_error(path, "a dict of parameter specs", d, owner=owner)
            params = [_param(k, v, path, owner, grid) for k, v in d.items()]
            groups.append(sorted(params, key=lambda p: p.key))  # ParameterGrid's order
        by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, group in enumerate(groups):
            for j, p in enumerate(group):
                by_key[p.key].append((i, j))
        for key, places in by_key.items():
            first = groups[places[0][0]][places[0][1]]
            if all(groups[i][j].same_as(first) for i, j in places[1:]):
                continue
            for i, j in places:
                groups[i][j] = replace(groups[i][j], name=f"{key}@{i}")
        space = cls(groups, param)
        if grid:
            for group in groups:
                for p in group:
                    _finite_values(p, owner, param)
        return space

    def suggest(self, trial: BaseTrial) -> dict[str, Any]:
        """Suggest one configuration on ``trial``; return the estimator's parameters."""
        index = (
            trial.suggest_categorical(CHOICE, list(range(len(self.groups))))
            if self.choice
            else 0
        )
        return {p.key: p.suggest(trial) for p in self.groups[int(index)]}  # type: ignore[arg-type]

    def decode(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The estimator's parameters for a trial's stored ``params``.

        Raises ``KeyError`` when ``params`` is not a point of this space.
        """
        index = int(params[CHOICE]) if self.choice else 0
        if not 0 <= index < len(self.groups):
            raise KeyError(CHOICE)
        return {p.key: p.decode(params[p.name]) for p in self.groups[index]}

    def printable(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The estimator's parameters as JSON-friendly values (``repr`` of objects)."""
        out = {}
        for key, value in self.decode(params).items():
            if isinstance(value, np.generic):
                value = value.item()
            ok = isinstance(value, (type(None), bool, int, str)) or (
                isinstance(value, float) and np.isfinite(value)
            )
            out[key] = value if ok else repr(value)
        return out

    def point_of(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Study params for the estimator ``values`` that are points of a one-dict space.

        Only parameters stored as values (ahpo distributions, lists of scalars) whose
        value lies in their distribution; the others are left out (a partial point:
        the study samples them). Empty for a conditional space.

        Examples
        --------
        >>> import ahpo
        >>> space = SearchSpace.build({"C": ahpo.Float(0.1, 10, log=True), "k": [1, 3]})
        >>> space.point_of({"C": 1.0, "k": 2, "other": 0})
        {'C': 1.0}
        """
        if self.choice:
            return {}
        point = {}
        for p in self.groups[0]:
            value = values.get(p.key)
            numeric = not isinstance(p.distribution, CategoricalDistribution)
            if p.kind != "value" or (numeric and isinstance(value, (bool, np.bool_))):
                continue
            try:
                internal = p.distribution.to_internal_repr(value)
                inside = p.distribution.contains(internal)
            except (TypeError, ValueError, KeyError, IndexError):
                continue
            if inside:
                point[p.name] = p.distribution.to_external_repr(internal)
        return point

    # ---- grids ------------------------------------------------------------------
    def all_lists(self) -> bool:
        """Whether every parameter is a list of values (a grid, as scikit-learn sees it)."""
        return all(
            isinstance(p.distribution, CategoricalDistribution) and p.kind in ("value", "index")
            for group in self.groups
            for p in group
        )

    def _axes(self, owner: str) -> list[dict[str, list[Any]]]:
        grids = []
        for i, group in enumerate(self.groups):
            axes = {CHOICE: [i]} if self.choice else {}
            for p in group:
                axes[p.name] = _finite_values(p, owner, self.param)
            grids.append(axes)
        return grids

    def grid(
        self, owner: str = "GridSearchCV"
    ) -> dict[str, list[Any]] | list[dict[str, list[Any]]]:
        """The space as a :class:`ahpo.samplers.GridSampler` search space."""
        grids = self._axes(owner)
        return grids[0] if len(grids) == 1 else grids

    def combinations(self, owner: str = "GridSearchCV") -> list[dict[str, Any]]:
        """Every point of a finite space, as stored params, in ``ParameterGrid`` order.

        Sub-spaces in order; within one, parameters sorted by name with the last
        varying fastest, as scikit-learn's ``ParameterGrid`` enumerates them.
        """
        points = []
        for axes in self._axes(owner):
            names = list(axes)
            for values in itertools.product(*(axes[n] for n in names)):
                points.append(dict(zip(names, values, strict=True)))
        return points

    def n_combinations(self, owner: str = "GridSearchCV") -> int:
        """How many points a finite space has."""
        return sum(
            int(np.prod([len(v) for v in axes.values()], dtype=np.int64))
            for axes in self._axes(owner)
        )
