"""The Gaussian-process posterior for fixed kernel hyperparameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ahpo.samplers._gp._kernel import BoolArray, FloatArray, matern52, matern52_from_r2

_JITTER_TRIES = 6


@dataclass(frozen=True)
class KernelParams:
    """Hyperparameters of the Matérn-5/2 ARD kernel plus Gaussian noise.

    Attributes
    ----------
    inv_sq_lengthscales
        ``1 / l_i**2`` per input column, shape ``(d,)``.
    signal
        Prior variance ``s2`` of the latent function.
    noise
        Variance of the observation noise.
    """

    inv_sq_lengthscales: FloatArray
    signal: float
    noise: float


def robust_cholesky(matrix: FloatArray) -> FloatArray:
    """Lower Cholesky factor; adds growing diagonal jitter until the matrix factors.

    Raises
    ------
    numpy.linalg.LinAlgError
        When even a jitter of ``1e-2`` times the mean diagonal does not help.
    """
    scale = float(np.mean(np.diag(matrix))) or 1.0
    jitter = 0.0
    for attempt in range(_JITTER_TRIES):
        try:
            return scipy.linalg.cholesky(
                matrix + jitter * np.eye(len(matrix)), lower=True, check_finite=False
            )
        except np.linalg.LinAlgError:
            jitter = scale * 10.0 ** (-12 + 2 * attempt)
    raise np.linalg.LinAlgError("the kernel matrix is not positive definite")


class GaussianProcess:
    """GP regression posterior ``f | X, y`` (Rasmussen & Williams 2006, alg. 2.1).

    Parameters
    ----------
    x
        Training inputs, shape ``(n, d)``, in the unit cube (categorical columns hold
        choice indices).
    y
        Targets, shape ``(n,)``, standardized.
    params
        Kernel hyperparameters.
    categorical
        Shape ``(d,)``: which columns are categorical.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.1], [0.9]])
    >>> gp = GaussianProcess(x, np.array([1.0, -1.0]),
    ...                      KernelParams(np.array([4.0]), 1.0, 1e-6), np.array([False]))
    >>> mean, var = gp.posterior(x)
    >>> np.allclose(mean, [1.0, -1.0], atol=1e-4), bool(var.max() < 1e-4)
    (True, True)
    """

    def __init__(
        self, x: FloatArray, y: FloatArray, params: KernelParams, categorical: BoolArray
    ) -> None:
        self.x = x
        self.y = y
        self.params = params
        self.categorical = categorical
        k = matern52(x, x, params.inv_sq_lengthscales, params.signal, categorical)
        k[np.diag_indices_from(k)] += params.noise
        self._chol = robust_cholesky(k)
        self._alpha = scipy.linalg.cho_solve((self._chol, True), y, check_finite=False)

    def condition(self, x_new: FloatArray, y_new: FloatArray) -> GaussianProcess:
        """The posterior after also observing ``y_new`` at ``x_new`` (same hyperparameters)."""
        return GaussianProcess(
            np.vstack([self.x, x_new]), np.concatenate([self.y, y_new]),
            self.params, self.categorical,
        )

    def posterior(self, xq: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Mean and variance of the latent function at ``xq`` (shape ``(m, d)``), each ``(m,)``."""
        p = self.params
        ks = matern52(xq, self.x, p.inv_sq_lengthscales, p.signal, self.categorical)
        mean = ks @ self._alpha
        v = scipy.linalg.solve_triangular(self._chol, ks.T, lower=True, check_finite=False)
        var = np.maximum(p.signal - (v * v).sum(0), 1e-12 * p.signal)
        return mean, var

    def posterior_grad(
        self, xq: FloatArray
    ) -> tuple[float, float, FloatArray, FloatArray]:
        """Mean, variance and their gradients at one point ``xq`` (shape ``(d,)``).

        Gradients are with respect to the numerical columns; categorical entries are 0.
        """
        p = self.params
        num = ~self.categorical
        diff = xq[None, :] - self.x  # (n, d)
        sq = diff * diff
        sq[:, self.categorical] = diff[:, self.categorical] != 0.0
        r2 = sq @ p.inv_sq_lengthscales
        f, df = matern52_from_r2(r2)
        ks = p.signal * f
        # d k_j / d x_i = s2 f'(r2_j) 2 w_i (x_i - X_ji) for numerical i.
        dk = np.zeros_like(diff)
        dk[:, num] = (2.0 * p.signal * df)[:, None] * diff[:, num] * p.inv_sq_lengthscales[num]
        kinv_ks = scipy.linalg.cho_solve((self._chol, True), ks, check_finite=False)
        mean = float(ks @ self._alpha)
        var = float(max(p.signal - ks @ kinv_ks, 1e-12 * p.signal))
        return mean, var, dk.T @ self._alpha, -2.0 * (dk.T @ kinv_ks)

    def log_marginal_likelihood(self) -> float:
        """``log p(y | X, params)``."""
        n = len(self.y)
        return float(
            -0.5 * self.y @ self._alpha
            - np.log(np.diag(self._chol)).sum()
            - 0.5 * n * np.log(2.0 * np.pi)
        )
