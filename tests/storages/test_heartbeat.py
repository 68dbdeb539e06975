"""Heartbeats: RUNNING trials of silent workers are failed, exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from ahpo._direction import StudyDirection
from ahpo.storages import InMemoryStorage, SQLStorage
from ahpo.storages._sql.models import trials
from ahpo.trial._frozen import FAIL_REASON_KEY, make_frozen
from ahpo.trial._state import TrialState
from tests.conftest import StorageFactory


def _age(storage: SQLStorage, trial_id: int, seconds: float) -> None:
    """Move a trial's last heartbeat ``seconds`` into the past (as if its worker died)."""
    with storage._db.engine.begin() as conn:
        conn.execute(
            sa.update(trials)
            .where(trials.c.trial_id == trial_id)
            .values(heartbeat=trials.c.heartbeat - seconds)
        )


@pytest.fixture
def open_shared(shared_kind: str, make_storage: StorageFactory) -> Callable[..., SQLStorage]:
    def open_storage(**kwargs: float) -> SQLStorage:
        storage = make_storage(shared_kind, **kwargs)
        assert isinstance(storage, SQLStorage)
        return storage

    return open_storage


def test_stale_trial_is_failed_once_and_fresh_one_kept(
    open_shared: Callable[..., SQLStorage],
) -> None:
    storage = open_shared(heartbeat_interval=10, grace_period=30)
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    stale = storage.create_new_trial(sid).trial_id
    fresh = storage.create_new_trial(sid).trial_id
    done = storage.create_new_trial(sid).trial_id
    storage.set_trial_state_values(done, TrialState.COMPLETE, [1.0])
    waiting = storage.create_new_trial(sid, make_frozen(number=-1, state=TrialState.WAITING))
    for tid in (stale, done):
        _age(storage, tid, 100)
    storage.record_heartbeat(fresh)

    assert storage.fail_stale_trials(sid) == [stale]
    assert storage.fail_stale_trials(sid) == []
    failed = storage.get_trial(stale)
    assert failed.state == TrialState.FAIL
    assert failed.datetime_complete is not None
    assert "heartbeat" in failed.system_attrs[FAIL_REASON_KEY]
    assert storage.get_trial(fresh).state == TrialState.RUNNING
    assert storage.get_trial(done).state == TrialState.COMPLETE
    assert storage.get_trial(waiting.trial_id).state == TrialState.WAITING


def test_heartbeat_keeps_a_trial_alive(open_shared: Callable[..., SQLStorage]) -> None:
    storage = open_shared(heartbeat_interval=0.1, grace_period=0.4)
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    beating = storage.create_new_trial(sid).trial_id
    silent = storage.create_new_trial(sid).trial_id
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline:
        storage.record_heartbeat(beating)
        time.sleep(0.1)
    assert storage.fail_stale_trials(sid) == [silent]
    assert storage.get_trial(beating).state == TrialState.RUNNING


def test_concurrent_callers_fail_each_trial_once(open_shared: Callable[..., SQLStorage]) -> None:
    workers = [open_shared(heartbeat_interval=1) for _ in range(3)]
    sid = workers[0].create_new_study([StudyDirection.MINIMIZE])
    stale = [workers[0].create_new_trial(sid).trial_id for _ in range(30)]
    for tid in stale:
        _age(workers[0], tid, 100)
    barrier = threading.Barrier(len(workers))
    results: list[list[int]] = [[] for _ in workers]

    def sweep(i: int) -> None:
        barrier.wait()
        for _ in range(3):
            results[i].extend(workers[i].fail_stale_trials(sid))

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    returned = [tid for ids in results for tid in ids]
    assert sorted(returned) == sorted(stale)  # every stale trial, each by one caller
    assert all(t.state == TrialState.FAIL for t in workers[1].get_all_trials(sid))


def test_claimed_trial_starts_with_a_fresh_heartbeat(
    open_shared: Callable[..., SQLStorage],
) -> None:
    storage = open_shared(heartbeat_interval=5)
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    queued = storage.create_new_trial(sid, make_frozen(number=-1, state=TrialState.WAITING))
    time.sleep(0.05)
    assert storage.claim_waiting_trial(sid) == queued.trial_id
    assert storage.fail_stale_trials(sid) == []


def test_without_heartbeats_nothing_is_failed(open_shared: Callable[..., SQLStorage]) -> None:
    storage = open_shared()
    assert storage.heartbeat_interval is None and storage.grace_period is None
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid).trial_id
    _age(storage, tid, 10**6)
    storage.record_heartbeat(tid)
    storage.record_heartbeat(10**9)  # a no-op without heartbeats, as in the base class
    assert storage.fail_stale_trials(sid) == []
    assert InMemoryStorage().fail_stale_trials(0) == []


def test_record_heartbeat_of_unknown_or_finished_trial(
    open_shared: Callable[..., SQLStorage],
) -> None:
    storage = open_shared(heartbeat_interval=1)
    assert storage.grace_period == 2.0
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid).trial_id
    storage.set_trial_state_values(tid, TrialState.COMPLETE, [0.0])
    storage.record_heartbeat(tid)  # a late beat after the trial finished is harmless
    with pytest.raises(KeyError):
        storage.record_heartbeat(10**9)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"heartbeat_interval": 0}, ValueError, "'heartbeat_interval'.*> 0"),
        ({"heartbeat_interval": -1.0}, ValueError, "'heartbeat_interval'"),
        ({"heartbeat_interval": float("inf")}, ValueError, "'heartbeat_interval'"),
        ({"heartbeat_interval": "60"}, TypeError, "'heartbeat_interval'"),
        ({"heartbeat_interval": True}, TypeError, "'heartbeat_interval'"),
        ({"heartbeat_interval": 1, "grace_period": 0}, ValueError, "'grace_period'"),
        ({"grace_period": 5}, ValueError, "'grace_period'.*heartbeat_interval is None"),
        ({"failed_trial_callback": 3}, TypeError, "'failed_trial_callback'"),
        ({"engine_kwargs": [("echo", True)]}, TypeError, "'engine_kwargs'"),
    ],
)
def test_constructor_arguments_are_validated(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        SQLStorage("sqlite:///:memory:", **kwargs)  # type: ignore[arg-type]
