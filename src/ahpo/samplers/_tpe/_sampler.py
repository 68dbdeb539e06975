"""The Tree-structured Parzen Estimator sampler."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.samplers._base import BaseSampler
from ahpo.samplers._constraints import constraint_attrs
from ahpo.samplers._random_fraction import RandomFraction
from ahpo.samplers._tpe._history import History
from ahpo.samplers._tpe._parzen import ParzenEstimator, grid_step
from ahpo.samplers._tpe._split import Split, default_gamma, default_weights, rank_weights, split
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
#: Batches of ``n_ei_candidates`` drawn, from ``l(x)`` and then at random, to find a
#: point not seen before (``deterministic_objective``) before allowing a repeat.
_LOOK_FURTHER = 32


class TPESampler(BaseSampler):
    """Tree-structured Parzen Estimator (TPE): model good and bad configurations apart.

    The finished trials are split into a good set (the best ``gamma(n)``) and a bad
    set. Each set gets a Parzen estimator, ``l(x)`` and ``g(x)``; the next trial is the
    candidate drawn from ``l`` with the largest ``l(x) / g(x)`` (Bergstra et al. 2011).
    Within the good set, better trials weigh more in ``l`` (linear rank weights, as
    evolution strategies weight their parents), so proposals lean toward the best
    region rather than the average good one.
    Before ``n_startup_trials`` trials have finished, points are drawn uniformly at
    random (in each distribution's unit coordinate, so log scales are honoured);
    after that, a ``random_fraction`` of the trials still are.

    Parameters
    ----------
    n_startup_trials
        Finished trials before the model is used.
    n_ei_candidates
        Candidates drawn from ``l(x)`` per proposal.
    gamma
        ``gamma(n)`` → size of the good set among ``n`` finished trials (default:
        15 %, at most 25; Optuna takes 10 %, see ``default_gamma``).
    weights
        ``weights(n)`` → weights of ``n`` observations, oldest first (the good ones'
        are then multiplied by their rank weights).
    prior_weight
        Weight of the broad prior kernel, relative to one observation.
    multivariate
        Model the parameters jointly (default) instead of one at a time.
    group
        With ``multivariate``: split the space into groups of parameters that always
        appear together (conditional spaces) and model each group jointly. ``False``
        (default, as in Optuna): model jointly the parameters every finished trial
        has; the others (branches of a conditional space) are sampled one at a time.
    random_fraction
        Probability, in ``[0, 1)``, that a trial past the startup ignores the model
        and is drawn at random like a startup trial. BOHB (Falkner et al., ICML 2018)
        takes 1/3 so that a model misled by low-fidelity results cannot keep the
        search from regions it has never sampled; 0 (default) is plain TPE.
    deterministic_objective
        The objective returns the same value for the same parameters, so running a
        configuration again teaches nothing. Past the startup, a proposal (model-based
        or ``random_fraction``'s) then never repeats the jointly modelled parameters of
        a trial the sampler sees complete, pruned or running (a failed one may be
        retried): candidates equal to one are passed over; if all were seen,
        ``32 * n_ei_candidates`` more are drawn from ``l(x)``, then as many at random,
        and only if none of these is new (a small grid used up) is a seen point
        proposed. On a discrete space this keeps TPE from spending its budget on the
        point it likes best; on a continuous one repeats are rare anyway. ``False``
        (default) allows repeats, which a noisy objective needs.
    constant_liar
        Count RUNNING trials as bad, so parallel workers propose different points.
    constraints_func
        ``constraints_func(frozen_trial) -> sequence of floats``; a trial is feasible
        when every value is ``<= 0``. Feasible trials rank above infeasible ones.
    seed
        Seed for reproducible sampling.

    Examples
    --------
    >>> import ahpo
    >>> sampler = ahpo.samplers.TPESampler(seed=0)
    >>> study = ahpo.create_study(sampler=sampler)
    >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=40)
    >>> abs(study.best_params["x"] - 1) < 0.5
    True
    """

    def __init__(
        self,
        *,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Callable[[int], int] = default_gamma,
        weights: Callable[[int], np.ndarray] = default_weights,
        prior_weight: float = 1.0,
        multivariate: bool = True,
        group: bool = False,
        random_fraction: float = 0.0,
        deterministic_objective: bool = False,
        constant_liar: bool = True,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        seed: int | None = None,
    ) -> None:
        owner = "TPESampler"
        for name, value, low in (
            ("n_startup_trials", n_startup_trials, 0),
            ("n_ei_candidates", n_ei_candidates, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise invalid(name, f"an int >= {low}", value, owner=owner)
        if not isinstance(prior_weight, (int, float)) or not prior_weight > 0:
            raise invalid("prior_weight", "a number > 0", prior_weight, owner=owner)
        for name, fn in (("gamma", gamma), ("weights", weights)):
            if not callable(fn):
                raise type_error(name, "a callable", fn, owner=owner)
        if constraints_func is not None and not callable(constraints_func):
            raise type_error("constraints_func", "a callable or None", constraints_func)
        self._n_startup = n_startup_trials
        self._n_candidates = n_ei_candidates
        self._gamma = gamma
        self._weights = weights
        self._prior_weight = float(prior_weight)
        self._multivariate = multivariate
        self._group = group
        self._at_random = RandomFraction(random_fraction, owner=owner)
        self._deterministic = bool(deterministic_objective)
        self._constant_liar = constant_liar
        self._constraints_func = constraints_func
        self._rng = np.random.default_rng(seed)
        self._histories: dict[str, History] = {}
        self._memo = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_memo"]  # a per-thread read of the trials, not state
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._memo = threading.local()

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    # ---- joint sampling ---------------------------------------------------------
    def infer_relative_search_space(
        self, view: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if not self._multivariate:
            return {}
        history = self._history(view.study_name)
        history.update(t for t in self._trials(view, trial, fresh=True) if t.state in _FINISHED)
        return history.search_space()

    def sample_relative(
        self, view: StudyView, trial: FrozenTrial, search_space: Mapping[str, BaseDistribution]
    ) -> dict[str, Any]:
        trials = self._trials(view, trial)
        finished = [t for t in trials if t.state in _FINISHED]
        if len(finished) < self._n_startup or not search_space:
            return {}
        history = self._history(view.study_name)
        history.update(finished)
        liars = self._liars(trials, trial)
        if self._at_random(view.study_name, trial.number, self._rng):
            seen = self._seen(history, finished, search_space, liars)
            return self._random_point(search_space, seen)
        groups = self._groups(history, finished, search_space)
        out: dict[str, Any] = {}
        for names in filter(None, groups):
            space = {n: search_space[n] for n in names}
            parts = self._split_among(history, finished, names, view)
            seen = self._seen(history, finished, space, liars)
            out.update(self._propose(history, space, parts, liars, seen))
        return out

    def _groups(
        self,
        history: History,
        finished: Sequence[FrozenTrial],
        search_space: Mapping[str, BaseDistribution],
    ) -> list[list[str]]:
        """The parameter sets to model jointly, one joint estimator each.

        ``group``: the sets of parameters that always appear together. Otherwise the
        one set of parameters every finished trial has (Optuna's intersection search
        space); the rest, e.g. a conditional branch's, are sampled one at a time.
        """
        if self._group:
            return history.groups(search_space)
        return [history.shared(search_space, [t.number for t in finished])]

    def _split_among(
        self,
        history: History,
        finished: Sequence[FrozenTrial],
        names: Sequence[str],
        view: StudyView,
    ) -> Split:
        """Good and bad among the trials that have every parameter in ``names``.

        In a conditional space a branch's parameters are judged against the other
        trials of that branch: split over all trials, a branch that is not yet in the
        global top would get no good observations, and its model would learn nothing.
        """
        mask = history.present(names, [t.number for t in finished])
        members = [t for t, keep in zip(finished, mask.tolist(), strict=True) if keep]
        return split(members, view.directions, self._gamma)

    # ---- one parameter at a time ------------------------------------------------
    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        trials = view.get_trials()
        finished = [t for t in trials if t.state in _FINISHED]
        if len(finished) < self._n_startup or self._at_random(
            view.study_name, trial.number, self._rng
        ):
            return self._startup_value(distribution)
        history = self._history(view.study_name)
        history.update(finished)
        parts = self._split_among(history, finished, [name], view)
        liars = self._liars(trials, trial)
        space = {name: distribution}
        return self._propose(history, space, parts, liars, set())[name]

    def after_trial(
        self,
        view: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> Mapping[str, Any] | None:
        return constraint_attrs(self._constraints_func, trial, state)

    # ---- internals --------------------------------------------------------------
    def _liars(self, trials: Sequence[FrozenTrial], current: FrozenTrial) -> list[FrozenTrial]:
        if not self._constant_liar:
            return []
        return [
            t
            for t in trials
            if t.state == TrialState.RUNNING and t.number != current.number and t.params
        ]

    def _trials(
        self, view: StudyView, trial: FrozenTrial, fresh: bool = False
    ) -> list[FrozenTrial]:
        """The study's trials; read once for the two calls that open a trial.

        ``infer_relative_search_space`` reads (``fresh``) and ``sample_relative``, which
        the study calls right after it for the same trial, reuses that read. The memo
        is per thread, so parallel workers never see each other's.
        """
        memo = getattr(self._memo, "trials", None)
        if fresh or memo is None or memo[0] != (view.study_name, trial.number):
            memo = ((view.study_name, trial.number), view.get_trials())
            self._memo.trials = memo
        return memo[1]

    def _history(self, study_name: str) -> History:
        history = self._histories.get(study_name)
        return history if history is not None else self._histories.setdefault(study_name, History())

    def _seen(
        self,
        history: History,
        finished: Sequence[FrozenTrial],
        space: Mapping[str, BaseDistribution],
        liars: Sequence[FrozenTrial],
    ) -> set[tuple[float, ...]]:
        """The points of ``space`` not to propose again (``deterministic_objective``).

        Keys (``_point_keys``) of the finished trials that have every parameter of
        ``space`` and of the running ones; empty when repeats are allowed.
        """
        if not self._deterministic:
            return set()
        names = sorted(space)
        obs, _ = history.observations([t.number for t in finished], space)
        rows = [row for t in liars if (row := _internal_row(t, names, space))]
        return set(_point_keys(obs, space)) | set(_point_keys(_columns(rows, names), space))

    def _random_point(
        self, space: Mapping[str, BaseDistribution], seen: set[tuple[float, ...]]
    ) -> dict[str, Any]:
        """A startup-like draw of every parameter in ``space``, not a ``seen`` point.

        With nothing seen this is one draw per parameter, the stream of plain TPE.
        """
        for _ in range(_LOOK_FURTHER * self._n_candidates):
            point = {n: self._startup_value(dist) for n, dist in space.items()}
            internal = {n: np.array([dist.to_internal_repr(point[n])]) for n, dist in space.items()}
            if not seen or _point_keys(internal, space)[0] not in seen:
                return point
        return point

    def _propose(
        self,
        history: History,
        space: Mapping[str, BaseDistribution],
        parts: Split,
        liars: Sequence[FrozenTrial],
        seen: set[tuple[float, ...]],
    ) -> dict[str, Any]:
        """The candidate from ``l(x)`` with the best ``l(x) / g(x)``.

        The good observations are weighted by age and by rank (``rank_weights``).
        Running trials (the constant liar) count as bad observations, and a candidate
        equal to a running trial's point is passed over when another one exists, so
        parallel workers on a discrete space never propose the same point. Candidates
        equal to a ``seen`` point are passed over likewise; if all are, up to
        ``_LOOK_FURTHER`` more batches come from ``l(x)``, then a random unseen point.
        """
        names = sorted(space)
        liar_rows = [row for t in liars if (row := _internal_row(t, names, space))]
        good_obs, kept = history.observations([t.number for t in parts.good], space)
        by_rank = rank_weights(parts.good_ranks, len(parts.good))[kept]
        below = self._estimator(space, good_obs, [], by_rank)
        bad_obs, _ = history.observations([t.number for t in parts.bad], space)
        above = self._estimator(space, bad_obs, liar_rows)
        candidates = below.sample(self._rng, self._n_candidates)
        taken = seen | set(_point_keys(_columns(liar_rows, names), space))
        hit = np.zeros(self._n_candidates, dtype=bool)
        if taken:
            hit = np.array([key in taken for key in _point_keys(candidates, space)])
        if seen and hit.all():
            more = below.sample(self._rng, _LOOK_FURTHER * self._n_candidates)
            fresh = np.array([key not in taken for key in _point_keys(more, space)])
            if not fresh.any():
                return self._random_point(space, taken)
            candidates = {n: more[n][fresh] for n in names}
            hit = np.zeros(int(fresh.sum()), dtype=bool)
        score = below.log_pdf(candidates) - above.log_pdf(candidates)
        if hit.any() and not hit.all():
            score = np.where(hit, -np.inf, score)
        best = int(np.argmax(score))
        return {
            name: dist.to_external_repr(float(candidates[name][best]))
            for name, dist in space.items()
        }

    def _estimator(
        self,
        space: Mapping[str, BaseDistribution],
        observations: Mapping[str, np.ndarray],
        extra_rows: Sequence[Sequence[float]],
        factors: np.ndarray | None = None,
    ) -> ParzenEstimator:
        """The Parzen estimator of ``observations`` plus ``extra_rows`` (liars).

        Each observation weighs ``weights(n)`` by age, times ``factors`` if given
        (one per observation, none for extra rows).
        """
        names = sorted(space)
        if extra_rows:
            extra = np.asarray(extra_rows, dtype=float)
            observations = {
                n: np.concatenate([observations[n], extra[:, j]]) for j, n in enumerate(names)
            }
        n_obs = len(observations[names[0]])
        weights = np.asarray(self._weights(n_obs), dtype=float) if n_obs else np.ones(0)
        if factors is not None:
            weights = weights * factors
        return ParzenEstimator(
            observations,
            weights,
            space,
            prior_weight=self._prior_weight,
        )

    def _startup_value(self, dist: BaseDistribution) -> Any:
        """A uniform draw in ``dist``'s unit coordinate (log-uniform on a log scale)."""
        if dist.single():
            return dist.to_external_repr(dist.from_unit(0.5))
        return dist.to_external_repr(dist.from_unit(float(self._rng.random())))


def _internal_row(
    trial: FrozenTrial, names: Sequence[str], space: Mapping[str, BaseDistribution]
) -> list[float] | None:
    """The trial's internal values for ``names``, or ``None`` if one is missing or outside."""
    row = []
    for name in names:
        if name not in trial.params:
            return None
        dist = space[name]
        try:
            internal = dist.to_internal_repr(trial.params[name])
        except (ValueError, TypeError):
            return None
        if not dist.contains(internal):
            return None
        row.append(internal)
    return row


def _columns(rows: Sequence[Sequence[float]], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Rows of internal values (columns in ``names`` order) as arrays by name."""
    matrix = np.asarray(rows, dtype=float).reshape(len(rows), len(names))
    return {name: matrix[:, j] for j, name in enumerate(names)}


def _point_keys(
    internal: Mapping[str, np.ndarray], space: Mapping[str, BaseDistribution]
) -> list[tuple[float, ...]]:
    """A hashable key per point: equal exactly when the points are the same parameters.

    On a grid (integers, steps) the key is the cell index, so values that differ
    only by rounding (``0.1 * 3`` and ``0.3``) are one point; categorical internals
    are indices already; other floats are compared as they are.
    """
    names = sorted(space)
    columns = []
    for name in names:
        values = np.asarray(internal[name], dtype=float)
        step = grid_step(space[name])
        if step is not None:
            values = np.round((values - space[name].low) / step)  # type: ignore[attr-defined]
        columns.append(values)
    if not columns:
        return []
    return [tuple(row) for row in np.column_stack(columns).tolist()]
