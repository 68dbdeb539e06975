"""JSON serialization of distributions (the format Optuna's storages also use)."""

from __future__ import annotations

import json
from typing import Any

from ahpo._validation import invalid
from ahpo.distributions._base import BaseDistribution
from ahpo.distributions._categorical import CategoricalDistribution
from ahpo.distributions._numerical import FloatDistribution, IntDistribution

_CLASSES: dict[str, type[BaseDistribution]] = {
    "FloatDistribution": FloatDistribution,
    "IntDistribution": IntDistribution,
    "CategoricalDistribution": CategoricalDistribution,
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialize a distribution to a JSON string.

    Examples
    --------
    >>> from ahpo.distributions import IntDistribution, distribution_to_json
    >>> distribution_to_json(IntDistribution(1, 9, step=2))
    '{"name": "IntDistribution", "attributes": {"low": 1, "high": 9, "log": false, "step": 2}}'
    """
    return json.dumps({"name": type(dist).__name__, "attributes": dist._attributes()})


def json_to_distribution(text: str) -> BaseDistribution:
    """Rebuild a distribution from :func:`distribution_to_json`'s output."""
    try:
        data: Any = json.loads(text)
        cls = _CLASSES[data["name"]]
        attributes = data["attributes"]
    except (ValueError, KeyError, TypeError):
        raise invalid("text", "a JSON-serialized ahpo distribution", text) from None
    return cls(**attributes)


def check_compatible(name: str, old: BaseDistribution, new: BaseDistribution) -> None:
    """Raise if ``new`` cannot stand for ``old`` for the same parameter in one trial.

    Within a trial a parameter keeps the distribution it was first suggested with;
    across trials the range may change (dynamic spaces), but not the kind.
    """
    if old != new:
        raise ValueError(
            f"Parameter {name!r} was already suggested in this trial with {old!r}; it "
            f"cannot be suggested again with {new!r}. Use another name for a different "
            "range or kind."
        )
