"""The Parzen estimator's fast paths against a straightforward reference computation."""

import math

import mpmath
import numpy as np
import pytest
from scipy.special import logsumexp

from ahpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from ahpo.samplers._tpe._parzen import ParzenEstimator

SPACE = {
    "x": FloatDistribution(-5.0, 5.0),
    "lr": FloatDistribution(1e-5, 1e-1, log=True),
    "frac": FloatDistribution(0.0, 1.0, step=0.125),
    "n": IntDistribution(0, 10),
    "width": IntDistribution(8, 512, log=True),
    "kind": CategoricalDistribution(["a", "b", "c"]),
}


def _log_gauss_mass(lo: float, hi: float, mu: float, sigma: float) -> float:
    with mpmath.workdps(50):
        a, b = (mpmath.mpf(lo) - mu) / sigma, (mpmath.mpf(hi) - mu) / sigma
        if a > 0:  # upper tail: mpmath keeps tiny masses exact there, 1 - tiny it would not
            a, b = -b, -a
        return float(mpmath.log(mpmath.ncdf(b) - mpmath.ncdf(a)))


def _reference_log_pdf(est: ParzenEstimator, space, samples) -> np.ndarray:
    """Mixture log density, one kernel at a time, Gaussian masses in 50-digit arithmetic."""
    n_kernels = len(est._log_weights)
    out = []
    for i in range(len(next(iter(samples.values())))):
        terms = []
        for k in range(n_kernels):
            log_p = est._log_weights[k]
            for name, dist in space.items():
                dim = est._dims[name]
                value = float(samples[name][i])
                if isinstance(dist, CategoricalDistribution):
                    log_p += dim.log_probs[k, int(value)]
                    continue
                mu, sigma = dim.mus[k], dim.sigmas[k]
                log_mass = _log_gauss_mass(0.0, 1.0, mu, sigma)
                if dim.step is None:
                    z = (dist.to_unit(value) - mu) / sigma
                    log_p += -0.5 * z * z - math.log(sigma * math.sqrt(2 * math.pi)) - log_mass
                else:
                    half = 0.5 * dim.step
                    lo = dim._cell_edge(np.array(max(value - half, dist.low - half)))
                    hi = dim._cell_edge(np.array(min(value + half, dist.high + half)))
                    lo, hi = min(max(float(lo), 0.0), 1.0), min(max(float(hi), 0.0), 1.0)
                    log_p += _log_gauss_mass(lo, hi, mu, sigma) - log_mass
            terms.append(log_p)
        out.append(logsumexp(terms))
    return np.array(out)


@pytest.mark.parametrize(("seed", "n_obs", "joint"), [(0, 30, True), (1, 7, False)])
def test_log_pdf_matches_a_kernel_by_kernel_reference(seed, n_obs, joint):
    rng = np.random.default_rng(seed)
    space = SPACE if joint else {"n": SPACE["n"]}
    observations = {
        name: np.array([dist.from_unit(float(u)) for u in rng.random(n_obs)])
        if not isinstance(dist, CategoricalDistribution)
        else rng.integers(0, 3, n_obs).astype(float)
        for name, dist in space.items()
    }
    weights = rng.uniform(0.2, 1.0, n_obs)
    est = ParzenEstimator(observations, weights, space)
    samples = est.sample(rng, 40)
    np.testing.assert_allclose(
        est.log_pdf(samples), _reference_log_pdf(est, space, samples), rtol=1e-9, atol=1e-9
    )


def test_cell_masses_stay_finite_far_in_the_tails():
    dist = IntDistribution(0, 1000)
    est = ParzenEstimator({"n": np.full(50, 1000.0)}, np.ones(50), {"n": dist})
    log_pdf = est.log_pdf({"n": np.array([0.0, 1.0, 500.0, 1000.0])})
    assert np.all(np.isfinite(log_pdf))
    assert log_pdf[0] < log_pdf[2] < log_pdf[3]
