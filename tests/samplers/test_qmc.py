import collections
import math
import warnings

import numpy as np
import pytest

import ahpo
import ahpo.space
from ahpo.samplers import QMCSampler, RandomSampler

SPACE = {"a": ahpo.Float(0, 1), "b": ahpo.Float(-5, 5), "c": ahpo.Float(10, 20)}


def _run(sampler, n, space=SPACE, n_jobs=1):
    study = ahpo.create_study(sampler=sampler)
    study.optimize(lambda p: len(str(p)), n_trials=n, space=space, n_jobs=n_jobs)
    return study


def _unit(study, space=SPACE):
    """Trials' parameters back in the unit cube, shape (n_trials, d), by trial number."""
    return np.array([
        [d.to_unit(d.to_internal_repr(t.params[name])) for name, d in space.items()]
        for t in sorted(study.trials, key=lambda t: t.number)
    ])


@pytest.mark.parametrize("scramble", [True, False])
def test_sobol_prefixes_of_power_of_two_length_are_balanced(scramble):
    u = _unit(_run(QMCSampler(seed=1, scramble=scramble, search_space=SPACE), 32))
    for k in (1, 2, 3, 4, 5):  # the first 2**k points: one in each of 2**k slices per axis
        n = 2**k
        for dim in range(u.shape[1]):
            counts = np.bincount(np.floor(u[:n, dim] * n).astype(int).clip(0, n - 1), minlength=n)
            assert set(counts) == {1}, (k, dim, counts)


def test_inferred_space_starts_the_sequence_after_the_first_complete_trial():
    sampler = QMCSampler(seed=2)
    study = ahpo.create_study(sampler=sampler)
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=17
    )
    xs = np.array([t.params["x"] for t in study.trials[1:]])
    ys = np.array([t.params["y"] for t in study.trials[1:]])
    for n in (2, 4, 8, 16):
        assert np.bincount(np.floor(xs[:n] * n).astype(int), minlength=n).tolist() == [1] * n
        assert np.bincount(np.floor(ys[:n] * n).astype(int), minlength=n).tolist() == [1] * n


@pytest.mark.parametrize("qmc_type", ["sobol", "halton"])
def test_same_seed_same_params_other_seed_other_params(qmc_type):
    def params(seed):
        study = _run(QMCSampler(qmc_type=qmc_type, seed=seed, search_space=SPACE), 10)
        return [t.params for t in study.trials]

    assert params(7) == params(7)
    assert params(7) != params(8)


def test_inferred_space_is_reproducible_too():
    def params():
        study = ahpo.create_study(sampler=QMCSampler(seed=4))
        study.optimize(lambda t: t.suggest_float("x", -1, 1) + t.suggest_int("n", 0, 9), n_trials=9)
        return [t.params for t in study.trials]

    assert params() == params()


def test_threads_draw_the_same_points_as_a_sequential_run():
    sequential = _run(QMCSampler(seed=5, search_space=SPACE), 24)
    threaded = _run(QMCSampler(seed=5, search_space=SPACE), 24, n_jobs=4)
    assert np.allclose(_unit(sequential), _unit(threaded))
    assert len({tuple(row) for row in _unit(threaded)}) == 24


def test_log_int_step_and_categorical_are_honoured():
    space = {
        "lr": ahpo.Float(1e-4, 1.0, log=True),
        "n": ahpo.Int(0, 3),
        "q": ahpo.Float(0.0, 1.0, step=0.25),
        "width": ahpo.Int(1, 64, log=True),
        "kind": ahpo.Categorical(["a", "b", "c", "d"]),
    }
    study = _run(QMCSampler(seed=6, search_space=space), 32, space=space)
    params = [t.params for t in study.trials]
    for p in params:
        for name, d in space.items():
            assert d.contains(d.to_internal_repr(p[name])), (name, p[name])
    # Sobol' halves of the log range: as many below 1e-2 as above.
    assert sum(p["lr"] < 1e-2 for p in params) == 16
    assert collections.Counter(p["n"] for p in params) == {0: 8, 1: 8, 2: 8, 3: 8}
    assert collections.Counter(p["kind"] for p in params) == {"a": 8, "b": 8, "c": 8, "d": 8}
    assert {p["q"] for p in params} == {0.0, 0.25, 0.5, 0.75, 1.0}
    assert all(isinstance(p["width"], int) for p in params)


def test_lhs_blocks_are_latin_hypercubes():
    sampler = QMCSampler(qmc_type="lhs", seed=0, lhs_budget=10, search_space=SPACE)
    u = _unit(_run(sampler, 20))
    for block in (u[:10], u[10:]):
        for dim in range(u.shape[1]):
            assert sorted(np.floor(block[:, dim] * 10).astype(int).tolist()) == list(range(10))
    again = _unit(_run(QMCSampler(qmc_type="lhs", seed=0, lhs_budget=10, search_space=SPACE), 20))
    assert np.array_equal(u, again)


def test_halton_points_fill_the_cube():
    u = _unit(_run(QMCSampler(qmc_type="halton", seed=3, search_space=SPACE), 50))
    assert ((u >= 0) & (u <= 1)).all()
    assert len({tuple(row) for row in u}) == 50


def test_parameters_outside_the_space_are_sampled_independently_with_a_warning():
    space = {"x": ahpo.Float(0, 1)}
    sampler = QMCSampler(seed=0, search_space=space, independent_sampler=RandomSampler(seed=1))
    study = ahpo.create_study(sampler=sampler)
    with pytest.warns(UserWarning, match="'extra' of trial 0 is sampled by RandomSampler"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("extra", 0, 3), 1)
    quiet = QMCSampler(seed=0, search_space=space, warn_independent_sampling=False)
    study = ahpo.create_study(sampler=quiet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("extra", 0, 3), 3)
    # Before any trial completes the space is unknown: no warning then.
    study = ahpo.create_study(sampler=QMCSampler(seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.ask().suggest_float("x", 0, 1)


def test_a_declarative_space_gives_its_unconditional_part():
    space = {
        "lr": ahpo.Float(1e-3, 1.0, log=True),
        "epochs": 3,
        "model": ahpo.space.Categorical([{"name": "svm", "C": ahpo.Float(0.1, 10)}, "tree"]),
    }
    sampler = QMCSampler(seed=0, search_space=space, warn_independent_sampling=False)
    study = _run(sampler, 16, space=space)
    labels = collections.Counter(t.params["model"] for t in study.trials)
    assert labels == {"svm": 8, "tree": 8}
    lr = [t.params["lr"] for t in study.trials]
    assert sum(math.log10(v) < -1.5 for v in lr) == 8


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"qmc_type": "random"}, ValueError, "'qmc_type' parameter of QMCSampler"),
        ({"scramble": 1}, TypeError, "'scramble' parameter of QMCSampler must be a bool"),
        ({"seed": -3}, ValueError, "'seed' parameter of QMCSampler"),
        ({"independent_sampler": "random"}, TypeError, "'independent_sampler'"),
        ({"qmc_type": "lhs"}, ValueError, "'lhs_budget' parameter of QMCSampler must be an int"),
        ({"lhs_budget": 8}, ValueError, "'lhs_budget' .* None unless qmc_type='lhs'"),
        ({"search_space": {"x": {1: ahpo.Float(0, 1)}}}, TypeError, r"space\['x'\]"),
    ],
)
def test_invalid_arguments_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        QMCSampler(**kwargs)
