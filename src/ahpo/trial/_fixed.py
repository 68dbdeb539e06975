"""A trial with given parameters, for running an objective outside a study."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ahpo._validation import type_error
from ahpo.distributions import BaseDistribution, check_compatible
from ahpo.trial._base import BaseTrial
from ahpo.trial._json import check_json


class FixedTrial(BaseTrial):
    """Runs an objective with fixed parameter values: for tests and for re-training.

    Parameters
    ----------
    params
        The value each ``suggest_*`` call returns, by parameter name.
    number
        The number the trial reports.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     return trial.suggest_float("x", -10, 10) ** 2
    >>> objective(ahpo.trial.FixedTrial({"x": 3.0}))
    9.0
    """

    def __init__(self, params: Mapping[str, Any], number: int = 0) -> None:
        if not isinstance(params, Mapping):
            raise type_error("params", "a mapping of parameter names to values", params)
        self._fixed = dict(params)
        self._params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._intermediate: dict[int, float] = {}
        self.number = number
        self.datetime_start = datetime.datetime.now()

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._fixed:
            raise ValueError(
                f"FixedTrial has no value for parameter {name!r}; it was given "
                f"{sorted(self._fixed)!r}."
            )
        old = self._distributions.get(name)
        if old is not None:
            check_compatible(name, old, distribution)
        value = distribution.to_external_repr(distribution.to_internal_repr(self._fixed[name]))
        if not distribution.contains(distribution.to_internal_repr(value)):
            raise ValueError(
                f"The fixed value {self._fixed[name]!r} of parameter {name!r} is outside "
                f"{distribution!r}."
            )
        self._params[name] = value
        self._distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        self._intermediate[step] = float(value)

    def should_prune(self) -> bool:
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        check_json("value", value)
        self._user_attrs[key] = value

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far."""
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distributions of the parameters suggested so far."""
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The user attributes set so far."""
        return dict(self._user_attrs)
