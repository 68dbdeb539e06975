"""Create and upgrade the schema with Alembic, run from code.

Opening a storage costs one query when the schema is current (read the version
table). Otherwise the migration runs under a lock, so several processes opening a new
database at once create it once: PostgreSQL takes a transaction-level advisory lock;
SQLite's ``BEGIN IMMEDIATE`` already holds the database's write lock.
"""

from __future__ import annotations

import functools
import zlib
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from ahpo._exceptions import StorageVersionError
from ahpo.storages._sql._engine import Database
from ahpo.storages._sql.models import VERSION_TABLE

_MIGRATIONS = Path(__file__).with_name("migrations")
_ADVISORY_LOCK_KEY = zlib.crc32(b"ahpo schema migration")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for the shipped migrations, bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest schema revision this ahpo knows."""
    head = _script().get_current_head()
    if head is None:
        raise RuntimeError("ahpo ships no schema migrations; the installation is broken.")
    return head


def _known_revisions() -> set[str]:
    return {script.revision for script in _script().walk_revisions()}


def _read_version(conn: Connection) -> str | None:
    try:
        return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        return None  # no version table (yet): the locked path below decides


def _upgrade(conn: Connection, where: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK_KEY)))
    tables = set(sa.inspect(conn).get_table_names())
    if VERSION_TABLE not in tables:
        if tables:
            raise StorageVersionError(
                f"The database {where} is not an ahpo database: it has tables "
                f"({', '.join(sorted(tables)[:5])}, ...) but no {VERSION_TABLE!r} table. "
                "Use an empty database or one created by ahpo."
            )
        current = None
    else:
        current = _read_version(conn)
    if current is not None and current not in _known_revisions():
        raise StorageVersionError(
            f"The database {where} was written by a newer ahpo (schema revision "
            f"{current!r}; this ahpo knows revisions up to {head_revision()!r}). "
            "Upgrade ahpo to open it."
        )
    if current != head_revision():
        command.upgrade(alembic_config(conn), "head")


def ensure_schema(db: Database) -> None:
    """Bring the database to the head revision, or explain why it cannot be opened.

    Raises
    ------
    ahpo.StorageVersionError
        The schema is newer than this ahpo, or the database is not an ahpo database.
    """
    if db.run(_read_version) == head_revision():
        return
    where = db.url.render_as_string(hide_password=True)
    db.run(lambda conn: _upgrade(conn, where), write=True)
