import math

import numpy as np
import pytest

import ahpo
from ahpo import TrialState
from ahpo.samplers._tpe import TPESampler
from tests.samplers._objectives import branin


def mixed(trial):
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    depth = trial.suggest_int("depth", 1, 12)
    width = trial.suggest_int("width", 8, 512, log=True)
    frac = trial.suggest_float("frac", 0.0, 1.0, step=0.125)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    if kind == "a":
        extra = trial.suggest_float("a_only", -1, 1)
    else:
        extra = trial.suggest_int("bc_only", 0, 4)
    return (math.log10(lr) + 3) ** 2 + abs(depth - 6) + abs(math.log2(width) - 6) + frac + extra


def test_seeded_runs_are_identical():
    def run():
        study = ahpo.create_study(sampler=TPESampler(seed=7))
        study.optimize(mixed, n_trials=30)
        return [t.params for t in study.trials]

    assert run() == run()


def test_values_stay_in_their_distributions():
    study = ahpo.create_study(sampler=TPESampler(seed=1, n_startup_trials=5))
    study.optimize(mixed, n_trials=40)
    for t in study.trials:
        assert t.state == TrialState.COMPLETE
        for name, value in t.params.items():
            dist = t.distributions[name]
            assert dist.contains(dist.to_internal_repr(value)), (name, value)
        expected = "a_only" if t.params["kind"] == "a" else "bc_only"
        assert expected in t.params


@pytest.mark.parametrize("multivariate", [True, False])
def test_model_phase_concentrates_near_the_optimum(multivariate):
    study = ahpo.create_study(sampler=TPESampler(seed=3, multivariate=multivariate))
    study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 3) ** 2, n_trials=60)
    late = [t.params["x"] for t in study.trials[40:]]
    assert np.median(np.abs(np.array(late) - 3)) < 2.0


def test_dynamic_ranges_fall_back_to_independent_sampling():
    study = ahpo.create_study(sampler=TPESampler(seed=0, n_startup_trials=3))

    def objective(trial):
        high = 5 + trial.number
        return trial.suggest_float("x", 0, high)

    study.optimize(objective, n_trials=15)
    assert all(0 <= t.params["x"] <= 5 + t.number for t in study.trials)


class _RecordingTPE(TPESampler):
    """A TPESampler that records which parameters it samples one at a time."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.independent = set()

    def sample_independent(self, view, trial, name, distribution):
        if len(view.get_trials(states=(TrialState.COMPLETE,))) >= 10:
            self.independent.add(name)
        return super().sample_independent(view, trial, name, distribution)


@pytest.mark.parametrize(("group", "expected"), [(False, {"a_only", "bc_only"}), (True, set())])
def test_conditional_parameters_are_modelled_by_group_or_one_at_a_time(group, expected):
    sampler = _RecordingTPE(seed=0, n_startup_trials=10, group=group)
    study = ahpo.create_study(sampler=sampler)
    study.optimize(mixed, n_trials=25)
    assert sampler.independent == expected


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_constant_liar_keeps_parallel_proposals_apart(seed):
    space_size = 15 * 15
    study = ahpo.create_study(sampler=TPESampler(seed=seed, n_startup_trials=10))
    for _ in range(10):
        trial = study.ask()
        x, y = trial.suggest_int("x", 0, 14), trial.suggest_int("y", 0, 14)
        study.tell(trial, (x - 7) ** 2 + (y - 7) ** 2)
    rounds_distinct = 0
    for _ in range(10):
        batch = [study.ask() for _ in range(8)]
        points = [(t.suggest_int("x", 0, 14), t.suggest_int("y", 0, 14)) for t in batch]
        rounds_distinct += len(set(points)) == len(points)
        for trial, (x, y) in zip(batch, points, strict=True):
            study.tell(trial, (x - 7) ** 2 + (y - 7) ** 2)
    assert len(study.trials) == 90 < space_size
    assert rounds_distinct == 10


def _late_feasible(constraints_func, seed):
    study = ahpo.create_study(
        sampler=TPESampler(seed=seed, constraints_func=constraints_func, n_startup_trials=10)
    )
    study.optimize(lambda t: -t.suggest_float("x", -5, 5), n_trials=50)
    return study, sum(t.params["x"] <= 1.0 for t in study.trials[25:])


@pytest.mark.parametrize("seed", [0, 1])
def test_constraints_func_records_and_steers(seed):
    def constraints(trial):
        return [trial.params["x"] - 1.0]  # feasible when x <= 1; the optimum is x = 1

    study, feasible = _late_feasible(constraints, seed)
    assert all(t.constraints is not None for t in study.trials)
    assert study.best_trial.params["x"] <= 1.0
    _, unconstrained = _late_feasible(None, seed)
    assert feasible >= 10
    assert feasible >= unconstrained + 8


def test_multi_objective_runs_and_finds_a_front():
    study = ahpo.create_study(directions=["minimize", "minimize"], sampler=TPESampler(seed=0))

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        return x, (1 - x) ** 2 + y

    study.optimize(objective, n_trials=40)
    front = study.best_trials
    assert len(front) >= 3
    assert np.mean([t.params["y"] for t in front]) < 0.25


def test_pruned_trials_inform_the_model():
    study = ahpo.create_study(sampler=TPESampler(seed=0, n_startup_trials=5))

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        if x > 0.5:
            raise ahpo.TrialPruned()
        return x

    study.optimize(objective, n_trials=30)
    assert any(t.state == TrialState.PRUNED for t in study.trials)
    late = [t.params["x"] for t in study.trials[15:]]
    assert np.mean(np.array(late) < 0.5) > 0.6


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"n_startup_trials": -1}, "n_startup_trials"),
        ({"n_ei_candidates": 0}, "n_ei_candidates"),
        ({"prior_weight": 0}, "prior_weight"),
        ({"gamma": 0.1}, "gamma"),
        ({"constraints_func": 3}, "constraints_func"),
        ({"random_fraction": 1.0}, "random_fraction"),
        ({"random_fraction": -0.1}, "random_fraction"),
        ({"random_fraction": True}, "random_fraction"),
        ({"random_fraction": "1/3"}, "random_fraction"),
    ],
)
def test_validation(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=f"'{param}'"):
        TPESampler(**kwargs)


class _StartupSpy(TPESampler):
    """TPE that counts, per trial, the parameters drawn at random."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.random_draws: dict[int, int] = {}
        self._current = -1

    def sample_relative(self, view, trial, search_space):
        self._current = trial.number
        return super().sample_relative(view, trial, search_space)

    def sample_independent(self, view, trial, name, distribution):
        self._current = trial.number
        return super().sample_independent(view, trial, name, distribution)

    def _startup_value(self, dist):
        self.random_draws[self._current] = self.random_draws.get(self._current, 0) + 1
        return super()._startup_value(dist)


