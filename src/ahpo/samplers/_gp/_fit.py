"""Kernel hyperparameters by maximum a posteriori: marginal likelihood plus priors.

The parameters are ``theta = (log l_1, ..., log l_d, log s2, log noise)``. Priors:

- lengthscales (inputs in the unit cube): ``log l_i ~ N(log 0.3, sqrt(3))``. With the
  10 to 30 points of a small budget the likelihood barely constrains the lengthscales
  and the prior's centre decides. A centre of several box widths (the dimension-scaled
  ``N(sqrt(2) + log(d) / 2, sqrt(3))`` of Hvarfner et al. 2024 used as a density on
  ``log l`` has its mode at ``l = 9`` in 5-d; their log-normal density on ``l`` peaks at
  ``exp(mu - 3)``) makes the model nearly linear, and EI then proposes corners of the
  box. A fixed ``0.3`` was the best centre tried (0.2 to 0.5, and ``0.2 sqrt(d)``) on the
  quality benchmark at budget 30;
- signal variance (targets are standardized): ``log s2 ~ N(0, 1)``;
- noise variance: ``log noise ~ N(log 1e-4, 3)``, with a floor of ``1e-6``;
- with input warping, the Kumaraswamy shapes of the warped columns:
  ``log a, log b ~ N(0, sqrt(0.75))`` (centred on the identity map).

The negative log posterior and its gradient (Rasmussen & Williams 2006, eq. 5.9; for
the warp shapes, through the chain rule on the squared distances) are minimized with
L-BFGS-B, either from the previous fit (warm start) or from several starts: the prior
mode and a draw from the prior.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize

from ahpo.samplers._gp._gp import GaussianProcess, KernelParams
from ahpo.samplers._gp._input_warp import LOG_SHAPE_BOUNDS, LOG_SHAPE_PRIOR, InputWarp, warp_values
from ahpo.samplers._gp._kernel import BoolArray, FloatArray, matern52_from_r2, squared_differences

NOISE_FLOOR = 1e-6
_LOG_L_BOUNDS = (np.log(1e-2), np.log(1e2))
_LOG_S2_BOUNDS = (np.log(5e-2), np.log(2e1))
_LOG_NOISE_BOUNDS = (np.log(NOISE_FLOOR), np.log(2.0))
_LOG_NOISE_PRIOR = (np.log(1e-4), 3.0)
_MAXITER = 200


_LOG_L_PRIOR = (float(np.log(0.3)), float(np.sqrt(3.0)))


def unpack(theta: FloatArray, d: int, fixed_noise: float | None) -> KernelParams:
    """Kernel hyperparameters from the log-parameter vector ``theta``."""
    noise = fixed_noise if fixed_noise is not None else float(np.exp(theta[d + 1]))
    return KernelParams(np.exp(-2.0 * theta[:d]), float(np.exp(theta[d])), noise)


def _warped_sq(
    x: FloatArray, categorical: BoolArray, warped: BoolArray, shapes: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Squared differences of the warped inputs, the warped columns and their derivatives."""
    k = int(warped.sum())
    u, du_da, du_db = warp_values(x[:, warped], shapes[:k], shapes[k:])
    xw = x.copy()
    xw[:, warped] = u
    return squared_differences(xw, xw, categorical), u, du_da, du_db


def _neg_log_posterior(
    theta: FloatArray,
    sq: FloatArray | None,
    y: FloatArray,
    fixed_noise: float | None,
    warping: tuple[FloatArray, BoolArray, BoolArray] | None = None,
) -> tuple[float, FloatArray]:
    n = len(y)
    n_kernel = len(theta) - (2 * int(warping[2].sum()) if warping is not None else 0)
    if warping is not None:
        x, categorical, warped = warping
        sq, u, du_da, du_db = _warped_sq(x, categorical, warped, theta[n_kernel:])
    assert sq is not None
    d = sq.shape[2]
    p = unpack(theta, d, fixed_noise)
    r2 = sq @ p.inv_sq_lengthscales
    f, df = matern52_from_r2(r2)
    k = p.signal * f
    k[np.diag_indices(n)] += p.noise
    try:
        gp_chol = np.linalg.cholesky(k)
    except np.linalg.LinAlgError:
        return 1e10, np.zeros_like(theta)
    lower, info = scipy.linalg.lapack.dpotri(gp_chol, lower=1)
    if info != 0:
        return 1e10, np.zeros_like(theta)
    lower = np.tril(lower)
    k_inv = lower + lower.T
    k_inv[np.diag_indices(n)] *= 0.5
    alpha = k_inv @ y
    lml = -0.5 * y @ alpha - np.log(np.diag(gp_chol)).sum() - 0.5 * n * np.log(2 * np.pi)
    w = np.outer(alpha, alpha) - k_inv
    grad = np.zeros_like(theta)
    m = w * (p.signal * df)
    # dK/dlog l_i = s2 f'(r2) * sq_i * (-2 w_i)
    grad[:d] = -p.inv_sq_lengthscales * np.einsum("jk,jki->i", m, sq)
    grad[d] = 0.5 * np.sum(w * (p.signal * f))
    if fixed_noise is None:
        grad[d + 1] = 0.5 * p.noise * np.trace(w)
    if warping is not None:
        # dL/dsq_ijc = m_ij w_c / 2 and dsq_ijc = 2 (u_ic - u_jc)(g_ic - g_jc) for a
        # shape derivative g; summed over i, j: 2 (u g) . rowsum(m) - 2 u' m g.
        scale = p.inv_sq_lengthscales[warping[2]]
        rows = m.sum(axis=1)
        for g, out in ((du_da, slice(n_kernel, n_kernel + u.shape[1])),
                       (du_db, slice(n_kernel + u.shape[1], None))):
            cross = np.einsum("ic,ij,jc->c", u, m, g)
            grad[out] = 2.0 * scale * ((u * g).T @ rows - cross)

    mu_l, sd_l = _LOG_L_PRIOR
    means = np.concatenate([np.full(d, mu_l), [0.0, _LOG_NOISE_PRIOR[0]]])
    sds = np.concatenate([np.full(d, sd_l), [1.0, _LOG_NOISE_PRIOR[1]]])
    if fixed_noise is not None:
        means, sds = means[: d + 1], sds[: d + 1]
    n_shapes = len(theta) - n_kernel
    means = np.concatenate([means, np.full(n_shapes, LOG_SHAPE_PRIOR[0])])
    sds = np.concatenate([sds, np.full(n_shapes, LOG_SHAPE_PRIOR[1])])
    z = (theta - means) / sds
    log_prior = -0.5 * float(z @ z)
    grad_prior = -z / sds
    return -(lml + log_prior), -(grad + grad_prior)


