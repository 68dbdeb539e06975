import math
import pickle

import numpy as np
import pytest

import ahpo
from ahpo import TrialState
from ahpo.samplers import GPSampler
from tests.samplers._objectives import BRANIN_OPT, branin


def mixed(trial):
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    depth = trial.suggest_int("depth", 1, 12)
    width = trial.suggest_int("width", 8, 512, log=True)
    frac = trial.suggest_float("frac", 0.0, 1.0, step=0.125)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    penalty = {"a": 1.0, "b": 0.0, "c": 2.0}[kind]
    return (math.log10(lr) + 3) ** 2 + abs(depth - 6) + abs(math.log2(width) - 6) + frac + penalty


def test_seeded_runs_are_identical():
    def run():
        study = ahpo.create_study(sampler=GPSampler(seed=3, n_startup_trials=5))
        study.optimize(mixed, n_trials=12)
        return [t.params for t in study.trials]

    assert run() == run()


def test_mixed_space_values_are_valid_and_the_model_beats_the_start_up_design():
    study = ahpo.create_study(sampler=GPSampler(seed=0))
    study.optimize(mixed, n_trials=35)
    for t in study.trials:
        for name, value in t.params.items():
            dist = t.distributions[name]
            assert dist.contains(dist.to_internal_repr(value))
    startup_best = min(t.value for t in study.trials[:10])
    assert study.best_value < startup_best
    assert study.best_value < 1.5


def test_startup_points_are_a_space_filling_design():
    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=8))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
    xs = np.sort([t.params["x"] for t in study.trials])
    # Eight Sobol' points: one in each eighth of the interval.
    assert np.array_equal(np.floor(xs * 8), np.arange(8))


@pytest.mark.slow
def test_branin_within_1e_3_of_the_optimum_in_50_trials_in_9_of_10_seeds():
    hits = 0
    for seed in range(10):
        study = ahpo.create_study(sampler=GPSampler(seed=seed))
        study.optimize(branin, n_trials=50)
        hits += study.best_value - BRANIN_OPT < 1e-3
    assert hits >= 9


def test_pending_trials_are_fantasized_so_parallel_asks_differ():
    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=8))
    study.optimize(branin, n_trials=8)
    first = study.ask()
    pending = np.array([first.suggest_float("x", -5, 10), first.suggest_float("y", 0, 15)])
    study.ask()  # the trial being sampled next, while `first` is still running
    view = study.view
    current = view.get_trials()[-1]

    def propose(fantasize):
        sampler = GPSampler(seed=1, n_startup_trials=8, fantasize_pending=fantasize)
        space = sampler.infer_relative_search_space(view, current)
        params = sampler.sample_relative(view, current, space)
        return np.array([params["x"], params["y"]])

    scale = np.array([15.0, 15.0])
    blind = np.linalg.norm((propose(False) - pending) / scale)
    aware = np.linalg.norm((propose(True) - pending) / scale)
    assert blind < 0.05  # without fantasies both workers would pick the same point
    assert aware > 0.1


def test_constraints_steer_to_the_feasible_region():
    def objective(trial):
        x = trial.suggest_float("x", -2, 2)
        y = trial.suggest_float("y", -2, 2)
        trial.set_user_attr("c", 1.0 - x)  # feasible when x >= 1
        return x * x + y * y

    sampler = GPSampler(seed=1, constraints_func=lambda t: [t.user_attrs["c"]])
    study = ahpo.create_study(sampler=sampler)
    study.optimize(objective, n_trials=30)
    model_trials = study.trials[10:]
    # The optimum sits on the boundary x = 1; count points within 1e-3 of it as feasible.
    feasible = [t for t in model_trials if t.constraints[0] <= 1e-3]
    assert len(feasible) >= 0.7 * len(model_trials)
    best = min(t.value for t in feasible)
    assert best < 1.1  # the constrained optimum is 1 at (1, 0)
    assert all(len(t.constraints) == 1 for t in study.trials)


def test_two_objectives_spread_over_the_pareto_front():
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        return x + y, (1 - x) + y

    study = ahpo.create_study(directions=["minimize", "minimize"],
                              sampler=GPSampler(seed=0))
    study.optimize(objective, n_trials=25)
    front = study.best_trials
    assert len(front) >= 4
    assert np.median([t.params["y"] for t in study.trials[10:]]) < 0.2


def test_parameters_outside_the_joint_space_go_to_the_independent_sampler():
    def objective(trial):
        kind = trial.suggest_categorical("kind", ["a", "b"])
        if kind == "a":
            return trial.suggest_float("a", 0, 1)
        return 1 + trial.suggest_int("b", 0, 3)

    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=4))
    study.optimize(objective, n_trials=12)
    assert sum(t.params["kind"] == "a" for t in study.trials[4:]) >= 6


def test_failed_and_running_trials_do_not_break_sampling():
    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=3))

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 4 == 3:
            raise ValueError("boom")
        return x

    study.optimize(objective, n_trials=10, catch=(ValueError,))
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) >= 7


def test_sampler_pickles():
    sampler = GPSampler(seed=0, n_startup_trials=3)
    study = ahpo.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    clone = pickle.loads(pickle.dumps(sampler))
    again = ahpo.create_study(sampler=clone)
    again.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    assert [t.state for t in again.trials] == [ahpo.TrialState.COMPLETE] * 4


