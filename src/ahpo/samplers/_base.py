"""The sampler protocol."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


class BaseSampler(abc.ABC):
    """Decides which parameter values a trial tries.

    A sampler sees the study only through a read-only :class:`StudyView`. For each
    trial the study calls :meth:`before_trial` once, then
    :meth:`infer_relative_search_space` and :meth:`sample_relative` (joint, model-based
    sampling of the parameters every trial shares), then :meth:`sample_independent`
    for each parameter the objective asks for that the joint sample did not cover,
    and :meth:`after_trial` when the trial ends. Values are external (what the
    objective sees).

    Examples
    --------
    A sampler that always proposes the middle of the range:

    >>> import ahpo
    >>> from ahpo.samplers import BaseSampler
    >>> class Middle(BaseSampler):
    ...     def sample_independent(self, view, trial, name, distribution):
    ...         return distribution.to_external_repr(distribution.from_unit(0.5))
    >>> study = ahpo.create_study(sampler=Middle())
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 4), n_trials=1)
    >>> study.best_params
    {'x': 2.0}
    """

    def before_trial(self, view: StudyView, trial: FrozenTrial) -> Mapping[str, Any] | None:
        """Prepare a new trial; return system attributes the study should record on it.

        The key ``"fixed_params"`` (a dict of external values) pins parameters: the
        trial's ``suggest_*`` calls return them without sampling.
        """
        return None

    def infer_relative_search_space(
        self, view: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """The parameters to sample jointly with :meth:`sample_relative` (default: none)."""
        return {}

    def sample_relative(
        self, view: StudyView, trial: FrozenTrial, search_space: Mapping[str, BaseDistribution]
    ) -> dict[str, Any]:
        """Sample the parameters of ``search_space`` jointly (default: none)."""
        return {}

    @abc.abstractmethod
    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        """Sample one parameter outside the joint search space."""

    def after_trial(
        self,
        view: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> Mapping[str, Any] | None:
        """Called when a trial finishes; return system attributes to record on it.

        The study stores them before the trial is marked finished (e.g.
        ``{"constraints": [...]}`` from a sampler's ``constraints_func``).
        """
        return None

    def is_exhausted(self, view: StudyView) -> bool:
        """Whether the sampler has nothing left to propose (a finished grid)."""
        return False

    def reseed_rng(self) -> None:  # noqa: B027 - optional hook
        """Draw a fresh seed; called for each worker so parallel workers differ."""
