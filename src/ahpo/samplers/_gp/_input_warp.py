"""Input warping: a Kumaraswamy CDF per continuous column (Snoek et al. 2014).

A stationary kernel assumes the objective varies at the same rate across a column.
Hyperparameters often do not: a learning rate matters most near one end of its range
even on a log scale. Each continuous column ``x`` (in the unit cube) is mapped through
``u = 1 - (1 - x**a)**b`` with ``a, b > 0`` fitted jointly with the kernel; ``a = b = 1``
is the identity. The map is a bijection of ``[0, 1]`` with a closed-form inverse, so
the acquisition is maximized in ``u`` and the proposal mapped back. Inputs are first
squeezed into ``[eps, 1 - eps]`` so the derivatives stay finite at the bounds.
Discrete and categorical columns are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ahpo.samplers._gp._kernel import BoolArray, FloatArray

_EPS = 1e-6
#: Prior ``log a, log b ~ N(0, sqrt(0.75))``, centred on the identity.
LOG_SHAPE_PRIOR = (0.0, float(np.sqrt(0.75)))
LOG_SHAPE_BOUNDS = (float(np.log(0.1)), float(np.log(10.0)))


def _squeeze(x: FloatArray) -> FloatArray:
    return _EPS + (1.0 - 2.0 * _EPS) * np.clip(x, 0.0, 1.0)


@dataclass(frozen=True)
class InputWarp:
    """Kumaraswamy warps of some columns.

    Attributes
    ----------
    columns
        Shape ``(d,)``: which columns are warped.
    log_a, log_b
        Log shape parameters, one per warped column.

    Examples
    --------
    >>> import numpy as np
    >>> w = InputWarp(np.array([True, False]), np.array([np.log(2.0)]), np.array([0.0]))
    >>> x = np.array([[0.5, 0.5]])
    >>> w(x).round(3).tolist()
    [[0.25, 0.5]]
    >>> bool(np.allclose(w.inverse(w(x)), x))
    True
    """

    columns: BoolArray
    log_a: FloatArray
    log_b: FloatArray

    def __call__(self, x: FloatArray) -> FloatArray:
        """Warped copy of ``x`` (shape ``(m, d)``)."""
        out = np.array(x, dtype=float, copy=True)
        out[:, self.columns] = warp_values(x[:, self.columns], self.log_a, self.log_b)[0]
        return out

    def inverse(self, u: FloatArray) -> FloatArray:
        """The points whose warps are ``u`` (shape ``(m, d)``), in ``[0, 1]``."""
        out = np.array(u, dtype=float, copy=True)
        a, b = np.exp(self.log_a), np.exp(self.log_b)
        uc = np.clip(u[:, self.columns], 0.0, 1.0)
        squeezed = (1.0 - (1.0 - uc) ** (1.0 / b)) ** (1.0 / a)
        out[:, self.columns] = np.clip((squeezed - _EPS) / (1.0 - 2.0 * _EPS), 0.0, 1.0)
        return out


def warp_values(
    x: FloatArray, log_a: FloatArray, log_b: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Warped values of the columns of ``x`` and their derivatives.

    Parameters
    ----------
    x
        Shape ``(m, k)``: values of the ``k`` warped columns.
    log_a, log_b
        Shape ``(k,)``.

    Returns
    -------
    u, du_dlog_a, du_dlog_b
        Each of shape ``(m, k)``.
    """
    a, b = np.exp(log_a), np.exp(log_b)
    xs = _squeeze(x)
    p = xs**a
    q = 1.0 - p
    qb = q**b
    u = 1.0 - qb
    du_dlog_a = b * (qb / q) * p * np.log(p)
    du_dlog_b = -b * qb * np.log(q)
    return u, du_dlog_a, du_dlog_b
