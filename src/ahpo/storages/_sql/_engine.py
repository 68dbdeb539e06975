"""Engines, transactions, retries and the translation of backend errors.

Every database call of the SQL storage goes through :meth:`Database.run`: one
transaction per call, retried with backoff when the backend says "try again"
(SQLite busy, PostgreSQL serialization failure or deadlock, a dropped connection),
and any remaining backend error turned into :class:`ahpo.StorageError` here, in one
place, carrying the backend's own reason.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from ahpo._exceptions import StorageError, StorageVersionError
from ahpo._validation import invalid, type_error

T = TypeVar("T")

#: Seconds SQLite waits for another process's write lock before reporting "busy".
SQLITE_BUSY_TIMEOUT = 30.0
#: Seconds a call keeps reconnecting to a database that went away (e.g. a restart).
RECONNECT_WINDOW = 60.0
_ATTEMPTS = 10
_BACKOFF_BASE = 0.02
_BACKOFF_MAX = 1.0
# PostgreSQL SQLSTATEs after which the transaction was rolled back and may be re-run.
_PG_RETRY_STATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
# Connection execution option that makes a SQLite transaction BEGIN IMMEDIATE.
_WRITE = "ahpo_write"


def normalize_url(url: Any) -> URL:
    """Parse a database URL; ``postgresql://`` is given the psycopg (3) driver.

    Only SQLite and PostgreSQL are supported: the storage uses their upserts, row
    locks and clocks.
    """
    if not isinstance(url, (str, URL)):
        raise type_error("url", "a database URL string", url, owner="SQLStorage")
    must = "a 'sqlite:///path', 'sqlite:///:memory:' or 'postgresql+psycopg://...' URL"
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise invalid("url", must, url, owner="SQLStorage") from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if parsed.drivername in ("postgres", "postgresql"):
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise invalid("url", must, url, owner="SQLStorage")
    return parsed


def is_sqlite_memory(url: URL) -> bool:
    """Whether the URL names a private in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def epoch_now(dialect: str) -> sa.ColumnElement[float]:
    """The database's clock as seconds since the Unix epoch (a float).

    Heartbeats are written and judged with this one expression, so the clocks of the
    workers' machines never enter the comparison.
    """
    if dialect == "sqlite":
        return (sa.func.julianday("now") - 2440587.5) * 86400.0
    return sa.cast(sa.extract("epoch", sa.func.now()), sa.Double)


def _install_sqlite_events(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite; "begin" below emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
                if mode.lower() != "wal":
                    cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock up front: two processes that both read and
        # then try to upgrade to writing would otherwise fail with "database is locked".
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(url: URL, engine_kwargs: dict[str, Any] | None) -> Engine:
    """An engine with the storage's defaults, overridden by ``engine_kwargs``."""
    kwargs: dict[str, Any]
    if url.get_backend_name() == "sqlite":
        memory = is_sqlite_memory(url)
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT}}
        if memory:
            # One connection for the whole storage, or each one would see its own
            # empty database.
            kwargs["poolclass"] = StaticPool
    else:
        memory = False
        # SQLAlchemy's connection pool, without pool_pre_ping: a pooled connection
        # that died is detected by its first statement and the transaction is re-run
        # (Database.run), so a checkout costs no extra round trip.
        kwargs = {}
    kwargs.update(engine_kwargs or {})
    engine = sa.create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _install_sqlite_events(engine, memory)
    return engine


