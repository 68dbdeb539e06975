"""Several processes sharing one SQLite file through the storage API."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from ahpo._direction import StudyDirection
from ahpo.storages import SQLStorage
from ahpo.trial._frozen import make_frozen
from ahpo.trial._state import TrialState

from . import _workers


@pytest.fixture
def shared_file(tmp_path: Path) -> tuple[str, SQLStorage, int]:
    url = f"sqlite:///{tmp_path / 'multi.db'}"
    storage = SQLStorage(url)
    return url, storage, storage.create_new_study([StudyDirection.MINIMIZE], "multi")


@pytest.mark.slow
def test_two_processes_number_trials_without_gaps(shared_file: tuple[str, SQLStorage, int]) -> None:
    url, storage, sid = shared_file
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        per_worker = pool.starmap(_workers.create_trials, [(url, sid, w, 50) for w in (1, 2)])
    trials = storage.get_all_trials(sid)
    assert len(trials) == 100
    assert [t.number for t in trials] == list(range(100))
    assert sorted(t.trial_id for t in trials) == sorted(per_worker[0] + per_worker[1])
    for t in trials:
        worker = int(t.params["worker"])
        assert t.state == TrialState.COMPLETE
        assert t.trial_id in per_worker[worker - 1]
        assert t.values is not None and t.values[0] // 1000 == worker
    values = sorted(t.values[0] for t in trials if t.values is not None)
    assert values == sorted(w * 1000.0 + i for w in (1, 2) for i in range(50))
    storage.close()


@pytest.mark.slow
def test_four_processes_claim_each_waiting_trial_once(
    shared_file: tuple[str, SQLStorage, int],
) -> None:
    url, storage, sid = shared_file
    waiting = {
        storage.create_new_trial(sid, make_frozen(number=-1, state=TrialState.WAITING)).trial_id
        for _ in range(40)
    }
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        claimed = pool.starmap(_workers.claim_trials, [(url, sid, 25)] * 4)
    flat = [tid for ids in claimed for tid in ids]
    assert len(flat) == len(set(flat)) == 40
    assert set(flat) == waiting
    trials = storage.get_all_trials(sid)
    assert all(t.state == TrialState.COMPLETE and t.values == (float(t.trial_id),) for t in trials)
    storage.close()
