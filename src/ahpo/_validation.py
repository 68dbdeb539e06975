"""One message format for invalid arguments, used by every public entry point."""

from __future__ import annotations

from typing import Any


def invalid(param: str, must: str, got: Any, *, owner: str | None = None) -> ValueError:
    """Build the ``ValueError`` for a parameter that breaks its contract.

    The message names the parameter, says what it must be and shows what it got::

        The 'low' parameter of FloatDistribution must be <= high (1.0). Got 2.0 instead.
    """
    where = f" of {owner}" if owner else ""
    return ValueError(f"The {param!r} parameter{where} must be {must}. Got {got!r} instead.")


def type_error(param: str, must: str, got: Any, *, owner: str | None = None) -> TypeError:
    """Like :func:`invalid`, for an argument of the wrong type."""
    where = f" of {owner}" if owner else ""
    return TypeError(
        f"The {param!r} parameter{where} must be {must}. Got {got!r} "
        f"(type {type(got).__name__}) instead."
    )
