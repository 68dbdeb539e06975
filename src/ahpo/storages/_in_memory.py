"""A storage that keeps everything in the process's memory (the library default)."""

from __future__ import annotations

import copy
import threading
import uuid
from collections import deque
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahpo._exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from ahpo.distributions import BaseDistribution, check_compatible
from ahpo.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, FrozenStudy, utcnow
from ahpo._direction import StudyDirection
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


@dataclass(slots=True)
class _Study:
    name: str
    directions: tuple[StudyDirection, ...]
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    trials: list[FrozenTrial] = field(default_factory=list)
    waiting: deque[int] = field(default_factory=deque)


class InMemoryStorage(BaseStorage):
    """Studies and trials in a dict, guarded by one lock; gone when the process ends.

    Trials are immutable :class:`FrozenTrial` records; an update replaces the record,
    so a reader never sees a half-written trial and finished trials are shared freely.

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
                trial = FrozenTrial(
                    number=number,
                    state=TrialState.RUNNING,
                    values=None,
                    params={},
                    distributions={},
                    datetime_start=utcnow(),
                    trial_id=trial_id,
                )
            else:
                start = template.datetime_start
                if start is None and template.state != TrialState.WAITING:
                    start = utcnow()
                end = template.datetime_complete
                if end is None and template.state.is_finished():
                    end = utcnow()
                trial = FrozenTrial(
                    number=number,
                    state=template.state,
                    values=template.values,
                    params=dict(template.params),
                    distributions=dict(template.distributions),
                    intermediate_values=dict(template.intermediate_values),
                    user_attrs=copy.deepcopy(template.user_attrs),
                    system_attrs=copy.deepcopy(template.system_attrs),
                    datetime_start=start,
                    datetime_complete=end,
                    trial_id=trial_id,
                )
                if trial.state == TrialState.WAITING:
                    study.waiting.append(trial_id)
            study.trials.append(trial)
            self._trial_index[trial_id] = (study_id, number)
            return trial

    def claim_waiting_trial(self, study_id: int) -> int | None:
        with self._lock:
            study = self._study(study_id)
            while study.waiting:
                trial_id = study.waiting.popleft()
                trial = self._get(trial_id)
                if trial.state == TrialState.WAITING:
                    self._put(
                        _replace(trial, state=TrialState.RUNNING, datetime_start=utcnow())
                    )
                    return trial_id
            return None

    def _get(self, trial_id: int) -> FrozenTrial:
        try:
            study_id, number = self._trial_index[trial_id]
        except KeyError:
            raise KeyError(f"No trial with id {trial_id}.") from None
        return self._studies[study_id].trials[number]

    def _put(self, trial: FrozenTrial) -> None:
        study_id, number = self._trial_index[trial.trial_id]
        self._studies[study_id].trials[number] = trial

    def _get_unfinished(self, trial_id: int) -> FrozenTrial:
        trial = self._get(trial_id)
        if trial.state.is_finished():
            raise UpdateFinishedTrialError(
                f"Trial {trial.number} (id {trial_id}) is already {trial.state.name}; "
                "finished trials cannot change."
            )
        return trial

    def set_trial_param(
        self, trial_id: int, name: str, internal_value: float, distribution: BaseDistribution
    ) -> None:
        with self._lock:
            trial = self._get_unfinished(trial_id)
            old = trial.distributions.get(name)
            if old is not None:
                check_compatible(name, old, distribution)
            params = dict(trial.params)
            params[name] = distribution.to_external_repr(internal_value)
            dists = dict(trial.distributions)
            dists[name] = distribution
            self._put(_replace(trial, params=params, distributions=dists))

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> None:
        with self._lock:
            trial = self._get_unfinished(trial_id)
            changes: dict[str, Any] = {"state": state}
            if values is not None:
                changes["values"] = tuple(float(v) for v in values)
            if state == TrialState.RUNNING and trial.datetime_start is None:
                changes["datetime_start"] = utcnow()
            if state.is_finished():
                changes["datetime_complete"] = utcnow()
            self._put(_replace(trial, **changes))

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        with self._lock:
            trial = self._get_unfinished(trial_id)
            iv = dict(trial.intermediate_values)
            iv[step] = float(value)
            self._put(_replace(trial, intermediate_values=iv))

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            trial = self._get_unfinished(trial_id)
            attrs = dict(trial.user_attrs)
            attrs[key] = copy.deepcopy(value)
            self._put(_replace(trial, user_attrs=attrs))

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            trial = self._get_unfinished(trial_id)
            attrs = dict(trial.system_attrs)
            attrs[key] = copy.deepcopy(value)
            self._put(_replace(trial, system_attrs=attrs))

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            return self._get(trial_id)

    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._study(study_id).trials
            if states is None:
                return list(trials)
            return [t for t in trials if t.state in states]

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


def _replace(trial: FrozenTrial, **changes: Any) -> FrozenTrial:
    fields = {name: getattr(trial, name) for name in FrozenTrial.__dataclass_fields__}
    fields.update(changes)
    return FrozenTrial(**fields)
