"""Module-level functions that create, open, copy, delete and list studies."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ahpo._best import best_trial
from ahpo._direction import StudyDirection, parse_direction
from ahpo._exceptions import DuplicatedStudyError
from ahpo._validation import invalid, type_error
from ahpo.pruners import BasePruner
from ahpo.samplers._base import BaseSampler
from ahpo.storages import BaseStorage, get_storage
from ahpo.study._study import Study
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


def _directions(direction: Any, directions: Sequence[Any] | None) -> list[StudyDirection]:
    if direction is not None and directions is not None:
        raise ValueError("Give 'direction' or 'directions', not both.")
    if directions is None:
        return [parse_direction("minimize" if direction is None else direction)]
    if isinstance(directions, str) or not isinstance(directions, Sequence) or not directions:
        raise invalid("directions", "a non-empty list of 'minimize'/'maximize'", directions)
    return [parse_direction(d, "directions") for d in directions]


def _check_name(study_name: Any) -> None:
    if study_name is not None and (not isinstance(study_name, str) or not study_name):
        raise invalid("study_name", "None or a non-empty str", study_name)


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    load_if_exists: bool = False,
    directions: Sequence[str | StudyDirection] | None = None,
) -> Study:
    """Create a new study (or open it with ``load_if_exists``).

    Parameters
    ----------
    storage
        ``None`` (in memory), a database URL such as ``"sqlite:///ahpo.db"`` or
        ``"postgresql+psycopg://user@host/db"``, or a storage object.
    sampler, pruner
        How trials are chosen and stopped early; defaults to
        :class:`ahpo.samplers.TPESampler` and no pruning.
    study_name
        A unique name; generated when ``None``.
    direction, directions
        ``"minimize"`` (default) or ``"maximize"``; a list for several objectives.
    load_if_exists
        Open the study if one with this name exists instead of raising
        :class:`ahpo.DuplicatedStudyError`. Its directions must match.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study(direction="maximize", study_name="demo")
    >>> study.direction
    StudyDirection.MAXIMIZE
    """
    _check_name(study_name)
    dirs = _directions(direction, directions)
    backend = get_storage(storage)
    try:
        study_id = backend.create_new_study(dirs, study_name)
    except DuplicatedStudyError:
        if not load_if_exists or study_name is None:
            raise
        existing = backend.get_study_directions(backend.get_study_id_from_name(study_name))
        if (direction is not None or directions is not None) and existing != dirs:
            raise invalid(
                "direction(s)",
                f"the stored study's {[d.name.lower() for d in existing]!r}",
                [d.name.lower() for d in dirs],
                owner="create_study",
            ) from None
        return Study(study_name, backend, sampler, pruner)
    name = backend.get_study_name_from_id(study_id)
    return Study(name, backend, sampler, pruner)


def load_study(
    *,
    study_name: str | None,
    storage: str | BaseStorage,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Open an existing study; ``study_name=None`` works when the storage has one study.

    Examples
    --------
    >>> import ahpo
    >>> storage = ahpo.storages.InMemoryStorage()
    >>> _ = ahpo.create_study(storage=storage, study_name="s")
    >>> ahpo.load_study(study_name="s", storage=storage).study_name
    's'
    """
    _check_name(study_name)
    backend = get_storage(storage)
    if study_name is None:
        names = [s.study_name for s in backend.get_all_studies()]
        if len(names) != 1:
            raise invalid("study_name", f"given: the storage holds {len(names)} studies", None)
        study_name = names[0]
    try:
        backend.get_study_id_from_name(study_name)
    except KeyError:
        raise KeyError(f"No study named {study_name!r} in this storage.") from None
    return Study(study_name, backend, sampler, pruner)


def delete_study(*, study_name: str, storage: str | BaseStorage) -> None:
    """Delete a study and all its trials."""
    _check_name(study_name)
    backend = get_storage(storage)
    backend.delete_study(backend.get_study_id_from_name(study_name))


def copy_study(
    *,
    from_study_name: str,
    from_storage: str | BaseStorage,
    to_storage: str | BaseStorage,
    to_study_name: str | None = None,
) -> None:
    """Copy a study with all its trials and attributes to another storage (or name).

    Trials keep their numbers and states, so a copy taken mid-run shows what was
    running then.
    """
    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(
        storage=to_storage,
        study_name=to_study_name or from_study_name,
        directions=source.directions,
    )
    for key, value in source.user_attrs.items():
        target.set_user_attr(key, value)
    for key, value in source.system_attrs.items():
        target.set_system_attr(key, value)
    for trial in source.trials:
        target._storage.create_new_trial(target._study_id, template=trial)


@dataclass(frozen=True)
class StudySummary:
    """What :func:`get_all_study_summaries` reports about one study."""

    study_name: str
    directions: tuple[StudyDirection, ...]
    best_trial: FrozenTrial | None
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    n_trials: int = 0
    datetime_start: datetime.datetime | None = None
    study_id: int = -1

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self.directions) != 1:
            raise RuntimeError("This study has several objectives; use 'directions'.")
        return self.directions[0]


def get_all_study_summaries(
    storage: str | BaseStorage, include_best_trial: bool = True
) -> list[StudySummary]:
    """Summaries of every study in ``storage``.

    Examples
    --------
    >>> import ahpo
    >>> storage = ahpo.storages.InMemoryStorage()
    >>> _ = ahpo.create_study(storage=storage, study_name="a")
    >>> [s.study_name for s in ahpo.get_all_study_summaries(storage)]
    ['a']
    """
    backend = get_storage(storage)
    out = []
    for s in backend.get_all_studies():
        best = None
        # Like Optuna, only a single-objective study has one best trial to show.
        if include_best_trial and len(s.directions) == 1:
            complete = backend.get_all_trials(s.study_id, (TrialState.COMPLETE,))
            try:
                best = best_trial(complete, s.directions[0])
            except ValueError:
                best = None
        out.append(
            StudySummary(
                study_name=s.study_name,
                directions=s.directions,
                best_trial=best,
                user_attrs=s.user_attrs,
                system_attrs=s.system_attrs,
                n_trials=s.n_trials,
                datetime_start=s.datetime_start,
                study_id=s.study_id,
            )
        )
    return out


def get_all_study_names(storage: str | BaseStorage) -> list[str]:
    """The names of every study in ``storage``."""
    if not isinstance(storage, (str, BaseStorage)):
        raise type_error("storage", "a database URL or a storage object", storage)
    return [s.study_name for s in get_storage(storage).get_all_studies()]
