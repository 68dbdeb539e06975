"""Categorical distributions over a finite list of JSON-compatible choices."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo.distributions._base import BaseDistribution, FloatArray

CategoricalChoice = Union[None, bool, int, float, str]  # noqa: UP007 - a runtime alias
_CHOICE_TYPES = (type(None), bool, int, float, str)


def _key(value: Any) -> tuple[type, Any]:
    """Identity of a choice: ``1``, ``1.0`` and ``True`` are different choices."""
    return (type(value), value)


@dataclass(frozen=True, slots=True)
class CategoricalDistribution(BaseDistribution):
    """A parameter that takes one of a finite list of choices.

    Parameters
    ----------
    choices
        A non-empty sequence of distinct values, each ``None``, a bool, an int, a
        finite float or a str (they are stored as JSON). The stored value is the
        choice's index.

    Examples
    --------
    >>> from ahpo.distributions import CategoricalDistribution
    >>> d = CategoricalDistribution(["rbf", "linear", "poly"])
    >>> d.to_internal_repr("linear")
    1.0
    >>> d.to_external_repr(2.0)
    'poly'
    """

    choices: tuple[CategoricalChoice, ...]
    _index: dict[tuple[type, Any], int] = None  # type: ignore[assignment]

    def __init__(self, choices: Sequence[CategoricalChoice]) -> None:
        owner = "CategoricalDistribution"
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
            raise type_error(
                "choices", "a sequence (list or tuple) of values", choices, owner=owner
            )
        if len(choices) == 0:
            raise invalid("choices", "a non-empty sequence", list(choices), owner=owner)
        index: dict[tuple[type, Any], int] = {}
        normalized = []
        for i, choice in enumerate(choices):
            if isinstance(choice, np.generic):
                choice = choice.item()
            if not isinstance(choice, _CHOICE_TYPES):
                raise type_error(
                    f"choices[{i}]",
                    "None, a bool, an int, a float or a str (choices are stored as JSON; "
                    "use a declarative ahpo space for dicts or objects)",
                    choice,
                    owner=owner,
                )
            if isinstance(choice, float) and not math.isfinite(choice):
                raise invalid(f"choices[{i}]", "a finite number", choice, owner=owner)
            if _key(choice) in index:
                raise invalid(
                    f"choices[{i}]", "distinct from the other choices", choice, owner=owner
                )
            index[_key(choice)] = i
            normalized.append(choice)
        object.__setattr__(self, "choices", tuple(normalized))
        object.__setattr__(self, "_index", index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CategoricalDistribution):
            return NotImplemented
        return [_key(c) for c in self.choices] == [_key(c) for c in other.choices]

    def __hash__(self) -> int:
        return hash(tuple(_key(c) for c in self.choices))

    def __repr__(self) -> str:
        return f"CategoricalDistribution(choices={self.choices!r})"

    def to_internal_repr(self, value: Any) -> float:
        if isinstance(value, np.generic):
            value = value.item()
        try:
            return float(self._index[_key(value)])
        except (KeyError, TypeError):
            raise invalid(
                "value", f"one of the choices {list(self.choices)!r}", value,
                owner="CategoricalDistribution",
            ) from None

    def to_external_repr(self, internal: float) -> CategoricalChoice:
        return self.choices[int(internal)]

    def contains(self, internal: float) -> bool:
        if not isinstance(internal, (int, float, np.integer, np.floating)) or math.isnan(internal):
            return False
        index = int(internal)
        return index == internal and 0 <= index < len(self.choices)

    def single(self) -> bool:
        return len(self.choices) == 1

    def to_unit(self, internal: float | FloatArray) -> float | FloatArray:
        u = (np.asarray(internal, dtype=float) + 0.5) / len(self.choices)
        return float(u) if np.ndim(u) == 0 else u

    def from_unit(self, unit: float | FloatArray) -> float | FloatArray:
        n = len(self.choices)
        index = np.clip(np.floor(np.asarray(unit, dtype=float) * n), 0, n - 1)
        return float(index) if np.ndim(index) == 0 else index

    def _attributes(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}
