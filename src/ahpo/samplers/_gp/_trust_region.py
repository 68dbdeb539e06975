"""A trust region for high-dimensional spaces (TuRBO, Eriksson et al. 2019).

In many dimensions a global GP's uncertainty is large almost everywhere, and the
acquisition keeps proposing far-away corners. TuRBO searches a box around the
incumbent instead, whose side grows after a run of successes and shrinks after a run
of failures. The side length here is a pure function of the trials' history (no
state to persist): the history is replayed in trial order with TuRBO's rules, so
every worker derives the same box.
"""

from __future__ import annotations

import numpy as np

from ahpo.samplers._gp._kernel import FloatArray

_INITIAL = 0.8
_MAX = 1.6
_MIN = 2.0**-7
_SUCCESS_TOL = 3
_REL_IMPROVEMENT = 1e-3


def side_length(y: FloatArray, dim: int) -> float:
    """TuRBO's box side after the targets ``y`` (chronological, larger is better).

    Examples
    --------
    >>> import numpy as np
    >>> side_length(np.arange(10.0), 30) > side_length(np.zeros(40), 30)
    True
    """
    failure_tol = max(4, dim)
    length, successes, failures, best = _INITIAL, 0, 0, -np.inf
    for value in y:
        if not np.isfinite(best):
            best = float(value)  # the first trial is the baseline
            continue
        if value > best + _REL_IMPROVEMENT * abs(best):
            successes, failures = successes + 1, 0
        else:
            successes, failures = 0, failures + 1
        best = max(best, float(value))
        if successes == _SUCCESS_TOL:
            length, successes = min(2.0 * length, _MAX), 0
        elif failures == failure_tol:
            length, failures = length / 2.0, 0
        if length < _MIN:
            length = _INITIAL  # restart with a large box
    return length


def box(
    center: FloatArray, length: float, inv_sq_lengthscales: FloatArray, numerical: np.ndarray
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds (shape ``(d,)``) of the trust region around ``center``.

    Sides are scaled by the GP's lengthscales (longer along irrelevant directions) with
    their geometric mean kept at ``length``; categorical columns are not restricted.
    """
    scale = 1.0 / np.sqrt(inv_sq_lengthscales[numerical])
    scale = scale / np.exp(np.mean(np.log(scale)))
    lower, upper = np.zeros_like(center), np.ones_like(center)
    half = 0.5 * length * scale
    lower[numerical] = np.clip(center[numerical] - half, 0.0, 1.0)
    upper[numerical] = np.clip(center[numerical] + half, 0.0, 1.0)
    return lower, upper
