import numpy as np
import scipy.optimize

from ahpo.samplers._gp._fit import _neg_log_posterior, fit_kernel
from ahpo.samplers._gp._kernel import squared_differences


def _data(seed=0, n=25):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    y = np.sin(6 * x[:, 0]) + 0.1 * x[:, 1]
    return x, (y - y.mean()) / y.std()


def test_objective_gradient_matches_finite_differences():
    x, y = _data()
    sq = squared_differences(x, x, np.zeros(3, bool))
    rng = np.random.default_rng(1)
    for noise in (None, 1e-6):
        for _ in range(3):
            theta = rng.normal(size=4 if noise else 5) * 0.5
            err = scipy.optimize.check_grad(
                lambda t, n=noise: _neg_log_posterior(t, sq, y, n)[0],
                lambda t, n=noise: _neg_log_posterior(t, sq, y, n)[1],
                theta,
            )
            assert err < 1e-4 * max(1.0, np.abs(_neg_log_posterior(theta, sq, y, noise)[1]).max())


def test_relevant_dimension_gets_the_shortest_lengthscale():
    x, y = _data()
    gp, theta = fit_kernel(x, y, np.zeros(3, bool), deterministic=False,
                           rng=np.random.default_rng(0))
    w = gp.params.inv_sq_lengthscales
    assert w[0] > w[1] and w[0] > w[2]
    assert len(theta) == 5


def test_noise_is_learned_on_noisy_data_and_fixed_when_deterministic():
    rng = np.random.default_rng(3)
    x = rng.random((40, 1))
    y = np.sin(6 * x[:, 0]) + 0.5 * rng.normal(size=40)
    y = (y - y.mean()) / y.std()
    noisy, _ = fit_kernel(x, y, np.zeros(1, bool), deterministic=False, rng=rng)
    exact, theta = fit_kernel(x, y, np.zeros(1, bool), deterministic=True, rng=rng)
    assert noisy.params.noise > 0.05
    assert exact.params.noise == 1e-6 and len(theta) == 2


def test_warm_start_reaches_the_same_fit():
    x, y = _data()
    cat = np.zeros(3, bool)
    cold, theta = fit_kernel(x, y, cat, deterministic=True, rng=np.random.default_rng(0))
    warm, _ = fit_kernel(x, y, cat, deterministic=True, rng=np.random.default_rng(0),
                         warm_start=theta)
    assert warm.log_marginal_likelihood() >= cold.log_marginal_likelihood() - 1e-6


def test_few_points_of_a_wiggly_function_get_lengthscales_shorter_than_the_box():
    # With 10 points in 5-d the prior decides: its centre must be a fraction of the box.
    # A centre of several box widths makes the model nearly linear, and EI then
    # proposes the corners of the box.
    rng = np.random.default_rng(0)
    short = 0
    for _ in range(5):
        x = rng.random((10, 5))
        y = np.sin(8 * x).sum(1)
        gp, _ = fit_kernel(x, (y - y.mean()) / y.std(), np.zeros(5, bool),
                           deterministic=False, rng=rng)
        short += np.median(gp.params.inv_sq_lengthscales ** -0.5) < 1.0
    assert short >= 4
