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

    def sampler_view(self, view: StudyView, trial: FrozenTrial) -> StudyView:
        """The view the sampler models from while it samples ``trial``: ``view`` here.

        The study calls this once per trial, before its first sampled parameter, and
        passes the result to ``infer_relative_search_space``, ``sample_relative`` and
        ``sample_independent``. A multi-fidelity pruner overrides it to show the
        sampler the trials it should learn from (Hyperband's bracket, or the trials
        valued at one rung for BOHB). ``before_trial``, ``after_trial`` and
        ``is_exhausted`` still see the whole study: the bookkeeping they keep (grid
        points, a PBT population) spans every trial. Building the view must be cheap,
        so derived views transform the trials lazily when read.

        Parameters
        ----------
        view
            The study's read-only view.
        trial
            The trial about to be sampled (a live snapshot).
        """
        return view


class NopPruner(BasePruner):
    """Never prunes.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study(pruner=ahpo.pruners.NopPruner())
    """

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        return False
