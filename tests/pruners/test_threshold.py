import math

import pytest

from ahpo.pruners import ThresholdPruner

from ._history import study_with, verdict


@pytest.mark.parametrize(
    ("lower", "upper", "value", "expected"),
    [
        (None, 5.0, 5.0, False),
        (None, 5.0, 5.1, True),
        (1.0, None, 1.0, False),
        (1.0, None, 0.9, True),
        (1.0, 2.0, 1.5, False),
        (1.0, 2.0, 2.5, True),
        (1.0, 2.0, math.nan, True),
        (None, 5.0, math.inf, True),
    ],
)
def test_band(lower, upper, value, expected):
    for direction in ("minimize", "maximize"):  # the direction plays no part
        study = study_with(ThresholdPruner(lower=lower, upper=upper), direction)
        assert verdict(study, {0: 1.5, 3: value}) is expected


def test_only_the_latest_value_counts():
    study = study_with(ThresholdPruner(upper=5.0))
    assert verdict(study, {0: 100.0, 1: 1.0}) is False
    assert verdict(study, {}) is False


def test_warmup_and_interval():
    study = study_with(ThresholdPruner(upper=0.0, n_warmup_steps=2, interval_steps=3))
    trial = study.ask()
    seen = []
    for step in [0, 1, 2, 3, 4, 6, 7, 8, 9]:
        trial.report(1.0, step)
        if trial.should_prune():
            seen.append(step)
    assert seen == [2, 6, 8]  # due at 2, 5 (-> 6) and 8


@pytest.mark.parametrize(
    ("kwargs", "error", "param"),
    [
        ({}, TypeError, "lower"),
        ({"lower": 2.0, "upper": 1.0}, ValueError, "lower"),
        ({"lower": "a"}, TypeError, "lower"),
        ({"upper": math.nan}, ValueError, "upper"),
        ({"upper": 1.0, "n_warmup_steps": -1}, ValueError, "n_warmup_steps"),
        ({"upper": 1.0, "interval_steps": 0}, ValueError, "interval_steps"),
    ],
)
def test_validation(kwargs, error, param):
    with pytest.raises(error, match=f"'{param}' parameter of ThresholdPruner"):
        ThresholdPruner(**kwargs)
