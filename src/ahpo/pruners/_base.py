"""The pruner protocol."""

from __future__ import annotations

import abc

from ahpo._view import StudyView
from ahpo.trial._frozen import FrozenTrial


class BasePruner(abc.ABC):
    """Decides whether a running trial should stop early.

    Examples
    --------
    >>> from ahpo.pruners import BasePruner
    >>> class StopAfterTen(BasePruner):
    ...     def prune(self, view, trial):
    ...         return (trial.last_step or 0) >= 10
    """

    @abc.abstractmethod
    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        """Whether ``trial`` (a snapshot with its reported values) should be pruned."""


class NopPruner(BasePruner):
    """Never prunes.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study(pruner=ahpo.pruners.NopPruner())
    """

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        return False
