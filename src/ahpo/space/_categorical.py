"""Categorical choices whose options are sub-spaces: the conditional part of a space."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo.distributions import CategoricalDistribution

_SCALARS = (type(None), bool, int, float, str)
_OWNER = "Categorical"


def _scalar(value: Any) -> Any:
    """Numpy scalars as Python scalars; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def _is_label(value: Any) -> bool:
    """Whether ``value`` can be a choice of a :class:`CategoricalDistribution`."""
    if not isinstance(value, _SCALARS):
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


def copy_structure(value: Any) -> Any:
    """Copy the dicts, lists and tuples of a space; leaves (distributions, constants) are shared.

    A space keeps its own containers, so a caller changing theirs later changes nothing.
    """
    if isinstance(value, Mapping):
        return {key: copy_structure(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(copy_structure(item) for item in value)
    return value


def _labels(options: tuple[Any, ...]) -> tuple[Any, ...]:
    named = []
    for option in options:
        if isinstance(option, Mapping) and isinstance(option.get("name"), str):
            named.append(option["name"])
        elif _is_label(option):
            named.append(option)
        else:
            return tuple(range(len(options)))
    keys = {(type(label), label) for label in named}
    return tuple(named) if len(keys) == len(named) else tuple(range(len(options)))


class ConditionalChoice:
    """A choice among options that may hold parameters of their own (a conditional space).

    The choice itself is a categorical parameter over *labels*; the parameters inside
    the chosen option are suggested only when it is chosen, under the prefix
    ``"<param>.<label>."``, so two options never share a parameter. Create one with
    :func:`ahpo.space.Categorical`, which returns a plain
    :class:`~ahpo.distributions.CategoricalDistribution` when every choice is a JSON
    scalar.

    Labels are readable when they can be: if every option is either a JSON scalar
    (``None``, a bool, an int, a finite float, a str) or a dict with a str ``"name"``,
    and these are all distinct, the label of a scalar is the scalar itself and the label
    of a dict is its ``"name"``. Otherwise the labels are the option indices ``0, 1, …``.

    Parameters
    ----------
    choices
        A non-empty list or tuple of options: dicts (sub-spaces that may hold
        distributions, nested dicts and further choices), lists, distributions,
        JSON scalars or any other constant (returned as is, e.g. an estimator).

    Attributes
    ----------
    choices : tuple
        The options, with their dicts and lists copied.
    labels : tuple
        One label per option.
    distribution : CategoricalDistribution
        The categorical distribution over ``labels`` that the choice is suggested from.

    Examples
    --------
    >>> import ahpo
    >>> model = ahpo.space.Categorical([
    ...     {"name": "svm", "C": ahpo.Float(1e-3, 1e3, log=True)},
    ...     {"name": "rf", "depth": ahpo.Int(2, 12)},
    ... ])
    >>> model.labels
    ('svm', 'rf')
    >>> ahpo.space.Categorical([None, {"alpha": ahpo.Float(0, 1)}]).labels
    (0, 1)
    """

    __slots__ = ("choices", "distribution", "labels")

    choices: tuple[Any, ...]
    labels: tuple[Any, ...]
    distribution: CategoricalDistribution

    def __init__(self, choices: Sequence[Any]) -> None:
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
            raise type_error("choices", "a list or tuple of options", choices, owner=_OWNER)
        if len(choices) == 0:
            raise invalid("choices", "a non-empty list of options", list(choices), owner=_OWNER)
        self.choices = tuple(copy_structure(_scalar(c)) for c in choices)
        self.labels = _labels(self.choices)
        self.distribution = CategoricalDistribution(self.labels)

    def option(self, label: Any) -> Any:
        """The option of ``label`` (as the choice's categorical parameter returns it).

        Examples
        --------
        >>> import ahpo
        >>> ahpo.space.Categorical(["auto", {"name": "fixed", "k": 3}]).option("fixed")
        {'name': 'fixed', 'k': 3}
        """
        return self.choices[int(self.distribution.to_internal_repr(label))]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConditionalChoice):
            return NotImplemented
        return self.labels == other.labels and self.choices == other.choices

    __hash__ = None  # type: ignore[assignment]  # options may be dicts

    def __repr__(self) -> str:
        return f"ConditionalChoice({list(self.choices)!r})"


def categorical(choices: Sequence[Any]) -> CategoricalDistribution | ConditionalChoice:
    """A categorical parameter: plain when the choices are scalars, conditional otherwise.

    Returns a :class:`~ahpo.distributions.CategoricalDistribution` when every choice is
    ``None``, a bool, an int, a float or a str, and a :class:`ConditionalChoice` when
    any choice is something else: a dict (a sub-space whose parameters exist only when
    it is chosen), a list, a distribution or any other object.

    Parameters
    ----------
    choices
        A non-empty list or tuple of choices.

    Examples
    --------
    >>> import ahpo
    >>> ahpo.space.Categorical(["gbm", "rf"])
    CategoricalDistribution(choices=('gbm', 'rf'))
    >>> space = {"model": ahpo.space.Categorical([
    ...     {"name": "svm", "C": ahpo.Float(1e-3, 1e3, log=True)},
    ...     {"name": "rf", "depth": ahpo.Int(2, 12)},
    ... ])}
    >>> trial = ahpo.trial.FixedTrial({"model": "rf", "model.rf.depth": 5})
    >>> ahpo.space.suggest_space(trial, space)
    {'model': {'name': 'rf', 'depth': 5}}
    """
    if (
        isinstance(choices, Sequence)
        and not isinstance(choices, (str, bytes))
        and not all(isinstance(_scalar(c), _SCALARS) for c in choices)
    ):
        return ConditionalChoice(choices)
    return CategoricalDistribution(choices)

