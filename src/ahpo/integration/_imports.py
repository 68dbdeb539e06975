"""Importing an optional library with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str, user: str) -> ModuleType:
    """Import ``module`` or raise an ImportError telling how to install it.

    Parameters
    ----------
    module
        The library's import name, e.g. ``"lightgbm"``.
    extra
        The ahpo extra that installs it, e.g. ``"lightgbm"`` for ``ahpo[lightgbm]``.
    user
        What needs it, for the message, e.g. ``"LightGBMPruningCallback"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{user} needs {module}, which is not installed: pip install 'ahpo[{extra}]'"
        ) from exc
