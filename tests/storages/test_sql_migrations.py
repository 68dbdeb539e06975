"""Schema creation and migration when a SQL storage opens a database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ahpo._direction import StudyDirection
from ahpo._exceptions import StorageError, StorageVersionError
from ahpo.storages import SQLStorage
from ahpo.storages._sql._migrate import alembic_config, head_revision
from ahpo.storages._sql.models import VERSION_TABLE, metadata
from ahpo.trial._state import TrialState
from tests.conftest import Postgres


def _version(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar()


def _check_head_schema(engine: sa.Engine) -> None:
    assert _version(engine) == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []  # migrations == models.py


def test_new_sqlite_file_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SQLStorage(f"sqlite:///{path}").close()
    engine = sa.create_engine(f"sqlite:///{path}")
    _check_head_schema(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


@pytest.mark.postgres
def test_new_postgres_schema_is_created_at_head(postgres: Postgres) -> None:
    fresh = postgres.fresh()
    fresh.storage().close()
    engine = fresh.engine()
    _check_head_schema(engine)
    engine.dispose()


def test_reopening_keeps_data_and_costs_one_query(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keep.db'}"
    storage = SQLStorage(url)
    sid = storage.create_new_study([StudyDirection.MAXIMIZE], "kept")
    tid = storage.create_new_trial(sid).trial_id
    storage.set_trial_state_values(tid, TrialState.COMPLETE, [2.0])
    storage.close()

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        again = SQLStorage(url)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)
    assert [s for s in seen if s != "BEGIN"] == [f"SELECT version_num FROM {VERSION_TABLE}"]
    assert again.get_study_id_from_name("kept") == sid
    assert again.get_all_trials(sid)[0].values == (2.0,)
    again.close()


def test_older_revision_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SQLStorage(f"sqlite:///{path}").close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")  # as an ahpo before 0001 left it
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == [VERSION_TABLE]
    storage = SQLStorage(f"sqlite:///{path}")
    storage.create_new_study([StudyDirection.MINIMIZE], "after upgrade")
    storage.close()
    _check_head_schema(engine)
    engine.dispose()


def test_newer_revision_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SQLStorage(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE {VERSION_TABLE} SET version_num = 'f00dcafe'")
    with pytest.raises(StorageVersionError, match=r"newer ahpo.*'f00dcafe'.*Upgrade ahpo"):
        SQLStorage(f"sqlite:///{path}")


@pytest.mark.postgres
def test_newer_revision_is_refused_on_postgres(postgres: Postgres) -> None:
    fresh = postgres.fresh()
    fresh.storage().close()
    engine = fresh.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StorageVersionError, match="newer ahpo"):
        fresh.storage()


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    with pytest.raises(StorageVersionError, match=r"not an ahpo database.*invoices"):
        SQLStorage(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:  # and it was left alone
        assert conn.execute("SELECT * FROM invoices").fetchall() == [(1, 9.5)]
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (1,)


@pytest.mark.postgres
def test_foreign_postgres_schema_is_refused(postgres: Postgres) -> None:
    fresh = postgres.fresh()
    engine = fresh.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE orders (id integer PRIMARY KEY)")
    engine.dispose()
    with pytest.raises(StorageVersionError, match="not an ahpo database"):
        fresh.storage()


def test_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(StorageVersionError, match="is not a SQLite database"):
        SQLStorage(f"sqlite:///{path}")
    assert path.read_text().startswith("these are my notes")


def test_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unable to open database file"):
        SQLStorage(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_concurrent_first_open_creates_the_schema_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.db'}"

        def open_storage() -> SQLStorage:
            return SQLStorage(url)
    else:
        fresh = request.getfixturevalue("postgres").fresh()
        open_storage = fresh.storage
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    opened: list[SQLStorage] = []

    def work() -> None:
        barrier.wait()
        try:
            storage = open_storage()
            storage.create_new_study([StudyDirection.MINIMIZE])
            opened.append(storage)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(opened[0].get_all_studies()) == 6
    for storage in opened:
        storage.close()
