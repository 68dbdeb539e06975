"""The check that user and system attributes can be stored as JSON."""

from __future__ import annotations

import json
from typing import Any

from ahpo._validation import type_error


def check_json(param: str, value: Any) -> None:
    """Raise ``TypeError`` naming ``param`` if ``value`` cannot be stored as JSON."""
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        raise type_error(
            param, "JSON-serializable (None, bool, int, float, str, list, dict)", value
        ) from None
