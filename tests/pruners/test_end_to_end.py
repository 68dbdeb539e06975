"""study.optimize on synthetic learning curves: bad trials stop early, the best finishes."""

import math

import numpy as np
import pytest

import ahpo
from ahpo import TrialState
from ahpo.pruners import (
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
)

N_TRIALS, N_STEPS = 60, 50


def _final(x, y):
    return 1.0 - (x - 0.3) ** 2 - 0.5 * (y - 0.7) ** 2


def _optimize(pruner, seed):
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        final = _final(x, y)
        rng = np.random.default_rng([seed, trial.number])
        for step in range(N_STEPS):
            value = final * (1.0 - math.exp(-(step + 1) / 10.0)) + rng.normal(0.0, 0.003)
            trial.report(value, step)
            if trial.should_prune():
                raise ahpo.TrialPruned()
        return final

    study = ahpo.create_study(
        direction="maximize", pruner=pruner, sampler=ahpo.samplers.RandomSampler(seed=seed)
    )
    study.optimize(objective, n_trials=N_TRIALS)
    return study


PRUNERS = {
    "median": lambda: MedianPruner(n_startup_trials=5, n_warmup_steps=5),
    "percentile": lambda: PercentilePruner(25.0, n_startup_trials=5, n_warmup_steps=5),
    "asha": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    "hyperband": lambda: HyperbandPruner(min_resource=1, max_resource=N_STEPS),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(PRUNERS))
def test_prunes_bad_trials_and_keeps_the_best(name, seed):
    study = _optimize(PRUNERS[name](), seed)
    trials = study.trials
    finals = [_final(t.params["x"], t.params["y"]) for t in trials]
    best = int(np.argmax(finals))
    assert trials[best].state == TrialState.COMPLETE
    assert study.best_trial.number == best
    pruned = [f for f, t in zip(finals, trials, strict=True) if t.state == TrialState.PRUNED]
    kept = [f for f, t in zip(finals, trials, strict=True) if t.state == TrialState.COMPLETE]
    assert len(pruned) >= N_TRIALS // 2
    assert np.median(pruned) < np.median(kept)
    steps_run = sum(t.last_step + 1 for t in trials)
    assert steps_run < 0.6 * N_TRIALS * N_STEPS


def test_without_pruner_every_trial_completes():
    study = _optimize(NopPruner(), 0)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
