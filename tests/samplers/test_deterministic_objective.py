"""``deterministic_objective=True`` means the same for every sampler that takes it: past
the start-up, no point of a finished, pruned or running trial is proposed again, and
a used-up grid is repeated rather than an error."""

import math

import pytest

import ahpo
from ahpo import TrialState
from ahpo.samplers import GPSampler, TPESampler
from tests.samplers._objectives import grid36

SAMPLERS = {
    "tpe": lambda seed, **kw: TPESampler(seed=seed, **kw),
    "tpe-random-half": lambda seed, **kw: TPESampler(seed=seed, random_fraction=0.5, **kw),
    "gp": lambda seed, **kw: GPSampler(seed=seed, **kw),
    "gp-no-fantasies": lambda seed, **kw: GPSampler(seed=seed, fantasize_pending=False, **kw),
    "gp-random-half": lambda seed, **kw: GPSampler(seed=seed, random_fraction=0.5, **kw),
}
N_STARTUP = 4


def _configs(study):
    return [
        tuple(round(v, 6) if isinstance(v, float) else v for v in t.params.values())
        for t in study.trials
    ]


def _assert_no_repeats_from(configs, start):
    for i in range(start, len(configs)):
        assert configs[i] not in configs[:i], f"trial {i} repeats {configs[i]}"


@pytest.mark.parametrize("name", SAMPLERS)
def test_no_point_is_proposed_again_while_the_plain_sampler_repeats(name):
    def run(deterministic):
        sampler = SAMPLERS[name](3, n_startup_trials=N_STARTUP,
                                 deterministic_objective=deterministic)
        study = ahpo.create_study(sampler=sampler)
        study.optimize(grid36, n_trials=30)
        return study, _configs(study)

    study, configs = run(True)
    _assert_no_repeats_from(configs, N_STARTUP)
    assert study.best_value == 0.0
    _, plain = run(False)  # the same seed without the option returns to points it likes
    assert len(set(plain)) < len(plain) - 4


@pytest.mark.parametrize("name", SAMPLERS)
def test_the_whole_grid_is_tried_then_repeated_without_an_error(name):
    def objective(trial):
        return trial.suggest_int("k", 0, 5) + 0.1 * trial.suggest_int("j", 0, 1)

    study = ahpo.create_study(
        sampler=SAMPLERS[name](0, n_startup_trials=2, deterministic_objective=True)
    )
    study.optimize(objective, n_trials=16)
    configs = _configs(study)
    assert len(set(configs[:12])) >= 11  # start-up draws may coincide; the model's never
    assert len(set(configs)) == 12
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


@pytest.mark.parametrize("name", SAMPLERS)
def test_pruned_running_and_infinite_points_are_kept_apart_too(name):
    def objective(trial):
        value = grid36(trial)
        if trial.params["kind"] == "c":
            raise ahpo.TrialPruned()
        return math.inf if trial.params["k"] == 0 else value  # a value no model fits

    sampler = SAMPLERS[name](1, n_startup_trials=N_STARTUP, deterministic_objective=True)
    study = ahpo.create_study(sampler=sampler)
    study.optimize(objective, n_trials=14)
    assert any(t.state == TrialState.PRUNED for t in study.trials)
    assert any(t.value == math.inf for t in study.trials)
    for _ in range(8):
        grid36(study.ask())  # left running
    _assert_no_repeats_from(_configs(study), N_STARTUP)
