import collections
import itertools
import random
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ahpo
import ahpo.space
from ahpo import TrialState
from ahpo.samplers import GridSampler
from ahpo.samplers._grid import GRID_ID_KEY, GRID_OVERRUN_KEY
from ahpo.trial._frozen import make_frozen

GRID = {"x": [0, 1, 2, 3], "kind": ["a", "b", "c"], "flag": [True, False]}
POINTS = {
    (x, k, f) for x, k, f in itertools.product(GRID["x"], GRID["kind"], GRID["flag"])
}


def _counting_objective(calls, lock=None, pause=0.0):
    lock = lock or threading.Lock()

    def objective(trial):
        x = trial.suggest_int("x", 0, 3)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        flag = trial.suggest_categorical("flag", [True, False])
        with lock:
            calls[(x, kind, flag)] += 1
        if pause:
            time.sleep(pause)
        return x + len(kind) + flag

    return objective


def _grid_points(study):
    return [
        (t.params["x"], t.params["kind"], t.params["flag"])
        for t in study.trials
        if GRID_ID_KEY in t.system_attrs and not t.system_attrs.get(GRID_OVERRUN_KEY)
    ]


def test_sequential_run_covers_the_grid_once_and_stops():
    calls = collections.Counter()
    study = ahpo.create_study(sampler=GridSampler(GRID))
    study.optimize(_counting_objective(calls))  # n_trials=None
    assert set(calls) == POINTS
    assert set(calls.values()) == {1}
    assert len(study.trials) == len(POINTS)
    assert sorted(t.system_attrs[GRID_ID_KEY] for t in study.trials) == list(range(24))
    assert study.sampler.is_exhausted(study.view)
    study.optimize(_counting_objective(calls))  # exhausted: nothing more runs
    assert len(study.trials) == len(POINTS)


def test_threads_with_the_grid_as_budget_run_each_point_exactly_once():
    calls = collections.Counter()
    study = ahpo.create_study(sampler=GridSampler(GRID, seed=3))
    study.optimize(_counting_objective(calls, pause=0.001), n_trials=len(POINTS), n_jobs=4)
    assert set(calls) == POINTS
    assert set(calls.values()) == {1}
    assert not any(t.system_attrs.get(GRID_OVERRUN_KEY) for t in study.trials)


def test_threads_until_exhausted_give_every_point_to_exactly_one_grid_trial():
    calls = collections.Counter()
    study = ahpo.create_study(sampler=GridSampler(GRID))
    study.optimize(_counting_objective(calls, pause=0.001), n_jobs=4)
    points = _grid_points(study)
    assert sorted(points) == sorted(POINTS)
    # A worker that passed the exhaustion check just before another took the last
    # point makes an overrun; there are at most n_jobs - 1 of them, all marked.
    overruns = [t for t in study.trials if t.system_attrs.get(GRID_OVERRUN_KEY)]
    assert len(overruns) <= 3
    assert len(study.trials) == len(POINTS) + len(overruns)


def test_threads_on_a_sqlite_file(tmp_path):
    grid = {"a": [1, 2, 3], "b": [0.5, 1.5]}
    storage = f"sqlite:///{tmp_path / 'grid.db'}"
    study = ahpo.create_study(storage=storage, sampler=GridSampler(grid, seed=0))
    study.optimize(
        lambda t: t.suggest_int("a", 1, 3) * t.suggest_float("b", 0, 2), n_trials=6, n_jobs=3
    )
    seen = sorted((t.params["a"], t.params["b"]) for t in study.trials)
    assert seen == sorted(itertools.product([1, 2, 3], [0.5, 1.5]))
    assert study.sampler.is_exhausted(study.view)


_WORKER = """
import sys, ahpo
study = ahpo.load_study(study_name="g", storage=sys.argv[1], sampler=ahpo.samplers.GridSampler())
study.optimize(lambda t: t.suggest_int("a", 0, 4) + t.suggest_int("b", 0, 2), n_jobs=2)
"""


