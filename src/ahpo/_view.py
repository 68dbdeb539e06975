"""The read-only view of a study that samplers and pruners get."""

from __future__ import annotations

from collections.abc import Container

from ahpo._direction import StudyDirection
from ahpo.storages._base import BaseStorage
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


class StudyView:
    """What a strategy may know about a study: directions, trials, system attrs.

    It has no method that writes. Trials are immutable :class:`FrozenTrial`
    records; the running trial being sampled is included with the parameters it has
    so far.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study()
    >>> view = study.view
    >>> view.directions
    (StudyDirection.MINIMIZE,)
    """

    __slots__ = ("_storage", "_study_id", "directions", "study_name")

    def __init__(
        self,
        storage: BaseStorage,
        study_id: int,
        directions: tuple[StudyDirection, ...],
        study_name: str,
    ) -> None:
        self._storage = storage
        self._study_id = study_id
        self.directions = directions
        self.study_name = study_name

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self.directions) != 1:
            raise RuntimeError("This study has several objectives; use 'directions'.")
        return self.directions[0]

    @property
    def is_multi_objective(self) -> bool:
        """Whether the study has more than one objective."""
        return len(self.directions) > 1

    def get_trials(self, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        """The study's trials ordered by number, optionally only those in ``states``."""
        return self._storage.get_all_trials(self._study_id, states)

    @property
    def trials(self) -> list[FrozenTrial]:
        """All trials, in every state."""
        return self.get_trials()

    @property
    def system_attrs(self) -> dict[str, object]:
        """A copy of the study's system attributes (where persistent sampler state lives)."""
        return self._storage.get_study_system_attrs(self._study_id)
