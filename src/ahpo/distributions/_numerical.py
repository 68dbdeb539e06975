"""Float and integer distributions (continuous, stepped and log-scaled)."""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo.distributions._base import BaseDistribution, FloatArray

_STEP_RTOL = 1e-8


def _check_real(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise type_error(name, "a real number", value, owner=owner)
    value = float(value)
    if not math.isfinite(value):
        raise invalid(name, "a finite number", value, owner=owner)
    return value


def _step_tolerance(low: float, high: float, step: float) -> float:
    """How far from ``low + k * step`` a float may be and still count as on the grid.

    A relative part for the step itself, plus a few units in the last place of the
    bounds: far from zero, ``low + k * step`` cannot be represented more exactly.
    """
    return _STEP_RTOL * step + 4.0 * float(np.spacing(max(abs(low), abs(high))))


def _n_steps(owner: str, low: float, high: float, step: float) -> int:
    """Number of step intervals in ``[low, high]``; the step must divide the range."""
    span = decimal.Decimal(repr(high)) - decimal.Decimal(repr(low))
    ratio = span / decimal.Decimal(repr(step))
    n = int(ratio.to_integral_value())
    if abs(float(ratio) - n) * step > _step_tolerance(low, high, step):
        raise invalid(
            "step", f"a divisor of high - low ({float(span)!r})", step, owner=owner
        )
    return n


class _Numerical(BaseDistribution):
    """Shared unit-cube mapping for int and float distributions.

    The unit interval is cut into one cell per grid point (steps, integers) so that a
    uniform draw in ``[0, 1]`` gives every grid point the same chance; log-scaled
    domains are mapped through ``log`` first. Continuous floats map linearly.
    """

    __slots__ = ()
    low: float
    high: float
    log: bool

    def _grid(self) -> float | None:
        """The spacing of valid points, or ``None`` for a continuous domain."""
        raise NotImplementedError

    def _bounds(self) -> tuple[float, float]:
        half = 0.5 * (self._grid() or 0.0)
        lo, hi = self.low - half, self.high + half
        if self.log:
            # For log-scaled integers the cell around `low` starts half a unit below it;
            # that stays positive because `low >= 1`.
            return math.log(lo), math.log(hi)
        return lo, hi

    def single(self) -> bool:
        return self.low == self.high

    def to_unit(self, internal: float | FloatArray) -> float | FloatArray:
        if self.single():
            return np.full_like(internal, 0.5, dtype=float) if np.ndim(internal) else 0.5
        lo, hi = self._bounds()
        x = np.log(internal) if self.log else np.asarray(internal, dtype=float)
        u = (x - lo) / (hi - lo)
        return float(u) if np.ndim(u) == 0 else u

    def from_unit(self, unit: float | FloatArray) -> float | FloatArray:
        if isinstance(unit, float):
            return self._from_unit_scalar(unit)
        lo, hi = self._bounds()
        x = lo + np.clip(unit, 0.0, 1.0) * (hi - lo)
        if self.log:
            x = np.exp(x)
        grid = self._grid()
        if grid is not None:
            x = self.low + np.round((x - self.low) / grid) * grid
        x = np.clip(x, self.low, self.high)
        return float(x) if np.ndim(x) == 0 else x

    def _from_unit_scalar(self, unit: float) -> float:
        # The same mapping as the array path, in plain floats: one sample per trial
        # is the hot path of every sampler, and numpy's per-call overhead dominates it.
        # ``np.exp``, not ``math.exp``: the two can differ in the last bit, and a value
        # must not depend on which path produced it.
        lo, hi = self._bounds()
        x = lo + min(max(unit, 0.0), 1.0) * (hi - lo)
        if self.log:
            x = float(np.exp(x))
        grid = self._grid()
        if grid is not None:
            x = self.low + round((x - self.low) / grid) * grid
        return float(min(max(x, self.low), self.high))

    def contains(self, internal: float) -> bool:
        if not isinstance(internal, (int, float, np.integer, np.floating)) or math.isnan(internal):
            return False
        if not self.low <= internal <= self.high:
            return False
        grid = self._grid()
        if grid is None:
            return True
        k = round((internal - self.low) / grid)
        return abs(internal - (self.low + k * grid)) <= _step_tolerance(self.low, self.high, grid)


@dataclass(frozen=True, slots=True)
class FloatDistribution(_Numerical):
    """A real-valued parameter in ``[low, high]``.

    Parameters
    ----------
    low, high
        Inclusive bounds, ``low <= high``.
    log
        Sample on a log scale (``low`` must be > 0). Not combinable with ``step``.
    step
        Spacing of a discretized domain: values are ``low + k * step``. It must
        divide ``high - low``.

    Examples
    --------
    >>> from ahpo.distributions import FloatDistribution
    >>> d = FloatDistribution(1e-5, 1e-1, log=True)
    >>> round(d.to_unit(1e-3), 6)
    0.5
    >>> FloatDistribution(0.0, 1.0, step=0.25).from_unit(0.6)
    0.5
    """

    low: float
    high: float
    log: bool = False
    step: float | None = None

    def __post_init__(self) -> None:
        owner = "FloatDistribution"
        low = _check_real(owner, "low", self.low)
        high = _check_real(owner, "high", self.high)
        if low > high:
            raise invalid("low", f"<= high ({high!r})", low, owner=owner)
        if not isinstance(self.log, (bool, np.bool_)):
            raise type_error("log", "a bool", self.log, owner=owner)
        if self.log and low <= 0.0:
            raise invalid("low", "> 0 when log=True", low, owner=owner)
        step = self.step
        if step is not None:
            step = _check_real(owner, "step", step)
            if self.log:
                raise invalid("step", "None when log=True", step, owner=owner)
            if step <= 0:
                raise invalid("step", "> 0", step, owner=owner)
            _n_steps(owner, low, high, step)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "log", bool(self.log))
        object.__setattr__(self, "step", step)

    def _grid(self) -> float | None:
        return self.step

    def to_internal_repr(self, value: Any) -> float:
        return _check_real("FloatDistribution", "value", value)

    def to_external_repr(self, internal: float) -> float:
        return float(internal)

    def _attributes(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


@dataclass(frozen=True, slots=True)
class IntDistribution(_Numerical):
    """An integer parameter in ``[low, high]``.

    Parameters
    ----------
    low, high
        Inclusive integer bounds, ``low <= high``.
    log
        Sample on a log scale (``low`` must be >= 1). Not combinable with ``step != 1``.
    step
        Spacing: values are ``low + k * step``; it must divide ``high - low``.

    Examples
    --------
    >>> from ahpo.distributions import IntDistribution
    >>> d = IntDistribution(1, 1024, log=True)
    >>> d.from_unit(1.0), d.from_unit(0.0)
    (1024.0, 1.0)
    """

    low: int
    high: int
    log: bool = False
    step: int = 1

    def __post_init__(self) -> None:
        owner = "IntDistribution"
        for name in ("low", "high", "step"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                if isinstance(value, (float, np.floating)) and float(value).is_integer():
                    value = int(value)
                else:
                    raise type_error(name, "an integer", value, owner=owner)
            object.__setattr__(self, name, int(value))
        if self.low > self.high:
            raise invalid("low", f"<= high ({self.high!r})", self.low, owner=owner)
        if not isinstance(self.log, (bool, np.bool_)):
            raise type_error("log", "a bool", self.log, owner=owner)
        object.__setattr__(self, "log", bool(self.log))
        if self.step <= 0:
            raise invalid("step", ">= 1", self.step, owner=owner)
        if self.log and self.low < 1:
            raise invalid("low", ">= 1 when log=True", self.low, owner=owner)
        if self.log and self.step != 1:
            raise invalid("step", "1 when log=True", self.step, owner=owner)
        if (self.high - self.low) % self.step:
            raise invalid(
                "step", f"a divisor of high - low ({self.high - self.low})", self.step, owner=owner
            )

    def _grid(self) -> float | None:
        return float(self.step)

    def to_internal_repr(self, value: Any) -> float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, np.integer, float, np.floating)
        ):
            raise type_error("value", "an integer", value, owner="IntDistribution")
        if not float(value).is_integer():
            raise invalid("value", "an integer", value, owner="IntDistribution")
        return float(value)

    def to_external_repr(self, internal: float) -> int:
        return round(internal)

    def _attributes(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}
