"""Views of a study that a pruner hands to the sampler instead of the study's own.

A multi-fidelity pruner knows things a sampler does not: which trials compete with
each other (Hyperband's brackets) and at which steps trials are compared (the rungs).
Through :meth:`BasePruner.sampler_view` it can show the sampler the study as that
knowledge makes it look, so an unchanged model-based sampler (TPE, GP) fits the right
data. Views are read-only and lazy: building one costs nothing, and the trials are
transformed when the sampler reads them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Container

from ahpo._view import StudyView
from ahpo.pruners._rungs import rung_value
from ahpo.trial._frozen import FrozenTrial, identity
from ahpo.trial._state import TrialState

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
#: Trials a :class:`RungView` shows as pending when they stopped below its rung.
_BELOW_RUNG = (TrialState.COMPLETE, TrialState.PRUNED)


class _DerivedView(StudyView):
    """A view that reads through ``base`` and transforms the trials it returns."""

    __slots__ = ("_base",)

    def __init__(self, base: StudyView) -> None:
        # StudyView keeps its storage private; a derived view reads the same study.
        super().__init__(base._storage, base._study_id, base.directions, base.study_name)
        self._base = base

    @property
    def system_attrs(self) -> dict[str, object]:
        return self._base.system_attrs


class BracketView(_DerivedView):
    """The study as one Hyperband bracket sees it: only the trials of that bracket.

    Parameters
    ----------
    base
        The study's view.
    keep
        ``keep(trial_number) -> bool``: whether a trial belongs to the bracket.
    """

    __slots__ = ("_keep",)

    def __init__(self, base: StudyView, keep: Callable[[int], bool]) -> None:
        super().__init__(base)
        self._keep = keep

    def get_trials(self, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        return [t for t in self._base.get_trials(states) if self._keep(t.number)]


class RungCache:
    """Rung values of finished trials, computed once per trial (they never change).

    Shared by the :class:`RungView` objects of one pruner; keyed by study name and
    trial number, each entry checked against the trial's ``identity`` (so a study
    created again under its name, or in another storage, is not confused with the
    earlier one). Entries are written whole, so concurrent threads at worst compute
    the same entry twice.

    Parameters
    ----------
    min_resource, reduction_factor
        Rung ``k`` is at step ``min_resource * reduction_factor ** k``.
    """

    def __init__(self, min_resource: int, reduction_factor: int) -> None:
        self.min_resource = min_resource
        self.reduction_factor = reduction_factor
        self._values: dict[tuple[str, int], tuple[tuple[object, ...], tuple[float, ...]]] = {}
        self._relabelled: dict[tuple[str, int, int], tuple[tuple[object, ...], FrozenTrial]] = {}

    def rung_values(self, study_name: str, trial: FrozenTrial) -> tuple[float, ...]:
        """The trial's value at rungs ``0, 1, …`` up to the last rung it reached."""
        key = (study_name, trial.number)
        made_from = identity(trial)
        cached = self._values.get(key)
        if cached is not None and cached[0] == made_from:
            return cached[1]
        values: list[float] = []
        last = trial.last_step
        step = self.min_resource
        while last is not None and step <= last:
            value = rung_value(trial.intermediate_values, step)
            values.append(math.nan if value is None else value)
            step *= self.reduction_factor
        out = tuple(values)
        if trial.state in _FINISHED:
            self._values[key] = (made_from, out)
        return out

    def pending(self, study_name: str, trial: FrozenTrial) -> FrozenTrial:
        """``trial`` (finished) as a RUNNING trial: its parameters without a value."""
        return self._relabel(
            study_name, trial, -1,
            lambda: dataclasses.replace(trial, state=TrialState.RUNNING, values=None),
        )

    def relabelled(self, study_name: str, trial: FrozenTrial, rung: int) -> FrozenTrial:
        """``trial`` as a COMPLETE trial whose value is its value at ``rung``."""

        def make() -> FrozenTrial:
            value = self.rung_values(study_name, trial)[rung]
            return dataclasses.replace(trial, state=TrialState.COMPLETE, values=(value,))

        return self._relabel(study_name, trial, rung, make)

    def _relabel(
        self, study_name: str, trial: FrozenTrial, rung: int, make: Callable[[], FrozenTrial]
    ) -> FrozenTrial:
        key = (study_name, trial.number, rung)
        made_from = identity(trial)
        cached = self._relabelled.get(key)
        if cached is not None and cached[0] == made_from:
            return cached[1]
        out = make()
        if trial.state in _FINISHED:
            self._relabelled[key] = (made_from, out)
        return out


