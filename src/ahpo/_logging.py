"""The library logger: silent unless the application configures logging."""

from __future__ import annotations

import logging

_ROOT = "ahpo"
logging.getLogger(_ROOT).addHandler(logging.NullHandler())


def get_logger(name: str) -> logging.Logger:
    """Return the logger for an ahpo module (``name`` is the module's ``__name__``)."""
    return logging.getLogger(name if name.startswith(_ROOT) else f"{_ROOT}.{name}")
