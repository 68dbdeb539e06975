"""A storage that keeps everything in the process's memory (the library default)."""

from __future__ import annotations

import copy
import datetime
import threading
import uuid
from collections import deque
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahpo._direction import StudyDirection
from ahpo._exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from ahpo.distributions import BaseDistribution, check_compatible
from ahpo.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, FrozenStudy, utcnow
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


@dataclass(slots=True)
class _Study:
    name: str
    directions: tuple[StudyDirection, ...]
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    trials: list[FrozenTrial | _Live] = field(default_factory=list)
    waiting: deque[int] = field(default_factory=deque)


@dataclass(slots=True)
class _Live:
    """A trial that can still change (WAITING or RUNNING); readers get snapshots."""

    number: int
    trial_id: int
    state: TrialState = TrialState.RUNNING
    values: tuple[float, ...] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    distributions: dict[str, BaseDistribution] = field(default_factory=dict)
    intermediate_values: dict[int, float] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    datetime_start: datetime.datetime | None = None

    def freeze(self, datetime_complete: datetime.datetime | None = None) -> FrozenTrial:
        return FrozenTrial(
            number=self.number,
            state=self.state,
            values=self.values,
            params=dict(self.params),
            distributions=dict(self.distributions),
            intermediate_values=dict(self.intermediate_values),
            user_attrs=copy.deepcopy(self.user_attrs),
            system_attrs=copy.deepcopy(self.system_attrs),
            datetime_start=self.datetime_start,
            datetime_complete=datetime_complete,
            trial_id=self.trial_id,
        )


class InMemoryStorage(BaseStorage):
    """Studies and trials in a dict, guarded by one lock; gone when the process ends.

    Unfinished trials are mutable records that readers receive as snapshots;
    finishing a trial freezes it once into an immutable :class:`FrozenTrial` that
    every later reader shares.

    Examples
    --------
    >>> import ahpo
    >>> storage = ahpo.storages.InMemoryStorage()
    >>> study = ahpo.create_study(storage=storage)
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> len(storage.get_all_trials(study._study_id))
    3
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[int, _Study] = {}
        self._name_to_id: dict[str, int] = {}
        self._trial_index: dict[int, tuple[int, int]] = {}  # trial_id -> (study_id, number)
        self._next_study_id = 0
        self._next_trial_id = 0

    # ---- studies ----------------------------------------------------------------
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        with self._lock:
            name = study_name or f"{DEFAULT_STUDY_NAME_PREFIX}{uuid.uuid4()}"
            if name in self._name_to_id:
                raise DuplicatedStudyError(f"A study named {name!r} already exists.")
            study_id = self._next_study_id
            self._next_study_id += 1
            self._studies[study_id] = _Study(name, tuple(directions))
            self._name_to_id[name] = study_id
            return study_id

    def _study(self, study_id: int) -> _Study:
        try:
            return self._studies[study_id]
        except KeyError:
            raise KeyError(f"No study with id {study_id}.") from None

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            study = self._study(study_id)
            for trial in study.trials:
                del self._trial_index[trial.trial_id]
            del self._name_to_id[study.name]
            del self._studies[study_id]

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            try:
                return self._name_to_id[study_name]
            except KeyError:
                raise KeyError(f"No study named {study_name!r}.") from None

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._study(study_id).directions)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).user_attrs[key] = copy.deepcopy(value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).system_attrs[key] = copy.deepcopy(value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).system_attrs)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._lock:
            return [
                FrozenStudy(
                    study_id=sid,
                    study_name=s.name,
                    directions=s.directions,
                    user_attrs=copy.deepcopy(s.user_attrs),
                    system_attrs=copy.deepcopy(s.system_attrs),
                    n_trials=len(s.trials),
                    datetime_start=min(
                        (t.datetime_start for t in s.trials if t.datetime_start), default=None
                    ),
                )
                for sid, s in sorted(self._studies.items())
            ]

    # ---- trials -----------------------------------------------------------------
    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        with self._lock:
            study = self._study(study_id)
            trial_id = self._next_trial_id
            self._next_trial_id += 1
            number = len(study.trials)
            if template is None:
                record: FrozenTrial | _Live = _Live(number, trial_id, datetime_start=utcnow())
            else:
                start = template.datetime_start
                if start is None and template.state != TrialState.WAITING:
                    start = utcnow()
                end = template.datetime_complete
                if end is None and template.state.is_finished():
                    end = utcnow()
                record = _Live(
                    number,
                    trial_id,
                    state=template.state,
                    values=template.values,
                    params=dict(template.params),
                    distributions=dict(template.distributions),
                    intermediate_values=dict(template.intermediate_values),
                    user_attrs=copy.deepcopy(template.user_attrs),
                    system_attrs=copy.deepcopy(template.system_attrs),
                    datetime_start=start,
                )
                if template.state.is_finished():
                    record = record.freeze(end)
                elif template.state == TrialState.WAITING:
                    study.waiting.append(trial_id)
            study.trials.append(record)
            self._trial_index[trial_id] = (study_id, number)
            return _frozen(record)

    def claim_waiting_trial(self, study_id: int) -> int | None:
        with self._lock:
            study = self._study(study_id)
            while study.waiting:
                trial_id = study.waiting.popleft()
                record = self._get(trial_id)
                if record.state == TrialState.WAITING and isinstance(record, _Live):
                    record.state = TrialState.RUNNING
                    record.datetime_start = utcnow()
                    return trial_id
            return None

    def _get(self, trial_id: int) -> FrozenTrial | _Live:
        try:
            study_id, number = self._trial_index[trial_id]
        except KeyError:
            raise KeyError(f"No trial with id {trial_id}.") from None
        return self._studies[study_id].trials[number]

    def _live(self, trial_id: int) -> _Live:
        record = self._get(trial_id)
        if isinstance(record, FrozenTrial):
            raise UpdateFinishedTrialError(
                f"Trial {record.number} (id {trial_id}) is already {record.state.name}; "
                "finished trials cannot change."
            )
        return record

    def set_trial_param(
        self, trial_id: int, name: str, internal_value: float, distribution: BaseDistribution
    ) -> None:
        with self._lock:
            record = self._live(trial_id)
            old = record.distributions.get(name)
            if old is not None:
                check_compatible(name, old, distribution)
            record.params[name] = distribution.to_external_repr(internal_value)
            record.distributions[name] = distribution

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> None:
        with self._lock:
            record = self._live(trial_id)
            record.state = state
            if values is not None:
                record.values = tuple(float(v) for v in values)
            if state == TrialState.RUNNING and record.datetime_start is None:
                record.datetime_start = utcnow()
            if state.is_finished():
                study_id, number = self._trial_index[trial_id]
                self._studies[study_id].trials[number] = record.freeze(utcnow())

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        with self._lock:
            self._live(trial_id).intermediate_values[step] = float(value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._live(trial_id).user_attrs[key] = copy.deepcopy(value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._live(trial_id).system_attrs[key] = copy.deepcopy(value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            return _frozen(self._get(trial_id))

    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._study(study_id).trials
            return [_frozen(t) for t in trials if states is None or t.state in states]

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        with self._lock:
            if states is None:
                return len(self._study(study_id).trials)
            return len(self.get_all_trials(study_id, states))

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if not 0 <= trial_number < len(trials):
                raise KeyError(f"Study {study_id} has no trial number {trial_number}.")
            return trials[trial_number].trial_id


def _frozen(record: FrozenTrial | _Live) -> FrozenTrial:
    return record if isinstance(record, FrozenTrial) else record.freeze()