@pytest.mark.slow
def test_processes_sharing_a_sqlite_file_cover_the_grid(tmp_path):
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    grid = {"a": list(range(5)), "b": [0, 1, 2]}
    study = ahpo.create_study(storage=url, study_name="g", sampler=GridSampler(grid, seed=2))
    study.optimize(lambda t: t.suggest_int("a", 0, 4) + t.suggest_int("b", 0, 2), n_trials=1)
    workers = [
        subprocess.Popen([sys.executable, "-c", _WORKER, url], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for w in workers:
        assert w.wait(timeout=120) == 0, w.stderr.read().decode()
    trials = ahpo.load_study(study_name="g", storage=url).trials
    grid_trials = [t for t in trials if not t.system_attrs.get(GRID_OVERRUN_KEY)]
    assert sorted((t.params["a"], t.params["b"]) for t in grid_trials) == sorted(
        itertools.product(range(5), range(3))
    )
    assert len(trials) - len(grid_trials) <= 3  # overruns: at most one per other worker thread
    assert all(t.state == TrialState.COMPLETE for t in trials)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_ops=st.integers(10, 60))
def test_any_interleaving_of_concurrent_asks_assigns_distinct_points(seed, n_ops):
    """Simulate many workers: trial creation, the sampler's decision and each write of
    its attributes interleave arbitrarily with enqueued and added trials."""
    rnd = random.Random(seed)
    grid = {"x": list(range(5)), "y": ["u", "v"]}
    sampler = GridSampler(grid, seed=rnd.choice([None, 1]))
    study = ahpo.create_study(sampler=sampler)
    storage, sid = study._storage, study._study_id
    created, decided = [], {}  # trial id -> attrs still to write

    def decide(trial_id):
        attrs = sampler.before_trial(study.view, storage.get_trial(trial_id))
        decided[trial_id] = list((attrs or {}).items())

    for _ in range(n_ops):
        op = rnd.choice(["create", "create", "decide", "write", "write", "enqueue", "add", "end"])
        undecided = [i for i in created if i not in decided]
        unwritten = [i for i, rest in decided.items() if rest]
        if op == "create":
            created.append(storage.create_new_trial(sid).trial_id)
        elif op == "decide" and undecided:
            decide(rnd.choice(undecided))
        elif op == "write" and unwritten:
            trial_id = rnd.choice(unwritten)
            storage.set_trial_system_attr(trial_id, *decided[trial_id].pop(0))
        elif op == "enqueue":
            study.enqueue_trial({"x": rnd.randrange(5), "y": "u"})
        elif op == "add":
            study.add_trial(ahpo.create_trial(
                params={"x": 1}, distributions={"x": ahpo.Int(0, 4)}, value=0.0
            ))
        elif op == "end":
            finished = [i for i, rest in decided.items() if not rest]
            if finished:
                trial_id = rnd.choice(finished)
                if not storage.get_trial(trial_id).state.is_finished():
                    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.0])
    for trial_id in created:
        if trial_id not in decided:
            decide(trial_id)
        for key, value in decided[trial_id]:
            storage.set_trial_system_attr(trial_id, key, value)
    grid_trials = [
        t for t in study.trials
        if GRID_ID_KEY in t.system_attrs and not t.system_attrs.get(GRID_OVERRUN_KEY)
    ]
    ids = [t.system_attrs[GRID_ID_KEY] for t in grid_trials]
    assert len(ids) == len(set(ids))  # no point twice
    assert len(grid_trials) == min(len(created), 10)  # the first 10 fresh trials
    assert len(created) < 10 or set(ids) == set(range(10))


