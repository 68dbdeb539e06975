"""The storage protocol: studies and trials as records, nothing about optimization.

Every method is one transaction and safe to call from many threads (and, for the SQL
backend, from many processes). Trial numbers are given out atomically and without
gaps; finished trials never change.
"""

from __future__ import annotations

import abc
import datetime
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahpo._direction import StudyDirection
from ahpo.distributions import BaseDistribution
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

DEFAULT_STUDY_NAME_PREFIX = "no-name-"


@dataclass(frozen=True, slots=True)
class FrozenStudy:
    """A study as a storage lists it.

    Attributes
    ----------
    study_id
        The storage's identifier.
    study_name
        The unique name.
    directions
        One :class:`StudyDirection` per objective.
    user_attrs, system_attrs
        JSON-compatible annotations.
    n_trials
        Trials in the study, in any state.
    datetime_start
        When the first trial started, ``None`` before any trial.
    """

    study_id: int
    study_name: str
    directions: tuple[StudyDirection, ...]
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    n_trials: int = 0
    datetime_start: datetime.datetime | None = None

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self.directions) != 1:
            raise RuntimeError("This study has several objectives; use 'directions'.")
        return self.directions[0]


def utcnow() -> datetime.datetime:
    """The current time, timezone-naive in UTC (what every storage stores)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class BaseStorage(abc.ABC):
    """What a study needs from a persistence backend.

    Errors: an unknown ``study_id``/``trial_id``/name raises ``KeyError``; changing a
    finished trial raises :class:`ahpo.UpdateFinishedTrialError`; a duplicate study
    name raises :class:`ahpo.DuplicatedStudyError`.
    """

    #: Seconds between heartbeats of a running trial; ``None`` disables them.
    heartbeat_interval: float | None = None
    #: Seconds without a heartbeat after which a RUNNING trial is failed.
    grace_period: float | None = None
    #: Called as ``callback(study, trial)`` for every trial failed for missing heartbeats.
    failed_trial_callback: Callable[[Any, FrozenTrial], None] | None = None

    # ---- studies ----------------------------------------------------------------
    @abc.abstractmethod
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        """Create a study and return its id; a name is generated when ``None``."""

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and all its trials."""

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """The id of the study with this name."""

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str:
        """The name of the study with this id."""

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        """The study's directions, one per objective."""

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a JSON-compatible user attribute of the study."""

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a JSON-compatible system attribute of the study."""

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        """The study's user attributes."""

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        """The study's system attributes."""

    @abc.abstractmethod
    def get_all_studies(self) -> list[FrozenStudy]:
        """Every study in the storage, by id."""

    # ---- trials -----------------------------------------------------------------
    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        """Add a trial with the next number and return it.

        Without a template the trial is RUNNING and empty. With one, its state,
        values, params, attributes and intermediate values are copied (that is how
        enqueued WAITING trials and trials evaluated elsewhere get in).
        """

    @abc.abstractmethod
    def claim_waiting_trial(self, study_id: int) -> int | None:
        """Atomically move the oldest WAITING trial to RUNNING; its id, or ``None``.

        However many workers call this at once, each WAITING trial is claimed once.
        """

    @abc.abstractmethod
    def set_trial_param(
        self, trial_id: int, name: str, internal_value: float, distribution: BaseDistribution
    ) -> None:
        """Record a parameter of a RUNNING trial (internal representation)."""

    @abc.abstractmethod
    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> None:
        """Move a trial to ``state``; finished states record ``values`` and the end time."""

    @abc.abstractmethod
    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        """Record a value reported at ``step`` (a later report at the same step wins)."""

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a JSON-compatible user attribute of a trial."""

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a JSON-compatible system attribute of a trial."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """One trial as a snapshot."""

    @abc.abstractmethod
    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The study's trials ordered by number, optionally only those in ``states``."""

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        """How many trials the study has (in ``states`` if given)."""
        return len(self.get_all_trials(study_id, states))

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        """The id of trial number ``trial_number`` of the study."""
        trials = self.get_all_trials(study_id)
        if not 0 <= trial_number < len(trials):
            raise KeyError(f"Study {study_id} has no trial number {trial_number}.")
        return trials[trial_number].trial_id

    # ---- heartbeats -------------------------------------------------------------
    def record_heartbeat(self, trial_id: int) -> None:  # noqa: B027 - optional hook
        """Note that the worker running ``trial_id`` is alive (no-op without heartbeats)."""

    def fail_stale_trials(self, study_id: int) -> list[int]:
        """Fail RUNNING trials whose heartbeat is older than the grace period.

        Returns the ids of the trials this call failed (each id is returned by
        exactly one caller, whichever worker noticed first).
        """
        return []

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the storage must not be used afterwards."""
