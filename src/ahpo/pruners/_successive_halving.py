"""Asynchronous successive halving (ASHA)."""

from __future__ import annotations

from collections.abc import Iterable

from ahpo._validation import invalid
from ahpo._view import StudyView
from ahpo.pruners._base import BasePruner
from ahpo.pruners._rungs import RungIndexes
from ahpo.pruners._util import (
    check_int,
    check_resource,
    earliest_complete,
    worse_first_sign,
)
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


def estimate_min_resource(trials: Iterable[FrozenTrial]) -> int | None:
    """``max(1, last_step // 100)`` of the first trial to complete, ``None`` if none did."""
    first = earliest_complete(trials)
    if first is None or first.last_step is None:
        return None
    return max(first.last_step // 100, 1)


def first_crossed_rung_step(
    trial: FrozenTrial, min_resource: int, reduction_factor: int, min_early_stopping_rate: int
) -> int | None:
    """The step of the first rung that ``trial``'s last report crossed, ``None`` if none.

    Rung ``k`` is at step ``min_resource * reduction_factor ** (min_early_stopping_rate +
    k)``; the last report (at ``trial.last_step``) crosses every rung above the trial's
    previous reported step and at most its last step.
    """
    step = trial.last_step
    if step is None:
        return None
    previous = max((s for s in trial.intermediate_values if s != step), default=-1)
    rung_step = min_resource * reduction_factor**min_early_stopping_rate
    while rung_step <= previous:  # rungs decided at earlier reports
        rung_step *= reduction_factor
    return rung_step if rung_step <= step else None


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving: only the top ``1 / reduction_factor`` go on.

    ASHA (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys
    2020, Algorithm 2) without pausing: rung ``k`` is at step
    ``r_k = min_resource * reduction_factor ** (min_early_stopping_rate + k)``. When a
    trial's report crosses ``r_k``, its rung value is compared with the rung values of
    every COMPLETE, PRUNED or RUNNING trial that reached ``r_k``; it goes on if it is
    among the best ``max(1, n // reduction_factor)`` of those ``n`` values (itself
    included, ties favour it), else it is pruned. A NaN rung value prunes its trial at
    that rung, and the trial does not count among the rung's (as in Optuna).

    Rungs are derived from the reported values alone, with nothing written to
    storage, so every worker computes the same rung values:

    - a trial *reached* rung ``k`` if it reported a step ``>= r_k``;
    - its *rung value* is the value at its smallest reported step ``>= r_k`` (the value
      at ``r_k`` itself when every step is reported);
    - rung ``k`` is decided at the report that crosses it, i.e. when ``should_prune``
      follows a report at the first step ``>= r_k``. Call ``should_prune`` after every
      report (the usual loop); a crossing without a check is not decided later.

    With an int ``min_resource`` and every step reported and checked, this prunes
    exactly as Optuna's ``SuccessiveHalvingPruner``, which instead records rung values
    in trial system attributes (``tests/pruners/test_optuna_parity_properties.py``
    checks it on random curves). Differences by design: trials added with
    :meth:`Study.add_trial`, and with ``"auto"`` the trials that ran before
    ``min_resource`` was known, compete too; FAIL trials do not; with sparse reports, a
    trial pruned by a report that crossed several rungs counts at each of them (Optuna
    records it only up to the rung that pruned it, which the reports do not tell).

    Parameters
    ----------
    min_resource
        ``r`` of the paper, an int ``>= 1``, or ``"auto"``: ``max(1, L // 100)`` where
        ``L`` is the last step of the first trial to COMPLETE (earliest completion
        time, then lowest number). Nothing is pruned before a trial completes.
    reduction_factor
        ``eta`` of the paper, an int ``>= 2``.
    min_early_stopping_rate
        ``s`` of the paper, an int ``>= 0``: the first rung is at
        ``min_resource * reduction_factor ** s``.
    bootstrap_count
        As in Optuna: a trial is promoted from a rung only once more than
        ``bootstrap_count`` trials (itself included) reached it; the first
        ``bootstrap_count`` to arrive are pruned there. Needs an int ``min_resource``.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0.0, 1.0)
    ...     for step in range(1, 28):
    ...         trial.report(x + 1 / step, step)
    ...         if trial.should_prune():
    ...             raise ahpo.TrialPruned()
    ...     return x
    >>> study = ahpo.create_study(
    ...     pruner=ahpo.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    ...     sampler=ahpo.samplers.RandomSampler(seed=0),
    ... )
    >>> study.optimize(objective, n_trials=30)
    >>> sum(t.state == ahpo.TrialState.PRUNED for t in study.trials) > 15
    True
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        owner = type(self).__name__
        self._min_resource = check_resource(min_resource, "min_resource", owner)
        self._reduction_factor = check_int(reduction_factor, "reduction_factor", owner, 2)
        self._min_early_stopping_rate = check_int(
            min_early_stopping_rate, "min_early_stopping_rate", owner, 0
        )
        self._bootstrap_count = check_int(bootstrap_count, "bootstrap_count", owner, 0)
        if self._bootstrap_count > 0 and self._min_resource == "auto":
            raise invalid(
                "bootstrap_count", "0 when min_resource is 'auto'", bootstrap_count, owner=owner
            )
        self._indexes = RungIndexes()

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        if trial.last_step is None:
            return False
        min_resource = self._min_resource
        if min_resource == "auto":
            # Only COMPLETE trials count, and a study holds few of them next to the
            # pruned ones: the storage filters, and the whole study is read only when a
            # rung is crossed.
            min_resource = estimate_min_resource(view.get_trials((TrialState.COMPLETE,)))
            if min_resource is None:
                return False
        rung_step = first_crossed_rung_step(
            trial, int(min_resource), self._reduction_factor, self._min_early_stopping_rate
        )
        if rung_step is None:
            return False
        trials = view.get_trials()
        index = self._indexes.get(view.study_name, worse_first_sign(view.direction))
        return index.prunes(
            trials,
            trial,
            rung_step,
            self._reduction_factor,
            self._bootstrap_count,
            last=trial.last_step,
        )