def fit_kernel(
    x: FloatArray,
    y: FloatArray,
    categorical: BoolArray,
    *,
    deterministic: bool,
    rng: np.random.Generator,
    warm_start: FloatArray | None = None,
    warp_columns: BoolArray | None = None,
) -> tuple[GaussianProcess, FloatArray]:
    """Fit the hyperparameters and return the posterior and ``theta`` (for warm starts).

    With ``warp_columns``, the posterior's inputs are the warped ones:
    ``input_warp(theta, warp_columns)`` maps points to them.

    Parameters
    ----------
    x
        Inputs, shape ``(n, d)``.
    y
        Standardized targets, shape ``(n,)``.
    categorical
        Shape ``(d,)``: which columns are categorical.
    deterministic
        Fix the noise at the floor instead of learning it.
    rng
        Draws the random start.
    warm_start
        ``theta`` of an earlier fit on the same space: the only start when given.
    warp_columns
        Shape ``(d,)``: continuous columns to warp (Kumaraswamy CDFs fitted jointly),
        or ``None`` for no input warping.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random((20, 2))
    >>> y = np.sin(6 * x[:, 0])
    >>> gp, theta = fit_kernel(x, (y - y.mean()) / y.std(), np.array([False, False]),
    ...                        deterministic=True, rng=rng)
    >>> bool(gp.params.inv_sq_lengthscales[0] > gp.params.inv_sq_lengthscales[1])
    True
    """
    d = x.shape[1]
    fixed_noise = NOISE_FLOOR if deterministic else None
    warping = None
    sq: FloatArray | None = squared_differences(x, x, categorical)
    mu_l, sd_l = _LOG_L_PRIOR
    bounds = [_LOG_L_BOUNDS] * d + [_LOG_S2_BOUNDS]
    mode = [mu_l] * d + [0.0]
    draw = [*np.clip(rng.normal(mu_l, sd_l, d), *_LOG_L_BOUNDS), 0.0]
    if fixed_noise is None:
        bounds.append(_LOG_NOISE_BOUNDS)
        mode.append(_LOG_NOISE_PRIOR[0])
        draw.append(np.log(1e-2))
    if warp_columns is not None and warp_columns.any():
        warping, sq = (x, categorical, warp_columns), None
        n_shapes = 2 * int(warp_columns.sum())
        bounds += [LOG_SHAPE_BOUNDS] * n_shapes
        mode += [LOG_SHAPE_PRIOR[0]] * n_shapes
        draw += [LOG_SHAPE_PRIOR[0]] * n_shapes
    starts = [np.array(mode), np.array(draw)]
    if warm_start is not None and len(warm_start) == len(mode):
        starts = [np.clip(warm_start, [b[0] for b in bounds], [b[1] for b in bounds])]
    best_theta, best_value = starts[0], np.inf
    for start in starts:
        result = scipy.optimize.minimize(
            _neg_log_posterior, start, args=(sq, y, fixed_noise, warping), jac=True,
            method="L-BFGS-B", bounds=bounds, options={"maxiter": _MAXITER},
        )
        if result.fun < best_value:
            best_theta, best_value = result.x, float(result.fun)
    params = unpack(best_theta, d, fixed_noise)
    if warping is not None:
        x = input_warp(best_theta, warping[2])(x)
    return GaussianProcess(x, y, params, categorical), best_theta


def input_warp(theta: FloatArray, warp_columns: BoolArray) -> InputWarp:
    """The input warp fitted with ``theta`` (by ``fit_kernel(..., warp_columns=...)``)."""
    k = int(warp_columns.sum())
    shapes = theta[len(theta) - 2 * k :]
    return InputWarp(warp_columns, shapes[:k], shapes[k:])
