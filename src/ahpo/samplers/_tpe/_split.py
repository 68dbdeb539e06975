"""Ordering trials from best to worst, and the split into "good" and "bad" sets.

Single objective: COMPLETE trials by value, then PRUNED ones by how far they got
(later step first) and their last reported value. Several objectives: by Pareto rank
(non-dominated sorting, as MOTPE does; Ozaki et al., JAIR 2022), ties broken by the
sum of per-objective ranks. Constraints (c-TPE style, Watanabe & Hutter 2023,
simplified): feasible trials come before infeasible ones, which are ordered by their
total violation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from ahpo._direction import StudyDirection
from ahpo.multiobjective import nondominated_ranks
from ahpo.trial._frozen import CONSTRAINTS_KEY, FrozenTrial
from ahpo.trial._state import TrialState


def default_gamma(n: int) -> int:
    """Size of the good set for ``n`` finished trials: 15%, at most 25.

    Optuna takes 10%. With ``rank_weights`` the good set's effective size (Kish) is
    about 3/4 of its count, so 15% keeps the weight of ``l(x)`` on roughly the best
    tenth of the trials while its kernel bandwidths come from more points; with 10%
    the rank-weighted ``l(x)`` scored lower on the multimodal problems of
    ``benchmarks/quality`` (tuning seeds 10-59).
    """
    return min(math.ceil(0.15 * n), 25)


def default_weights(n: int) -> np.ndarray:
    """Observation weights by age, oldest first: the 25 newest weigh 1, older ones less."""
    if n < 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, n - 25), np.ones(25)])


def _violation(trial: FrozenTrial) -> float:
    c = trial.constraints
    return 0.0 if c is None else float(sum(max(0.0, v) for v in c))


def order_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> list[FrozenTrial]:
    """COMPLETE and PRUNED ``trials`` sorted from best to worst."""
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    if complete:
        losses = np.array([t.values for t in complete], dtype=float) * signs
        losses = np.nan_to_num(losses, nan=np.inf, posinf=np.inf, neginf=-np.inf)
        if len(directions) == 1:
            primary = losses[:, 0]
        else:
            ranks = nondominated_ranks(np.clip(losses, -1e300, 1e300))
            tie = np.argsort(np.argsort(losses, axis=0), axis=0).sum(axis=1)
            primary = ranks * (len(complete) * len(directions) + 1.0) + tie
        constrained = any(CONSTRAINTS_KEY in t.system_attrs for t in complete)
        violation = (
            np.array([_violation(t) for t in complete]) if constrained else np.zeros(len(complete))
        )
        order = np.lexsort((primary, violation))
        complete = [complete[i] for i in order]
    sign = signs[0]

    def pruned_key(t: FrozenTrial) -> tuple[float, float]:
        step = t.last_step
        if step is None:
            return (math.inf, math.inf)
        value = t.intermediate_values[step]
        return (-step, sign * value if not math.isnan(value) else math.inf)

    return complete + sorted(pruned, key=pruned_key)


def rank_weights(ranks: np.ndarray, n_good: int) -> np.ndarray:
    """Weights of good observations by rank (0 = best): ``1`` down to ``1 / n_good``.

    Within the good set the better points get more of ``l(x)``'s mass, as recombination
    weights do in evolution strategies, so proposals lean toward the best region rather
    than the average good one. Scaled to mean 1, so the prior keeps its relative weight.
    """
    w = (n_good - np.asarray(ranks, dtype=float)) / n_good
    return w / w.mean() if len(w) else w


class Split(NamedTuple):
    """The good and bad trials, each in trial-number order (oldest first).

    ``good_ranks[i]``: rank of ``good[i]`` among the good trials, 0 = best.
    """

    good: list[FrozenTrial]
    bad: list[FrozenTrial]
    good_ranks: np.ndarray


def split(
    trials: Sequence[FrozenTrial],
    directions: Sequence[StudyDirection],
    gamma: Callable[[int], int],
) -> Split:
    """The good and the bad trials among COMPLETE and PRUNED ``trials``, by number."""
    ordered = order_trials(trials, directions)
    n_good = min(max(gamma(len(ordered)), 1), len(ordered))
    by_number = np.argsort(np.array([t.number for t in ordered], dtype=np.int64), kind="stable")
    is_good = by_number < n_good
    good_ranks = by_number[is_good]
    good = [ordered[i] for i in good_ranks.tolist()]
    bad = [ordered[i] for i in by_number[~is_good].tolist()]
    return Split(good, bad, good_ranks)
