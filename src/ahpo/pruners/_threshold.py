"""Threshold pruning: stop a trial whose value leaves a fixed band."""

from __future__ import annotations

import math

from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.pruners._base import BasePruner
from ahpo.pruners._util import check_int, check_real, step_to_check
from ahpo.trial._frozen import FrozenTrial


class ThresholdPruner(BasePruner):
    """Prune a trial whose latest value is below ``lower``, above ``upper`` or NaN.

    Useful to stop diverging runs (a loss that explodes or becomes NaN) whatever
    other trials did; it ignores the study direction and the other trials.

    Parameters
    ----------
    lower, upper
        The band of acceptable values; give at least one (``None`` means unbounded).
        ``lower <= upper``.
    n_warmup_steps
        Never prune while the trial's last step is ``< n_warmup_steps``.
    interval_steps
        Check only at steps ``n_warmup_steps + i * interval_steps`` (postponed to the
        next reported step when nothing was reported there).

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     lr = trial.suggest_float("lr", 0.01, 10.0, log=True)
    ...     loss = 1.0
    ...     for step in range(10):
    ...         loss *= 1.5 if lr > 1.0 else 0.8
    ...         trial.report(loss, step)
    ...         if trial.should_prune():
    ...             raise ahpo.TrialPruned()
    ...     return loss
    >>> study = ahpo.create_study(pruner=ahpo.pruners.ThresholdPruner(upper=5.0))
    >>> study.enqueue_trial({"lr": 5.0})
    >>> study.optimize(objective, n_trials=1)
    >>> study.trials[0].state
    TrialState.PRUNED
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ) -> None:
        owner = type(self).__name__
        if lower is None and upper is None:
            raise type_error("lower", "a float when 'upper' is None", lower, owner=owner)
        low = -math.inf if lower is None else check_real(lower, "lower", owner)
        high = math.inf if upper is None else check_real(upper, "upper", owner)
        if low > high:
            raise invalid("lower", f"<= upper ({high!r})", low, owner=owner)
        self._lower = low
        self._upper = high
        self._n_warmup_steps = check_int(n_warmup_steps, "n_warmup_steps", owner, 0)
        self._interval_steps = check_int(interval_steps, "interval_steps", owner, 1)

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        step = step_to_check(trial, self._n_warmup_steps, self._interval_steps)
        if step is None:
            return False
        value = trial.intermediate_values[step]
        return math.isnan(value) or not self._lower <= value <= self._upper
