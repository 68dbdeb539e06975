"""Pareto dominance for minimization problems."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def is_pareto_front(losses: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Mask of the non-dominated rows of ``losses`` (every objective minimized).

    Parameters
    ----------
    losses
        Array of shape ``(n_points, n_objectives)``. Duplicated points on the front
        are all kept.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape ``(n_points,)``.

    Examples
    --------
    >>> from ahpo.multiobjective import is_pareto_front
    >>> is_pareto_front([[1, 2], [2, 1], [2, 2]]).tolist()
    [True, True, False]
    """
    points = np.asarray(losses, dtype=float)
    if points.ndim != 2:
        raise ValueError(f"The 'losses' parameter must be 2-D. Got shape {points.shape} instead.")
    n = len(points)
    on_front = np.ones(n, dtype=bool)
    # Sweep in lexicographic order: a point can only be dominated by an earlier one.
    order = np.lexsort(points.T[::-1])
    front: list[int] = []
    for i in order:
        p = points[i]
        if front:
            f = points[front]
            dominated = np.any(np.all(f <= p, axis=1) & np.any(f < p, axis=1))
            if dominated:
                on_front[i] = False
                continue
        front.append(i)
    return on_front


def nondominated_ranks(losses: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Pareto rank of each row (0 = on the front, 1 = front once rank 0 is removed, …).

    Parameters
    ----------
    losses
        Array of shape ``(n_points, n_objectives)``, every objective minimized.

    Examples
    --------
    >>> from ahpo.multiobjective import nondominated_ranks
    >>> nondominated_ranks([[1, 2], [2, 1], [2, 2], [3, 3]]).tolist()
    [0, 0, 1, 2]
    """
    points = np.asarray(losses, dtype=float)
    ranks = np.full(len(points), -1, dtype=np.int64)
    remaining = np.arange(len(points))
    rank = 0
    while len(remaining):
        front = is_pareto_front(points[remaining])
        ranks[remaining[front]] = rank
        remaining = remaining[~front]
        rank += 1
    return ranks
