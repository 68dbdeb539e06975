"""Acquisition functions: log expected improvement, UCB, probability of improvement,
and the probability of feasibility under constraint models.

Everything is maximized. ``log EI`` follows Ament et al. 2023 ("Unexpected improvements
to expected improvement for Bayesian optimization"): ``EI = sigma * h(z)`` with
``h(z) = phi(z) + z Phi(z)`` and ``z = (mu - best) / sigma``, and ``log h`` is computed
without cancellation deep in the lower tail, where EI itself underflows to 0 and
gives an optimizer nothing to climb.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.special

from ahpo.samplers._gp._gp import GaussianProcess
from ahpo.samplers._gp._kernel import FloatArray

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_SQRT_HALF_PI = np.sqrt(0.5 * np.pi)
_ASYMPTOTIC_U = 1e3


def log_h(z: FloatArray) -> FloatArray:
    """``log(phi(z) + z Phi(z))``, accurate for every finite ``z``.

    For ``z >= -1`` directly; below, ``h(z) = phi(z) (1 - u R(u))`` with ``u = -z`` and
    Mills' ratio ``R(u) = sqrt(pi / 2) erfcx(u / sqrt(2))``; past ``u = 1e3`` the
    asymptotic series ``1 - u R(u) = u^-2 - 3 u^-4 + 15 u^-6 - 105 u^-8 + ...``.

    Examples
    --------
    >>> import numpy as np
    >>> v = log_h(np.array([0.0, -40.0]))
    >>> round(float(v[0]), 6) == round(float(-0.5 * np.log(2 * np.pi)), 6), bool(v[1] > -900)
    (True, True)
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    upper = z >= -1.0
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu * zu - _LOG_SQRT_2PI) + zu * scipy.special.ndtr(zu))
    u = -z[~upper]
    log_phi = -0.5 * u * u - _LOG_SQRT_2PI
    far = u > _ASYMPTOTIC_U
    tail = np.empty_like(u)
    un = u[~far]
    tail[~far] = np.log1p(-un * _SQRT_HALF_PI * scipy.special.erfcx(un / np.sqrt(2.0)))
    inv2 = 1.0 / (u[far] * u[far])
    tail[far] = np.log(inv2) + np.log1p(inv2 * (-3.0 + inv2 * (15.0 - 105.0 * inv2)))
    out[~upper] = log_phi + tail
    return out


def _d_log_h(z: FloatArray, log_h_z: FloatArray) -> FloatArray:
    """``d log h / dz = Phi(z) / h(z)``."""
    return np.exp(scipy.special.log_ndtr(z) - log_h_z)


def _inverse_mills(t: FloatArray) -> FloatArray:
    """``phi(t) / Phi(t)``, stable for very negative ``t``."""
    return np.exp(-0.5 * t * t - _LOG_SQRT_2PI - scipy.special.log_ndtr(t))


def log_expected_improvement(mean: FloatArray, var: FloatArray, best: float) -> FloatArray:
    """``log EI`` for maximization at points with posterior ``mean`` and ``var``."""
    sigma = np.sqrt(var)
    return np.log(sigma) + log_h((mean - best) / sigma)


@dataclass(frozen=True)
class Constraint:
    """A GP of one constraint; feasible where the constraint is ``<= threshold``
    (the threshold is 0 mapped into the GP's standardized units)."""

    gp: GaussianProcess
    threshold: float


class Acquisition:
    """A function of the GP posteriors to maximize, with gradients for L-BFGS-B.

    Parameters
    ----------
    gp
        The objective's posterior (targets: larger is better), or ``None`` when no
        trial is feasible yet (then only the probability of feasibility counts).
    kind
        ``"logei"``, ``"ucb"`` or ``"pi"`` (log of the probability of improvement).
    best
        The incumbent for EI and PI, in the GP's units.
    beta
        UCB's exploration weight: ``mean + sqrt(beta) * sd``.
    constraints
        Constraint models; ``log P(feasible)`` of each is added.

    Examples
    --------
    >>> import numpy as np
    >>> from ahpo.samplers._gp._gp import GaussianProcess, KernelParams
    >>> gp = GaussianProcess(np.array([[0.2], [0.8]]), np.array([-1.0, 1.0]),
    ...                      KernelParams(np.array([4.0]), 1.0, 1e-6), np.array([False]))
    >>> acq = Acquisition(gp, "logei", best=1.0)
    >>> values = acq(np.array([[0.2], [0.9]]))
    >>> bool(values[1] > values[0])
    True
    """

    def __init__(
        self,
        gp: GaussianProcess | None,
        kind: str = "logei",
        *,
        best: float = 0.0,
        beta: float = 2.0,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        if gp is None and not constraints:
            raise ValueError("An acquisition needs an objective model or a constraint model.")
        self.gp = gp
        self.kind = kind
        self.best = best
        self.beta = beta
        self.constraints = tuple(constraints)

    def __call__(self, x: FloatArray) -> FloatArray:
        """Values at the points ``x`` (shape ``(m, d)``), shape ``(m,)``."""
        total = np.zeros(len(x))
        if self.gp is not None:
            mean, var = self.gp.posterior(x)
            total += self._objective_term(mean, np.sqrt(var))[0]
        for c in self.constraints:
            mean, var = c.gp.posterior(x)
            total += scipy.special.log_ndtr((c.threshold - mean) / np.sqrt(var))
        return total

    def value_and_grad(self, x: FloatArray) -> tuple[float, FloatArray]:
        """Value and gradient at one point ``x`` (shape ``(d,)``)."""
        value, grad = 0.0, np.zeros_like(x)
        if self.gp is not None:
            mean, var, dmean, dvar = self.gp.posterior_grad(x)
            sigma = np.sqrt(var)
            v, d_mean, d_sigma = self._objective_term(np.array([mean]), np.array([sigma]))
            value += float(v[0])
            grad += float(d_mean[0]) * dmean + float(d_sigma[0]) * dvar / (2.0 * sigma)
        for c in self.constraints:
            mean, var, dmean, dvar = c.gp.posterior_grad(x)
            sigma = np.sqrt(var)
            t = np.array([(c.threshold - mean) / sigma])
            value += float(scipy.special.log_ndtr(t)[0])
            r = float(_inverse_mills(t)[0])
            grad += -r / sigma * dmean - r * float(t[0]) / sigma * dvar / (2.0 * sigma)
        return value, grad

    def _objective_term(
        self, mean: FloatArray, sigma: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The objective's term and its derivatives by ``mean`` and ``sigma``."""
        if self.kind == "ucb":
            root = np.sqrt(self.beta)
            return mean + root * sigma, np.ones_like(mean), np.full_like(sigma, root)
        z = (mean - self.best) / sigma
        if self.kind == "pi":
            dz = _inverse_mills(z)
            return scipy.special.log_ndtr(z), dz / sigma, -dz * z / sigma
        lh = log_h(z)
        dz = _d_log_h(z, lh)
        return np.log(sigma) + lh, dz / sigma, 1.0 / sigma - dz * z / sigma