class RungView(_DerivedView):
    """The study seen at one fidelity: trials valued at the highest well-filled rung.

    As BOHB (Falkner et al., "BOHB: Robust and Efficient Hyperparameter Optimization
    at Scale", ICML 2018, section 4.2) fits its model on the largest budget with
    enough observations, this view picks the highest rung that at least
    ``min_observations`` trials reached (COMPLETE, PRUNED or RUNNING ones) and shows
    each of them as a COMPLETE trial whose value is its value at that rung.

    Finished trials that stopped below the rung have no value there, and are shown
    as RUNNING, with their parameters and no value: pending work at this fidelity.
    A model is fitted only on the rung's values, as BOHB fits one budget (shown as
    PRUNED they would all rank below the rung's trials, and TPE's good set, a share
    of every trial shown, would hold most of the rung whatever its values), yet a
    sampler still knows the points were tried, the way it knows pending ones (TPE's
    constant liar, GP fantasies). Left out entirely, they let a sampler whose
    proposal is a function of its data propose the same point again and again, each
    copy stopped at the same low rung. RUNNING and WAITING trials stay as they are;
    FAIL trials are unchanged. While no rung is filled enough the study is shown as
    it is.

    Parameters
    ----------
    base
        The study's view (single objective).
    cache
        The pruner's :class:`RungCache`, which also fixes the rungs.
    min_observations
        Trials a rung needs; ``None``: BOHB's ``d + 3``, where ``d`` is the largest
        number of parameters among the trials that reached it.
    """

    __slots__ = ("_cache", "_min_observations")

    def __init__(self, base: StudyView, cache: RungCache, min_observations: int | None) -> None:
        super().__init__(base)
        self._cache = cache
        self._min_observations = min_observations

    def get_trials(self, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        trials = self._base.get_trials()
        name = self.study_name
        rungs = [self._cache.rung_values(name, t) for t in trials]
        rung = self._fidelity(trials, rungs)
        if rung is None:
            out = trials
        else:
            out = []
            for t, values in zip(trials, rungs, strict=True):
                if len(values) > rung and t.state != TrialState.FAIL:
                    out.append(self._cache.relabelled(name, t, rung))
                elif t.state in _BELOW_RUNG:
                    out.append(self._cache.pending(name, t))
                else:
                    out.append(t)
        return out if states is None else [t for t in out if t.state in states]

    def fidelity(self) -> int | None:
        """The rung the trials are valued at now, ``None`` while none has enough."""
        trials = self._base.get_trials()
        return self._fidelity(trials, [self._cache.rung_values(self.study_name, t) for t in trials])

    def _fidelity(self, trials: list[FrozenTrial], rungs: list[tuple[float, ...]]) -> int | None:
        counts: list[int] = []
        params: list[int] = []
        for t, values in zip(trials, rungs, strict=True):
            if t.state == TrialState.FAIL:
                continue
            for k in range(len(values)):
                if k == len(counts):
                    counts.append(0)
                    params.append(0)
                counts[k] += 1
                params[k] = max(params[k], len(t.distributions))
        for k in range(len(counts) - 1, -1, -1):
            needed = self._min_observations
            if needed is None:
                needed = params[k] + 3
            if counts[k] >= needed:
                return k
        return None
