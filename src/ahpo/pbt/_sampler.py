"""Population-based training as a sampler plus an objective wrapper."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ahpo._direction import StudyDirection
from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.pbt._explore import explore
from ahpo.pbt._population import PBT_KEY, Member, generation, members
from ahpo.samplers._base import BaseSampler
from ahpo.samplers._random import RandomSampler
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._trial import FIXED_PARAMS_KEY

#: ``segment(trial, checkpoint, steps) -> (value, checkpoint)``.
Segment = Callable[[Any, Any, range], tuple[float, Any]]


class PopulationBasedTraining(BaseSampler):
    """Population-based training (Jaderberg et al., "Population Based Training of
    Neural Networks", 2017), asynchronous, with its state in the storage.

    A population of ``population_size`` members trains in *segments* of ``interval``
    steps; each trial of the study is one segment of one member. When a worker asks
    for a trial, this sampler picks the member to advance (an idle one with the fewest
    segments) and decides, from the latest COMPLETE segment of every member:

    - *exploit* (truncation selection, section 4.1): if the member's latest value is
      in the bottom ``quantile_fraction`` of the population, it continues from the
      checkpoint of a random member of the top ``quantile_fraction``, with that
      member's hyperparameters;
    - *explore*: those copied hyperparameters are perturbed (multiplied by one of
      ``perturbation_factors``, or with ``resample_probability`` resampled);
    - otherwise the member continues from its own checkpoint, hyperparameters unchanged.

    A segment's generation is its parent's plus one, so it reports the steps that
    follow the ones its checkpoint was trained for. The decision (member, generation,
    parent trial) is recorded in the trial's system
    attribute ``"pbt"`` and the hyperparameters in ``"fixed_params"``, so the
    population and its lineage live in the storage: any worker on the same storage,
    with the same settings, continues it. Decisions are seeded per trial number, so
    they do not depend on which worker asks. The first segment of each member samples
    its hyperparameters with ``base_sampler`` (random by default). With more workers
    than members, idle members run out and a busy member's segment is duplicated.

    Use :meth:`objective` to wrap the training function: it loads the parent's
    checkpoint with the user's ``load``, trains, and stores the new one with ``save``.

    Parameters
    ----------
    population_size
        Members, an int ``>= 2``.
    interval
        Steps per segment (between exploit/explore decisions), an int ``>= 1``.
    quantile_fraction
        Fraction of the population that is replaced / copied, in ``[0, 0.5]``; ``0``
        never exploits (plain parallel training of ``population_size`` configurations).
    resample_probability
        Probability to resample a parameter instead of perturbing it, in ``[0, 1]``.
    perturbation_factors
        Factors a numerical parameter is multiplied by; default ``(0.8, 1.2)``.
    base_sampler
        Samples the first segment of each member; default ``RandomSampler(seed)``.
    seed
        Seed of the exploit/explore decisions.

    Examples
    --------
    >>> import ahpo.pbt
    >>> pbt = ahpo.pbt.PopulationBasedTraining(population_size=4, interval=2, seed=0)
    >>> checkpoints = {}
    >>> def segment(trial, state, steps):
    ...     lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    ...     error = 1.0 if state is None else state
    ...     for step in steps:
    ...         error = (1 - lr) * error + lr**2
    ...         trial.report(error, step)
    ...     return error, error
    >>> study = ahpo.create_study(sampler=pbt)
    >>> study.optimize(pbt.objective(segment, checkpoints.__setitem__, checkpoints.get),
    ...                n_trials=12)
    >>> sorted({t.system_attrs["pbt"]["member"] for t in study.trials})
    [0, 1, 2, 3]
    """

    def __init__(
        self,
        population_size: int,
        interval: int,
        *,
        quantile_fraction: float = 0.25,
        resample_probability: float = 0.25,
        perturbation_factors: Sequence[float] = (0.8, 1.2),
        base_sampler: BaseSampler | None = None,
        seed: int | None = None,
    ) -> None:
        owner = "PopulationBasedTraining"
        for name, value, low in (
            ("population_size", population_size, 2),
            ("interval", interval, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise type_error(name, f"an int >= {low}", value, owner=owner)
            if value < low:
                raise invalid(name, f"an int >= {low}", value, owner=owner)
        for name, value, high in (
            ("quantile_fraction", quantile_fraction, 0.5),
            ("resample_probability", resample_probability, 1.0),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise type_error(name, f"a float in [0, {high}]", value, owner=owner)
            if not 0.0 <= value <= high:
                raise invalid(name, f"a float in [0, {high}]", value, owner=owner)
        factors = tuple(perturbation_factors)
        if not factors or not all(
            isinstance(f, (int, float)) and math.isfinite(f) and f > 0 for f in factors
        ):
            raise invalid(
                "perturbation_factors",
                "a non-empty sequence of floats > 0",
                perturbation_factors,
                owner=owner,
            )
        if base_sampler is not None and not isinstance(base_sampler, BaseSampler):
            raise type_error("base_sampler", "an ahpo sampler or None", base_sampler, owner=owner)
        self._size = population_size
        self._interval = interval
        self._quantile = float(quantile_fraction)
        self._resample = float(resample_probability)
        self._factors = factors
        self._base = base_sampler if base_sampler is not None else RandomSampler(seed)
        self._seed = seed

    @property
    def interval(self) -> int:
        """Steps per segment."""
        return self._interval

    def before_trial(self, view: StudyView, trial: FrozenTrial) -> Mapping[str, Any] | None:
        if view.is_multi_objective:
            raise invalid(
                "directions", "a single objective", view.directions, owner="PopulationBasedTraining"
            )
        population = members(view.get_trials(), self._size)
        rng = np.random.default_rng([self._seed if self._seed is not None else 0, trial.number])
        chosen = _next_member(population)
        if chosen.latest is None:
            return {PBT_KEY: {"member": chosen.index, "generation": 0, "parent": None}}
        source = chosen.latest
        donors = _donors(population, chosen, self._quantile, view.direction)
        params = dict(source.params)
        if donors:
            source = donors[int(rng.integers(len(donors)))].latest or source
            params = explore(
                source.params, source.distributions, rng, self._factors, self._resample
            )
        return {
            PBT_KEY: {
                "member": chosen.index,
                "generation": generation(source) + 1,
                "parent": source.number,
            },
            FIXED_PARAMS_KEY: params,
        }

    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        return self._base.sample_independent(view, trial, name, distribution)

    def reseed_rng(self) -> None:
        self._base.reseed_rng()

    def objective(
        self,
        segment: Segment,
        save: Callable[[int, Any], None],
        load: Callable[[int], Any],
    ) -> Callable[[Any], float]:
        """The objective for ``study.optimize``: one segment of one member per trial.

        Parameters
        ----------
        segment
            ``segment(trial, checkpoint, steps) -> (value, checkpoint)``: suggest the
            hyperparameters with ``trial.suggest_*`` (PBT fixes them after the first
            segment), train from ``checkpoint`` (``None`` for a member's first segment)
            over the global step numbers in ``steps`` (``range`` of ``interval`` steps;
            report with ``trial.report`` if you like), return the value reached and
            the new checkpoint.
        save
            ``save(trial_number, checkpoint)``: store a segment's checkpoint (a file, a
            database row…) where every worker can read it.
        load
            ``load(trial_number) -> checkpoint``: read it back.
        """
        interval = self._interval

        def run(trial: Any) -> float:
            info = trial.system_attrs.get(PBT_KEY)
            if not isinstance(info, dict):
                raise RuntimeError(
                    "This trial has no PBT placement: create the study with "
                    "sampler=PopulationBasedTraining(...) and use its objective()."
                )
            parent = info["parent"]
            checkpoint = None if parent is None else load(int(parent))
            start = int(info["generation"]) * interval
            value, checkpoint = segment(trial, checkpoint, range(start, start + interval))
            save(trial.number, checkpoint)
            return value

        return run


def _next_member(population: list[Member]) -> Member:
    """A member without a segment yet, else the idle one with the fewest segments."""
    fresh = [m for m in population if m.latest is None and not m.busy]
    if fresh:
        return fresh[0]
    started = [m for m in population if m.latest is not None]
    idle = [m for m in started if not m.busy] or started
    if not idle:  # every member's first segment is still running
        return population[0]
    return min(idle, key=lambda m: (generation(m.latest), m.index))  # type: ignore[arg-type]


def _donors(
    population: list[Member], chosen: Member, quantile: float, direction: StudyDirection
) -> list[Member]:
    """The top members ``chosen`` copies from, empty if it is not in the bottom quantile."""
    ranked = [m for m in population if m.latest is not None]
    n_cut = int(len(ranked) * quantile)
    if n_cut == 0:
        return []
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0
    ranked.sort(key=lambda m: (sign * m.latest.value, m.index))  # type: ignore[union-attr]
    if chosen.index not in {m.index for m in ranked[-n_cut:]}:
        return []
    return ranked[:n_cut]
