"""The Matérn-5/2 kernel with automatic relevance determination (ARD).

Inputs live in the unit cube. Numerical columns contribute ``(x_i - x'_i)**2 / l_i**2``
to the squared distance ``r**2``; categorical columns (choice indices) contribute
``[x_i != x'_i] / l_i**2`` (a Hamming distance, so a categorical kernel needs no
one-hot encoding). The kernel is ``s2 * (1 + sqrt(5) r + 5 r**2 / 3) exp(-sqrt(5) r)``
(Rasmussen & Williams 2006, eq. 4.17).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_SQRT5 = float(np.sqrt(5.0))


def squared_differences(x1: FloatArray, x2: FloatArray, categorical: BoolArray) -> FloatArray:
    """Per-dimension squared differences, shape ``(n1, n2, d)``.

    Parameters
    ----------
    x1, x2
        Points, shapes ``(n1, d)`` and ``(n2, d)``.
    categorical
        Shape ``(d,)``: which columns hold choice indices (Hamming distance).
    """
    diff = x1[:, None, :] - x2[None, :, :]
    sq = diff * diff
    if categorical.any():
        sq[..., categorical] = (diff[..., categorical] != 0.0).astype(float)
    return sq


def matern52_from_r2(r2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``f(r)`` and ``df / d(r**2)`` of the unit-variance Matérn-5/2 kernel.

    Both are finite at ``r = 0`` (the kernel is twice differentiable there).
    """
    r = np.sqrt(np.maximum(r2, 0.0))
    e = np.exp(-_SQRT5 * r)
    value = (1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * e
    d_r2 = -(5.0 / 6.0) * (1.0 + _SQRT5 * r) * e
    return value, d_r2


def weighted_r2(
    x1: FloatArray, x2: FloatArray, inv_sq_lengthscales: FloatArray, categorical: BoolArray
) -> FloatArray:
    """The squared scaled distance ``r**2`` between all pairs, shape ``(n1, n2)``.

    Uses matrix products (no ``(n1, n2, d)`` intermediate), so it is the path for
    many candidates.
    """
    num = ~categorical
    w = inv_sq_lengthscales[num]
    a = x1[:, num] * np.sqrt(w)
    b = x2[:, num] * np.sqrt(w)
    r2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    np.maximum(r2, 0.0, out=r2)
    for j in np.flatnonzero(categorical):
        r2 += inv_sq_lengthscales[j] * (x1[:, j, None] != x2[None, :, j])
    return r2


def matern52(
    x1: FloatArray,
    x2: FloatArray,
    inv_sq_lengthscales: FloatArray,
    signal: float,
    categorical: BoolArray,
) -> FloatArray:
    """The kernel matrix ``k(x1, x2)``, shape ``(n1, n2)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0], [0.5]])
    >>> k = matern52(x, x, np.array([4.0]), 2.0, np.array([False]))
    >>> float(k[0, 0]), bool(k[0, 1] < k[0, 0])
    (2.0, True)
    """
    r2 = weighted_r2(x1, x2, inv_sq_lengthscales, categorical)
    return signal * matern52_from_r2(r2)[0]
