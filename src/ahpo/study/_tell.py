"""Finishing a trial: validate what was told, let the sampler learn, store it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ahpo._exceptions import UpdateFinishedTrialError
from ahpo._validation import invalid, type_error
from ahpo.logging import get_logger
from ahpo.storages._base import BaseStorage
from ahpo.trial._frozen import FAIL_REASON_KEY, FrozenTrial, check_values
from ahpo.trial._json import check_json
from ahpo.trial._state import TrialState
from ahpo.trial._trial import Trial

if TYPE_CHECKING:
    from ahpo.study._study import Study

_logger = get_logger(__name__)


def _trial_id(study: Study, trial: Trial | int) -> int:
    if isinstance(trial, Trial):
        if trial.study is not study and trial.study.study_name != study.study_name:
            raise invalid("trial", "a trial of this study", trial.number, owner="Study.tell")
        return trial._trial_id
    if isinstance(trial, int) and not isinstance(trial, bool):
        try:
            return study._storage.get_trial_id_from_study_id_trial_number(study._study_id, trial)
        except KeyError:
            raise invalid(
                "trial", "the number of an existing trial", trial, owner="Study.tell"
            ) from None
    raise type_error("trial", "a Trial or a trial number (int)", trial, owner="Study.tell")


def _as_values(values: float | Sequence[float] | None) -> list[Any] | None:
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        return [values]
    return list(values)


def tell(
    study: Study,
    trial: Trial | int,
    values: float | Sequence[float] | None = None,
    state: TrialState | None = None,
    skip_if_finished: bool = False,
) -> FrozenTrial:
    """Finish ``trial`` with ``values``/``state``; see :meth:`Study.tell`."""
    storage = study._storage
    trial_id = _trial_id(study, trial)
    # A live Trial that this process has not finished knows its own record; anything
    # else is read. A trial finished meanwhile elsewhere (a stale-heartbeat check) is
    # caught by the storage when the final state is written.
    live = isinstance(trial, Trial) and not trial._finished
    frozen = trial._frozen if live else storage.get_trial(trial_id)  # type: ignore[union-attr]
    if frozen.state.is_finished():
        return _finished(frozen, skip_if_finished)
    if frozen.state == TrialState.WAITING:
        raise invalid("trial", "a started trial (not WAITING)", frozen.number, owner="Study.tell")
    if state is not None and (
        not isinstance(state, TrialState) or not state.is_finished()
    ):
        raise invalid("state", "COMPLETE, PRUNED or FAIL", state, owner="Study.tell")
    told = _as_values(values)
    reason: str | None = None
    if state is None:
        if told is None:
            raise invalid("values", "given when state is COMPLETE", None, owner="Study.tell")
        state = TrialState.COMPLETE
    final: tuple[float, ...] | None = None
    if state == TrialState.COMPLETE:
        checked = check_values(told or [], len(study.directions)) if told is not None else (
            "No values were told for a COMPLETE trial."
        )
        if isinstance(checked, str):
            state, reason = TrialState.FAIL, checked
        else:
            final = checked
    elif state == TrialState.PRUNED:
        if len(study.directions) == 1 and frozen.intermediate_values:
            final = (frozen.intermediate_values[max(frozen.intermediate_values)],)
    elif told is not None:
        raise invalid("values", "None for a FAIL trial", told, owner="Study.tell")
    if reason is not None:
        _logger.warning("Trial %d failed: %s", frozen.number, reason)
    try:
        try:
            if reason is not None:
                storage.set_trial_system_attr(trial_id, FAIL_REASON_KEY, reason)
            attrs = study.sampler.after_trial(study.view, frozen, state, final)
            for key, value in (attrs or {}).items():
                check_json(f"after_trial()[{key!r}]", value)
                storage.set_trial_system_attr(trial_id, key, value)
        finally:
            storage.set_trial_state_values(trial_id, state, final)
    except UpdateFinishedTrialError:
        return _finished(storage.get_trial(trial_id), skip_if_finished)
    if isinstance(trial, Trial):
        trial._finished = True
    return storage.get_trial(trial_id)


def _finished(frozen: FrozenTrial, skip_if_finished: bool) -> FrozenTrial:
    if skip_if_finished:
        return frozen
    raise UpdateFinishedTrialError(
        f"Trial {frozen.number} is already {frozen.state.name}; it cannot be told again."
    )


def fail_untold(storage: BaseStorage, trial_id: int, reason: str) -> None:
    """Mark a trial FAIL with ``reason`` without a tell (it never started, or its
    worker was interrupted); a trial that finished meanwhile is left as it is."""
    with contextlib.suppress(UpdateFinishedTrialError):
        storage.set_trial_system_attr(trial_id, FAIL_REASON_KEY, reason)
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
