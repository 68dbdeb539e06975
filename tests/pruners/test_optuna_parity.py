"""Same configurations, same learning curves: ahpo prunes exactly the trials Optuna does."""

import math
import warnings

import numpy as np
import pytest

import ahpo

optuna = pytest.importorskip("optuna")


def _curve(x, step):
    """A noisy saturating learning curve; NaN spikes for some configurations."""
    final = 1.0 - (x - 0.3) ** 2
    if 0.55 < x < 0.6 and step % 7 == 3:
        return math.nan
    noise = np.random.default_rng([round(x * 1e9), step]).normal(0.0, 0.02)
    return final * (1.0 - math.exp(-(step + 1) / 10.0)) + noise


def _run(lib, pruner, direction, steps, configs):
    study = lib.create_study(
        direction=direction, pruner=pruner, sampler=lib.samplers.RandomSampler(seed=0)
    )
    for x in configs:
        study.enqueue_trial({"x": float(x)})
    sign = 1.0 if direction == "maximize" else -1.0

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        for step in steps:
            trial.report(sign * _curve(x, step), step)
            if trial.should_prune():
                raise lib.TrialPruned()
        return sign * _curve(x, steps[-1] + 1)

    study.optimize(objective, n_trials=len(configs))
    return [(t.state.name, t.last_step) for t in study.trials]


SCENARIOS = {
    "median-default": (lambda p: p.MedianPruner(), "minimize", range(30)),
    "median-all-options": (
        lambda p: p.MedianPruner(
            n_startup_trials=3, n_warmup_steps=5, interval_steps=4, n_min_trials=2
        ),
        "maximize",
        range(0, 40, 3),  # sparse reports: postponed checks
    ),
    "percentile": (
        lambda p: p.PercentilePruner(30.0, n_startup_trials=2, interval_steps=2),
        "maximize",
        range(30),
    ),
    "threshold": (
        lambda p: p.ThresholdPruner(lower=-0.9, upper=-0.05, n_warmup_steps=3),
        "minimize",
        range(25),
    ),
    "patient": (
        lambda p: p.PatientPruner(p.MedianPruner(n_startup_trials=2), patience=2),
        "maximize",
        range(25),
    ),
    "successive-halving": (
        lambda p: p.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
        "minimize",
        range(28),
    ),
    "successive-halving-rate-1": (
        lambda p: p.SuccessiveHalvingPruner(2, reduction_factor=2, min_early_stopping_rate=1),
        "maximize",
        range(30),
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_prunes_the_same_trials_as_optuna(name):
    make, direction, steps = SCENARIOS[name]
    steps = list(steps)
    configs = np.random.default_rng(7).uniform(0.0, 1.0, 40)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning, NaN warnings
        theirs = _run(optuna, make(optuna.pruners), direction, steps, configs)
        ours = _run(ahpo, make(ahpo.pruners), direction, steps, configs)
    assert ours == theirs
    n_pruned = sum(state == "PRUNED" for state, _ in ours)
    assert 0 < n_pruned < len(configs)  # the scenario exercises pruning


def test_auto_min_resource_differs_from_optuna_by_design():
    # With min_resource="auto", Optuna records no rung values for the trials that ran
    # before the first completion, so they never compete; ahpo derives rung values from
    # the reported values, so the first completed trial competes at every rung.
    configs = [0.3, 0.9]  # the second is much worse
    steps = list(range(30))
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    theirs = _run(optuna, optuna.pruners.SuccessiveHalvingPruner(), "maximize", steps, configs)
    ours = _run(ahpo, ahpo.pruners.SuccessiveHalvingPruner(), "maximize", steps, configs)
    assert theirs == [("COMPLETE", 29), ("COMPLETE", 29)]  # alone at each of its rungs
    assert ours == [("COMPLETE", 29), ("PRUNED", 1)]  # min_resource 1: rung 1 = [trial 0, 1]


def test_hyperband_at_max_resource_differs_from_optuna_by_design():
    # One bracket whose only rung is at max_resource = 9. Optuna decides it when a trial
    # reports step 9 and prunes the worse trial after all its steps ran; ahpo does not:
    # a trial that reached max_resource had its full resource (Li et al. 2018).
    configs = [0.3, 0.9]  # the second is much worse
    steps = list(range(10))
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _run(optuna, optuna.pruners.HyperbandPruner(9, 9, 3), "maximize", steps, configs)
    ours = _run(ahpo, ahpo.pruners.HyperbandPruner(9, 9, 3), "maximize", steps, configs)
    assert theirs == [("COMPLETE", 9), ("PRUNED", 9)]
    assert ours == [("COMPLETE", 9), ("COMPLETE", 9)]
    # Optuna's own convention, steps 0 .. max_resource - 1, never reaches that rung.
    steps = list(range(9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _run(optuna, optuna.pruners.HyperbandPruner(9, 9, 3), "maximize", steps, configs)
    assert theirs == [("COMPLETE", 8), ("COMPLETE", 8)]
