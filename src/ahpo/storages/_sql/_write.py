"""Writing helpers of the SQL storage: upserts, row locks and rows from records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ahpo._exceptions import UpdateFinishedTrialError
from ahpo._validation import type_error
from ahpo.distributions import distribution_to_json
from ahpo.storages._sql.models import (
    float_to_columns,
    studies,
    trial_intermediate_values,
    trial_params,
    trial_system_attrs,
    trial_user_attrs,
    trial_values,
    trials,
)
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


def to_json(param: str, value: Any) -> str:
    """``json.dumps(value)``; a ``TypeError`` naming ``param`` if it is not JSON."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        raise type_error(
            param, "JSON-serializable (None, bool, int, float, str, list, dict)", value
        ) from None


def upsert(
    conn: Connection, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """Insert ``rows``, or update the non-key columns of rows with the same ``keys``."""
    if not rows:
        return
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    updates = {name: insert.excluded[name] for name in rows[0] if name not in keys}
    conn.execute(insert.on_conflict_do_update(index_elements=list(keys), set_=updates), rows)


def require_study(conn: Connection, study_id: int) -> None:
    """Raise ``KeyError`` unless the study exists."""
    found = conn.execute(sa.select(studies.c.study_id).where(studies.c.study_id == study_id))
    if found.first() is None:
        raise KeyError(f"No study with id {study_id}.")


def lock_unfinished_trial(conn: Connection, trial_id: int) -> sa.Row[Any]:
    """Lock a trial's row for this transaction; raise if it is unknown or finished."""
    row = conn.execute(
        sa.select(trials.c.number, trials.c.state, trials.c.datetime_start)
        .where(trials.c.trial_id == trial_id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: children inserts still pass
    ).first()
    if row is None:
        raise KeyError(f"No trial with id {trial_id}.")
    if TrialState[row.state].is_finished():
        raise UpdateFinishedTrialError(
            f"Trial {row.number} (id {trial_id}) is already {row.state}; "
            "finished trials cannot change."
        )
    return row


def float_rows(key: str, floats: dict[int, float]) -> list[dict[str, Any]]:
    """Rows of ``(key, value, value_type)`` for ``{key: float}``, inf and nan included."""
    rows = []
    for k, v in floats.items():
        value, value_type = float_to_columns(float(v))
        rows.append({key: int(k), "value": value, "value_type": int(value_type)})
    return rows


def template_rows(template: FrozenTrial) -> dict[sa.Table, list[dict[str, Any]]]:
    """The child rows (without ``trial_id``) that store a template trial."""
    dists = template.distributions
    return {
        trial_params: [
            {
                "param_name": name,
                "param_value": dists[name].to_internal_repr(value),
                "distribution_json": distribution_to_json(dists[name]),
            }
            for name, value in template.params.items()
        ],
        trial_values: float_rows("objective", dict(enumerate(template.values or ()))),
        trial_intermediate_values: float_rows("step", dict(template.intermediate_values)),
        trial_user_attrs: [
            {"key": k, "value_json": to_json(f"user_attrs[{k!r}]", v)}
            for k, v in template.user_attrs.items()
        ],
        trial_system_attrs: [
            {"key": k, "value_json": to_json(f"system_attrs[{k!r}]", v)}
            for k, v in template.system_attrs.items()
        ],
    }