@pytest.mark.parametrize("multivariate", [True, False])
def test_random_fraction_draws_whole_trials_at_random(multivariate):
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return (x - 0.5) ** 2 + (y - 0.5) ** 2

    sampler = _StartupSpy(seed=0, random_fraction=0.4, multivariate=multivariate)
    study = ahpo.create_study(sampler=sampler)
    study.optimize(objective, n_trials=110)
    late = {n: k for n, k in sampler.random_draws.items() if n >= 10}
    assert set(late.values()) == {2}  # a trial is all random or all model
    assert 25 <= len(late) <= 55  # Binomial(100, 0.4): mean 40, sd 4.9
    model = [t for t in study.trials[10:] if t.number not in late]
    assert np.median([abs(t.params["x"] - 0.5) for t in model]) < 0.1
    at_random = [t for t in study.trials[10:] if t.number in late]
    assert np.median([abs(t.params["x"] - 0.5) for t in at_random]) > 0.15


def test_random_fraction_zero_is_plain_tpe():
    def run(**kwargs):
        study = ahpo.create_study(sampler=TPESampler(seed=5, **kwargs))
        study.optimize(mixed, n_trials=25)
        return [t.params for t in study.trials]

    assert run() == run(random_fraction=0.0)
    assert run(random_fraction=0.5) == run(random_fraction=0.5)


@pytest.mark.slow
def test_tpe_beats_random_on_branin_in_nine_of_ten_seeds():
    wins = 0
    for seed in range(10):
        tpe = ahpo.create_study(sampler=TPESampler(seed=seed))
        tpe.optimize(branin, n_trials=60)
        rnd = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=seed))
        rnd.optimize(branin, n_trials=60)
        wins += tpe.best_value < rnd.best_value
    assert wins >= 9


def test_split_ranks_the_good_trials_and_rank_weights_favour_the_best():
    from ahpo.samplers._tpe._split import rank_weights, split

    study = ahpo.create_study()
    dist = ahpo.distributions.FloatDistribution(0, 1)
    for value in [5.0, 1.0, 9.0, 0.5, 3.0, 7.0, 2.0, 8.0, 6.0, 4.0]:
        trial = ahpo.create_trial(params={"x": 0.5}, distributions={"x": dist}, value=value)
        study.add_trial(trial)
    parts = split(study.trials, [ahpo.StudyDirection.MINIMIZE], lambda n: 3)
    assert [t.value for t in parts.good] == [1.0, 0.5, 2.0]  # by trial number
    assert [t.value for t in parts.bad] == [5.0, 9.0, 3.0, 7.0, 8.0, 6.0, 4.0]
    assert parts.good_ranks.tolist() == [1, 0, 2]
    w = rank_weights(parts.good_ranks, 3)
    assert w.mean() == pytest.approx(1.0)
    assert w[1] > w[0] > w[2] > 0