@pytest.mark.parametrize("acquisition", ["ucb", "pi"])
def test_other_acquisitions_optimize(acquisition):
    study = ahpo.create_study(sampler=GPSampler(seed=0, acquisition=acquisition))
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=20)
    assert abs(study.best_params["x"] - 1) < 0.2


def test_many_trials_are_modeled_on_a_bounded_subset():
    study = ahpo.create_study(sampler=GPSampler(seed=0, max_model_trials=20))
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=40)
    assert abs(study.best_params["x"] - 1) < 0.1


def test_fantasies_are_bounded_like_the_model(monkeypatch):
    # Under HyperbandPruner's rung view every trial stopped below the rung is pending.
    from ahpo.samplers._gp._gp import GaussianProcess

    fantasized = []
    condition = GaussianProcess.condition

    def spy(self, x_new, y_new):
        fantasized.append(len(x_new))
        return condition(self, x_new, y_new)

    monkeypatch.setattr(GaussianProcess, "condition", spy)
    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=3, max_model_trials=4))
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=6)
    for _ in range(8):  # asked while the earlier ones are still running
        study.ask().suggest_float("x", -5, 5)
    assert fantasized == [1, 2, 3, 4, 4, 4, 4]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"n_startup_trials": -1}, "n_startup_trials"),
        ({"n_startup_trials": 2.5}, "n_startup_trials"),
        ({"acquisition": "ei"}, "acquisition"),
        ({"ucb_beta": -1.0}, "ucb_beta"),
        ({"max_model_trials": 1}, "max_model_trials"),
        ({"constraints_func": 3}, "constraints_func"),
        ({"independent_sampler": "random"}, "independent_sampler"),
        ({"random_fraction": 1.0}, "random_fraction"),
        ({"random_fraction": "1/3"}, "random_fraction"),
    ],
)
def test_invalid_arguments_name_the_parameter(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=param):
        GPSampler(**kwargs)


def test_infinite_values_are_left_out_of_the_model():
    def objective(trial):
        x = trial.suggest_float("x", -5, 5)
        return math.inf if x > 4 else (x - 1) ** 2

    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=5))
    study.optimize(objective, n_trials=12)
    assert abs(study.best_params["x"] - 1) < 0.5


def test_proposals_after_the_start_up_design_rarely_sit_on_the_bounds():
    def levy(trial):
        w = 1 + (np.array([trial.suggest_float(f"x{i}", -10, 10) for i in range(5)]) - 1) / 4
        return float(
            np.sin(np.pi * w[0]) ** 2
            + ((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2)).sum()
            + (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
        )

    on_bound = total = 0
    for seed in range(2):
        study = ahpo.create_study(sampler=GPSampler(seed=seed))
        study.optimize(levy, n_trials=25)
        for t in study.trials[10:]:
            u = np.array([(v + 10) / 20 for v in t.params.values()])
            on_bound += bool(np.any((u < 1e-3) | (u > 1 - 1e-3)))
            total += 1
    assert on_bound / total < 0.3


def _two_branches(trial):
    if trial.suggest_categorical("branch", ["a", "b"]) == "a":
        x = trial.suggest_float("x", 0, 1)
        n = trial.suggest_int("n", 1, 20)
        return (x - 0.37) ** 2 + 0.01 * (n - 12) ** 2
    return 1.0 + trial.suggest_float("y", 0, 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_branch_parameters_get_a_model_of_their_own(seed):
    def late_errors(sampler):
        study = ahpo.create_study(sampler=sampler)
        study.optimize(_two_branches, n_trials=35)
        late = [t for t in study.trials[20:] if t.params["branch"] == "a"]
        assert late, "the branch with the optimum is chosen after the start-up"
        return [abs(t.params["x"] - 0.37) + abs(t.params["n"] - 12) / 20 for t in late]

    modeled = late_errors(GPSampler(seed=seed))
    random = late_errors(GPSampler(seed=seed, independent_sampler=ahpo.samplers.RandomSampler(
        seed=seed)))
    assert np.median(modeled) < 0.5 * np.median(random)
    assert np.median(modeled) < 0.05


def test_branch_proposal_covers_the_branch_and_is_forgotten_after_the_trial():
    sampler = GPSampler(seed=0)
    study = ahpo.create_study(sampler=sampler)
    study.optimize(_two_branches, n_trials=25)
    assert sampler._branch_values == {}  # every trial's cached branch values were dropped
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_random_fraction_draws_a_share_of_the_trials_away_from_the_model():
    def objective(trial):
        return (trial.suggest_float("x", 0.0, 1.0) - 0.3) ** 2

    def far(**kwargs):
        study = ahpo.create_study(sampler=GPSampler(seed=2, n_startup_trials=5, **kwargs))
        study.optimize(objective, n_trials=45)
        return sum(abs(t.params["x"] - 0.3) > 0.25 for t in study.trials[5:])

    # The GP alone probes a bound now and then (3 or 4 far points with seeds 0-2). Half
    # of the 40 trials at random add Binomial(40, 0.5 * 0.55) more: mean 11, sd 2.8.
    assert far() <= 5 < 8 <= far(random_fraction=0.5)


def test_random_fraction_zero_is_plain_gp():
    def run(**kwargs):
        study = ahpo.create_study(sampler=GPSampler(seed=4, n_startup_trials=4, **kwargs))
        study.optimize(mixed, n_trials=12)
        return [t.params for t in study.trials]

    assert run() == run(random_fraction=0.0)
