import math

import pytest

from ahpo.pruners import BasePruner, MedianPruner, NopPruner, PatientPruner

from ._history import add, running, study_with, verdict


class _Always(BasePruner):
    def __init__(self):
        self.calls = 0

    def prune(self, view, trial):
        self.calls += 1
        return True


def _curve(values):
    return dict(enumerate(values))


@pytest.mark.parametrize(
    ("values", "patience", "min_delta", "expected"),
    [
        ([5, 4, 3, 2], 2, 0.0, False),  # improving
        ([5, 4, 4, 4], 2, 0.0, False),  # too few steps: needs patience + 2
        ([5, 4, 4, 4, 4], 2, 0.0, False),  # equal is not worse
        ([5, 4, 4.5, 4.5, 4.5], 2, 0.0, True),  # 3 steps without reaching 4 again
        ([5, 4, 4.5, 3.9, 4.5], 2, 0.0, False),  # 3.9 improves on 4
        ([5, 4, 4.5, 4.1, 4.5], 2, 0.0, True),  # 4.1 is worse than 4
        ([5, 4, 4.5, 4.1, 4.5], 2, 0.2, False),  # ... but by no more than min_delta
        ([5, 4, 4.5], 0, 0.0, True),  # patience 0: the last step must improve
        ([5, 4, math.nan, math.nan], 1, 0.0, False),  # all-NaN recent window
        ([5, 4, math.nan, 4.5], 1, 0.0, True),  # NaN ignored, 4.5 > 4
    ],
)
def test_patience_minimize(values, patience, min_delta, expected):
    study = study_with(PatientPruner(None, patience, min_delta))
    assert verdict(study, _curve(values)) is expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1, 2, 1.5, 1.5, 1.5], True), ([1, 2, 1.5, 2.1, 1.5], False), ([1, 2, 2, 2, 2], False)],
)
def test_patience_maximize(values, expected):
    study = study_with(PatientPruner(None, 2), "maximize")
    assert verdict(study, _curve(values)) is expected


def test_steps_are_taken_in_order():
    study = study_with(PatientPruner(None, 1))
    trial = study.ask()
    for step, value in [(3, 4.5), (0, 5.0), (2, 4.5), (1, 4.0)]:
        trial.report(value, step)
    assert trial.should_prune() is True  # ordered: 5, 4, 4.5, 4.5


def test_wrapped_pruner_decides_once_stalled():
    always = _Always()
    study = study_with(PatientPruner(always, 1))
    assert verdict(study, _curve([3, 2, 1])) is False
    assert always.calls == 0
    assert verdict(study, _curve([3, 2, 2.5, 2.5])) is True
    assert always.calls == 1
    study = study_with(PatientPruner(NopPruner(), 1))
    assert verdict(study, _curve([3, 2, 2.5, 2.5])) is False


def test_wraps_median_pruner():
    study = study_with(PatientPruner(MedianPruner(n_startup_trials=1), 1))
    add(study, _curve([1, 1, 1, 1]))
    trial = running(study, _curve([3, 2, 2.5, 2.5]))
    assert trial.should_prune() is True
    trial = running(study, _curve([0.5, 0.4, 0.6, 0.6]))  # stalled but beats the median
    assert trial.should_prune() is False


@pytest.mark.parametrize(
    ("args", "error", "param"),
    [
        ((None, -1), ValueError, "patience"),
        ((None, 1.0), TypeError, "patience"),
        ((None, 1, -0.1), ValueError, "min_delta"),
        ((None, 1, "x"), TypeError, "min_delta"),
        ((None, 1, math.nan), ValueError, "min_delta"),
        ((object(), 1), TypeError, "wrapped_pruner"),
    ],
)
def test_validation(args, error, param):
    with pytest.raises(error, match=f"'{param}' parameter of PatientPruner"):
        PatientPruner(*args)
