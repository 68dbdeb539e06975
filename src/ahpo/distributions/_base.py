"""The distribution protocol shared by float, int and categorical parameters."""

from __future__ import annotations

import abc
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class BaseDistribution(abc.ABC):
    """A parameter's domain and its three representations.

    * the *external* value the user's objective sees (``0.01``, ``7``, ``"rbf"``);
    * the *internal* float stored in the database (the value itself for numbers, the
      index of the choice for categoricals);
    * the *unit* coordinate in ``[0, 1]`` that model-based samplers work in. It is
      log-aware and step-aware: equal widths of the unit interval hold equal numbers
      of grid points, and every grid point owns the centre of its cell.

    Subclasses are immutable and hashable, and round-trip through JSON with
    :func:`ahpo.distributions.distribution_to_json`.
    """

    __slots__ = ()

    @abc.abstractmethod
    def to_internal_repr(self, value: Any) -> float:
        """Map an external value to the float stored in the database."""

    @abc.abstractmethod
    def to_external_repr(self, internal: float) -> Any:
        """Map a stored float back to the value the objective sees."""

    @abc.abstractmethod
    def contains(self, internal: float) -> bool:
        """Whether a stored float is a valid point of this distribution."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Whether the distribution holds exactly one value."""

    @abc.abstractmethod
    def to_unit(self, internal: float | FloatArray) -> float | FloatArray:
        """Map internal values (scalar or array of shape ``(n,)``) into ``[0, 1]``."""

    @abc.abstractmethod
    def from_unit(self, unit: float | FloatArray) -> float | FloatArray:
        """Map unit coordinates (scalar or array) to valid internal values.

        Values outside ``[0, 1]`` are clipped; integers, steps and categorical indices
        are rounded to the nearest valid point.
        """

    @abc.abstractmethod
    def _attributes(self) -> dict[str, Any]:
        """The constructor arguments, as JSON-compatible values."""
