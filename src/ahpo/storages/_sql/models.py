"""The database schema, as SQLAlchemy Core tables.

Alembic migrations (``migrations/versions``) create and change this schema; a test
checks that the head revision and these tables agree. Every value is plain SQL or
JSON text, never pickle, so opening a database someone hands you cannot run code.

Objective and intermediate values are stored as a ``value`` column plus a
``value_type`` column (:class:`FloatKind`): SQLite turns ``nan`` into NULL and
``-0.0`` into ``0.0`` in a REAL column, and not every driver passes ``inf``. Parameter
values are finite, kept in a plain float column (SQLite reads ``-0.0`` back as
``0.0``, which compares equal).
"""

from __future__ import annotations

import enum
import math

import sqlalchemy as sa

#: The Alembic version table; its own name so a database can also hold other apps.
VERSION_TABLE = "ahpo_version"

MAX_NAME = 512

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class FloatKind(enum.IntEnum):
    """How a stored float is to be read: the ``value`` column or a special value."""

    FINITE = 0
    INF_POS = 1
    INF_NEG = 2
    NAN = 3
    NEG_ZERO = 4


def float_to_columns(value: float) -> tuple[float | None, int]:
    """``(value, value_type)`` to store for a float, ``inf``, ``nan`` and ``-0.0`` included."""
    if value == 0.0 and math.copysign(1.0, value) < 0:
        return None, FloatKind.NEG_ZERO
    if math.isnan(value):
        return None, FloatKind.NAN
    if math.isinf(value):
        return None, FloatKind.INF_POS if value > 0 else FloatKind.INF_NEG
    return value, FloatKind.FINITE


def columns_to_float(value: float | None, value_type: int) -> float:
    """The float stored by :func:`float_to_columns`."""
    kind = FloatKind(value_type)
    if kind is FloatKind.FINITE:
        return float(value)  # type: ignore[arg-type]
    if kind is FloatKind.NAN:
        return math.nan
    if kind is FloatKind.NEG_ZERO:
        return -0.0
    return math.inf if kind is FloatKind.INF_POS else -math.inf


def _study_fk() -> sa.ForeignKey:
    return sa.ForeignKey("studies.study_id", ondelete="CASCADE")


def _trial_fk() -> sa.ForeignKey:
    return sa.ForeignKey("trials.trial_id", ondelete="CASCADE")


def _attr_table(name: str, owner: str, fk: sa.ForeignKey) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column(owner, sa.Integer, fk, primary_key=True),
        sa.Column("key", sa.String(MAX_NAME), primary_key=True),
        sa.Column("value_json", sa.Text, nullable=False),
    )


# AUTOINCREMENT on SQLite: ids are never reused after a delete, which the trial cache
# relies on (an id it has seen always means the same study or trial).
studies = sa.Table(
    "studies",
    metadata,
    sa.Column("study_id", sa.Integer, primary_key=True),
    sa.Column("study_name", sa.String(MAX_NAME), nullable=False, unique=True),
    sa.Column("datetime_created", sa.DateTime, nullable=False),
    sqlite_autoincrement=True,
)

study_directions = sa.Table(
    "study_directions",
    metadata,
    sa.Column("study_id", sa.Integer, _study_fk(), primary_key=True),
    sa.Column("objective", sa.Integer, primary_key=True),
    sa.Column("direction", sa.String(16), nullable=False),
)

study_user_attrs = _attr_table("study_user_attrs", "study_id", _study_fk())
study_system_attrs = _attr_table("study_system_attrs", "study_id", _study_fk())

trials = sa.Table(
    "trials",
    metadata,
    sa.Column("trial_id", sa.Integer, primary_key=True),
    sa.Column("study_id", sa.Integer, _study_fk(), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("datetime_start", sa.DateTime, nullable=True),
    sa.Column("datetime_complete", sa.DateTime, nullable=True),
    # Seconds since the Unix epoch by the database's clock (see storage.py).
    sa.Column("heartbeat", sa.Double, nullable=True),
    sa.UniqueConstraint("study_id", "number"),
    sa.Index(None, "study_id", "state"),
    sa.Index(None, "study_id", "trial_id"),
    sqlite_autoincrement=True,
)

# param_id keeps the order in which a trial's parameters were suggested.
trial_params = sa.Table(
    "trial_params",
    metadata,
    sa.Column("param_id", sa.Integer, primary_key=True),
    sa.Column("trial_id", sa.Integer, _trial_fk(), nullable=False),
    sa.Column("param_name", sa.String(MAX_NAME), nullable=False),
    sa.Column("param_value", sa.Double, nullable=False),
    sa.Column("distribution_json", sa.Text, nullable=False),
    sa.UniqueConstraint("trial_id", "param_name"),
)

trial_values = sa.Table(
    "trial_values",
    metadata,
    sa.Column("trial_id", sa.Integer, _trial_fk(), primary_key=True),
    sa.Column("objective", sa.Integer, primary_key=True),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("value_type", sa.Integer, nullable=False),
)

trial_intermediate_values = sa.Table(
    "trial_intermediate_values",
    metadata,
    sa.Column("trial_id", sa.Integer, _trial_fk(), primary_key=True),
    sa.Column("step", sa.BigInteger, primary_key=True),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("value_type", sa.Integer, nullable=False),
)

trial_user_attrs = _attr_table("trial_user_attrs", "trial_id", _trial_fk())
trial_system_attrs = _attr_table("trial_system_attrs", "trial_id", _trial_fk())
