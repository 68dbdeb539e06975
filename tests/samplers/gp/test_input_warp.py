import math

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

import ahpo
from ahpo.samplers import GPSampler
from ahpo.samplers._gp._fit import _neg_log_posterior, fit_kernel, input_warp
from ahpo.samplers._gp._input_warp import InputWarp, warp_values

shape = st.floats(np.log(0.5), np.log(2.0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8), shape, shape)
def test_warp_is_monotone_and_inverse_recovers_points(xs, log_a, log_b):
    w = InputWarp(np.array([True]), np.array([log_a]), np.array([log_b]))
    x = np.sort(np.array(xs))[:, None]
    u = w(x)
    assert np.all((u >= 0.0) & (u <= 1.0))
    assert np.all(np.diff(u[:, 0]) >= 0.0)
    assert np.allclose(w.inverse(u), x, atol=1e-6)


def test_unwarped_columns_pass_through_and_identity_shapes_change_little():
    w = InputWarp(np.array([True, False]), np.zeros(1), np.zeros(1))
    x = np.array([[0.0, 0.3], [0.4, 7.0], [1.0, 0.9]])
    u = w(x)
    assert np.array_equal(u[:, 1], x[:, 1])
    assert np.allclose(u[:, 0], x[:, 0], atol=1e-5)


def test_shape_derivatives_match_finite_differences():
    x = np.linspace(0.0, 1.0, 11)[:, None]
    for la, lb in ((0.3, -0.4), (-1.0, 1.2)):
        _, da, db = warp_values(x, np.array([la]), np.array([lb]))
        h = 1e-6
        num_a = (warp_values(x, np.array([la + h]), np.array([lb]))[0]
                 - warp_values(x, np.array([la - h]), np.array([lb]))[0]) / (2 * h)
        num_b = (warp_values(x, np.array([la]), np.array([lb + h]))[0]
                 - warp_values(x, np.array([la]), np.array([lb - h]))[0]) / (2 * h)
        assert np.allclose(da, num_a, atol=1e-6)
        assert np.allclose(db, num_b, atol=1e-6)


def _mixed_data(seed=0, n=25):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4))
    x[:, 3] = rng.integers(0, 3, n)
    y = np.sin(6 * x[:, 0] ** 3) + 0.1 * x[:, 1] + 0.2 * x[:, 3]
    return x, (y - y.mean()) / y.std()


def test_warped_marginal_likelihood_gradient_matches_finite_differences():
    x, y = _mixed_data()
    categorical = np.array([False, False, False, True])
    warped = np.array([True, False, True, False])
    rng = np.random.default_rng(1)
    for noise, n_kernel in ((None, 6), (1e-6, 5)):
        for _ in range(3):
            theta = rng.normal(size=n_kernel + 4) * 0.5

            def f(t, noise=noise):
                return _neg_log_posterior(t, None, y, noise, (x, categorical, warped))

            err = scipy.optimize.check_grad(lambda t, f=f: f(t)[0], lambda t, f=f: f(t)[1], theta)
            assert err < 1e-4 * max(1.0, np.abs(f(theta)[1]).max())


def test_fit_stretches_the_end_where_the_function_changes():
    # f changes fast near x = 0 and is flat near 1: the warp should spend more of the
    # warped axis on the low end (u(0.1) well above 0.1).
    rng = np.random.default_rng(0)
    x = rng.random((30, 1))
    y = np.log(x[:, 0] + 1e-3)
    gp, theta = fit_kernel(x, (y - y.mean()) / y.std(), np.array([False]),
                           deterministic=True, rng=rng, warp_columns=np.array([True]))
    w = input_warp(theta, np.array([True]))
    assert w(np.array([[0.1]]))[0, 0] > 0.3
    assert np.allclose(gp.x, w(x))


def _log_optimum_on_linear_scale(trial):
    x = trial.suggest_float("x", 0, 1)
    y = trial.suggest_float("y", 0, 1)
    return (math.log10(x + 1e-4) + 3) ** 2 + 4 * (y - 0.5) ** 2


@pytest.mark.slow
def test_warping_finds_an_optimum_squeezed_into_one_end():
    # The optimum sits at x = 1e-3 on a linear [0, 1] axis: a stationary kernel sees
    # a flat function with a cliff, the warped one sees a smooth bowl.
    # Without warping every seed stays at x = 0 (value 1.0); with it, 7 of seeds 0-9
    # reach the optimum.
    found = {False: 0, True: 0}
    for seed in range(10):
        for warping in (False, True):
            sampler = GPSampler(seed=seed, input_warping=warping, deterministic_objective=True)
            study = ahpo.create_study(sampler=sampler)
            study.optimize(_log_optimum_on_linear_scale, n_trials=30)
            found[warping] += study.best_value < 0.1
    assert found[True] >= 6
    assert found[False] <= 1


def test_sampler_with_warping_proposes_valid_mixed_points():
    def objective(trial):
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        depth = trial.suggest_int("depth", 1, 12)
        frac = trial.suggest_float("frac", 0.0, 1.0, step=0.125)
        drop = trial.suggest_float("drop", 0.0, 0.9)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return (math.log10(lr) + 3) ** 2 + abs(depth - 6) + frac + drop + (kind == "a")

    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=5, input_warping=True))
    study.optimize(objective, n_trials=15)
    assert len(study.trials) == 15
    for t in study.trials:
        assert t.state == ahpo.TrialState.COMPLETE
        assert 1e-5 <= t.params["lr"] <= 1e-1 and 0.0 <= t.params["drop"] <= 0.9
        assert t.params["frac"] in np.arange(0, 1.001, 0.125)


def test_input_warping_must_be_a_bool():
    with pytest.raises(TypeError, match="input_warping"):
        GPSampler(input_warping="yes")


def test_warping_with_constraints_pending_trials_and_a_trust_region():
    def objective(trial):
        xs = [trial.suggest_float(f"x{i}", -1, 1) for i in range(22)]
        trial.set_user_attr("c", xs[0] - 0.5)
        return sum(v * v for v in xs)

    sampler = GPSampler(seed=1, n_startup_trials=8, input_warping=True,
                        constraints_func=lambda t: [t.user_attrs["c"]])
    study = ahpo.create_study(sampler=sampler)
    study.optimize(objective, n_trials=10)
    running = study.ask()  # a pending trial to fantasize
    for i in range(22):
        running.suggest_float(f"x{i}", -1, 1)
    trial = study.ask()
    values = [trial.suggest_float(f"x{i}", -1, 1) for i in range(22)]
    assert all(-1 <= v <= 1 for v in values)
    assert len(set(map(round, values, [9] * 22))) > 1
