"""Resource-based successive halving: the resource levels a trial climbs.

A *resource* is what makes a fit cheaper when there is less of it: the number of
training samples (``"n_samples"``) or an estimator parameter such as
``n_estimators`` or ``max_iter``. A trial cross-validates its configuration at
``min_resources``, then at ``factor`` times more, and so on up to ``max_resources``;
after each level it reports the mean test score with the level as the step
(``trial.report(score, n_resources)``), so an asynchronous successive-halving pruner
(rungs at ``min_resources * factor ** k``) stops the trials that fall behind.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error

N_SAMPLES = "n_samples"


@dataclass(frozen=True)
class ResourceSchedule:
    """The levels of a halving search and how to apply one to a fit.

    Parameters
    ----------
    resource
        ``"n_samples"`` or the name of an estimator parameter.
    levels
        Increasing resource amounts; the first is ``min_resources``, the next ones
        ``factor`` times more, the last is ``max_resources``.
    factor
        Growth between consecutive levels (the pruner's reduction factor).
    """

    resource: str
    levels: tuple[int, ...]
    factor: int

    @property
    def min_resources(self) -> int:
        return self.levels[0]

    @property
    def max_resources(self) -> int:
        return self.levels[-1]

    def params_at(self, level: int) -> dict[str, int]:
        """The estimator parameters that set ``level`` (none for ``"n_samples"``)."""
        return {} if self.resource == N_SAMPLES else {self.resource: int(level)}


def geometric_levels(min_resources: int, max_resources: int, factor: int) -> tuple[int, ...]:
    """``min * factor ** k`` while a level ``factor`` times larger still fits, then ``max``.

    The last step may thus grow by up to ``factor ** 2``, never by less than
    ``factor`` (a level just below ``max_resources`` would be an almost full-cost fit
    that decides nothing).

    Examples
    --------
    >>> geometric_levels(12, 426, 3)
    (12, 36, 108, 426)
    >>> geometric_levels(10, 10, 3)
    (10,)
    """
    levels = [min_resources]
    while levels[-1] * factor * factor <= max_resources:
        levels.append(levels[-1] * factor)
    if levels[-1] < max_resources:
        levels.append(max_resources)
    return tuple(levels)


def _check_positive_int(name: str, value: Any, owner: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise invalid(name, f"an int >= {low}", value, owner=owner)
    return int(value)


def build_schedule(
    resource: Any,
    min_resources: Any,
    max_resources: Any,
    factor: Any,
    *,
    estimator: Any,
    searched: Sequence[str],
    n_samples: int,
    n_splits: int,
    n_classes: int | None,
    n_trials: int | None,
    owner: str = "SearchCV",
) -> ResourceSchedule:
    """Validate the halving arguments and compute the levels, as scikit-learn's halving does.

    ``min_resources="smallest"`` is ``2 * n_splits`` samples (times the number of
    classes for a classifier) for ``"n_samples"``, 1 for a parameter;
    ``"exhaust"`` makes the last level ``max_resources`` after
    ``floor(log_factor(n_trials))`` reductions, as ``HalvingRandomSearchCV`` does for
    ``n_candidates`` candidates. ``max_resources="auto"`` is the number of samples
    (``"n_samples"`` only).
    """
    if not isinstance(resource, str):
        raise type_error("resource", "None, 'n_samples' or an estimator parameter name",
                         resource, owner=owner)
    if resource != N_SAMPLES:
        if resource not in estimator.get_params(deep=True):
            raise invalid("resource", "'n_samples' or a parameter of the estimator",
                          resource, owner=owner)
        if resource in searched:
            raise invalid("resource", "a parameter that is not searched", resource,
                          owner=owner)
    factor = _check_positive_int("factor", factor, owner, low=2)
    if isinstance(max_resources, str) and max_resources == "auto":
        if resource != N_SAMPLES:
            raise invalid("max_resources", "an int when resource is a parameter",
                          max_resources, owner=owner)
        max_r = n_samples
    else:
        max_r = _check_positive_int("max_resources", max_resources, owner)
        if resource == N_SAMPLES and max_r > n_samples:
            raise invalid("max_resources", f"at most the number of samples ({n_samples})",
                          max_resources, owner=owner)
    smallest = 1
    if resource == N_SAMPLES:
        smallest = 2 * n_splits * (n_classes or 1)
    if isinstance(min_resources, str) and min_resources == "smallest":
        min_r = min(smallest, max_r)
    elif isinstance(min_resources, str) and min_resources == "exhaust":
        if n_trials is None:
            raise invalid("min_resources", "'smallest' or an int when n_trials is None",
                          min_resources, owner=owner)
        reductions = math.floor(math.log(n_trials, factor) + 1e-9) if n_trials > 1 else 0
        min_r = min(max(max_r // factor**reductions, smallest), max_r)
    else:
        min_r = _check_positive_int("min_resources", min_resources, owner)
        if min_r > max_r:
            raise invalid("min_resources", f"at most max_resources ({max_r})", min_resources,
                          owner=owner)
    return ResourceSchedule(resource, geometric_levels(min_r, max_r, factor), factor)


def training_orders(
    splits: Sequence[tuple[np.ndarray, np.ndarray]], y: Any, classifier: bool, seed: int
) -> list[np.ndarray]:
    """Per fold, the training indices in the order in which subsamples take them.

    Shuffled with ``seed``; for a classifier, the classes are interleaved (each
    sample is placed by its rank within its class), so every prefix keeps the class
    proportions of the fold.
    """
    rng = np.random.default_rng(seed)
    labels = None if y is None or not classifier else np.asarray(y)
    orders = []
    for train, _ in splits:
        order = rng.permutation(np.asarray(train))
        if labels is not None and labels.ndim == 1:
            fold = labels[order]
            position = np.empty(len(order))
            for label in np.unique(fold):
                members = np.flatnonzero(fold == label)
                position[members] = (np.arange(len(members)) + 0.5) / len(members)
            order = order[np.argsort(position, kind="stable")]
        orders.append(order)
    return orders


def subsampled_splits(
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    orders: Sequence[np.ndarray],
    n_resources: int,
    n_samples: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds with ``n_resources / n_samples`` of each training part; tests are whole."""
    fraction = n_resources / n_samples
    out = []
    for (_, test), order in zip(splits, orders, strict=True):
        size = min(len(order), max(1, round(fraction * len(order))))
        out.append((np.sort(order[:size]), test))
    return out
