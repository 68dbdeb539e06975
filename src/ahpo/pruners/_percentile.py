"""Percentile pruning: stop a trial that is worse than most finished trials were."""

from __future__ import annotations

import math

import numpy as np

from ahpo._direction import StudyDirection
from ahpo._validation import invalid
from ahpo._view import StudyView
from ahpo.pruners._base import BasePruner
from ahpo.pruners._util import check_int, check_real, step_to_check
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


class PercentilePruner(BasePruner):
    """Prune a trial whose best value so far is outside the top ``percentile``.

    At each check, the trial's best intermediate value over all its steps so far is
    compared with the ``percentile``-th percentile of the values that COMPLETE trials
    reported at the trial's current (last) step. For minimization the trial is pruned
    if its best is greater than that percentile; for maximization, if it is smaller
    than the ``(100 - percentile)``-th percentile. These are Optuna's semantics, so
    ``import ahpo as optuna`` code prunes the same trials.

    NaN: a trial whose reported values are all NaN is pruned; NaN values of other
    trials are ignored when computing the percentile. A NaN at the current step
    after finite earlier values does not prune by itself (the best so far is finite).
    Only COMPLETE trials are compared against (not PRUNED or RUNNING ones).

    Parameters
    ----------
    percentile
        In ``[0, 100]``; e.g. ``25.0`` keeps the top 25 % of trials at each step.
    n_startup_trials
        Never prune until this many trials are COMPLETE (and never before one is).
    n_warmup_steps
        Never prune while the trial's last step is ``< n_warmup_steps``.
    interval_steps
        Check only at steps ``n_warmup_steps + i * interval_steps``; if nothing was
        reported at such a step, the check happens at the next reported step.
    n_min_trials
        Keyword-only. Do not prune unless at least this many COMPLETE trials reported a
        value at the current step.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0.0, 1.0)
    ...     for step in range(20):
    ...         trial.report(x * (1 + 1 / (step + 1)), step)
    ...         if trial.should_prune():
    ...             raise ahpo.TrialPruned()
    ...     return x
    >>> study = ahpo.create_study(
    ...     pruner=ahpo.pruners.PercentilePruner(25.0, n_startup_trials=3),
    ...     sampler=ahpo.samplers.RandomSampler(seed=0),
    ... )
    >>> study.optimize(objective, n_trials=20)
    >>> any(t.state == ahpo.TrialState.PRUNED for t in study.trials)
    True
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        owner = type(self).__name__
        percentile = check_real(percentile, "percentile", owner, "a float in [0, 100]")
        if not 0.0 <= percentile <= 100.0:
            raise invalid("percentile", "a float in [0, 100]", percentile, owner=owner)
        self._percentile = percentile
        self._n_startup_trials = check_int(n_startup_trials, "n_startup_trials", owner, 0)
        self._n_warmup_steps = check_int(n_warmup_steps, "n_warmup_steps", owner, 0)
        self._interval_steps = check_int(interval_steps, "interval_steps", owner, 1)
        self._n_min_trials = check_int(n_min_trials, "n_min_trials", owner, 1)

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        step = step_to_check(trial, self._n_warmup_steps, self._interval_steps)
        if step is None:
            return False
        completed = view.get_trials((TrialState.COMPLETE,))
        if not completed or len(completed) < self._n_startup_trials:
            return False

        maximize = view.direction == StudyDirection.MAXIMIZE
        own = np.asarray(list(trial.intermediate_values.values()), dtype=float)
        if np.isnan(own).all():
            return True
        best = float(np.nanmax(own) if maximize else np.nanmin(own))

        others = np.asarray(
            [t.intermediate_values[step] for t in completed if step in t.intermediate_values],
            dtype=float,
        )
        if others.size < self._n_min_trials or np.isnan(others).all():
            return False
        q = 100.0 - self._percentile if maximize else self._percentile
        threshold = float(np.nanpercentile(others, q))
        if math.isnan(threshold):
            return False
        return best < threshold if maximize else best > threshold
