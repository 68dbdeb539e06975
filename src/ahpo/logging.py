"""ahpo's logging: silent by default, one call to see what happens.

The library logs through the ``"ahpo"`` logger, which has only a ``NullHandler``
until the application configures logging or calls :func:`enable_default_handler`.
The names match ``optuna.logging`` so Optuna scripts keep working.

Examples
--------
>>> import ahpo
>>> ahpo.logging.set_verbosity(ahpo.logging.WARNING)
>>> ahpo.logging.get_verbosity() == ahpo.logging.WARNING
True
"""

from __future__ import annotations

import logging
import sys
import threading
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "WARNING",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "set_verbosity",
]

_ROOT = "ahpo"
_lock = threading.Lock()
_default_handler: logging.Handler | None = None
logging.getLogger(_ROOT).addHandler(logging.NullHandler())


def _root() -> logging.Logger:
    return logging.getLogger(_ROOT)


def get_logger(name: str) -> logging.Logger:
    """The logger of an ahpo module (``name`` is usually the module's ``__name__``)."""
    return logging.getLogger(name if name.startswith(_ROOT) else f"{_ROOT}.{name}")


def set_verbosity(verbosity: int) -> None:
    """Set the level of the ``"ahpo"`` logger (e.g. ``ahpo.logging.INFO``)."""
    _root().setLevel(verbosity)


def get_verbosity() -> int:
    """The effective level of the ``"ahpo"`` logger."""
    return _root().getEffectiveLevel()


def enable_default_handler() -> None:
    """Print ahpo's log records to stderr (e.g. one line per finished trial at INFO)."""
    global _default_handler
    with _lock:
        if _default_handler is None:
            _default_handler = logging.StreamHandler(sys.stderr)
            _default_handler.setFormatter(
                logging.Formatter("[%(levelname)s %(asctime)s] %(message)s")
            )
            _root().addHandler(_default_handler)
            if _root().level == logging.NOTSET:
                _root().setLevel(logging.INFO)


def disable_default_handler() -> None:
    """Stop printing ahpo's log records to stderr."""
    global _default_handler
    with _lock:
        if _default_handler is not None:
            _root().removeHandler(_default_handler)
            _default_handler = None


def enable_propagation() -> None:
    """Pass ahpo's records on to the root logger (the default)."""
    _root().propagate = True


def disable_propagation() -> None:
    """Keep ahpo's records away from the root logger."""
    _root().propagate = False
