"""The median stopping rule."""

from __future__ import annotations

from ahpo.pruners._percentile import PercentilePruner


class MedianPruner(PercentilePruner):
    """Prune a trial whose best value so far is worse than the median at its step.

    The median stopping rule (Golovin et al., "Google Vizier", KDD 2017): at each
    check, the trial's best intermediate value so far is compared with the median of
    the values COMPLETE trials reported at the same step. It is
    ``PercentilePruner(50.0, ...)``; see :class:`PercentilePruner` for the checks,
    warm-up, interval and NaN rules (all as in Optuna).

    Parameters
    ----------
    n_startup_trials
        Never prune until this many trials are COMPLETE.
    n_warmup_steps
        Never prune while the trial's last step is ``< n_warmup_steps``.
    interval_steps
        Check only at steps ``n_warmup_steps + i * interval_steps`` (postponed to
        the next reported step when nothing was reported there).
    n_min_trials
        Keyword-only. Do not prune unless at least this many COMPLETE trials reported a
        value at the current step.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0.0, 1.0)
    ...     for step in range(10):
    ...         trial.report(x + 1 / (step + 1), step)
    ...         if trial.should_prune():
    ...             raise ahpo.TrialPruned()
    ...     return x
    >>> study = ahpo.create_study(
    ...     pruner=ahpo.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
    ...     sampler=ahpo.samplers.RandomSampler(seed=1),
    ... )
    >>> study.optimize(objective, n_trials=20)
    >>> any(t.state == ahpo.TrialState.PRUNED for t in study.trials)
    True
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        super().__init__(
            50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials
        )
