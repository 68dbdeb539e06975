"""Resource levels, subsampled folds and their validation (ahpo.sklearn._resource)."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from ahpo.sklearn._resource import (
    build_schedule,
    geometric_levels,
    subsampled_splits,
    training_orders,
)


@given(
    low=st.integers(1, 1000),
    span=st.integers(0, 100_000),
    factor=st.integers(2, 6),
)
def test_levels_grow_by_factor_and_end_at_max(low, span, factor):
    high = low + span
    levels = geometric_levels(low, high, factor)
    assert levels[0] == low and levels[-1] == high
    ratios = [b / a for a, b in pairwise(levels)]
    assert all(r == factor for r in ratios[:-1])
    if ratios:
        assert 1 < ratios[-1] < factor**2


def _schedule(**kwargs):
    args = {"resource": "n_samples", "min_resources": "smallest", "max_resources": "auto",
            "factor": 3}
    args.update(kwargs)
    return build_schedule(
        args.pop("resource"), args.pop("min_resources"), args.pop("max_resources"),
        args.pop("factor"), estimator=RandomForestClassifier(), searched=["max_depth"],
        n_samples=600, n_splits=3, n_classes=2, n_trials=kwargs.get("n_trials", 27),
    )


def test_defaults_mirror_halving_search():
    schedule = _schedule()
    assert schedule.min_resources == 2 * 3 * 2  # 2 * n_splits * n_classes
    assert schedule.max_resources == 600
    assert schedule.params_at(36) == {}
    forest = _schedule(resource="n_estimators", max_resources=100)
    assert forest.levels[0] == 1 and forest.params_at(9) == {"n_estimators": 9}


@pytest.mark.parametrize("n_trials", [1, 2, 3, 8, 9, 26, 27, 80, 81])
def test_exhaust_reaches_max_after_log_factor_reductions(n_trials):
    schedule = _schedule(min_resources="exhaust", n_trials=n_trials)
    reductions = math.floor(math.log(n_trials, 3) + 1e-9)
    assert schedule.min_resources == min(max(600 // 3**reductions, 12), 600)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"resource": 3}, "resource"),
        ({"resource": "not_a_param"}, "resource"),
        ({"resource": "max_depth"}, "resource"),  # it is searched
        ({"resource": "n_estimators"}, "max_resources"),  # 'auto' needs n_samples
        ({"max_resources": 601}, "max_resources"),
        ({"max_resources": 0}, "max_resources"),
        ({"min_resources": 700}, "min_resources"),
        ({"min_resources": "tiny"}, "min_resources"),
        ({"factor": 1}, "factor"),
        ({"factor": 2.5}, "factor"),
    ],
)
def test_invalid_arguments_name_the_parameter(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=f"'{param}' parameter of SearchCV"):
        _schedule(**kwargs)


@given(seed=st.integers(0, 2**16), n=st.integers(30, 200), n_classes=st.integers(2, 4))
def test_subsamples_keep_class_proportions(seed, n, n_classes):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    y[:n_classes * 3] = np.repeat(np.arange(n_classes), 3)  # every class in every fold
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(np.zeros(n), y))
    orders = training_orders(splits, y, classifier=True, seed=seed)
    for (train, _), order in zip(splits, orders, strict=True):
        assert sorted(order) == sorted(train)
    level = n // 2
    for (train, test), (sub, sub_test) in zip(
        splits, subsampled_splits(splits, orders, level, n), strict=True
    ):
        assert np.array_equal(test, sub_test)
        assert len(sub) == round(level / n * len(train))
        assert set(sub) <= set(train)
        for label in np.unique(y[train]):
            expected = np.mean(y[train] == label) * len(sub)
            assert abs(np.sum(y[sub] == label) - expected) <= 1
