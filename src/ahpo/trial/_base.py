"""What every trial offers an objective: the ``suggest_*`` family."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from ahpo.distributions import (
    BaseDistribution,
    CategoricalChoice,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


class BaseTrial(abc.ABC):
    """The define-by-run interface shared by :class:`Trial` and :class:`FixedTrial`."""

    # ---- suggestions ------------------------------------------------------------
    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        """Suggest a float in ``[low, high]`` (log-uniform with ``log=True``).

        Examples
        --------
        >>> import ahpo
        >>> trial = ahpo.trial.FixedTrial({"lr": 0.01})
        >>> trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        0.01
        """
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        """Suggest an integer in ``[low, high]`` (both inclusive).

        Examples
        --------
        >>> import ahpo
        >>> ahpo.trial.FixedTrial({"depth": 4}).suggest_int("depth", 2, 12)
        4
        """
        return self._suggest(name, IntDistribution(low, high, log=log, step=step))

    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoice]
    ) -> CategoricalChoice:
        """Suggest one of ``choices`` (None, bool, int, float or str values).

        Examples
        --------
        >>> import ahpo
        >>> ahpo.trial.FixedTrial({"kind": "rf"}).suggest_categorical("kind", ["gbm", "rf"])
        'rf'
        """
        return self._suggest(name, CategoricalDistribution(choices))

    def suggest_space(self, space: Mapping[str, Any]) -> dict[str, Any]:
        """Suggest every parameter of a declarative space and return them as a dict.

        Nested dict choices of a :class:`ahpo.Categorical` make conditional spaces; see
        :mod:`ahpo.space`.

        Examples
        --------
        >>> import ahpo
        >>> trial = ahpo.trial.FixedTrial({"x": 0.5, "n": 3})
        >>> trial.suggest_space({"x": ahpo.Float(0, 1), "n": ahpo.Int(1, 5)})
        {'x': 0.5, 'n': 3}
        """
        from ahpo.space import suggest_space

        return suggest_space(self, space)

    @abc.abstractmethod
    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """Return the value of parameter ``name`` drawn from ``distribution``."""

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate value at ``step``."""

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Whether the trial should stop now."""

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-compatible value to the trial."""
