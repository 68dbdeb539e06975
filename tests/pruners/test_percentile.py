import math

import pytest

import ahpo
from ahpo import TrialState
from ahpo.pruners import MedianPruner, PercentilePruner

from ._history import add, running, study_with, verdict

NAN = math.nan


def _five_at_step_2(pruner, direction="minimize", values=(1.0, 2.0, 3.0, 4.0, 5.0)):
    study = study_with(pruner, direction)
    for v in values:
        add(study, {0: 0.0, 1: 0.0, 2: v})
    return study


@pytest.mark.parametrize(
    ("direction", "best", "expected"),
    [
        ("minimize", 3.5, True),  # worse than the median 3
        ("minimize", 3.0, False),  # ties survive
        ("minimize", 2.9, False),
        ("maximize", 2.5, True),
        ("maximize", 3.0, False),
        ("maximize", 3.1, False),
    ],
)
def test_median_compares_with_completed_trials_at_the_same_step(direction, best, expected):
    study = _five_at_step_2(MedianPruner(), direction)
    assert verdict(study, {2: best}) is expected


@pytest.mark.parametrize(
    ("direction", "best", "expected"),
    [
        # np.nanpercentile([1, 2, 3, 4, 5], 25) == 2.0; for maximize the 75th: 4.0
        ("minimize", 2.5, True),
        ("minimize", 2.0, False),
        ("maximize", 3.9, True),
        ("maximize", 4.0, False),
    ],
)
def test_percentile_threshold_and_direction(direction, best, expected):
    study = _five_at_step_2(PercentilePruner(25.0), direction)
    assert verdict(study, {2: best}) is expected


def test_the_trials_best_value_so_far_is_compared():
    study = _five_at_step_2(MedianPruner())
    assert verdict(study, {0: 0.5, 1: 9.0, 2: 10.0}) is False  # best so far 0.5 < 3
    study = _five_at_step_2(MedianPruner(), "maximize")
    assert verdict(study, {0: 4.0, 1: 0.0, 2: 0.0}) is False  # best so far 4.0 > 3


def test_only_complete_trials_are_compared_and_counted():
    study = study_with(MedianPruner(n_startup_trials=3))
    add(study, {2: 1.0})
    add(study, {2: 1.0})
    for _ in range(5):
        add(study, {2: 100.0}, TrialState.PRUNED)
        running(study, {2: 100.0})
    assert verdict(study, {2: 5.0}) is False  # 2 COMPLETE < n_startup_trials
    add(study, {2: 1.0})
    assert verdict(study, {2: 5.0}) is True  # median of COMPLETE trials is 1


def test_startup_trials():
    study = study_with(MedianPruner(n_startup_trials=5))
    for _ in range(4):
        add(study, {2: 1.0})
    assert verdict(study, {2: 2.0}) is False
    add(study, {2: 1.0})
    assert verdict(study, {2: 2.0}) is True


def test_no_completed_trial_never_prunes_even_without_startup():
    study = study_with(MedianPruner(n_startup_trials=0))
    add(study, {2: 1.0}, TrialState.PRUNED)
    assert verdict(study, {2: NAN}) is False


def test_n_min_trials_counts_reports_at_the_current_step():
    study = study_with(MedianPruner(n_startup_trials=0, n_min_trials=3))
    add(study, {2: 1.0})
    add(study, {2: 1.0})
    add(study, {1: 1.0})  # no value at step 2
    assert verdict(study, {2: 5.0}) is False
    add(study, {2: 1.0})
    assert verdict(study, {2: 5.0}) is True


def test_no_prune_when_no_completed_trial_reported_the_step():
    study = _five_at_step_2(MedianPruner())
    assert verdict(study, {7: 100.0}) is False


def test_nan_handling():
    study = _five_at_step_2(MedianPruner())
    assert verdict(study, {2: NAN}) is True  # every value NaN
    assert verdict(study, {0: NAN, 1: NAN, 2: NAN}) is True
    # A NaN at the current step after a finite best: the best so far decides (Optuna).
    assert verdict(study, {0: 5.0, 2: NAN}) is True
    assert verdict(study, {0: 1.0, 2: NAN}) is False


def test_nan_values_of_other_trials_are_ignored():
    study = _five_at_step_2(MedianPruner(), values=(1.0, NAN, 3.0, NAN, 5.0))
    assert verdict(study, {2: 3.5}) is True  # median of [1, 3, 5]
    assert verdict(study, {2: 3.0}) is False
    study = _five_at_step_2(MedianPruner(), values=(NAN,) * 5)
    assert verdict(study, {2: 3.5}) is False


# Which reports are checked: after each report of the listed steps, is the trial
# checked? Every check prunes in this history, so should_prune() shows it.
@pytest.mark.parametrize(
    ("warmup", "interval", "steps", "checked"),
    [
        (0, 1, range(4), [0, 1, 2, 3]),
        (3, 1, range(6), [3, 4, 5]),
        (2, 3, range(10), [2, 5, 8]),
        # Checks due at 2, 5 and 8 are postponed to the next reported step.
        (2, 3, [0, 1, 3, 4, 6, 7, 9, 10], [3, 6, 9]),
        (0, 5, [0, 7, 8, 12], [0, 7, 12]),  # due at 5 -> 7; due at 10 -> 12
    ],
)
def test_warmup_and_interval(warmup, interval, steps, checked):
    pruner = MedianPruner(n_startup_trials=1, n_warmup_steps=warmup, interval_steps=interval)
    study = study_with(pruner)
    add(study, dict.fromkeys(range(13), 0.0))
    trial = study.ask()
    seen = []
    for step in steps:
        trial.report(1.0, step)
        if trial.should_prune():
            seen.append(step)
    assert seen == checked


def test_pruner_never_writes():
    study = _five_at_step_2(MedianPruner())
    trial = running(study, {2: 10.0})
    before = [(t.system_attrs, t.user_attrs, t.intermediate_values) for t in study.trials]
    assert trial.should_prune() is True
    after = [(t.system_attrs, t.user_attrs, t.intermediate_values) for t in study.trials]
    assert before == after
    assert study.system_attrs == {}


@pytest.mark.parametrize(
    ("make", "error", "param"),
    [
        (lambda: PercentilePruner(-0.1), ValueError, "percentile"),
        (lambda: PercentilePruner(100.5), ValueError, "percentile"),
        (lambda: PercentilePruner(math.nan), ValueError, "percentile"),
        (lambda: PercentilePruner("50"), TypeError, "percentile"),
        (lambda: MedianPruner(n_startup_trials=-1), ValueError, "n_startup_trials"),
        (lambda: MedianPruner(n_startup_trials=1.5), TypeError, "n_startup_trials"),
        (lambda: MedianPruner(n_warmup_steps=-1), ValueError, "n_warmup_steps"),
        (lambda: MedianPruner(interval_steps=0), ValueError, "interval_steps"),
        (lambda: MedianPruner(interval_steps=True), TypeError, "interval_steps"),
        (lambda: MedianPruner(n_min_trials=0), ValueError, "n_min_trials"),
    ],
)
def test_validation(make, error, param):
    with pytest.raises(error, match=f"'{param}' parameter of (Median|Percentile)Pruner"):
        make()


def test_percentile_bounds_are_accepted():
    PercentilePruner(0)
    PercentilePruner(100.0)
    assert isinstance(MedianPruner(), ahpo.pruners.BasePruner)
