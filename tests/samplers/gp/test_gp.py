import numpy as np
import scipy.optimize

from ahpo.samplers._gp._gp import GaussianProcess, KernelParams, robust_cholesky

_NUM = np.zeros(2, bool)


def _gp(noise=1e-6, n=15, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 2))
    y = np.sin(5 * x[:, 0]) + x[:, 1]
    return GaussianProcess(x, y, KernelParams(np.array([4.0, 1.0]), 1.0, noise), _NUM)


def test_noise_free_posterior_interpolates_the_data():
    gp = _gp()
    mean, var = gp.posterior(gp.x)
    np.testing.assert_allclose(mean, gp.y, atol=1e-3)
    assert var.max() < 1e-4


def test_posterior_gradients_match_finite_differences():
    gp = _gp(noise=1e-3)
    for x0 in np.random.default_rng(1).random((5, 2)):
        for value, grad in ((0, 2), (1, 3)):  # (mean, d mean), (variance, d variance)
            err = scipy.optimize.check_grad(
                lambda z, v=value: gp.posterior_grad(z)[v],
                lambda z, g=grad: gp.posterior_grad(z)[g],
                x0,
            )
            assert err < 1e-5


def test_conditioning_on_a_fantasy_shrinks_the_variance_there_and_keeps_the_mean():
    gp = _gp()
    point = np.array([[0.33, 0.77]])
    mean, var = gp.posterior(point)
    fantasized = gp.condition(point, mean)
    new_mean, new_var = fantasized.posterior(point)
    np.testing.assert_allclose(new_mean, mean, atol=1e-6)
    assert new_var[0] < 1e-3 * var[0]


def test_robust_cholesky_factors_a_singular_matrix():
    x = np.ones((5, 5))  # rank one
    chol = robust_cholesky(x)
    np.testing.assert_allclose(chol @ chol.T, x, atol=1e-6)


def test_duplicate_points_do_not_break_the_fit():
    x = np.array([[0.5, 0.5]] * 4 + [[0.1, 0.2]])
    gp = GaussianProcess(x, np.array([1.0, 1.0, 1.0, 1.0, 0.0]),
                         KernelParams(np.array([1.0, 1.0]), 1.0, 0.0), _NUM)
    mean, _ = gp.posterior(x[:1])
    assert np.isfinite(mean).all()
