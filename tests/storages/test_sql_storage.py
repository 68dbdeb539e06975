"""What only the SQL storage does: URLs, error translation, pickling, JSON checks."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest

from ahpo._direction import StudyDirection
from ahpo._exceptions import StorageError
from ahpo.storages import SQLStorage, get_storage
from ahpo.storages._sql._engine import normalize_url
from ahpo.trial._state import TrialState
from tests.conftest import Postgres


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_urls_are_normalized(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "error"),
    [("mysql://u@h/db", ValueError), ("not a url", ValueError), (42, TypeError)],
)
def test_unsupported_urls_are_refused(url: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="'url'"):
        SQLStorage(url)  # type: ignore[arg-type]


@pytest.mark.postgres
def test_plain_postgresql_url_uses_psycopg(postgres: Postgres) -> None:
    url = postgres.url.replace("postgresql+psycopg://", "postgresql://", 1)
    storage = SQLStorage(url, engine_kwargs=postgres.engine_kwargs)
    assert storage._db.engine.dialect.driver == "psycopg"
    assert storage.get_all_studies() == []
    storage.close()


def test_unreachable_server_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match=r"127\.0\.0\.1:1.*OperationalError"):
        SQLStorage(
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            engine_kwargs={"connect_args": {"connect_timeout": 1}},
        )


def test_url_string_opens_a_sql_storage(tmp_path: Path) -> None:
    storage = get_storage(f"sqlite:///{tmp_path / 'by-url.db'}")
    assert isinstance(storage, SQLStorage)
    assert "by-url.db" in storage.url and "by-url.db" in repr(storage)
    storage.close()


def test_pickled_storage_reconnects(tmp_path: Path) -> None:
    storage = SQLStorage(f"sqlite:///{tmp_path / 'pickle.db'}", heartbeat_interval=3)
    sid = storage.create_new_study([StudyDirection.MINIMIZE], "pickled")
    copy = pickle.loads(pickle.dumps(storage))
    assert copy.heartbeat_interval == 3 and copy.grace_period == 6
    tid = copy.create_new_trial(sid).trial_id
    assert storage.get_trial(tid).state == TrialState.RUNNING
    storage.close()
    copy.close()


def test_non_json_attributes_are_refused(sql_storage: SQLStorage) -> None:
    sid = sql_storage.create_new_study([StudyDirection.MINIMIZE])
    tid = sql_storage.create_new_trial(sid).trial_id
    with pytest.raises(TypeError, match="JSON"):
        sql_storage.set_trial_user_attr(tid, "bad", object())
    with pytest.raises(TypeError, match="JSON"):
        sql_storage.set_study_user_attr(sid, "bad", {1, 2})
    assert sql_storage.get_trial(tid).user_attrs == {}
    assert sql_storage.get_study_user_attrs(sid) == {}


def test_tuples_come_back_as_lists(sql_storage: SQLStorage) -> None:
    sid = sql_storage.create_new_study([StudyDirection.MINIMIZE])
    sql_storage.set_study_system_attr(sid, "pair", (1, (2, 3)))
    sql_storage.set_study_system_attr(sid, "keys", {1: "one"})
    assert sql_storage.get_study_system_attrs(sid) == {"keys": {"1": "one"}, "pair": [1, [2, 3]]}


def test_study_name_length_is_checked(sql_storage: SQLStorage) -> None:
    with pytest.raises(ValueError, match="'study_name'"):
        sql_storage.create_new_study([StudyDirection.MINIMIZE], "x" * 513)
    with pytest.raises(TypeError, match="'study_name'"):
        sql_storage.create_new_study([StudyDirection.MINIMIZE], 7)  # type: ignore[arg-type]


def test_duplicate_name_race_gives_one_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    storages = [SQLStorage(url) for _ in range(4)]
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def create(storage: SQLStorage) -> None:
        barrier.wait()
        try:
            storage.create_new_study([StudyDirection.MINIMIZE], "only-one")
            outcomes.append("created")
        except ValueError:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=create, args=(s,)) for s in storages]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "duplicate", "duplicate", "duplicate"]
    for storage in storages:
        storage.close()
