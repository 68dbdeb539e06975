import mpmath
import numpy as np
import pytest
import scipy.optimize
import scipy.stats

from ahpo.samplers._gp._acquisition import (
    Acquisition,
    Constraint,
    log_expected_improvement,
    log_h,
)
from ahpo.samplers._gp._gp import GaussianProcess, KernelParams

mpmath.mp.dps = 60


def _reference_log_h(z: float) -> float:
    z = mpmath.mpf(z)
    return float(mpmath.log(mpmath.npdf(z) + z * mpmath.ncdf(z)))


@pytest.mark.parametrize(
    "z", [-1e5, -3e3, -1001.0, -999.0, -300.0, -38.5, -10.0, -5.0, -1.0001, -1.0, -0.5, 0.0,
          0.7, 3.0, 12.0, 40.0],
)
def test_log_h_agrees_with_a_high_precision_reference_in_the_tails(z):
    got = float(log_h(np.array([z]))[0])
    assert got == pytest.approx(_reference_log_h(z), rel=1e-10, abs=1e-12)


def test_log_h_is_increasing_and_finite_where_ei_underflows():
    z = -np.logspace(-3, 6, 400)[::-1]
    values = log_h(z)
    assert np.isfinite(values).all()
    assert np.all(np.diff(values) > 0)
    assert (scipy.stats.norm.pdf(z[:100]) == 0).all()  # plain EI underflows there


def test_log_ei_matches_the_closed_form_where_that_is_accurate():
    rng = np.random.default_rng(0)
    mean, var = rng.normal(size=50), rng.random(50) + 0.1
    sigma = np.sqrt(var)
    z = (mean - 0.5) / sigma
    ei = sigma * (scipy.stats.norm.pdf(z) + z * scipy.stats.norm.cdf(z))
    np.testing.assert_allclose(log_expected_improvement(mean, var, 0.5), np.log(ei), rtol=1e-9)


def _gp(seed):
    rng = np.random.default_rng(seed)
    x = rng.random((12, 3))
    x[:, 2] = rng.integers(0, 3, 12)  # a categorical column
    y = np.cos(4 * x[:, 0]) - x[:, 1] + 0.3 * x[:, 2]
    cat = np.array([False, False, True])
    return GaussianProcess(x, y - y.mean(), KernelParams(np.array([3.0, 2.0, 1.0]), 1.0, 1e-4),
                           cat)


@pytest.mark.parametrize("kind", ["logei", "ucb", "pi"])
def test_gradients_match_finite_differences(kind):
    gp = _gp(0)
    constraint = Constraint(_gp(1), threshold=0.2)
    acq = Acquisition(gp, kind, best=float(gp.y.max()), constraints=[constraint])
    rng = np.random.default_rng(2)
    for _ in range(5):
        x0 = np.array([*rng.random(2), 1.0])
        value, grad = acq.value_and_grad(x0)
        assert value == pytest.approx(float(acq(x0[None, :])[0]), rel=1e-9)
        numeric = scipy.optimize.approx_fprime(x0[:2], lambda z: acq.value_and_grad(
            np.array([*z, 1.0]))[0], 1e-7)
        np.testing.assert_allclose(grad[:2], numeric, rtol=1e-4, atol=1e-4)
        assert grad[2] == 0.0


def test_feasibility_alone_prefers_likely_feasible_points():
    x = np.array([[0.1], [0.9]])
    c = GaussianProcess(x, np.array([-1.0, 1.0]), KernelParams(np.array([4.0]), 1.0, 1e-6),
                        np.array([False]))
    acq = Acquisition(None, constraints=[Constraint(c, threshold=0.0)])
    values = acq(np.array([[0.1], [0.9]]))
    assert values[0] > np.log(0.9) > values[1]


def test_an_acquisition_needs_a_model():
    with pytest.raises(ValueError, match="model"):
        Acquisition(None)
