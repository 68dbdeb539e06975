"""RetryFailedTrialCallback: failed trials come back as WAITING copies."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from ahpo._direction import StudyDirection
from ahpo.distributions import CategoricalDistribution, FloatDistribution
from ahpo.storages import BaseStorage, RetryFailedTrialCallback, SQLStorage
from ahpo.storages._sql.models import trials
from ahpo.trial._frozen import make_frozen
from ahpo.trial._state import TrialState
from tests.conftest import StorageFactory

X = FloatDistribution(0.0, 1.0)
C = CategoricalDistribution(["a", "b"])


def _failed_trial(storage: BaseStorage, sid: int) -> int:
    tid = storage.create_new_trial(sid).trial_id
    storage.set_trial_param(tid, "x", 0.25, X)
    storage.set_trial_param(tid, "c", 1.0, C)
    storage.set_trial_intermediate_value(tid, 3, math.inf)
    storage.set_trial_user_attr(tid, "note", ["kept"])
    storage.set_trial_system_attr(tid, "fail_reason", "worker died")
    storage.set_trial_state_values(tid, TrialState.FAIL)
    return tid


def _study(storage: BaseStorage) -> SimpleNamespace:
    """What the callback needs from a study: its storage and its id."""
    return SimpleNamespace(
        _storage=storage, _study_id=storage.create_new_study([StudyDirection.MINIMIZE])
    )


def test_failed_trial_is_requeued(storage: BaseStorage) -> None:
    study = _study(storage)
    failed = storage.get_trial(_failed_trial(storage, study._study_id))
    RetryFailedTrialCallback()(study, failed)
    retry = storage.get_all_trials(study._study_id)[-1]
    assert retry.number == failed.number + 1
    assert retry.state == TrialState.WAITING
    assert retry.params == {"x": 0.25, "c": "b"} and retry.distributions == {"x": X, "c": C}
    assert retry.user_attrs == {"note": ["kept"]}
    assert retry.system_attrs == {
        "fixed_params": {"x": 0.25, "c": "b"},
        "failed_trial": failed.number,
        "retry_history": [failed.number],
    }
    assert retry.intermediate_values == {}
    assert RetryFailedTrialCallback.retried_trial_number(retry) == failed.number
    assert RetryFailedTrialCallback.retry_history(retry) == [failed.number]
    assert storage.get_trial(failed.trial_id) == failed  # the failed trial is kept as is


def test_intermediate_values_are_inherited_on_request(storage: BaseStorage) -> None:
    study = _study(storage)
    failed = storage.get_trial(_failed_trial(storage, study._study_id))
    RetryFailedTrialCallback(inherit_intermediate_values=True)(study, failed)
    assert storage.get_all_trials(study._study_id)[-1].intermediate_values == {3: math.inf}


def test_retry_chain_and_max_retry(storage: BaseStorage) -> None:
    study = _study(storage)
    sid = study._study_id
    callback = RetryFailedTrialCallback(max_retry=2)
    first = storage.get_trial(_failed_trial(storage, sid))
    callback(study, first)
    numbers = [first.number]
    for _ in range(3):
        tid = storage.claim_waiting_trial(sid)
        if tid is None:
            break
        storage.set_trial_state_values(tid, TrialState.FAIL)
        failed = storage.get_trial(tid)
        numbers.append(failed.number)
        assert RetryFailedTrialCallback.retried_trial_number(failed) == first.number
        callback(study, failed)
    assert numbers == [0, 1, 2]  # the first run and two retries, then no more
    last = storage.get_all_trials(sid)[-1]
    assert RetryFailedTrialCallback.retry_history(last) == [0, 1]
    assert storage.get_n_trials(sid, [TrialState.WAITING]) == 0


def test_max_retry_zero_never_requeues(storage: BaseStorage) -> None:
    study = _study(storage)
    failed = storage.get_trial(_failed_trial(storage, study._study_id))
    RetryFailedTrialCallback(max_retry=0)(study, failed)
    assert storage.get_n_trials(study._study_id) == 1


def test_helpers_on_a_trial_that_is_no_retry() -> None:
    trial = make_frozen(number=4, state=TrialState.FAIL)
    assert RetryFailedTrialCallback.retried_trial_number(trial) is None
    assert RetryFailedTrialCallback.retry_history(trial) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_retry": -1}, ValueError),
        ({"max_retry": 1.5}, TypeError),
        ({"max_retry": True}, TypeError),
        ({"inherit_intermediate_values": "yes"}, TypeError),
    ],
)
def test_arguments_are_validated(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        RetryFailedTrialCallback(**kwargs)  # type: ignore[arg-type]


def test_stale_trial_is_failed_and_retried(shared_kind: str, make_storage: StorageFactory) -> None:
    storage = make_storage(
        shared_kind, heartbeat_interval=1, failed_trial_callback=RetryFailedTrialCallback()
    )
    assert isinstance(storage, SQLStorage)
    study = _study(storage)
    tid = storage.create_new_trial(study._study_id).trial_id
    storage.set_trial_param(tid, "x", 0.5, X)
    with storage._db.engine.begin() as conn:
        conn.execute(
            sa.update(trials)
            .where(trials.c.trial_id == tid)
            .values(heartbeat=trials.c.heartbeat - 60)
        )
    for failed_id in storage.fail_stale_trials(study._study_id):  # what the study does
        assert storage.failed_trial_callback is not None
        storage.failed_trial_callback(study, storage.get_trial(failed_id))
    retry_id = storage.claim_waiting_trial(study._study_id)
    assert retry_id is not None
    retry = storage.get_trial(retry_id)
    assert retry.params == {"x": 0.5} and retry.state == TrialState.RUNNING
    assert RetryFailedTrialCallback.retried_trial_number(retry) == 0
