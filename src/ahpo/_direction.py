"""Optimization directions."""

from __future__ import annotations

import enum
from typing import Any

from ahpo._validation import invalid


class StudyDirection(enum.IntEnum):
    """Whether an objective is minimized or maximized."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2

    def __repr__(self) -> str:
        return f"StudyDirection.{self.name}"

    __str__ = __repr__


def parse_direction(value: Any, param: str = "direction") -> StudyDirection:
    """Accept ``"minimize"``/``"maximize"`` (any case) or a :class:`StudyDirection`."""
    if isinstance(value, StudyDirection) and value != StudyDirection.NOT_SET:
        return value
    if isinstance(value, str) and value.lower() in ("minimize", "maximize"):
        return StudyDirection[value.upper()]
    raise invalid(param, "'minimize' or 'maximize'", value)