def test_seeded_order_is_reproducible_and_kept_when_resumed():
    def params(study):
        return [(t.params["x"], t.params["kind"], t.params["flag"]) for t in study.trials]

    runs = []
    for _ in range(2):
        study = ahpo.create_study(sampler=GridSampler(GRID, seed=11))
        study.optimize(_counting_objective(collections.Counter()))
        runs.append(params(study))
    assert runs[0] == runs[1]
    unseeded = ahpo.create_study(sampler=GridSampler(GRID))
    unseeded.optimize(_counting_objective(collections.Counter()))
    assert params(unseeded) != runs[0]
    assert params(unseeded) == sorted(params(unseeded), key=lambda p: (p[2] is False, p[1], p[0]))

    storage = ahpo.storages.InMemoryStorage()
    study = ahpo.create_study(storage=storage, study_name="g", sampler=GridSampler(GRID, seed=11))
    study.optimize(_counting_objective(collections.Counter()), n_trials=7)
    resumed = ahpo.load_study(study_name="g", storage=storage, sampler=GridSampler(GRID, seed=99))
    resumed.optimize(_counting_objective(collections.Counter()))
    assert params(resumed) == runs[0]


def test_union_of_grids_runs_each_distinct_point_once():
    grid = [
        {"kernel": ["linear"], "C": [1, 10]},
        {"kernel": ["rbf"], "C": [1], "gamma": np.array([0.1, 1.0])},
    ]
    seen = []

    def objective(trial):
        kernel = trial.suggest_categorical("kernel", ["linear", "rbf"])
        c = trial.suggest_float("C", 1, 10)
        gamma = trial.suggest_float("gamma", 0.01, 1) if kernel == "rbf" else None
        seen.append((kernel, c, gamma))
        return c

    study = ahpo.create_study(sampler=GridSampler(grid))
    study.optimize(objective)
    assert seen == [
        ("linear", 1.0, None), ("linear", 10.0, None), ("rbf", 1.0, 0.1), ("rbf", 1.0, 1.0)
    ]
    shared = [{"a": [1, 2], "b": ["x"]}, {"b": ["x"], "a": [3, 2]}]
    study = ahpo.create_study(sampler=GridSampler(shared))
    study.optimize(lambda t: t.suggest_int("a", 1, 3) + len(t.suggest_categorical("b", ["x"])))
    assert [t.params["a"] for t in study.trials] == [1, 2, 3]


def test_finite_distributions_stand_for_their_values():
    sampler = GridSampler({
        "n": ahpo.Int(2, 8, step=3),
        "r": ahpo.Float(0.0, 0.3, step=0.1),
        "k": ahpo.Categorical(["p", "q"]),
        "one": ahpo.Float(0.5, 0.5),
    })
    study = ahpo.create_study(sampler=sampler)
    study.optimize(
        lambda t: t.suggest_int("n", 2, 8, step=3) + t.suggest_float("r", 0, 0.3, step=0.1)
        + len(t.suggest_categorical("k", ["p", "q"]))
    )
    assert len(study.trials) == 3 * 4 * 2
    assert sorted({t.params["r"] for t in study.trials}) == [0.0, 0.1, 0.2, 0.3]
    assert {t.params["n"] for t in study.trials} == {2, 5, 8}
    assert all(t.system_attrs["fixed_params"]["one"] == 0.5 for t in study.trials)


def test_enqueued_and_added_trials_coexist_with_the_grid():
    calls = collections.Counter()
    study = ahpo.create_study(sampler=GridSampler(GRID))
    study.enqueue_trial({"x": 1, "kind": "a", "flag": True})  # also a grid point
    study.enqueue_trial({"x": 3, "kind": "c", "flag": False})
    study.add_trial(ahpo.create_trial(
        params={"x": 2}, distributions={"x": ahpo.Int(0, 3)}, value=1.0
    ))
    study.optimize(_counting_objective(calls))
    assert len(study.trials) == 3 + len(POINTS)
    assert sorted(_grid_points(study)) == sorted(POINTS)
    assert calls[(1, "a", True)] == 2 and calls[(3, "c", False)] == 2
    assert not any(GRID_ID_KEY in t.system_attrs for t in study.trials[:3])


