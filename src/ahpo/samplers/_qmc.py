"""Quasi-Monte Carlo sampling: low-discrepancy points (Sobol', Halton, Latin hypercube)."""

from __future__ import annotations

import inspect
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.samplers._base import BaseSampler
from ahpo.samplers._random import RandomSampler
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

_OWNER = "QMCSampler"
_TYPES = ("sobol", "halton", "lhs")


def _engine(kind: str, d: int, scramble: bool, rng: Any) -> Any:
    """A ``scipy.stats.qmc`` engine (scipy names its seed ``rng`` from 1.15 on)."""
    from scipy.stats import qmc

    cls = {"sobol": qmc.Sobol, "halton": qmc.Halton, "lhs": qmc.LatinHypercube}[kind]
    seed_kw = "rng" if "rng" in inspect.signature(cls).parameters else "seed"
    return cls(d, scramble=scramble, **{seed_kw: rng})


class QMCSampler(BaseSampler):
    """Samples a low-discrepancy sequence: a space-filling design for exploration.

    The point of a trial is the point with index ``i`` of a ``d``-dimensional sequence
    in the unit cube, mapped into each parameter's domain with its distribution's
    ``from_unit`` (so ``log``, ``step``, integers and categorical choices are honoured:
    a categorical parameter gets its choices in equal shares). ``i`` follows from the
    trial number, so parallel workers (threads, processes, machines) draw distinct
    points of one sequence without talking to each other, and a seeded sampler gives
    the same points in every process.

    The search space (``d`` parameters) is ``search_space`` if given; then trial
    ``n`` takes point ``n``. Otherwise, as in Optuna, it is inferred from the first
    COMPLETE trial ``f`` (its parameters that can take more than one value, by name),
    trials up to ``f`` are sampled by ``independent_sampler``, and trial ``n > f``
    takes point ``n - f - 1``: run sequentially, the first trials after ``f`` take the
    prefix ``0, 1, 2, …`` of the sequence. Enqueued and added trials use up an index.
    Parameters outside the space (conditional ones, or asked with another
    distribution) are sampled by ``independent_sampler``, with a warning.

    Parameters
    ----------
    qmc_type
        ``"sobol"`` (Sobol' 1967; its first ``2**k`` points put ``2**(k-j)`` points in
        each of the ``2**j`` equal slices of any one axis), ``"halton"`` (Halton 1960)
        or ``"lhs"`` (Latin hypercube sampling, McKay et al. 1979; see
        ``lhs_budget``), all from :mod:`scipy.stats.qmc`.
    scramble
        Randomize the sequence (Owen-type scrambling for Sobol', permutations for
        Halton, random positions inside the cells for LHS), seeded by ``seed``.
        Unscrambled Sobol' starts with the corner point ``(0, …, 0)``.
    seed
        Seed of the scrambling and of LHS. ``None`` draws one when the sampler is
        created: threads sharing the sampler agree, separate processes do not (pass
        a seed to workers of a distributed study).
    independent_sampler
        Samples parameters outside the space (default: ``RandomSampler(seed)``).
    warn_independent_sampling
        Warn when a parameter is sampled by ``independent_sampler`` once the space is
        known.
    search_space
        The space to sample: a dict of distributions or a declarative space (its
        unconditional part, see :func:`ahpo.space.flatten_space`). Parameters that
        hold one value only are left to the trial.
    lhs_budget
        For ``"lhs"`` (required there, not allowed otherwise): the points come in
        blocks of ``lhs_budget``, each block a Latin hypercube of its own (drawn from
        ``seed`` and the block's position), so the first ``lhs_budget`` trials have one
        point in each of the ``lhs_budget`` equal slices of every axis. Set it to the
        number of trials you plan.

    Examples
    --------
    >>> import ahpo
    >>> space = {"x": ahpo.Float(-1, 1), "n": ahpo.Int(1, 8, log=True)}
    >>> sampler = ahpo.samplers.QMCSampler(seed=0, search_space=space)
    >>> study = ahpo.create_study(sampler=sampler)
    >>> study.optimize(lambda p: p["x"] ** 2 + p["n"], n_trials=8, space=space)
    >>> xs = [t.params["x"] for t in study.trials]
    >>> sum(x < 0 for x in xs), sum(x >= 0 for x in xs)  # balanced halves
    (4, 4)
    """

    def __init__(
        self,
        *,
        qmc_type: str = "sobol",
        scramble: bool = True,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        warn_independent_sampling: bool = True,
        search_space: Mapping[str, Any] | None = None,
        lhs_budget: int | None = None,
    ) -> None:
        if qmc_type not in _TYPES:
            raise invalid("qmc_type", f"one of {list(_TYPES)!r}", qmc_type, owner=_OWNER)
        for name, flag in (
            ("scramble", scramble), ("warn_independent_sampling", warn_independent_sampling)
        ):
            if not isinstance(flag, bool):
                raise type_error(name, "a bool", flag, owner=_OWNER)
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise invalid("seed", "None or an int >= 0", seed, owner=_OWNER)
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise type_error(
                "independent_sampler", "an ahpo sampler or None", independent_sampler,
                owner=_OWNER,
            )
        if qmc_type == "lhs" and (
            isinstance(lhs_budget, bool) or not isinstance(lhs_budget, int) or lhs_budget < 1
        ):
            raise invalid(
                "lhs_budget", "an int >= 1 with qmc_type='lhs' (the planned number of trials)",
                lhs_budget, owner=_OWNER,
            )
        if qmc_type != "lhs" and lhs_budget is not None:
            raise invalid("lhs_budget", "None unless qmc_type='lhs'", lhs_budget, owner=_OWNER)
        self._space: dict[str, BaseDistribution] | None = None
        if search_space is not None:
            from ahpo.space import flatten_space

            self._space = {
                name: dist
                for name, dist in flatten_space(search_space).items()
                if not dist.single()
            }
        self._qmc_type = qmc_type
        self._scramble = scramble
        self._seed = int(np.random.default_rng().integers(2**63)) if seed is None else int(seed)
        self._independent = (
            independent_sampler if independent_sampler is not None else RandomSampler(seed)
        )
        self._warn = warn_independent_sampling
        self._lhs_budget = lhs_budget
        self._lock = threading.Lock()
        self._engines: dict[int, Any] = {}
        self._blocks: dict[tuple[int, int], np.ndarray] = {}

    # ---- the sequence -------------------------------------------------------------
    def _point(self, index: int, d: int) -> np.ndarray:
        """Point ``index`` of the ``d``-dimensional sequence: an array of shape ``(d,)``."""
        with self._lock:
            if self._lhs_budget is not None:
                block, position = divmod(index, self._lhs_budget)
                if (d, block) not in self._blocks:
                    self._blocks.clear()  # trials move forward: keep one block per call
                    rng = np.random.default_rng([self._seed, block])
                    engine = _engine("lhs", d, self._scramble, rng)
                    self._blocks[(d, block)] = engine.random(self._lhs_budget)
                return self._blocks[(d, block)][position]
            engine = self._engines.get(d)
            if engine is None:
                engine = self._engines[d] = _engine(self._qmc_type, d, self._scramble, self._seed)
            if index < engine.num_generated:
                engine.reset()
            if index > engine.num_generated:  # scipy's Sobol' rejects a jump of 0 at start
                engine.fast_forward(index - engine.num_generated)
            return engine.random(1)[0]

    def _locate(self, view: StudyView, trial: FrozenTrial) -> tuple[int, dict[str, Any]]:
        """The trial's index in the sequence (negative: none) and the space."""
        if self._space is not None:
            return trial.number, self._space
        complete = view.get_trials(states=(TrialState.COMPLETE,))
        if not complete:
            return -1, {}
        first = complete[0]
        space = {n: d for n, d in sorted(first.distributions.items()) if not d.single()}
        return trial.number - first.number - 1, space

    # ---- the sampler protocol -----------------------------------------------------
    def before_trial(self, view: StudyView, trial: FrozenTrial) -> Mapping[str, Any] | None:
        return self._independent.before_trial(view, trial)

    def infer_relative_search_space(
        self, view: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        index, space = self._locate(view, trial)
        return dict(space) if index >= 0 else {}

    def sample_relative(
        self, view: StudyView, trial: FrozenTrial, search_space: Mapping[str, BaseDistribution]
    ) -> dict[str, Any]:
        index, _ = self._locate(view, trial)
        if index < 0 or not search_space:
            return {}
        unit = self._point(index, len(search_space))
        return {
            name: dist.to_external_repr(dist.from_unit(float(u)))
            for (name, dist), u in zip(search_space.items(), unit, strict=True)
        }

    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        if self._warn:
            index, space = self._locate(view, trial)
            if index >= 0 and space:
                warnings.warn(
                    f"Parameter {name!r} of trial {trial.number} is sampled by "
                    f"{type(self._independent).__name__}, not QMCSampler: it is not in the "
                    f"QMC search space {sorted(space)!r} with this distribution. Pass "
                    "warn_independent_sampling=False if that is intended.",
                    stacklevel=2,
                )
        return self._independent.sample_independent(view, trial, name, distribution)

    def after_trial(
        self,
        view: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._independent.after_trial(view, trial, state, values)

    def reseed_rng(self) -> None:
        # The sequence's seed is shared on purpose: workers must draw one sequence.
        self._independent.reseed_rng()
