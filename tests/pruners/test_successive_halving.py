import math

import pytest

import ahpo
from ahpo import TrialState
from ahpo.pruners import SuccessiveHalvingPruner

from ._history import add, running, study_with, verdict

# ASHA with min_resource=1, reduction_factor=3: rungs at steps 1, 3 and 9. Trials run
# one after another; trial i reports a at steps 0-2, b at steps 3-8 and c at step 9.
# A trial goes on from a rung when its value is <= the k-th smallest of the n rung
# values (its own included), k = max(n // 3 - 1, 0) (0-based).
SCHEDULE = [
    # (a, b, c), expected end, why
    ((5.0, 4.0, 3.0), ("COMPLETE", 9), "alone at every rung"),
    ((6.0, 6.0, 6.0), ("PRUNED", 1), "rung 1: [5, 6], k=0, 6 > 5"),
    ((4.0, 5.0, 5.0), ("PRUNED", 3), "rung 1: [4, 5, 6] k=0 ok; rung 3: [4, 5], 5 > 4"),
    ((7.0, 7.0, 7.0), ("PRUNED", 1), "rung 1: [4, 5, 6, 7], k=0, 7 > 4"),
    ((3.0, 3.0, 2.0), ("COMPLETE", 9), "best at rung 1, rung 3 [3, 4, 5], rung 9 [2, 3]"),
    ((4.5, 4.5, 4.5), ("PRUNED", 1), "rung 1: n=6, k=1: [3, 4, 4.5, ...], 4.5 > 4"),
    ((4.0, 3.5, 3.5), ("PRUNED", 3), "rung 1: n=7, k=1, 4 <= 4 (tie); rung 3: [3, 3.5, 4, 5]"),
    ((2.0, 2.5, 1.5), ("COMPLETE", 9), "best at each rung"),
    (
        (3.9, 2.8, 2.5),
        ("PRUNED", 9),
        "rung 1: n=9, k=2, [2, 3, 3.9]; rung 3: n=6, k=1, "
        "[2.5, 2.8]; rung 9: [1.5, 2, 2.5, 3], k=0",
    ),
]


def _run_schedule(pruner, sign=1.0):
    study = study_with(pruner, "minimize" if sign > 0 else "maximize")
    for (a, b, c), _, _ in SCHEDULE:
        trial = study.ask()
        for step in range(10):
            value = a if step < 3 else b if step < 9 else c
            trial.report(sign * value, step)
            if trial.should_prune():
                study.tell(trial, state=TrialState.PRUNED)
                break
        else:
            study.tell(trial, sign * c)
    return study, [(t.state.name, t.last_step) for t in study.trials]


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["minimize", "maximize"])
def test_hand_computed_schedule(sign):
    study, ends = _run_schedule(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3), sign)
    assert ends == [expected for _, expected, _ in SCHEDULE]
    # Pure: nothing was written besides what the objective reported.
    assert all(t.system_attrs == {} for t in study.trials)
    assert study.system_attrs == {}


def test_min_early_stopping_rate_moves_the_first_rung():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=3, min_early_stopping_rate=1)
    study = study_with(pruner)
    add(study, dict.fromkeys(range(10), 1.0))
    trial = study.ask()
    decisions = []
    for step in range(4):
        trial.report(5.0, step)
        decisions.append(trial.should_prune())
    assert decisions == [False, False, False, True]  # first rung at step 3


def test_running_trials_compete():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    study = study_with(pruner)
    assert verdict(study, {0: 1.0, 1: 1.0}) is False  # alone; stays RUNNING
    assert verdict(study, {0: 2.0, 1: 2.0}) is True  # [1, 2]: only the best goes on


def test_failed_trials_do_not_compete():
    study = study_with(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3))
    add(study, {1: 1.0}, TrialState.FAIL)
    assert verdict(study, {1: 2.0}) is False


def test_rung_value_is_the_first_report_at_or_after_the_rung():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    study = study_with(pruner)
    add(study, {0: 9.0, 4: 1.0, 9: 1.0})  # crossed rungs 1 and 3 at step 4 with 1.0
    assert verdict(study, {1: 2.0}) is True  # rung 1: [1, 2]
    assert verdict(study, {1: 0.5}) is False  # rung 1: [1, 2, 0.5] (2 still RUNNING)
    # A sparse report crosses several rungs at once, each decided with its value:
    # rung 1: [1, 2, 0.5, 0.4]; rung 3: [1, 0.4].
    assert verdict(study, {0: 9.0, 5: 0.4}) is False
    assert verdict(study, {0: 9.0, 5: 0.45}) is True  # rung 1: 0.45 > 0.4


def test_a_rung_is_decided_only_at_the_report_that_crosses_it():
    study = study_with(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3))
    add(study, dict.fromkeys(range(10), 1.0))
    trial = running(study, {0: 5.0, 1: 5.0})
    assert trial.should_prune() is True
    trial.report(5.0, 2)  # the objective ignored the advice; no rung at step 2
    assert trial.should_prune() is False
    trial.report(5.0, 3)
    assert trial.should_prune() is True


def test_nan():
    study = study_with(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3))
    assert verdict(study, {0: 1.0, 1: math.nan}) is True
    assert verdict(study, {0: math.nan}) is False  # not at a rung
    # Others' NaN rung values count as the worst.
    study = study_with(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3))
    add(study, {1: math.nan})
    assert verdict(study, {1: 100.0}) is False
    study = study_with(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3), "maximize")
    add(study, {1: math.nan})
    assert verdict(study, {1: -100.0}) is False


def test_bootstrap_count_prunes_until_the_rung_has_enough_trials():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=4, bootstrap_count=2)
    study = study_with(pruner)
    add(study, {1: 5.0}, TrialState.PRUNED)
    assert verdict(study, {1: 1.0}) is True  # 2 trials at the rung, itself included
    assert verdict(study, {1: 1.0}) is False  # 3 > 2; the best of [5, 1, 1]


def test_auto_min_resource():
    pruner = SuccessiveHalvingPruner(reduction_factor=4)  # min_resource="auto"
    study = study_with(pruner)
    assert verdict(study, dict.fromkeys(range(300), 1e9)) is False  # nothing completed yet
    add(study, dict.fromkeys(range(251), 1.0))  # first to complete: 250 // 100 = 2
    add(study, dict.fromkeys(range(1000), 1.0))  # later ones do not change it
    trial = running(study, {0: 5.0, 1: 5.0})
    assert trial.should_prune() is False  # rungs at 2, 8, 32, 128
    trial.report(5.0, 2)
    assert trial.should_prune() is True


@pytest.mark.parametrize(
    ("kwargs", "error", "param"),
    [
        ({"min_resource": 0}, ValueError, "min_resource"),
        ({"min_resource": "many"}, ValueError, "min_resource"),
        ({"min_resource": 2.0}, TypeError, "min_resource"),
        ({"reduction_factor": 1}, ValueError, "reduction_factor"),
        ({"min_early_stopping_rate": -1}, ValueError, "min_early_stopping_rate"),
        ({"min_resource": 1, "bootstrap_count": -1}, ValueError, "bootstrap_count"),
        ({"bootstrap_count": 1}, ValueError, "bootstrap_count"),  # with "auto"
    ],
)
def test_validation(kwargs, error, param):
    with pytest.raises(error, match=f"'{param}' parameter of SuccessiveHalvingPruner"):
        SuccessiveHalvingPruner(**kwargs)


def test_exported():
    assert "SuccessiveHalvingPruner" in ahpo.pruners.__all__
