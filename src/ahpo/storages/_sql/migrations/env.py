"""Alembic environment: migrate the connection that ahpo hands over.

ahpo runs Alembic from code (``ahpo.storages._sql._migrate``) with a Config built
there; the open connection, already inside a locked transaction, arrives in
``config.attributes["connection"]``. No ``alembic.ini`` and no logging setup.
"""

from __future__ import annotations

from alembic import context

from ahpo.storages._sql.models import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
