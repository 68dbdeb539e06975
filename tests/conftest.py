"""Shared fixtures: every storage backend behind one parametrized ``storage`` fixture.

PostgreSQL comes from ``AHPO_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). The session works in its own
fresh schemas (via ``search_path``), so migrations run on an empty database and
nothing outside those schemas is touched; they are dropped at the end. An
unreachable server skips the PostgreSQL cases, unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ahpo.storages import BaseStorage, InMemoryStorage, SQLStorage

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

SQL_KINDS = ["sqlite_file", "sqlite_memory", pytest.param("postgres", marks=pytest.mark.postgres)]
ALL_KINDS = ["inmemory", *SQL_KINDS]
# Databases that several engines (and processes) can open at once.
SHARED_KINDS = ["sqlite_file", pytest.param("postgres", marks=pytest.mark.postgres)]


def psycopg_url(url: str) -> sa.URL:
    return sa.make_url(url).set(drivername="postgresql+psycopg")


class Postgres:
    """A reachable PostgreSQL server and one private schema on it."""

    def __init__(self, url: str, schema: str, registry: list[str]) -> None:
        self.url = url
        self.schema = schema
        self._registry = registry
        registry.append(schema)
        admin = sa.create_engine(psycopg_url(url))
        try:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        finally:
            admin.dispose()

    @property
    def engine_kwargs(self) -> dict[str, Any]:
        return {"connect_args": {"options": f"-c search_path={self.schema}"}}

    def storage(self, **kwargs: Any) -> SQLStorage:
        return SQLStorage(self.url, engine_kwargs=self.engine_kwargs, **kwargs)

    def engine(self) -> sa.Engine:
        return sa.create_engine(psycopg_url(self.url), **self.engine_kwargs)

    def fresh(self) -> Postgres:
        """Another, empty schema on the same server."""
        return Postgres(self.url, f"ahpo_test_{uuid.uuid4().hex[:12]}", self._registry)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    url = os.environ.get("AHPO_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    schemas: list[str] = []
    try:
        pg = Postgres(url, f"ahpo_test_{uuid.uuid4().hex[:12]}", schemas)
    except Exception as exc:
        reason = f"PostgreSQL at {url} is not reachable ({type(exc).__name__}: {exc})."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} CI is set, so this fails instead of skipping.")
        pytest.skip(f"{reason} Set AHPO_TEST_POSTGRES_URL or start a server.")
    yield pg
    admin = sa.create_engine(psycopg_url(url))
    with admin.begin() as conn:
        for schema in schemas:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


StorageFactory = Callable[..., BaseStorage]


@pytest.fixture
def make_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StorageFactory]:
    """``make_storage(kind, **kwargs)``; the same kind opens the same database again."""
    opened: list[tuple[str, BaseStorage]] = []

    def make(kind: str, **kwargs: Any) -> BaseStorage:
        storage: BaseStorage
        if kind == "inmemory":
            storage = InMemoryStorage()
        elif kind == "sqlite_file":
            storage = SQLStorage(f"sqlite:///{tmp_path / 'ahpo.db'}", **kwargs)
        elif kind == "sqlite_memory":
            storage = SQLStorage("sqlite:///:memory:", **kwargs)
        elif kind == "postgres":
            storage = request.getfixturevalue("postgres").storage(**kwargs)
        else:
            raise ValueError(kind)
        opened.append((kind, storage))
        return storage

    yield make
    for kind, storage in opened:
        if kind == "postgres":  # the schema lives all session: leave it empty
            for study in storage.get_all_studies():
                storage.delete_study(study.study_id)
        storage.close()


@pytest.fixture(params=ALL_KINDS)
def storage(request: pytest.FixtureRequest, make_storage: StorageFactory) -> BaseStorage:
    return make_storage(request.param)


@pytest.fixture(params=SQL_KINDS)
def sql_storage(request: pytest.FixtureRequest, make_storage: StorageFactory) -> SQLStorage:
    storage = make_storage(request.param)
    assert isinstance(storage, SQLStorage)
    return storage


@pytest.fixture(params=SHARED_KINDS)
def shared_kind(request: pytest.FixtureRequest) -> str:
    """A backend that several storage objects can open at once."""
    return request.param
