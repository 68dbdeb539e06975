"""Re-queue trials that failed because their worker stopped sending heartbeats."""

from __future__ import annotations

from typing import Any

from ahpo._validation import invalid, type_error
from ahpo.trial._frozen import CONSTRAINTS_KEY, FAIL_REASON_KEY, FrozenTrial, make_frozen
from ahpo.trial._state import TrialState

FAILED_TRIAL_KEY = "failed_trial"
RETRY_HISTORY_KEY = "retry_history"
FIXED_PARAMS_KEY = "fixed_params"

_OWNER = "RetryFailedTrialCallback"


class RetryFailedTrialCallback:
    """Enqueue a copy of a trial whose worker died, so another worker runs it again.

    Pass it as ``failed_trial_callback`` of a storage with heartbeats. For each trial
    failed for missing heartbeats it adds a WAITING trial with the same parameters
    (also as the system attribute ``"fixed_params"``), the same user attributes, the
    number of the first trial of the chain as ``"failed_trial"`` and the numbers of
    every failed attempt so far as ``"retry_history"``. The failed trial itself stays
    FAIL: nothing told is lost.

    Parameters
    ----------
    max_retry
        How many times one configuration is retried; ``None`` (the default) retries
        without limit.
    inherit_intermediate_values
        Copy the failed trial's reported intermediate values into the retry.

    Examples
    --------
    >>> import ahpo
    >>> from ahpo.storages import RetryFailedTrialCallback, SQLStorage
    >>> storage = SQLStorage(
    ...     "sqlite:///:memory:",
    ...     heartbeat_interval=60,
    ...     failed_trial_callback=RetryFailedTrialCallback(max_retry=2),
    ... )
    >>> study = ahpo.create_study(storage=storage)
    >>> study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=1)
    >>> RetryFailedTrialCallback.retry_history(study.trials[0])
    []
    """

    def __init__(
        self, max_retry: int | None = None, inherit_intermediate_values: bool = False
    ) -> None:
        if max_retry is not None:
            if isinstance(max_retry, bool) or not isinstance(max_retry, int):
                raise type_error("max_retry", "None or an int", max_retry, owner=_OWNER)
            if max_retry < 0:
                raise invalid("max_retry", "None or >= 0", max_retry, owner=_OWNER)
        if not isinstance(inherit_intermediate_values, bool):
            raise type_error(
                "inherit_intermediate_values", "a bool", inherit_intermediate_values, owner=_OWNER
            )
        self._max_retry = max_retry
        self._inherit_intermediate_values = inherit_intermediate_values

    def __call__(self, study: Any, trial: FrozenTrial) -> None:
        history = [*self.retry_history(trial), trial.number]
        if self._max_retry is not None and len(history) > self._max_retry:
            return
        system_attrs = {
            key: value
            for key, value in trial.system_attrs.items()
            if key not in (FAIL_REASON_KEY, CONSTRAINTS_KEY)  # results of the failed run
        }
        system_attrs[FIXED_PARAMS_KEY] = dict(trial.params)
        system_attrs[FAILED_TRIAL_KEY] = history[0]
        system_attrs[RETRY_HISTORY_KEY] = history
        template = make_frozen(
            number=-1,
            state=TrialState.WAITING,
            params=trial.params,
            distributions=trial.distributions,
            intermediate_values=(
                trial.intermediate_values if self._inherit_intermediate_values else None
            ),
            user_attrs=trial.user_attrs,
            system_attrs=system_attrs,
        )
        study._storage.create_new_trial(study._study_id, template=template)

    @staticmethod
    def retried_trial_number(trial: FrozenTrial) -> int | None:
        """The number of the first failed trial this one retries, ``None`` if none."""
        return trial.system_attrs.get(FAILED_TRIAL_KEY)

    @staticmethod
    def retry_history(trial: FrozenTrial) -> list[int]:
        """The numbers of the failed attempts before this trial, oldest first."""
        return list(trial.system_attrs.get(RETRY_HISTORY_KEY, []))
