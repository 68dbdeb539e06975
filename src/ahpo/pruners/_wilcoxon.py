"""Paired-test pruning: stop a trial whose per-instance values are worse than the best's."""

from __future__ import annotations

from typing import Any

import numpy as np

from ahpo._best import best_trial
from ahpo._validation import invalid
from ahpo._view import StudyView
from ahpo.pruners._base import BasePruner
from ahpo.pruners._util import check_int, check_real, worse_first_sign
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

#: Most differences with zeros or ties whose p-value is counted exactly.
_EXACT_MAX = 50


class WilcoxonPruner(BasePruner):
    """Prune a trial that a Wilcoxon signed-rank test finds worse than the best trial.

    For objectives that average a score over a set of instances (cross-validation
    folds, benchmark problems, questions put to a model): each trial reports the score
    of instance ``i`` as ``trial.report(score, i)``, in any order. The pruner pairs the
    trial's values with the best COMPLETE trial's values on the instances both
    reported, and prunes when the one-sided signed-rank test of the differences says,
    at level ``p_threshold``, that the trial is worse. Easy and hard instances cancel
    out in the pairing, which is what makes the test sharper than comparing averages.

    A trial is never pruned while it has fewer than ``n_startup_steps`` instances in
    common with the best trial, when either trial reported a NaN or infinite value, or
    while the mean of its values is at least as good as the mean of the best trial's
    (the test compares medians of the differences; the objective is usually the
    mean). A pruned trial may therefore return the mean of the values it has instead
    of raising :class:`ahpo.TrialPruned`, so that the sampler learns from it: that
    mean is worse than the best trial's, so the best trial is always one that ran
    every instance it was given. Shuffle the instances in each trial, so that early
    decisions do not always rest on the same few. (``ahpo.sklearn.SearchCV`` with
    ``enable_pruning=True`` reports the running mean after each fold, the input of
    the other pruners; for this one, report each fold's own score.)

    Parameters
    ----------
    p_threshold
        Prune when the test's p-value is below this, in ``[0, 1]``; larger prunes
        more. The test is repeated as instances come in, so the chance of pruning a
        trial that is in truth no worse exceeds ``p_threshold``.
    n_startup_steps
        Paired instances needed before any pruning, an int ``>= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> import ahpo
    >>> instances = np.linspace(-1.0, 1.0, 40)
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -1.0, 1.0)
    ...     order = np.random.default_rng(trial.number).permutation(len(instances))
    ...     losses = []
    ...     for i in order:
    ...         losses.append(float((x - instances[i]) ** 2))
    ...         trial.report(losses[-1], int(i))
    ...         if trial.should_prune():
    ...             break
    ...     return float(np.mean(losses))
    >>> study = ahpo.create_study(pruner=ahpo.pruners.WilcoxonPruner(p_threshold=0.1))
    >>> study.enqueue_trial({"x": 0.0})
    >>> study.enqueue_trial({"x": 0.9})
    >>> study.optimize(objective, n_trials=2)
    >>> first, second = study.trials
    >>> len(first.intermediate_values), len(second.intermediate_values) < 10
    (40, True)
    """

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        owner = type(self).__name__
        must = "a float in [0, 1]"
        self._p_threshold = check_real(p_threshold, "p_threshold", owner, must)
        if not 0.0 <= self._p_threshold <= 1.0:
            raise invalid("p_threshold", must, p_threshold, owner=owner)
        self._n_startup_steps = check_int(n_startup_steps, "n_startup_steps", owner, 0)

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        if not trial.intermediate_values:
            return False
        best = _best(view)
        if best is None:
            return False
        mine, theirs = trial.intermediate_values, best.intermediate_values
        common = sorted(set(mine) & set(theirs))
        if not common or len(common) < self._n_startup_steps:
            return False
        all_mine = np.fromiter(mine.values(), dtype=float, count=len(mine))
        all_theirs = np.fromiter(theirs.values(), dtype=float, count=len(theirs))
        if not (np.isfinite(all_mine).all() and np.isfinite(all_theirs).all()):
            return False
        sign = worse_first_sign(view.direction)
        # A trial at least as good on average as the best trial goes on, so a pruned
        # trial that returns its mean cannot become a best trial with few instances.
        if sign * all_mine.mean() <= sign * all_theirs.mean():
            return False
        # Positive differences: this trial is worse on that instance.
        worse_by = sign * np.array([mine[s] - theirs[s] for s in common], dtype=float)
        return bool(worse_by.any()) and _p_worse(worse_by) < self._p_threshold


def _best(view: StudyView) -> FrozenTrial | None:
    """The study's best trial, as ``Study.best_trial`` (and Optuna's pruner) picks it,
    even with an infinite value; ``None`` while no trial is COMPLETE (and feasible)."""
    try:
        return best_trial(view.get_trials((TrialState.COMPLETE,)), view.direction)
    except ValueError:
        return None


def _p_worse(differences: Any) -> float:
    """One-sided signed-rank p-value that the differences are centred above zero.

    Zero differences are ranked and their ranks split between the signs (scipy's
    ``zero_method="zsplit"``). With zeros or ties among at most ``_EXACT_MAX``
    differences the p-value is the exact one over all sign flips, counted by
    dynamic programming on the (half-integer) ranks: scipy would enumerate the
    ``2**n`` flips, a fraction of a second per call at ``n = 13``.
    """
    from scipy.stats import rankdata, wilcoxon

    d = np.asarray(differences, dtype=float)
    magnitude = np.abs(d)
    tied = len(np.unique(magnitude)) < len(d) or not magnitude.all()
    if not tied or len(d) > _EXACT_MAX:
        return float(wilcoxon(d, alternative="greater", zero_method="zsplit").pvalue)
    # Ranks in half units are integers; a zero adds half its rank to either sign's
    # sum whatever the flip, so it shifts both the statistic and its null alike.
    half_ranks = np.rint(2.0 * rankdata(magnitude)).astype(int)
    flipping = half_ranks[d != 0]
    observed = int(half_ranks[d > 0].sum())
    counts = np.zeros(int(flipping.sum()) + 1)
    counts[0] = 1.0
    for r in flipping:
        counts[r:] = counts[r:] + counts[:-r]  # this flip adds r, or not
    return float(counts[observed:].sum() / counts.sum())
