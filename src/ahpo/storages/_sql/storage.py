"""SQLStorage: studies and trials in SQLite or PostgreSQL, safe for many processes."""

from __future__ import annotations

import json
import math
import numbers
import uuid
from collections.abc import Callable, Container, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ahpo._direction import StudyDirection
from ahpo._exceptions import DuplicatedStudyError
from ahpo._validation import invalid, type_error
from ahpo.distributions import BaseDistribution, check_compatible, distribution_to_json
from ahpo.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, FrozenStudy, utcnow
from ahpo.storages._sql._cache import TrialCache
from ahpo.storages._sql._engine import Database, epoch_now, is_sqlite_memory
from ahpo.storages._sql._migrate import ensure_schema
from ahpo.storages._sql._read import (
    load_changed_trials,
    load_studies,
    load_trials,
    parse_distribution,
)
from ahpo.storages._sql._write import (
    float_rows,
    lock_unfinished_trial,
    require_study,
    template_rows,
    to_json,
    upsert,
)
from ahpo.storages._sql.models import (
    MAX_NAME,
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
from ahpo.trial._frozen import FAIL_REASON_KEY, FrozenTrial
from ahpo.trial._state import TrialState

_OWNER = "SQLStorage"


def _positive_seconds(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise type_error(name, "None or a number of seconds", value, owner=_OWNER)
    if not (math.isfinite(value) and value > 0):
        raise invalid(name, "None or a finite number of seconds > 0", value, owner=_OWNER)
    return float(value)


def _state_names(states: Container[TrialState]) -> list[str]:
    return [state.name for state in TrialState if state in states]


class SQLStorage(BaseStorage):
    """Studies and trials in a SQL database: a SQLite file or PostgreSQL.

    Many threads and processes (and, with PostgreSQL, machines) may share one
    database: every method is one transaction, trial numbers are given out under a
    lock on the study, each WAITING trial is claimed once, and transient backend
    errors are retried. Any other backend error is raised as
    :class:`ahpo.StorageError` carrying the backend's reason.

    The schema is created and upgraded by Alembic migrations shipped with ahpo
    when the storage opens; a database written by a newer ahpo, or one that is not an
    ahpo database, raises :class:`ahpo.StorageVersionError`.

    Reads are incremental: finished trials are read once and cached, and
    :meth:`get_all_trials` reads only new trials and those not finished at the last
    read. Attributes are stored as JSON, never pickle: tuples come back as lists and
    dict keys as strings.

    Parameters
    ----------
    url
        ``"sqlite:///path/to/file.db"``, ``"sqlite:///:memory:"`` (one private
        database for this storage object), or ``"postgresql+psycopg://user@host/db"``
        (``postgresql://`` gets the psycopg driver; install ``ahpo[postgres]``).
    heartbeat_interval
        Seconds between heartbeats of running trials, or ``None`` (the default) to
        run without heartbeats.
    grace_period
        Seconds without a heartbeat after which :meth:`fail_stale_trials` fails a
        RUNNING trial; defaults to ``2 * heartbeat_interval``. Needs
        ``heartbeat_interval``.
    failed_trial_callback
        Called by the study as ``callback(study, trial)`` for each trial failed for
        missing heartbeats, e.g. a :class:`ahpo.storages.RetryFailedTrialCallback`.
    engine_kwargs
        Extra keyword arguments for :func:`sqlalchemy.create_engine`; they override
        the storage's defaults.

    Examples
    --------
    >>> from ahpo import StudyDirection, TrialState
    >>> from ahpo.storages import SQLStorage
    >>> storage = SQLStorage("sqlite:///:memory:")
    >>> study_id = storage.create_new_study([StudyDirection.MINIMIZE], "demo")
    >>> trial = storage.create_new_trial(study_id)
    >>> storage.set_trial_state_values(trial.trial_id, TrialState.COMPLETE, [0.5])
    >>> [t.values for t in storage.get_all_trials(study_id)]
    [(0.5,)]
    >>> storage.close()
    """

    def __init__(
        self,
        url: str,
        *,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        failed_trial_callback: Callable[[Any, FrozenTrial], None] | None = None,
        engine_kwargs: dict[str, Any] | None = None,
    ) -> None:
        interval = _positive_seconds("heartbeat_interval", heartbeat_interval)
        grace = _positive_seconds("grace_period", grace_period)
        if grace is not None and interval is None:
            raise invalid(
                "grace_period", "None when heartbeat_interval is None", grace_period, owner=_OWNER
            )
        if failed_trial_callback is not None and not callable(failed_trial_callback):
            raise type_error(
                "failed_trial_callback", "None or a callable", failed_trial_callback, owner=_OWNER
            )
        if engine_kwargs is not None and not isinstance(engine_kwargs, dict):
            raise type_error("engine_kwargs", "None or a dict", engine_kwargs, owner=_OWNER)
        self.heartbeat_interval = interval
        self.grace_period = None if interval is None else (grace or 2.0 * interval)
        self.failed_trial_callback = failed_trial_callback
        self._init_args = (
            url,
            heartbeat_interval,
            grace_period,
            failed_trial_callback,
            engine_kwargs,
        )
        self._db = Database(url, engine_kwargs)
        try:
            ensure_schema(self._db)
        except BaseException:
            self._db.dispose()
            raise
        self._cache = TrialCache()

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._db.url.render_as_string(hide_password=True)

    @property
    def shareable(self) -> bool:
        """Whether other processes can open this database (not ``sqlite:///:memory:``)."""
        return not is_sqlite_memory(self._db.url)

    def __repr__(self) -> str:
        return f"SQLStorage({self.url!r})"

    def __getstate__(self) -> tuple[Any, ...]:
        # A storage sent to another process reconnects there (an in-memory database
        # cannot be shared this way: the copy opens a new, empty one).
        return self._init_args

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        url, interval, grace, callback, engine_kwargs = state
        self.__init__(  # type: ignore[misc]
            url,
            heartbeat_interval=interval,
            grace_period=grace,
            failed_trial_callback=callback,
            engine_kwargs=engine_kwargs,
        )

    def close(self) -> None:
        self._db.dispose()

    # ---- studies ----------------------------------------------------------------
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        if study_name is not None and not isinstance(study_name, str):
            raise type_error("study_name", "None or a str", study_name)
        name = study_name or f"{DEFAULT_STUDY_NAME_PREFIX}{uuid.uuid4()}"
        if len(name) > MAX_NAME:
            raise invalid("study_name", f"at most {MAX_NAME} characters long", name)
        rows = [
            {"objective": i, "direction": StudyDirection(d).name} for i, d in enumerate(directions)
        ]

        def create(conn: Connection) -> int:
            try:
                result = conn.execute(
                    sa.insert(studies).values(study_name=name, datetime_created=utcnow())
                )
            except sa.exc.IntegrityError:
                raise DuplicatedStudyError(f"A study named {name!r} already exists.") from None
            study_id = int(result.inserted_primary_key[0])
            if rows:
                conn.execute(
                    sa.insert(study_directions), [{"study_id": study_id, **r} for r in rows]
                )
            return study_id

        return self._db.run(create, write=True, idempotent=False)

    def delete_study(self, study_id: int) -> None:
        def delete(conn: Connection) -> None:
            # ON DELETE CASCADE removes the directions, attributes, trials and children.
            if conn.execute(sa.delete(studies).where(studies.c.study_id == study_id)).rowcount == 0:
                raise KeyError(f"No study with id {study_id}.")

        self._db.run(delete, write=True, idempotent=False)
        self._cache.forget(study_id)

    def get_study_id_from_name(self, study_name: str) -> int:
        query = sa.select(studies.c.study_id).where(studies.c.study_name == study_name)
        study_id = self._db.run(lambda conn: conn.execute(query).scalar())
        if study_id is None:
            raise KeyError(f"No study named {study_name!r}.")
        return int(study_id)

    def get_study_name_from_id(self, study_id: int) -> str:
        query = sa.select(studies.c.study_name).where(studies.c.study_id == study_id)
        name = self._db.run(lambda conn: conn.execute(query).scalar())
        if name is None:
            raise KeyError(f"No study with id {study_id}.")
        return str(name)

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        def read(conn: Connection) -> list[StudyDirection]:
            names = conn.execute(
                sa.select(study_directions.c.direction)
                .where(study_directions.c.study_id == study_id)
                .order_by(study_directions.c.objective)
            ).scalars()
            directions = [StudyDirection[name] for name in names]
            if not directions:
                require_study(conn, study_id)
            return directions

        return self._db.run(read)

    def _set_study_attr(self, table: sa.Table, study_id: int, key: str, value: Any) -> None:
        row = {"study_id": study_id, "key": key, "value_json": to_json("value", value)}

        def write(conn: Connection) -> None:
            require_study(conn, study_id)
            upsert(conn, table, ("study_id", "key"), [row])

        self._db.run(write, write=True)

    def _get_study_attrs(self, table: sa.Table, study_id: int) -> dict[str, Any]:
        def read(conn: Connection) -> dict[str, Any]:
            rows = conn.execute(
                sa.select(table.c.key, table.c.value_json)
                .where(table.c.study_id == study_id)
                .order_by(table.c.key)
            ).all()
            if not rows:
                require_study(conn, study_id)
            return {key: json.loads(text) for key, text in rows}

        return self._db.run(read)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_user_attrs, study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_system_attrs, study_id, key, value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self._get_study_attrs(study_user_attrs, study_id)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self._get_study_attrs(study_system_attrs, study_id)

    def get_all_studies(self) -> list[FrozenStudy]:
        return self._db.run(load_studies)

    # ---- trials -----------------------------------------------------------------
    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        now = utcnow()
        if template is None:
            template = FrozenTrial(
                number=-1, state=TrialState.RUNNING, values=None, params={}, distributions={}
            )
            start, end = now, None
        else:
            start = template.datetime_start
            if start is None and template.state != TrialState.WAITING:
                start = now
            end = template.datetime_complete
            if end is None and template.state.is_finished():
                end = now
        state = template.state
        children = template_rows(template)

        def create(conn: Connection) -> tuple[int, int]:
            # The study row lock serializes trial creation per study: numbers are
            # gapless and ids commit in increasing order (the trial cache needs that).
            # NO KEY UPDATE still lets other transactions insert rows referencing it.
            locked = conn.execute(
                sa.select(studies.c.study_id)
                .where(studies.c.study_id == study_id)
                .with_for_update(key_share=True)
            ).first()
            if locked is None:
                raise KeyError(f"No study with id {study_id}.")
            number = conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(trials.c.number) + 1, 0)).where(
                    trials.c.study_id == study_id
                )
            ).scalar_one()
            running = state == TrialState.RUNNING
            result = conn.execute(
                sa.insert(trials).values(
                    study_id=study_id,
                    number=number,
                    state=state.name,
                    datetime_start=start,
                    datetime_complete=end,
                    heartbeat=epoch_now(conn.dialect.name) if running else None,
                )
            )
            trial_id = int(result.inserted_primary_key[0])
            for table, rows in children.items():
                if rows:
                    conn.execute(sa.insert(table), [{"trial_id": trial_id, **r} for r in rows])
            return trial_id, number

        def created(conn: Connection, result: tuple[int, int]) -> bool:
            found = conn.execute(
                sa.select(trials.c.number).where(trials.c.trial_id == result[0])
            ).scalar()
            return found == result[1]

        trial_id, number = self._db.run(create, write=True, idempotent=False, committed=created)
        dists = template.distributions
        return FrozenTrial(
            number=number,
            state=state,
            values=None if template.values is None else tuple(float(v) for v in template.values),
            params={
                row["param_name"]: dists[row["param_name"]].to_external_repr(row["param_value"])
                for row in children[trial_params]
            },
            distributions=dict(dists),
            intermediate_values={
                int(step): float(v) for step, v in template.intermediate_values.items()
            },
            user_attrs={r["key"]: json.loads(r["value_json"]) for r in children[trial_user_attrs]},
            system_attrs={
                r["key"]: json.loads(r["value_json"]) for r in children[trial_system_attrs]
            },
            datetime_start=start,
            datetime_complete=end,
            trial_id=trial_id,
        )

    def claim_waiting_trial(self, study_id: int) -> int | None:
        def any_waiting(conn: Connection) -> bool:
            require_study(conn, study_id)
            return (
                conn.execute(
                    sa.select(trials.c.trial_id)
                    .where(trials.c.study_id == study_id, trials.c.state == TrialState.WAITING.name)
                    .limit(1)
                ).scalar()
                is not None
            )

        start = utcnow()

        def claim(conn: Connection) -> int | None:
            while True:
                # SKIP LOCKED: concurrent claimers on PostgreSQL take different rows
                # instead of queueing on the same one (SQLite writers are serialized).
                trial_id = conn.execute(
                    sa.select(trials.c.trial_id)
                    .where(trials.c.study_id == study_id, trials.c.state == TrialState.WAITING.name)
                    .order_by(trials.c.number)
                    .limit(1)
                    .with_for_update(skip_locked=True, key_share=True)
                ).scalar()
                if trial_id is None:
                    require_study(conn, study_id)
                    return None
                claimed = conn.execute(
                    sa.update(trials)
                    .where(trials.c.trial_id == trial_id, trials.c.state == TrialState.WAITING.name)
                    .values(
                        state=TrialState.RUNNING.name,
                        datetime_start=start,
                        heartbeat=epoch_now(conn.dialect.name),
                    )
                )
                if claimed.rowcount == 1:
                    return int(trial_id)

        # Nothing is waiting on most asks: a read answers that without taking SQLite's
        # write lock. A trial enqueued just after the read is claimed by the next ask.
        if not self._db.run(any_waiting):
            return None
        def claimed(conn: Connection, trial_id: int | None) -> bool:
            if trial_id is None:
                return True
            row = conn.execute(
                sa.select(trials.c.state, trials.c.datetime_start).where(
                    trials.c.trial_id == trial_id
                )
            ).one()
            return row.state == TrialState.RUNNING.name and row.datetime_start == start

        return self._db.run(claim, write=True, idempotent=False, committed=claimed)

    def set_trial_param(
        self, trial_id: int, name: str, internal_value: float, distribution: BaseDistribution
    ) -> None:
        distribution.to_external_repr(internal_value)  # fails like InMemoryStorage on bad input
        row = {
            "trial_id": trial_id,
            "param_name": name,
            "param_value": float(internal_value),
            "distribution_json": distribution_to_json(distribution),
        }

        def write(conn: Connection) -> None:
            lock_unfinished_trial(conn, trial_id)
            old = conn.execute(
                sa.select(trial_params.c.distribution_json).where(
                    trial_params.c.trial_id == trial_id, trial_params.c.param_name == name
                )
            ).scalar()
            if old is not None:
                check_compatible(name, parse_distribution(old), distribution)
            upsert(conn, trial_params, ("trial_id", "param_name"), [row])

        self._db.run(write, write=True)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> None:
        state = TrialState(state)
        value_rows = None if values is None else float_rows("objective", dict(enumerate(values)))
        end = utcnow()

        def write(conn: Connection) -> None:
            row = lock_unfinished_trial(conn, trial_id)
            changes: dict[str, Any] = {"state": state.name}
            if state == TrialState.RUNNING:
                changes["heartbeat"] = epoch_now(conn.dialect.name)
                if row.datetime_start is None:
                    changes["datetime_start"] = utcnow()
            if state.is_finished():
                changes["datetime_complete"] = end
            conn.execute(sa.update(trials).where(trials.c.trial_id == trial_id).values(**changes))
            if value_rows is not None:
                conn.execute(sa.delete(trial_values).where(trial_values.c.trial_id == trial_id))
                if value_rows:
                    conn.execute(
                        sa.insert(trial_values), [{"trial_id": trial_id, **r} for r in value_rows]
                    )

        def written(conn: Connection, _result: None) -> bool:
            row = conn.execute(
                sa.select(trials.c.state, trials.c.datetime_complete).where(
                    trials.c.trial_id == trial_id
                )
            ).one()
            return row.state == state.name and (
                not state.is_finished() or row.datetime_complete == end
            )

        # Not simply re-run after an ambiguous commit: a second run would find the trial
        # finished and raise UpdateFinishedTrialError for a tell that succeeded.
        self._db.run(write, write=True, idempotent=False, committed=written)

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        rows = [{"trial_id": trial_id, **r} for r in float_rows("step", {step: value})]
        self._write_trial_child(trial_id, trial_intermediate_values, ("trial_id", "step"), rows)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        row = {"trial_id": trial_id, "key": key, "value_json": to_json("value", value)}
        self._write_trial_child(trial_id, trial_user_attrs, ("trial_id", "key"), [row])

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        row = {"trial_id": trial_id, "key": key, "value_json": to_json("value", value)}
        self._write_trial_child(trial_id, trial_system_attrs, ("trial_id", "key"), [row])

    def _write_trial_child(
        self, trial_id: int, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        def write(conn: Connection) -> None:
            lock_unfinished_trial(conn, trial_id)
            upsert(conn, table, keys, rows)

        self._db.run(write, write=True)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        cached = self._cache.finished_trial(trial_id)
        if cached is not None:
            return cached
        found = self._db.run(lambda conn: load_trials(conn, trials.c.trial_id == trial_id))
        if not found:
            raise KeyError(f"No trial with id {trial_id}.")
        self._cache.remember_finished(found[0])
        return found[0]

    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        def read(conn: Connection) -> list[FrozenTrial]:
            require_study(conn, study_id)
            return load_changed_trials(conn, study_id, max_seen_id, unfinished_ids)

        with self._cache.lock:
            max_seen_id, unfinished_ids = self._cache.plan(study_id)
            try:
                changed = self._db.run(read)
            except KeyError:
                self._cache.forget(study_id)
                raise
            all_trials = self._cache.merge(study_id, changed)
        if states is None:
            return all_trials
        return [t for t in all_trials if t.state in states]

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        count = sa.select(sa.func.count()).where(trials.c.study_id == study_id)
        if states is not None:
            count = count.where(trials.c.state.in_(_state_names(states)))
        exists = sa.select(studies.c.study_id).where(studies.c.study_id == study_id).exists()
        query = sa.select(count.scalar_subquery(), exists)
        n, found = self._db.run(lambda conn: conn.execute(query).one())
        if not found:
            raise KeyError(f"No study with id {study_id}.")
        return int(n)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        query = sa.select(trials.c.trial_id).where(
            trials.c.study_id == study_id, trials.c.number == trial_number
        )
        trial_id = self._db.run(lambda conn: conn.execute(query).scalar())
        if trial_id is None:
            raise KeyError(f"Study {study_id} has no trial number {trial_number}.")
        return int(trial_id)

    # ---- heartbeats -------------------------------------------------------------
    # Heartbeats are seconds since the epoch by the DATABASE's clock, written when a
    # trial starts running and on each beat, and compared with the same clock, so
    # skew between the workers' machines cannot fail a live trial. A trial that
    # never beat is judged by its start (when its heartbeat was first written).
    def record_heartbeat(self, trial_id: int) -> None:
        if self.heartbeat_interval is None:
            return

        def beat(conn: Connection) -> None:
            beat = conn.execute(
                sa.update(trials)
                .where(trials.c.trial_id == trial_id, trials.c.state == TrialState.RUNNING.name)
                .values(heartbeat=epoch_now(conn.dialect.name))
            )
            if beat.rowcount == 0:  # finished meanwhile (fine) or unknown (not fine)
                found = conn.execute(
                    sa.select(trials.c.trial_id).where(trials.c.trial_id == trial_id)
                )
                if found.first() is None:
                    raise KeyError(f"No trial with id {trial_id}.")

        self._db.run(beat, write=True)

    def fail_stale_trials(self, study_id: int) -> list[int]:
        if self.heartbeat_interval is None or self.grace_period is None:
            return []
        grace = self.grace_period
        reason = (
            f"The trial's worker sent no heartbeat for more than {grace:g} seconds "
            "(it crashed, was killed or lost the database); ahpo marked the trial FAIL."
        )

        now = utcnow()

        def fail(conn: Connection) -> list[int]:
            # UPDATE ... WHERE state = RUNNING RETURNING: a concurrent caller waits
            # for the row lock, then re-checks the state, so each id is returned once.
            failed = conn.execute(
                sa.update(trials)
                .where(
                    trials.c.study_id == study_id,
                    trials.c.state == TrialState.RUNNING.name,
                    trials.c.heartbeat < epoch_now(conn.dialect.name) - grace,
                )
                .values(state=TrialState.FAIL.name, datetime_complete=now)
                .returning(trials.c.trial_id)
            ).scalars()
            ids = sorted(int(tid) for tid in failed)
            upsert(
                conn,
                trial_system_attrs,
                ("trial_id", "key"),
                [
                    {"trial_id": tid, "key": FAIL_REASON_KEY, "value_json": json.dumps(reason)}
                    for tid in ids
                ],
            )
            return ids

        def failed_here(conn: Connection, ids: list[int]) -> bool:
            if not ids:
                return True
            ends = conn.execute(
                sa.select(trials.c.datetime_complete).where(trials.c.trial_id.in_(ids))
            ).scalars()
            return all(end == now for end in ends)

        return self._db.run(fail, write=True, idempotent=False, committed=failed_here)
