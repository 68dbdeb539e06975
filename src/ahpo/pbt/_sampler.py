"""Population-based training as a sampler plus an objective wrapper."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np

from ahpo._direction import StudyDirection
from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.pbt._explore import explore
from ahpo.pbt._population import PBT_KEY, Member, generation, members, stale_checkpoints
from ahpo.samplers._base import BaseSampler
from ahpo.samplers._random import RandomSampler
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState
from ahpo.trial._trial import FIXED_PARAMS_KEY

#: ``segment(trial, checkpoint, steps) -> (value, checkpoint)``.
Segment = Callable[[Any, Any, range], tuple[float, Any]]

_OWNER = "PopulationBasedTraining"


class PopulationBasedTraining(BaseSampler):
    """Population-based training (Jaderberg et al., "Population Based Training of
    Neural Networks", 2017), asynchronous, with its state in the storage.

    A population of ``population_size`` members trains in *segments* of ``interval``
    steps; each trial of the study is one segment of one member. When a worker asks
    for a trial, this sampler picks the member to advance (an idle one with the fewest
    segments) and decides how it goes on from its latest COMPLETE segment, of
    generation ``g``:

    - *exploit* (truncation selection, section 4.1): the members with a COMPLETE
      segment of generation ``g`` are ranked by its value, so they are compared after
      equal training. If the member is in the bottom ``quantile_fraction`` of them, it
      continues from the generation-``g`` checkpoint of a random member of the top
      ``quantile_fraction`` that is strictly better (not a later checkpoint of it),
      with that segment's hyperparameters. The quantiles hold ``ceil(quantile_fraction * n)`` of the
      ``n`` ranked members, at most ``n // 2``, so two members suffice (as in Ray
      Tune). A segment whose member could not continue it (the next segment FAILED
      or was PRUNED) ranks last and is never copied; that member copies a top member
      (at least the best other one) instead of retrying, or if there is none
      perturbs its own hyperparameters, whatever ``quantile_fraction`` and
      ``burn_in_period`` say;
    - *explore*: those copied hyperparameters (those in ``hyperparam_mutations``) are
      perturbed: a number is multiplied by one of ``perturbation_factors`` (moving at
      least one step of an int or stepped float), a categorical moves to the choice
      before or after it, and with ``resample_probability`` either is resampled from
      its distribution; then ``custom_explore_fn`` is applied;
    - otherwise the member continues from its own checkpoint, hyperparameters unchanged.

    A segment's generation is its parent's plus one, so it reports the steps that
    follow the ones its checkpoint was trained for. The decision (member, generation,
    parent trial) is recorded in the trial's system attribute ``"pbt"`` and the
    hyperparameters in ``"fixed_params"``, so the population and its lineage live in
    the storage: any worker on the same storage, with the same settings, continues
    it. A RUNNING trial not yet placed (another worker is asking at the same moment)
    is counted as taking the member it will get, so concurrent workers do not advance
    the same member twice. With a ``seed``, decisions are seeded per trial number, so
    they do not depend on which worker asks. The first segment of each member samples
    its hyperparameters with ``base_sampler`` (random by default). With more workers
    than members, idle members run out and a busy member's segment is duplicated.

    Use :meth:`objective` to wrap the training function: it loads the parent's
    checkpoint with the user's ``load``, trains, and stores the new one with ``save``.
    A checkpoint is loaded only by a segment of the next generation, and a segment
    starts from the generation of its member's latest COMPLETE segment, so the
    checkpoints of generations below the smallest of those are stale: give
    :meth:`objective` a ``delete`` function and it removes them as the population
    moves on.

    Differences from Ray Tune's ``PopulationBasedTraining``: the time unit is the
    segment (``interval`` steps, Ray's ``perturbation_interval`` with
    ``time_attr="training_iteration"``); ``hyperparam_mutations`` names parameters and
    resampling uses the distribution the objective suggests; there is no ``synch``
    mode (decisions are asynchronous, but ranked after equal training).

    Parameters
    ----------
    population_size
        Members, an int ``>= 2``.
    interval
        Steps per segment (between exploit/explore decisions), an int ``>= 1``.
    quantile_fraction
        Fraction of the population that is replaced / copied, in ``[0, 0.5]``; ``0``
        never exploits a member that trains (plain parallel training of
        ``population_size`` configurations).
    resample_probability
        Probability to resample a parameter instead of perturbing it, in ``[0, 1]``.
    perturbation_factors
        Factors a numerical parameter is multiplied by; default ``(0.8, 1.2)``.
    burn_in_period
        Steps a member trains before it may exploit, an int ``>= 0`` (Ray Tune's
        ``burn_in_period``); ``0`` allows it after the first segment.
    hyperparam_mutations
        Names of the parameters that explore may change; the others (a layer count
        that the checkpoint's shape depends on, say) are copied unchanged. ``None``
        (default): all; empty: copy without exploring.
    custom_explore_fn
        ``custom_explore_fn(params) -> params``, applied to the explored parameters
        (a dict) when a member exploits, as in Ray Tune. It decides in the worker
        that asks, so seed its randomness from the values it gets if decisions must
        be reproducible.
    base_sampler
        Samples the first segment of each member; default ``RandomSampler(seed)``.
    seed
        Seed of the exploit/explore decisions; ``None`` draws fresh entropy.

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
        burn_in_period: int = 0,
        hyperparam_mutations: Collection[str] | None = None,
        custom_explore_fn: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
        base_sampler: BaseSampler | None = None,
        seed: int | None = None,
    ) -> None:
        for name, value, low in (
            ("population_size", population_size, 2),
            ("interval", interval, 1),
            ("burn_in_period", burn_in_period, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise type_error(name, f"an int >= {low}", value, owner=_OWNER)
            if value < low:
                raise invalid(name, f"an int >= {low}", value, owner=_OWNER)
        for name, value, high in (
            ("quantile_fraction", quantile_fraction, 0.5),
            ("resample_probability", resample_probability, 1.0),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise type_error(name, f"a float in [0, {high}]", value, owner=_OWNER)
            if not 0.0 <= value <= high:
                raise invalid(name, f"a float in [0, {high}]", value, owner=_OWNER)
        factors = (
            tuple(perturbation_factors)
            if isinstance(perturbation_factors, Sequence)
            and not isinstance(perturbation_factors, str)
            else ()
        )
        if not factors or not all(
            isinstance(f, (int, float)) and not isinstance(f, bool) and math.isfinite(f) and f > 0
            for f in factors
        ):
            raise invalid(
                "perturbation_factors",
                "a non-empty sequence of floats > 0",
                perturbation_factors,
                owner=_OWNER,
            )
        if hyperparam_mutations is not None:
            if isinstance(hyperparam_mutations, (str, Mapping)) or not (
                isinstance(hyperparam_mutations, Collection)
                and all(isinstance(n, str) for n in hyperparam_mutations)
            ):
                raise type_error(
                    "hyperparam_mutations",
                    "None or a collection of parameter names (explore resamples from the "
                    "distribution each parameter is suggested with, so no distributions "
                    "are given here)",
                    hyperparam_mutations,
                    owner=_OWNER,
                )
            hyperparam_mutations = frozenset(hyperparam_mutations)
        if custom_explore_fn is not None and not callable(custom_explore_fn):
            raise type_error(
                "custom_explore_fn", "None or a function", custom_explore_fn, owner=_OWNER
            )
        if base_sampler is not None and not isinstance(base_sampler, BaseSampler):
            raise type_error("base_sampler", "an ahpo sampler or None", base_sampler, owner=_OWNER)
        self._size = population_size
        self._interval = interval
        self._quantile = float(quantile_fraction)
        self._resample = float(resample_probability)
        self._factors = factors
        self._burn_in = burn_in_period
        self._mutable: frozenset[str] | None = hyperparam_mutations
        self._explore_fn = custom_explore_fn
        self._base = base_sampler if base_sampler is not None else RandomSampler(seed)
        self._seed = seed

    @property
    def interval(self) -> int:
        """Steps per segment."""
        return self._interval

    def before_trial(self, view: StudyView, trial: FrozenTrial) -> Mapping[str, Any] | None:
        if view.is_multi_objective:
            raise invalid("directions", "a single objective", view.directions, owner=_OWNER)
        trials = view.get_trials()
        population = members(trials, self._size)
        for other in trials:  # trials other workers are placing right now, in their order
            if (
                other.number < trial.number
                and other.state == TrialState.RUNNING
                and PBT_KEY not in other.system_attrs
            ):
                taken = _next_member(population)
                population[taken.index] = dataclasses.replace(taken, busy=True)
        chosen = _next_member(population)
        if chosen.latest is None:
            return {PBT_KEY: {"member": chosen.index, "generation": 0, "parent": None}}
        source = chosen.latest
        params = dict(source.params)
        ready = (generation(source) + 1) * self._interval >= self._burn_in
        donors = (
            _donors(
                trials,
                chosen.index,
                source,
                chosen.failed,
                self._size,
                self._quantile,
                view.direction,
            )
            if ready or chosen.failed
            else []
        )
        if donors:
            rng = np.random.default_rng(None if self._seed is None else [self._seed, trial.number])
            source = donors[int(rng.integers(len(donors)))]
            params = self._explore(source, rng)
        return {
            PBT_KEY: {
                "member": chosen.index,
                "generation": generation(source) + 1,
                "parent": source.number,
            },
            FIXED_PARAMS_KEY: params,
        }

    def _explore(self, source: FrozenTrial, rng: np.random.Generator) -> dict[str, Any]:
        """The hyperparameters of a segment that continues from ``source``'s checkpoint."""
        missing = sorted(self._mutable - set(source.params)) if self._mutable else []
        if missing:
            warnings.warn(
                f"hyperparam_mutations names {missing}, which trial {source.number} did not "
                f"suggest (it has {sorted(source.params)}); they are not explored.",
                stacklevel=2,
            )
        params = explore(
            source.params,
            source.distributions,
            rng,
            self._factors,
            self._resample,
            self._mutable,
        )
        if self._explore_fn is None:
            return params
        out = self._explore_fn(params)
        if not isinstance(out, Mapping):
            raise type_error(
                "custom_explore_fn",
                "a function that returns a dict of parameters",
                out,
                owner=_OWNER,
            )
        return dict(out)

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
        delete: Callable[[int], None] | None = None,
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
        delete
            ``delete(trial_number)``: remove a stale checkpoint, one that no segment
            will load again (see the class docstring); ``None`` (default) keeps every
            checkpoint. After saving its own checkpoint, each segment deletes the stale
            ones this process has not deleted yet, so the store holds about two
            generations of the population instead of every segment's. With several
            workers, two of them may delete the same checkpoint: ``delete`` must
            accept a number whose checkpoint is already gone. The latest checkpoint of
            each member is never stale.

        Returns
        -------
        callable
            ``objective(trial) -> value``. It pickles when the three functions do
            (module-level functions, ``functools.partial`` of them), so it runs with
            ``ProcessExecutor``, ``DaskExecutor`` and ``RayExecutor`` too.

        Examples
        --------
        >>> import ahpo.pbt
        >>> pbt = ahpo.pbt.PopulationBasedTraining(2, 1)
        >>> try:
        ...     pbt.objective(lambda trial, checkpoint, steps: (0.0, None), {}.__setitem__, None)
        ... except TypeError as error:
        ...     print(str(error).split(" must")[0])
        The 'load' parameter of PopulationBasedTraining.objective
        """
        for name, value, must in (
            ("segment", segment, "segment(trial, checkpoint, steps) -> (value, checkpoint)"),
            ("save", save, "save(trial_number, checkpoint)"),
            ("load", load, "load(trial_number) -> checkpoint"),
        ):
            if not callable(value):
                raise type_error(name, f"a function {must}", value, owner=f"{_OWNER}.objective")
        if delete is not None and not callable(delete):
            raise type_error(
                "delete",
                "None or a function delete(trial_number)",
                delete,
                owner=f"{_OWNER}.objective",
            )
        return _SegmentObjective(segment, save, load, self._interval, delete, self._size)


@dataclasses.dataclass(frozen=True)
class _SegmentObjective:
    """What :meth:`PopulationBasedTraining.objective` returns: a module-level class, so
    it pickles for process, Dask and Ray executors when the user's functions do."""

    segment: Segment
    save: Callable[[int, Any], None]
    load: Callable[[int], Any]
    interval: int
    delete: Callable[[int], None] | None = None
    population_size: int = 2
    #: the checkpoints this process deleted (each process of an executor has its own)
    deleted: set[int] = dataclasses.field(default_factory=set, compare=False)

    def __call__(self, trial: Any) -> float:
        info = trial.system_attrs.get(PBT_KEY)
        if not isinstance(info, dict):
            raise RuntimeError(
                "This trial has no PBT placement: create the study with "
                "sampler=PopulationBasedTraining(...) and use its objective()."
            )
        parent = info["parent"]
        checkpoint = None if parent is None else self.load(int(parent))
        start = int(info["generation"]) * self.interval
        value, checkpoint = self.segment(trial, checkpoint, range(start, start + self.interval))
        self.save(trial.number, checkpoint)
        if self.delete is not None:
            trials = trial.study.get_trials(deepcopy=False)
            for number in stale_checkpoints(trials, self.population_size):
                if number not in self.deleted:
                    self.delete(number)
                    self.deleted.add(number)
        return value


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
    trials: Sequence[FrozenTrial],
    chosen: int,
    own: FrozenTrial,
    failed: bool,
    population_size: int,
    quantile: float,
    direction: StudyDirection,
) -> list[FrozenTrial]:
    """The segments member ``chosen`` may continue from instead of ``own``, best first.

    Members are ranked by their own COMPLETE segment of ``own``'s generation, those
    their member failed to continue last. Empty if ``chosen`` is not in the bottom
    quantile and its last segment did not fail; ``[own]`` (perturb its own
    hyperparameters) if it failed and no other member can be copied.
    """
    gen = generation(own)
    peers: dict[int, FrozenTrial] = {}
    stuck: set[tuple[int, int]] = set()  # (member, parent) of the segments that failed
    for t in trials:
        info = t.system_attrs.get(PBT_KEY)
        if not isinstance(info, dict):
            continue
        if t.state in (TrialState.FAIL, TrialState.PRUNED) and info["parent"] is not None:
            stuck.add((int(info["member"]), int(info["parent"])))
        elif t.state == TrialState.COMPLETE and generation(t) == gen:
            peers[int(info["member"])] = t
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0

    def key(member: int, segment: FrozenTrial) -> tuple[bool, float]:
        return (member, segment.number) in stuck, sign * segment.value  # type: ignore[operator]

    ranked = sorted(
        ((m, t) for m, t in peers.items() if m < population_size),
        key=lambda p: (*key(*p), p[0]),
    )
    # The 1e-9 keeps 10 * 0.3 (3.0000000000000004 in floats) at 3.
    n_cut = min(math.ceil(len(ranked) * quantile - 1e-9), len(ranked) // 2)
    if failed:
        alive = [t for m, t in ranked if m != chosen and not key(m, t)[0]]
        return alive[: max(n_cut, 1)] or [own]
    if n_cut == 0 or chosen not in {m for m, _ in ranked[-n_cut:]}:
        return []
    return [t for m, t in ranked[:n_cut] if not key(m, t)[0] and key(m, t) < key(chosen, own)]
