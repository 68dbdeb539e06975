"""The SQL storage's incremental reads: what another process writes is seen, and
finished trials are read from the database only once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ahpo._direction import StudyDirection
from ahpo.distributions import FloatDistribution
from ahpo.storages import SQLStorage
from ahpo.trial._frozen import make_frozen
from ahpo.trial._state import TrialState

X = FloatDistribution(0.0, 1.0)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[SQLStorage, SQLStorage]]:
    """Two storages, as two processes would have, on one SQLite file."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    writer, reader = SQLStorage(url), SQLStorage(url)
    yield writer, reader
    writer.close()
    reader.close()


@contextmanager
def statements(storage: SQLStorage) -> Iterator[list[tuple[str, Any]]]:
    """Collect the SQL statements (and parameters) the storage sends in the block."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((" ".join(statement.split()), parameters))

    engine = storage._db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _complete(storage: SQLStorage, sid: int, n: int) -> list[int]:
    ids = []
    for i in range(n):
        tid = storage.create_new_trial(sid).trial_id
        storage.set_trial_param(tid, "x", i / n, X)
        storage.set_trial_state_values(tid, TrialState.COMPLETE, [float(i)])
        ids.append(tid)
    return ids


def test_reader_sees_new_trials_and_state_changes(pair: tuple[SQLStorage, SQLStorage]) -> None:
    writer, reader = pair
    sid = writer.create_new_study([StudyDirection.MINIMIZE], "shared")
    _complete(writer, sid, 3)
    running = writer.create_new_trial(sid).trial_id
    waiting = writer.create_new_trial(sid, make_frozen(number=-1, state=TrialState.WAITING))
    first = reader.get_all_trials(sid)
    assert [t.state for t in first] == [TrialState.COMPLETE] * 3 + [
        TrialState.RUNNING,
        TrialState.WAITING,
    ]

    writer.set_trial_param(running, "x", 0.5, X)
    writer.set_trial_intermediate_value(running, 0, 1.0)
    assert reader.get_all_trials(sid)[3].params == {"x": 0.5}

    writer.set_trial_state_values(running, TrialState.COMPLETE, [7.0])
    assert writer.claim_waiting_trial(sid) == waiting.trial_id
    _complete(writer, sid, 2)
    second = reader.get_all_trials(sid)
    assert [t.number for t in second] == list(range(7))
    assert second[3].values == (7.0,) and second[3].intermediate_values == {0: 1.0}
    assert second[4].state == TrialState.RUNNING
    assert second == writer.get_all_trials(sid)
    assert reader.get_n_trials(sid, [TrialState.COMPLETE]) == 6


def test_finished_trials_are_not_read_again(pair: tuple[SQLStorage, SQLStorage]) -> None:
    writer, reader = pair
    sid = writer.create_new_study([StudyDirection.MINIMIZE])
    _complete(writer, sid, 20)
    running = writer.create_new_trial(sid).trial_id
    first = reader.get_all_trials(sid)

    with statements(reader) as unchanged:
        again = reader.get_all_trials(sid)
    # Same records, not rebuilt: the trials query asked only for ids above the largest
    # one seen (the running trial's) and for the running trial itself.
    assert all(a is b for a, b in zip(first[:20], again[:20], strict=True))
    trial_queries = [p for s, p in unchanged if s.startswith("SELECT trials.trial_id, ")]
    assert trial_queries == [(sid, running, running)]
    assert len(unchanged) <= 8  # BEGIN, study check, trials, 5 child tables

    writer.set_trial_state_values(running, TrialState.COMPLETE, [1.0])
    new = writer.create_new_trial(sid).trial_id
    with statements(reader) as changed:
        third = reader.get_all_trials(sid)
    assert len(changed) == len(unchanged)  # the cost does not grow with the study
    trial_queries = [p for s, p in changed if s.startswith("SELECT trials.trial_id, ")]
    assert trial_queries == [(sid, running, running)]
    assert all(a is b for a, b in zip(first[:20], third[:20], strict=True))
    assert third[20].state == TrialState.COMPLETE and third[21].trial_id == new

    with statements(reader) as cached:
        assert reader.get_trial(first[0].trial_id) is first[0]
    assert cached == []


def test_get_n_trials_counts_without_loading(pair: tuple[SQLStorage, SQLStorage]) -> None:
    writer, reader = pair
    sid = writer.create_new_study([StudyDirection.MINIMIZE])
    _complete(writer, sid, 5)
    with statements(reader) as seen:
        assert reader.get_n_trials(sid, [TrialState.COMPLETE]) == 5
    queries = [s for s, _ in seen if s.startswith("SELECT")]
    assert len(queries) == 1 and "count(" in queries[0].lower()
    assert not any("trial_params" in s or "trial_values" in s for s, _ in seen)


def test_deleted_study_is_forgotten(pair: tuple[SQLStorage, SQLStorage]) -> None:
    writer, reader = pair
    sid = writer.create_new_study([StudyDirection.MINIMIZE], "gone")
    _complete(writer, sid, 2)
    assert len(reader.get_all_trials(sid)) == 2
    writer.delete_study(sid)
    with pytest.raises(KeyError):
        reader.get_all_trials(sid)
    new = writer.create_new_study([StudyDirection.MINIMIZE], "gone")
    assert new != sid  # ids are never reused, so a cache entry cannot be mistaken
    assert reader.get_all_trials(new) == []


def test_concurrent_readers_and_a_writer(pair: tuple[SQLStorage, SQLStorage]) -> None:
    writer, reader = pair
    sid = writer.create_new_study([StudyDirection.MINIMIZE])
    done = threading.Event()
    problems: list[str] = []

    def read() -> None:
        while not done.is_set():
            trials = reader.get_all_trials(sid)
            if [t.number for t in trials] != list(range(len(trials))):
                problems.append(f"gap in {[t.number for t in trials]}")
            for t in trials:
                if t.state == TrialState.COMPLETE and t.values != (float(t.number),):
                    problems.append(f"trial {t.number} has {t.values}")

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(30):
        tid = writer.create_new_trial(sid).trial_id
        writer.set_trial_state_values(tid, TrialState.COMPLETE, [float(i)])
    done.set()
    for t in threads:
        t.join()
    assert problems == []
    assert [t.values for t in reader.get_all_trials(sid)] == [(float(i),) for i in range(30)]
