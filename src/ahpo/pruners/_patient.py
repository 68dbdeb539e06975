"""Patience: let a trial keep running while it still improves."""

from __future__ import annotations

import numpy as np

from ahpo._direction import StudyDirection
from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.pruners._base import BasePruner
from ahpo.pruners._util import check_int, check_real
from ahpo.trial._frozen import FrozenTrial


class PatientPruner(BasePruner):
    """Consult ``wrapped_pruner`` only once a trial stopped improving for a while.

    Let ``steps`` be the trial's reported steps in order. The trial has stalled when
    its best value over the last ``patience + 1`` steps is worse than its best value
    over all earlier steps by more than ``min_delta`` (for minimization:
    ``min(earlier) + min_delta < min(recent)``; for maximization:
    ``max(earlier) - min_delta > max(recent)``; NaN values are ignored). While the trial
    has not stalled it is never pruned; once stalled, the decision is the wrapped
    pruner's, or "prune" when ``wrapped_pruner`` is ``None``. Nothing is decided before
    ``patience + 2`` steps were reported. As in Optuna.

    Parameters
    ----------
    wrapped_pruner
        The pruner asked once the trial has stalled, or ``None`` to prune then.
    patience
        How many steps without improvement are tolerated (``>= 0``).
    min_delta
        How much worse than the earlier best the recent best may be without counting
        as stalled (``>= 0``).

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     trial.suggest_float("x", 0.0, 1.0)
    ...     for step in range(20):
    ...         trial.report(abs(step - 9) + 1.0, step)  # best at step 9
    ...         if trial.should_prune():
    ...             raise ahpo.TrialPruned()
    ...     return 1.0
    >>> study = ahpo.create_study(pruner=ahpo.pruners.PatientPruner(None, patience=3))
    >>> study.optimize(objective, n_trials=1)
    >>> study.trials[0].state, study.trials[0].last_step
    (TrialState.PRUNED, 13)
    """

    def __init__(
        self, wrapped_pruner: BasePruner | None, patience: int, min_delta: float = 0.0
    ) -> None:
        owner = type(self).__name__
        if wrapped_pruner is not None and not isinstance(wrapped_pruner, BasePruner):
            raise type_error(
                "wrapped_pruner", "an ahpo pruner or None", wrapped_pruner, owner=owner
            )
        self._wrapped_pruner = wrapped_pruner
        self._patience = check_int(patience, "patience", owner, 0)
        delta = check_real(min_delta, "min_delta", owner, "a float >= 0")
        if delta < 0:
            raise invalid("min_delta", "a float >= 0", min_delta, owner=owner)
        self._min_delta = delta

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        values = trial.intermediate_values
        if len(values) <= self._patience + 1:
            return False
        ordered = np.asarray([values[s] for s in sorted(values)], dtype=float)
        before = ordered[: -self._patience - 1]
        after = ordered[-self._patience - 1 :]
        if np.isnan(before).all() or np.isnan(after).all():
            return False
        if view.direction == StudyDirection.MAXIMIZE:
            stalled = np.nanmax(before) - self._min_delta > np.nanmax(after)
        else:
            stalled = np.nanmin(before) + self._min_delta < np.nanmin(after)
        if not stalled:
            return False
        if self._wrapped_pruner is None:
            return True
        return bool(self._wrapped_pruner.prune(view, trial))