def test_retried_copy_of_a_grid_trial_takes_no_point():
    study = ahpo.create_study(sampler=GridSampler({"a": [1, 2, 3]}))
    study.optimize(lambda t: t.suggest_int("a", 1, 3), n_trials=1)
    first = study.trials[0]
    attrs = {k: v for k, v in first.system_attrs.items()}
    study._storage.create_new_trial(study._study_id, template=make_frozen(
        number=-1, state=TrialState.WAITING, params=first.params,
        distributions=first.distributions, system_attrs=attrs,
    ))
    study.optimize(lambda t: t.suggest_int("a", 1, 3))
    assert [t.params["a"] for t in study.trials] == [1, 1, 2, 3]


def test_ask_past_the_end_reruns_failed_points_first():
    study = ahpo.create_study(sampler=GridSampler({"a": [1, 2, 3]}))

    def objective(trial):
        a = trial.suggest_int("a", 1, 3)
        if a == 2:
            raise RuntimeError("flaky")
        return a

    study.optimize(objective, catch=(RuntimeError,))
    assert [t.state for t in study.trials].count(TrialState.FAIL) == 1
    assert study.sampler.is_exhausted(study.view)  # failed points are not retried by itself
    extra = study.ask()
    assert extra.system_attrs[GRID_OVERRUN_KEY] is True
    assert extra.suggest_int("a", 1, 3) == 2
    study.tell(extra, 2.0)
    again = study.ask()
    assert again.system_attrs[GRID_OVERRUN_KEY] is True
    assert again.suggest_int("a", 1, 3) in (1, 2, 3)


def test_a_trial_that_died_before_getting_its_point_is_made_up_for():
    study = ahpo.create_study(sampler=GridSampler({"a": [1, 2, 3, 4]}))
    study.optimize(lambda t: t.suggest_int("a", 1, 4), n_trials=1)
    dead = study._storage.create_new_trial(study._study_id)  # its worker died in ask()
    study._storage.set_trial_state_values(dead.trial_id, TrialState.FAIL)
    study.optimize(lambda t: t.suggest_int("a", 1, 4))
    ran = [t.params["a"] for t in study.trials if t.params]
    assert sorted(ran) == [1, 2, 3, 4]
    assert study.trials[-1].system_attrs[GRID_OVERRUN_KEY] is True
    assert study.sampler.is_exhausted(study.view)


def test_worker_without_the_grid_continues_the_recorded_one():
    storage = ahpo.storages.InMemoryStorage()
    first = ahpo.create_study(storage=storage, study_name="s", sampler=GridSampler(GRID, seed=5))
    first.optimize(_counting_objective(collections.Counter()), n_trials=10)
    joiner = ahpo.load_study(study_name="s", storage=storage, sampler=GridSampler())
    joiner.optimize(_counting_objective(collections.Counter()))
    assert sorted(_grid_points(joiner)) == sorted(POINTS)
    assert len(joiner.trials) == len(POINTS)

    empty = ahpo.create_study(sampler=GridSampler())
    with pytest.raises(ValueError, match="continues the grid recorded in the study"):
        empty.optimize(lambda t: 0.0)


def test_a_changed_grid_ignores_the_old_trials():
    storage = ahpo.storages.InMemoryStorage()
    study = ahpo.create_study(storage=storage, study_name="s", sampler=GridSampler({"a": [1, 2]}))
    study.optimize(lambda t: t.suggest_int("a", 1, 3))
    wider = ahpo.load_study(study_name="s", storage=storage, sampler=GridSampler({"a": [1, 2, 3]}))
    wider.optimize(lambda t: t.suggest_int("a", 1, 3))
    assert [t.params["a"] for t in wider.trials] == [1, 2, 1, 2, 3]


def test_parameters_outside_the_grid_are_errors():
    study = ahpo.create_study(sampler=GridSampler({"a": [1, 2]}))
    with pytest.raises(ValueError, match="'b', which is not in the grid"):
        study.optimize(lambda t: t.suggest_int("a", 1, 2) + t.suggest_int("b", 0, 5))
    study = ahpo.create_study(sampler=GridSampler({"a": [1, 2]}))
    study.enqueue_trial({"b": 1})
    with pytest.raises(ValueError, match="enqueued trial must give every parameter"):
        study.optimize(lambda t: t.suggest_int("a", 1, 2) + t.suggest_int("b", 0, 5))
    # grid parameters the objective never asks for are fine
    study = ahpo.create_study(sampler=GridSampler({"a": [1, 2], "unused": ["x"]}))
    study.optimize(lambda t: t.suggest_int("a", 1, 2))
    assert len(study.trials) == 2


