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


# The kinds of child rows, in the order of the UNION in _children_query.
_PARAM, _VALUE, _INTERMEDIATE, _USER_ATTR, _SYSTEM_ATTR = range(5)


def _children_query(ids: sa.Select[Any]) -> sa.CompoundSelect:
    """Every child row of the trials in ``ids``, as one UNION ALL (one round trip).

    Columns: ``kind, trial_id, key, num, n1, n2, text``; rows come in the order the
    records need (params by id, values by objective, intermediate values by step,
    attributes by key).
    """
    def part(
        kind: int,
        table: sa.Table,
        key: Any = None,
        num: Any = None,
        n1: Any = None,
        n2: Any = None,
        text: Any = None,
    ) -> sa.Select[Any]:
        return sa.select(
            sa.literal(kind, sa.Integer).label("kind"),
            table.c.trial_id,
            sa.cast(key, sa.Text).label("key"),
            sa.cast(num, sa.Double).label("num"),
            sa.cast(n1, sa.BigInteger).label("n1"),
            sa.cast(n2, sa.Integer).label("n2"),
            sa.cast(text, sa.Text).label("text"),
        ).where(table.c.trial_id.in_(ids))

    p, v, i = trial_params.c, trial_values.c, trial_intermediate_values.c
    union = sa.union_all(
        part(_PARAM, trial_params, key=p.param_name, num=p.param_value, n1=p.param_id,
             text=p.distribution_json),
        part(_VALUE, trial_values, num=v.value, n1=v.objective, n2=v.value_type),
        part(_INTERMEDIATE, trial_intermediate_values, num=i.value, n1=i.step,
             n2=i.value_type),
        part(_USER_ATTR, trial_user_attrs, key=trial_user_attrs.c.key,
             text=trial_user_attrs.c.value_json),
        part(_SYSTEM_ATTR, trial_system_attrs, key=trial_system_attrs.c.key,
             text=trial_system_attrs.c.value_json),
    )
    return union.order_by("kind", "trial_id", "n1", "key")


def load_trials(conn: Connection, where: sa.ColumnElement[bool]) -> list[FrozenTrial]:
    """The trials matching ``where`` (a condition on ``trials``), with everything in them.

    Two queries whatever the number of trials: the trial rows, then every child row
    of the ids the same condition selects.
    """
    rows = conn.execute(sa.select(trials).where(where)).all()
    if not rows:
        return []
    wanted = {row.trial_id for row in rows}
    children: dict[int, list[list[Any]]] = defaultdict(lambda: [[], [], [], [], []])
    for child in conn.execute(_children_query(sa.select(trials.c.trial_id).where(where))):
        if child.trial_id in wanted:  # a trial committed after `rows` were read
            children[child.trial_id][child.kind].append(child)

    out = []
    for row in rows:
        tid = row.trial_id
        params, values, intermediate, user_attrs, system_attrs = children[tid]
        distributions = {p.key: parse_distribution(p.text) for p in params}
        out.append(
            FrozenTrial(
                number=row.number,
                state=TrialState[row.state],
                values=tuple(columns_to_float(v.num, v.n2) for v in values) or None,
                params={p.key: distributions[p.key].to_external_repr(p.num) for p in params},
                distributions=distributions,
                intermediate_values={v.n1: columns_to_float(v.num, v.n2) for v in intermediate},
                user_attrs={a.key: json.loads(a.text) for a in user_attrs},
                system_attrs={a.key: json.loads(a.text) for a in system_attrs},
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