class Database:
    """An engine plus the one way to run a transaction on it.

    Parameters
    ----------
    url
        A URL accepted by :func:`normalize_url`.
    engine_kwargs
        Extra keyword arguments for :func:`sqlalchemy.create_engine`.
    """

    def __init__(self, url: Any, engine_kwargs: dict[str, Any] | None = None) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(self.url, engine_kwargs)
        self.dialect: str = self.engine.dialect.name
        self._dbapi_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        # Reconnecting is for a server that went away; one never reached fails fast.
        self._reached = False
        # The single connection of an in-memory database cannot be shared by threads.
        self._serial: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if is_sqlite_memory(self.url) else contextlib.nullcontext()
        )

    def run(
        self,
        fn: Callable[[Connection], T],
        *,
        write: bool = False,
        idempotent: bool = True,
        committed: Callable[[Connection, T], bool] | None = None,
    ) -> T:
        """Run ``fn(connection)`` in one transaction, commit, and return its result.

        ``write`` begins SQLite transactions with ``BEGIN IMMEDIATE``. A transaction
        that failed before its commit is re-run when the backend asks for a retry
        (busy, serialization failure, deadlock: up to ``_ATTEMPTS`` times; a dropped
        or refused connection to a server reached before: for
        :data:`RECONNECT_WINDOW` seconds). When the connection drops during the
        commit, the transaction may have committed: an ``idempotent`` one is simply
        re-run; otherwise ``committed(conn, result)``, if given, checks in a new
        transaction whether it did (then ``result`` is returned), and without it the
        error is raised. Exceptions raised by ``fn`` itself (``KeyError``,
        ``ValueError``, ...) pass through after a rollback.
        """
        attempt = 0
        started = time.monotonic()
        unsure: tuple[T] | None = None  # the result of a commit that may have happened
        while True:
            committing = False
            try:
                with self._serial, self.engine.connect() as conn:
                    if write:
                        conn.execution_options(**{_WRITE: True})
                    transaction = conn.begin()
                    if unsure is not None and committed is not None:
                        if committed(conn, unsure[0]):
                            transaction.commit()
                            return unsure[0]
                        unsure = None
                    self._reached = True
                    result = fn(conn)
                    committing = True
                    transaction.commit()
                    return result
            except (sa.exc.SQLAlchemyError, self._dbapi_error) as exc:
                attempt += 1
                dropped = self._dropped(exc)
                if committing and dropped and not idempotent:
                    if committed is None:
                        raise self.translate(exc) from exc
                    unsure = (result,)
                if dropped:
                    if not self._reached or time.monotonic() - started > RECONNECT_WINDOW:
                        raise self.translate(exc) from exc
                elif attempt >= _ATTEMPTS or not self._retriable(exc):
                    raise self.translate(exc) from exc
            delay = min(_BACKOFF_MAX, _BACKOFF_BASE * 2 ** min(attempt, 10))
            time.sleep(delay * random.uniform(0.5, 1.5))

    def _retriable(self, exc: BaseException) -> bool:
        """Whether the backend rolled the transaction back and asks for a re-run."""
        orig = getattr(exc, "orig", None) or exc
        if self.dialect == "sqlite":
            text = str(orig).lower()
            return "database is locked" in text or "database is busy" in text
        return getattr(orig, "sqlstate", None) in _PG_RETRY_STATES

    def _dropped(self, exc: BaseException) -> bool:
        """Whether the connection to a server was lost or refused (never for SQLite)."""
        if self.dialect == "sqlite" or self._retriable(exc):
            return False
        if getattr(exc, "connection_invalidated", False):
            return True
        orig = getattr(exc, "orig", None) or exc
        state = getattr(orig, "sqlstate", None) or ""
        # Class 08: connection exceptions; 57P01-03: the server is shutting down/starting.
        if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
            return True
        return isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) and not state

    def translate(self, exc: BaseException) -> StorageError:
        """The :class:`StorageError` for a backend error, with the backend's reason."""
        orig = getattr(exc, "orig", None) or exc
        where = self.url.render_as_string(hide_password=True)
        reason = f"{type(orig).__name__}: {orig}".strip()
        if self.dialect == "sqlite" and "file is not a database" in str(orig):
            return StorageVersionError(
                f"{self.url.database!r} is not a SQLite database, so not an ahpo storage "
                f"({reason}). Pass the path of an ahpo database or of a new file."
            )
        return StorageError(f"The database {where} failed: {reason}")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