@pytest.mark.parametrize(
    ("search_space", "error", "match"),
    [
        ("abc", TypeError, r"'search_space' parameter of GridSampler must be a dict"),
        ([], ValueError, r"'search_space' parameter of GridSampler must be a non-empty list"),
        ({}, ValueError, r"'search_space' parameter of GridSampler must be a dict with at least"),
        ([{"a": [1]}, 3], TypeError, r"'search_space\[1\]' parameter of GridSampler"),
        ({"a": []}, ValueError, r"\"search_space\['a'\]\" parameter of GridSampler must be a non"),
        ({"a": 3}, TypeError, r"\"search_space\['a'\]\" parameter .* must be a list of values"),
        ({"a": "xyz"}, TypeError, r"\"search_space\['a'\]\""),
        ({"a": [1, [2]]}, TypeError, r"\"search_space\['a'\]\[1\]\" .* must be None, a bool"),
        ({"a": [1.0, float("nan")]}, ValueError, r"\"search_space\['a'\]\[1\]\" .* finite"),
        ({"a": [1, 2, 1]}, ValueError, r"\"search_space\['a'\]\[2\]\" .* must be distinct"),
        ({"a": ahpo.Float(0, 1)}, ValueError, r"\"search_space\['a'\]\" .* finite distribution"),
        ({"a": np.zeros((2, 2))}, ValueError, r"\"search_space\['a'\]\" .* 1-d array"),
        ({1: [1]}, TypeError, r"'search_space' .* str parameter names"),
        ([{"a": [1]}, {"b": {}}], TypeError, r"\"search_space\[1\]\['b'\]\""),
    ],
)
def test_invalid_grids_name_the_parameter(search_space, error, match):
    with pytest.raises(error, match=match):
        GridSampler(search_space)


def test_invalid_seed():
    with pytest.raises(ValueError, match="'seed' parameter of GridSampler"):
        GridSampler({"a": [1]}, seed=-1)
    with pytest.raises(ValueError, match="'seed'"):
        GridSampler({"a": [1]}, seed=True)


def test_values_that_differ_by_type_are_distinct_points():
    study = ahpo.create_study(sampler=GridSampler({"v": [1, True, 1.0, None, "1"]}))
    study.optimize(lambda t: 0.0 if t.suggest_categorical("v", [1, True, 1.0, None, "1"]) else 1.0)
    values = [t.params["v"] for t in study.trials]
    assert [(type(v), v) for v in values] == [
        (int, 1), (bool, True), (float, 1.0), (type(None), None), (str, "1")
    ]


def test_grid_over_the_flat_names_of_a_declarative_space():
    space = {
        "model": ahpo.space.Categorical([
            {"name": "svm", "C": ahpo.Float(1e-2, 1e2, log=True)},
            {"name": "tree", "depth": ahpo.Int(1, 8)},
        ]),
        "seed": 0,
    }
    grid = [
        {"model": ["svm"], "model.svm.C": [0.1, 10.0]},
        {"model": ["tree"], "model.tree.depth": ahpo.Int(2, 6, step=2)},
    ]
    seen = []
    study = ahpo.create_study(sampler=GridSampler(grid))
    study.optimize(lambda p: seen.append(p) or 0.0, space=space)
    assert seen == [
        {"model": {"name": "svm", "C": 0.1}, "seed": 0},
        {"model": {"name": "svm", "C": 10.0}, "seed": 0},
        {"model": {"name": "tree", "depth": 2}, "seed": 0},
        {"model": {"name": "tree", "depth": 4}, "seed": 0},
        {"model": {"name": "tree", "depth": 6}, "seed": 0},
    ]
