"""Reading records: trial rows plus their children as FrozenTrials, and studies."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ahpo._direction import StudyDirection
from ahpo.distributions import BaseDistribution, json_to_distribution
from ahpo.storages._base import FrozenStudy
from ahpo.storages._sql.models import (
    columns_to_float,
    studies,
    study_directions,
    study_system_attrs,
    study_user_attrs,
    trial_intermediate_values,
    trial_params,
    trial_system_attrs,
    trial_user_attrs,
    trial_values,
    trials,
)
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

#: Most ids bound in one ``IN (...)`` list (SQLite allows 32,766 variables per statement).
MAX_IDS_PER_QUERY = 5000


@functools.lru_cache(maxsize=4096)
def parse_distribution(text: str) -> BaseDistribution:
    """A distribution from its JSON; distributions are immutable, so parses are shared."""
    return json_to_distribution(text)


def load_trials(conn: Connection, where: sa.ColumnElement[bool]) -> list[FrozenTrial]:
    """The trials matching ``where`` (a condition on ``trials``), with everything in them.

    Six queries whatever the number of trials: the trial rows, then each child table
    for the ids the same condition selects.
    """
    rows = conn.execute(sa.select(trials).where(where)).all()
    if not rows:
        return []
    wanted = {row.trial_id for row in rows}
    ids = sa.select(trials.c.trial_id).where(where)

    def children(table: sa.Table, *order: sa.ColumnElement[Any]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = defaultdict(list)
        query = sa.select(table).where(table.c.trial_id.in_(ids)).order_by(*order)
        for child in conn.execute(query):
            if child.trial_id in wanted:  # a trial committed after `rows` were read
                out[child.trial_id].append(child)
        return out

    params = children(trial_params, trial_params.c.param_id)
    values = children(trial_values, trial_values.c.objective)
    intermediate = children(trial_intermediate_values, trial_intermediate_values.c.step)
    user_attrs = children(trial_user_attrs, trial_user_attrs.c.key)
    system_attrs = children(trial_system_attrs, trial_system_attrs.c.key)

    out = []
    for row in rows:
        tid = row.trial_id
        distributions = {p.param_name: parse_distribution(p.distribution_json) for p in params[tid]}
        out.append(
            FrozenTrial(
                number=row.number,
                state=TrialState[row.state],
                values=tuple(columns_to_float(v.value, v.value_type) for v in values[tid]) or None,
                params={
                    p.param_name: distributions[p.param_name].to_external_repr(p.param_value)
                    for p in params[tid]
                },
                distributions=distributions,
                intermediate_values={
                    v.step: columns_to_float(v.value, v.value_type) for v in intermediate[tid]
                },
                user_attrs={a.key: json.loads(a.value_json) for a in user_attrs[tid]},
                system_attrs={a.key: json.loads(a.value_json) for a in system_attrs[tid]},
                datetime_start=row.datetime_start,
                datetime_complete=row.datetime_complete,
                trial_id=tid,
            )
        )
    return out


def load_changed_trials(
    conn: Connection, study_id: int, max_seen_id: int, unfinished_ids: list[int]
) -> list[FrozenTrial]:
    """The study's trials with ``trial_id > max_seen_id`` or an id in ``unfinished_ids``.

    Long id lists are split so no statement binds more than :data:`MAX_IDS_PER_QUERY`.
    """
    chunks = [
        unfinished_ids[i : i + MAX_IDS_PER_QUERY]
        for i in range(0, len(unfinished_ids), MAX_IDS_PER_QUERY)
    ] or [[]]
    in_study = trials.c.study_id == study_id
    out = load_trials(
        conn, in_study & ((trials.c.trial_id > max_seen_id) | trials.c.trial_id.in_(chunks[0]))
    )
    for chunk in chunks[1:]:
        out.extend(load_trials(conn, in_study & trials.c.trial_id.in_(chunk)))
    return out


def load_studies(conn: Connection) -> list[FrozenStudy]:
    """Every study with its directions, attributes, trial count and first start."""
    directions: dict[int, list[StudyDirection]] = {}
    for row in conn.execute(
        sa.select(study_directions).order_by(
            study_directions.c.study_id, study_directions.c.objective
        )
    ):
        directions.setdefault(row.study_id, []).append(StudyDirection[row.direction])
    attrs: dict[tuple[str, int], dict[str, Any]] = {}
    for kind, table in (("user", study_user_attrs), ("system", study_system_attrs)):
        for row in conn.execute(sa.select(table).order_by(table.c.study_id, table.c.key)):
            attrs.setdefault((kind, row.study_id), {})[row.key] = json.loads(row.value_json)
    counts = {
        row.study_id: row
        for row in conn.execute(
            sa.select(
                trials.c.study_id,
                sa.func.count().label("n"),
                sa.func.min(trials.c.datetime_start).label("start"),
            ).group_by(trials.c.study_id)
        )
    }
    out = []
    for sid, name in conn.execute(
        sa.select(studies.c.study_id, studies.c.study_name).order_by(studies.c.study_id)
    ):
        count = counts.get(sid)
        out.append(
            FrozenStudy(
                study_id=sid,
                study_name=name,
                directions=tuple(directions.get(sid, ())),
                user_attrs=attrs.get(("user", sid), {}),
                system_attrs=attrs.get(("system", sid), {}),
                n_trials=0 if count is None else count.n,
                datetime_start=None if count is None else count.start,
            )
        )
    return out
