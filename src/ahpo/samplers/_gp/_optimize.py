"""Maximizes an acquisition over a mixed space.

1. Candidates: a scrambled Sobol' design over the whole space plus perturbations of
   the best observed points, all snapped to valid values.
2. The best few become starts of a refinement that alternates L-BFGS-B on the
   continuous (and relaxed large-integer) columns with an exact coordinate search
   over the discrete columns (every categorical choice, every value of a small
   integer range, nearby grid values of a large one), until neither improves.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from scipy.stats import qmc

from ahpo.samplers._gp._acquisition import Acquisition
from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._kernel import FloatArray

Bounds = tuple[FloatArray, FloatArray]

_N_SOBOL = 1024
_N_LOCAL = 256
_N_STARTS = 4
_ROUNDS = 3
_LBFGS_ITERS = 50


def _candidates(
    encoding: Encoding, anchors: FloatArray, rng: np.random.Generator, bounds: Bounds | None
) -> FloatArray:
    d = encoding.dim
    sobol = qmc.Sobol(d, scramble=True, seed=rng).random(_N_SOBOL)
    if bounds is not None:
        sobol = bounds[0] + sobol * (bounds[1] - bounds[0])
    points = [encoding.from_unit(sobol)]
    if len(anchors):
        base = anchors[rng.integers(len(anchors), size=_N_LOCAL)]
        scale = rng.choice([0.01, 0.05, 0.2], size=(_N_LOCAL, 1))
        local = base + scale * rng.standard_normal((_N_LOCAL, d))
        cat = encoding.categorical
        if cat.any():
            flip = rng.random((_N_LOCAL, int(cat.sum()))) < 1.0 / max(d, 2)
            draws = np.floor(rng.random(flip.shape) * encoding.n_values[cat])
            local[:, cat] = np.where(flip, draws, base[:, cat])
        low, high = (0.0, 1.0) if bounds is None else (bounds[0][~cat], bounds[1][~cat])
        local[:, ~cat] = np.clip(local[:, ~cat], low, high)
        points.append(encoding.snap(local))
    return np.vstack(points)


def _gradient_step(
    acq: Acquisition, encoding: Encoding, x: FloatArray, bounds: Bounds | None
) -> FloatArray:
    cols = np.flatnonzero(encoding.relaxed)
    if not len(cols):
        return x
    work = x.copy()

    def negative(z: FloatArray) -> tuple[float, FloatArray]:
        work[cols] = z
        value, grad = acq.value_and_grad(work)
        return -value, -grad[cols]

    result = scipy.optimize.minimize(
        negative, x[cols], jac=True, method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * len(cols) if bounds is None else list(
            zip(bounds[0][cols], bounds[1][cols], strict=True)
        ),
        options={"maxiter": _LBFGS_ITERS},
    )
    out = x.copy()
    out[cols] = result.x
    return encoding.snap(out[None, :])[0]


def _coordinate_search(
    acq: Acquisition, encoding: Encoding, x: FloatArray, value: float
) -> tuple[FloatArray, float]:
    for j in np.flatnonzero(encoding.discrete):
        options = encoding.alternatives(x, j)
        if not len(options):
            continue
        trial = np.repeat(x[None, :], len(options), axis=0)
        trial[:, j] = options
        values = acq(trial)
        k = int(np.argmax(values))
        if values[k] > value:
            x, value = trial[k], float(values[k])
    return x, value


def maximize(
    acq: Acquisition,
    encoding: Encoding,
    anchors: FloatArray,
    rng: np.random.Generator,
    bounds: Bounds | None = None,
) -> tuple[FloatArray, float]:
    """The best point found and its acquisition value.

    Parameters
    ----------
    acq
        The function to maximize.
    encoding
        The space's columns.
    anchors
        Good observed rows (shape ``(k, d)``) to search around; may be empty.
    rng
        Seeds the design and the perturbations.
    bounds
        Lower and upper bounds per column (a trust region), or ``None`` for the
        whole unit cube.
    """
    candidates = _candidates(encoding, anchors, rng, bounds)
    values = acq(candidates)
    order = np.argsort(-values)
    best_x, best_v = candidates[order[0]], float(values[order[0]])
    for i in order[:_N_STARTS]:
        x, v = candidates[i], float(values[i])
        for _ in range(_ROUNDS if encoding.discrete.any() else 1):
            before = v
            moved = _gradient_step(acq, encoding, x, bounds)
            moved_v = float(acq(moved[None, :])[0])
            if moved_v > v:
                x, v = moved, moved_v
            x, v = _coordinate_search(acq, encoding, x, v)
            if v <= before + 1e-12:
                break
        if v > best_v:
            best_x, best_v = x, v
    return best_x, best_v
