"""The Gaussian-process Bayesian-optimization sampler."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.samplers._base import BaseSampler
from ahpo.samplers._constraints import constraint_attrs
from ahpo.samplers._gp._data import Observations, subset, targets
from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._kernel import BoolArray, FloatArray
from ahpo.samplers._gp._startup import SobolStartup
from ahpo.samplers._gp._tree import Branches, Embedded
from ahpo.samplers._gp._trust_region import box, side_length
from ahpo.samplers._gp._unseen import Unseen, fresh_row
from ahpo.samplers._gp._warp import warp
from ahpo.samplers._random import RandomSampler
from ahpo.samplers._random_fraction import RandomFraction
from ahpo.trial._frozen import FrozenTrial, identity
from ahpo.trial._state import TrialState

if TYPE_CHECKING:
    from ahpo.samplers._gp._gp import GaussianProcess
    from ahpo.samplers._gp._input_warp import InputWarp

_OWNER = "GPSampler"
_ACQUISITIONS = ("logei", "ucb", "pi")
_REFIT_EVERY = 10  # full multi-start hyperparameter fits; warm-started ones in between
_N_ANCHORS = 5
# Hyperparameters are fitted on at most this many trials (each marginal-likelihood
# evaluation is cubic in it); the posterior then conditions on all modeled trials.
_MAX_FIT_TRIALS = 100
_TRUST_REGION_DIM = 20  # more parameters than this: search a TuRBO trust region
# A conditional parameter gets its own GP once this many finished trials have it.
_MIN_BRANCH_TRIALS = 5


class GPSampler(BaseSampler):
    """Bayesian optimization with a Gaussian-process surrogate (numpy and scipy only).

    Each proposal fits a GP with a Matérn-5/2 ARD kernel to the finished trials
    (hyperparameters by maximum a posteriori, warm-started from the previous fit;
    targets standardized and power-warped), and maximizes an acquisition over the
    space: log expected improvement by default (Ament et al. 2023). Numerical
    parameters live in the unit cube (log- and step-aware); categorical ones use a
    Hamming kernel and are searched exactly. RUNNING trials are fantasized with the
    kriging believer (their posterior mean is treated as observed), so parallel
    workers propose distinct points. In a conditional space whose branches are chosen
    by a categorical parameter every trial has, one GP models every parameter (absent
    ones imputed) and the acquisition is maximized branch by branch; other parameters
    that only some trials have get a GP of their own on those trials once at least
    five have them. With ``constraints_func`` each constraint gets a
    GP, and the acquisition is weighted by the probability of feasibility. Several
    objectives are scalarized by random Chebyshev weights per proposal (ParEGO).
    With more than 20 parameters the acquisition is maximized inside a trust region
    around the incumbent (TuRBO, Eriksson et al. 2019). Before ``n_startup_trials``
    trials have completed, points come from a scrambled
    Sobol' sequence indexed by trial number. With ``input_warping=True`` each
    continuous parameter is mapped through a Kumaraswamy CDF fitted with the kernel
    (Snoek et al. 2014), for objectives that change faster near one end of a range.

    Parameters
    ----------
    seed
        Seed for reproducible sampling.
    independent_sampler
        Samples parameters outside the joint space after the start-up phase. Default:
        a GP on the trials that have the parameter (jointly with the parameters that
        always come with it), random sampling while fewer than five trials have it.
    n_startup_trials
        Completed trials before the GP is used.
    random_fraction
        Probability, in ``[0, 1)``, that a trial past the start-up ignores the GP and
        is drawn uniformly at random (BOHB's share, 1/3, keeps a model misled by
        low-fidelity results from shutting the search out of regions it never
        sampled). 0 (default): every trial past the start-up is the GP's.
    deterministic_objective
        The objective has no noise: fix the noise variance at a tiny floor instead of
        learning it, and take the best observed value as the incumbent (otherwise the
        best posterior mean at an observed point). Proposals also skip the points of
        finished, pruned and running trials: on a grid (integer, stepped or
        categorical parameters) a point is only repeated once every point was tried.
    constraints_func
        ``constraints_func(frozen_trial) -> sequence of floats``; a trial is feasible
        when every value is ``<= 0``.
    acquisition
        ``"logei"`` (default), ``"ucb"`` or ``"pi"`` (log probability of improvement).
    ucb_beta
        Exploration weight of UCB: ``mean + sqrt(ucb_beta) * sd``.
    fantasize_pending
        Fantasize RUNNING trials (kriging believer).
    max_model_trials
        Past this many completed trials, the model is fitted on the best half of this
        budget plus a random draw from the rest; past this many RUNNING trials, the
        most recent are fantasized. Together they bound the time per trial.
    input_warping
        Warp each continuous parameter by a Kumaraswamy CDF whose two shapes are fitted
        with the kernel hyperparameters (a prior centred on the identity). Costs two
        hyperparameters per continuous parameter; off by default.

    Examples
    --------
    >>> import ahpo
    >>> sampler = ahpo.samplers.GPSampler(seed=0)
    >>> study = ahpo.create_study(sampler=sampler)
    >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=20)
    >>> abs(study.best_params["x"] - 1) < 0.1
    True
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        n_startup_trials: int = 10,
        random_fraction: float = 0.0,
        deterministic_objective: bool = False,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        acquisition: str = "logei",
        ucb_beta: float = 4.0,
        fantasize_pending: bool = True,
        max_model_trials: int = 300,
        input_warping: bool = False,
    ) -> None:
        for name, value, low in (
            ("n_startup_trials", n_startup_trials, 0),
            ("max_model_trials", max_model_trials, 2),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise invalid(name, f"an int >= {low}", value, owner=_OWNER)
        if acquisition not in _ACQUISITIONS:
            raise invalid("acquisition", f"one of {_ACQUISITIONS}", acquisition, owner=_OWNER)
        if isinstance(ucb_beta, bool) or not isinstance(ucb_beta, (int, float)) or ucb_beta < 0:
            raise invalid("ucb_beta", "a number >= 0", ucb_beta, owner=_OWNER)
        if not isinstance(input_warping, bool):
            raise type_error("input_warping", "a bool", input_warping, owner=_OWNER)
        if constraints_func is not None and not callable(constraints_func):
            raise type_error("constraints_func", "a callable or None", constraints_func,
                             owner=_OWNER)
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise type_error("independent_sampler", "a BaseSampler or None",
                             independent_sampler, owner=_OWNER)
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._independent = independent_sampler or RandomSampler(seed=seed)
        self._branch_models = independent_sampler is None
        self._branch_values: dict[tuple[str, int], dict[str, tuple[BaseDistribution, Any]]] = {}
        self._n_startup = n_startup_trials
        self._at_random = RandomFraction(random_fraction, owner=_OWNER)
        self._deterministic = bool(deterministic_objective)
        self._constraints_func = constraints_func
        self._acquisition = acquisition
        self._ucb_beta = float(ucb_beta)
        self._fantasize = bool(fantasize_pending)
        self._max_model = max_model_trials
        self._input_warping = input_warping
        self._startup = SobolStartup(seed)
        self._lock = threading.Lock()
        self._thetas: dict[tuple[str, ...], FloatArray] = {}
        # Encoded rows by search space and trial number, with the trial's identity.
        self._rows: dict[tuple[str, ...], dict[int, tuple[tuple[object, ...], FloatArray | None]]]
        self._rows = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._independent.reseed_rng()

    # ---- the protocol ---------------------------------------------------------
    def infer_relative_search_space(
        self, view: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space: dict[str, BaseDistribution] | None = None
        for t in view.get_trials(states=(TrialState.COMPLETE,)):
            if space is None:
                space = dict(t.distributions)
            else:
                space = {
                    n: d for n, d in space.items() if t.distributions.get(n) == d
                }
        return {n: d for n, d in sorted((space or {}).items()) if not d.single()}

    def sample_relative(
        self, view: StudyView, trial: FrozenTrial, search_space: Mapping[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        trials = view.get_trials()
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        if len(complete) < self._n_startup:
            return {}
        if self._at_random(view.study_name, trial.number, self._rng):
            return self._random_point(trials, trial, search_space)
        branches = Branches.detect(complete, search_space) if self._branch_models else None
        if branches is not None:
            return self._sample_tree(view, trial, trials, complete, search_space, branches)
        encoding = Encoding(search_space)
        data = self._observations(view.study_name, complete, encoding)
        if len(data.x) < max(self._n_startup, 1):
            return {}
        others = self._others(trials, trial, encoding)
        with _single_threaded_blas():
            row = self._propose(view, encoding, data, others)
        return encoding.decode(row)

    def _sample_tree(
        self,
        view: StudyView,
        trial: FrozenTrial,
        trials: Sequence[FrozenTrial],
        complete: Sequence[FrozenTrial],
        search_space: Mapping[str, BaseDistribution],
        branches: Branches,
    ) -> dict[str, Any]:
        """One GP over every parameter of a conditional space; the best branch wins.

        Returns the joint parameters; the chosen branch's other parameters wait in
        the per-trial cache that ``sample_independent`` reads.
        """
        encoding = Encoding(branches.space)
        data = self._observations(view.study_name, complete, encoding, branches)
        if len(data.x) < max(self._n_startup, 1):
            return {}
        others = self._others(trials, trial, encoding, branches)
        with _single_threaded_blas():
            row = self._propose(view, encoding, data, others, branches)
        key = tuple(int(row[encoding.names.index(s)]) for s in branches.switches)
        names = sorted(set(search_space) | set(branches.free(key)))
        chosen = Encoding({n: branches.space[n] for n in names})
        values = chosen.decode(row[[encoding.names.index(n) for n in names]])
        with self._lock:
            self._branch_values[(view.study_name, trial.number)] = {
                n: (branches.space[n], v) for n, v in values.items() if n not in search_space
            }
        return {n: values[n] for n in search_space}

    def sample_independent(
        self, view: StudyView, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        complete = view.get_trials(states=(TrialState.COMPLETE,))
        if len(complete) < self._n_startup or self._at_random(
            view.study_name, trial.number, self._rng
        ):
            return self._startup.value(trial, name, distribution)
        if self._branch_models:
            values = self._branch_proposal(view, trial, name, distribution, complete)
            if values is not None:
                return values[name]
        return self._independent.sample_independent(view, trial, name, distribution)

    def before_trial(self, view: StudyView, trial: FrozenTrial) -> Mapping[str, Any] | None:
        return self._independent.before_trial(view, trial)

    def after_trial(
        self,
        view: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> Mapping[str, Any] | None:
        with self._lock:
            self._branch_values.pop((view.study_name, trial.number), None)
        return constraint_attrs(self._constraints_func, trial, state)

    # ---- internals --------------------------------------------------------------
    def _branch_proposal(
        self,
        view: StudyView,
        trial: FrozenTrial,
        name: str,
        distribution: BaseDistribution,
        complete: Sequence[FrozenTrial],
    ) -> dict[str, Any] | None:
        """Values for ``name`` and the parameters that come with it, from a GP on the
        finished trials that have it; ``None`` while too few do.

        One proposal covers the whole branch: the other values wait in a per-trial
        cache for their ``suggest`` calls. Parameters the trial already has and those
        every trial has (the joint space) are left out.
        """
        key = (view.study_name, trial.number)
        with self._lock:
            cached = self._branch_values.get(key, {})
        if name in cached and cached[name][0] == distribution:
            return {n: v for n, (_, v) in cached.items()}
        having = [t for t in complete if t.distributions.get(name) == distribution]
        if len(having) < _MIN_BRANCH_TRIALS:
            return None
        joint = set(self.infer_relative_search_space(view, trial))
        space = dict(having[0].distributions)
        for t in having[1:]:
            space = {n: d for n, d in space.items() if t.distributions.get(n) == d}
        space = {
            n: d for n, d in sorted(space.items())
            if not d.single() and n not in trial.params and (n == name or n not in joint)
        }
        encoding = Encoding(space)
        data = self._observations(view.study_name, having, encoding)
        if len(data.x) < _MIN_BRANCH_TRIALS:
            return None
        others = self._others(view.get_trials(), trial, encoding)
        with _single_threaded_blas():
            row = self._propose(view, encoding, data, others)
        values = encoding.decode(row)
        with self._lock:
            self._branch_values[key] = {n: (space[n], v) for n, v in values.items()}
        return values

    def _observations(
        self,
        study_name: str,
        complete: Sequence[FrozenTrial],
        encoding: Encoding,
        branches: Branches | None = None,
    ) -> Observations:
        # Finished trials never change: each one is encoded once per search space. An
        # entry is used only for the trial it was made from (``identity``): another
        # study of the same name has other trials under the same numbers.
        key = (study_name, *map(repr, encoding.dists), *encoding.names, str(branches is None))
        with self._lock:
            cache = self._rows.setdefault(key, {})
        rows, values, constraints = [], [], []
        n_constraints = None
        for t in complete:
            made_from = identity(t)
            entry = cache.get(t.number)
            if entry is None or entry[0] != made_from:
                entry = cache[t.number] = (made_from, _encode(encoding, t.params, branches))
            row = entry[1]
            if row is None or t.values is None or not np.all(np.isfinite(t.values)):
                continue  # outside the space, or a value the model cannot fit (inf)
            c = t.constraints if self._constraints_func is not None else ()
            if c is None:
                continue
            if n_constraints is None:
                n_constraints = len(c)
            if len(c) != n_constraints:
                continue
            rows.append(row)
            values.append(t.values)
            constraints.append(c)
        m = n_constraints or 0
        return Observations(
            np.array(rows, dtype=float).reshape(-1, encoding.dim),
            np.array(values, dtype=float).reshape(len(rows), -1),
            np.array(constraints, dtype=float).reshape(len(rows), m),
        )

    def _random_point(
        self,
        trials: Sequence[FrozenTrial],
        trial: FrozenTrial,
        search_space: Mapping[str, BaseDistribution],
    ) -> dict[str, Any]:
        """A uniform draw over the joint space; for a deterministic objective, one that
        no other trial has (unless the grid is used up)."""
        encoding = Encoding(search_space)
        row = None
        if self._deterministic:
            running, finished = self._others(trials, trial, encoding)
            row = fresh_row(encoding, np.vstack([finished, running]), self._rng)
        if row is None:
            row = encoding.from_unit(self._rng.random((1, encoding.dim)))[0]
        return encoding.decode(row)

    def _others(
        self,
        trials: Sequence[FrozenTrial],
        current: FrozenTrial,
        encoding: Encoding,
        branches: Branches | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Rows of the other running trials, and for a deterministic objective the rows
        of the finished (complete or pruned) trials; empty otherwise."""
        finished = (TrialState.COMPLETE, TrialState.PRUNED) if self._deterministic else ()
        running: list[FloatArray] = []
        done: list[FloatArray] = []
        for t in trials:
            if t.number == current.number or (
                t.state != TrialState.RUNNING and t.state not in finished
            ):
                continue
            row = _encode(encoding, t.params, branches)
            if row is not None:
                (running if t.state == TrialState.RUNNING else done).append(row)
        return (
            np.array(running, dtype=float).reshape(-1, encoding.dim),
            np.array(done, dtype=float).reshape(-1, encoding.dim),
        )

    def _fit(
        self, key: tuple[str, ...], x: FloatArray, y: FloatArray, encoding: Encoding,
        deterministic: bool, n_complete: int, warp_columns: BoolArray | None = None,
    ) -> tuple[GaussianProcess, InputWarp | None]:
        # scipy.optimize and scipy.linalg load on first use: `import ahpo` stays fast.
        from ahpo.samplers._gp._fit import fit_kernel, input_warp
        from ahpo.samplers._gp._gp import GaussianProcess

        with self._lock:
            warm = self._thetas.get(key)
        if warm is not None and n_complete % _REFIT_EVERY == 0:
            warm = None
        rows = subset(y, _MAX_FIT_TRIALS, self._rng)
        gp, theta = fit_kernel(
            x[rows], y[rows], encoding.categorical, deterministic=deterministic,
            rng=self._rng, warm_start=warm, warp_columns=warp_columns,
        )
        with self._lock:
            self._thetas[key] = theta
        iw = None
        if warp_columns is not None and warp_columns.any():
            iw = input_warp(theta, warp_columns)
        if len(rows) < len(y):
            gp = GaussianProcess(x if iw is None else iw(x), y, gp.params, encoding.categorical)
        return gp, iw

    def _propose(
        self,
        view: StudyView,
        encoding: Encoding,
        data: Observations,
        others: tuple[FloatArray, FloatArray],
        branches: Branches | None = None,
    ) -> FloatArray:
        from ahpo.samplers._gp._acquisition import Acquisition, Constraint
        from ahpo.samplers._gp._optimize import maximize

        running, finished = others
        # The most recent pending trials, bounded as the observations are: under
        # HyperbandPruner's rung view every trial stopped below the rung is pending.
        pending = running[-self._max_model :] if self._fantasize else running[:0]
        seen = np.vstack([finished, running]) if self._deterministic else None

        key = (view.study_name, *map(repr, encoding.dists), *encoding.names)
        y_raw = targets(data.values, view.directions, self._rng)
        keep = subset(y_raw, self._max_model, self._rng)
        x = data.x[keep]
        y = warp(y_raw[keep])
        feasible = data.feasible[keep]
        n = len(data.x)
        warp_columns = None
        if self._input_warping:
            warp_columns = ~encoding.categorical & (encoding.n_values == 0)
        gp, iw = self._fit(
            (*key, "objective"), x, y, encoding, self._deterministic, n, warp_columns
        )
        # From here on, continuous columns are in the warped coordinates (if any).
        if iw is not None:
            x, pending = iw(x), iw(pending)
            seen = None if seen is None else iw(seen)
        if feasible.any():
            observed = y if self._deterministic else gp.posterior(x)[0]
            best = float(observed[feasible].max())
            anchors = x[np.argsort(-np.where(feasible, observed, -np.inf))[:_N_ANCHORS]]
        else:
            best, anchors = -np.inf, x[:0]
        models = []
        for i in range(data.constraints.shape[1]):
            c = data.constraints[keep, i]
            mean, sd = float(c.mean()), float(c.std()) or 1.0
            c_gp, _ = self._fit((*key, f"constraint{i}"), x, (c - mean) / sd, encoding, False, n)
            if len(pending):
                c_gp = c_gp.condition(pending, c_gp.posterior(pending)[0])
            models.append(Constraint(c_gp, -mean / sd))
        if len(pending):
            gp = gp.condition(pending, gp.posterior(pending)[0])
        if not feasible.any() and models:
            acq = Acquisition(None, constraints=models)
            anchors = x[np.argsort(data.constraints[keep].max(axis=1))[:_N_ANCHORS]]
        else:
            acq = Acquisition(gp, self._acquisition, best=best, beta=self._ucb_beta,
                              constraints=models)
        unseen = None if seen is None else Unseen(acq, seen)
        if unseen is not None:
            acq = unseen
        if branches is not None:
            row = self._maximize_by_branch(acq, encoding, anchors, branches, iw)
            return self._final_row(row, unseen, encoding, iw)
        bounds = None
        if encoding.dim > _TRUST_REGION_DIM and feasible.any():
            order = np.flatnonzero(data.feasible)
            center = data.x[order[np.argmax(y_raw[order])]]
            if iw is not None:
                center = iw(center[None])[0]
            length = side_length(y_raw, encoding.dim)
            bounds = box(center, length, gp.params.inv_sq_lengthscales, ~encoding.categorical)
        row, _ = maximize(acq, encoding, anchors, self._rng, bounds)
        return self._final_row(row, unseen, encoding, iw)

    def _final_row(
        self, row: FloatArray, unseen: Unseen | None, encoding: Encoding, iw: InputWarp | None
    ) -> FloatArray:
        """The proposal in the encoding's coordinates; for a deterministic objective,
        a random unseen row if the maximizer found only seen ones."""
        if unseen is not None and unseen.taken(row):
            fresh = unseen.fresh(encoding, self._rng)
            if fresh is not None:  # else the grid is used up: a repeat it must be
                row = fresh
        return row if iw is None else iw.inverse(row[None])[0]

    def _maximize_by_branch(
        self,
        acq: Any,
        encoding: Encoding,
        anchors: FloatArray,
        branches: Branches,
        iw: InputWarp | None,
    ) -> FloatArray:
        """The best row over all branches, each searched over its own free columns."""
        from ahpo.samplers._gp._optimize import maximize

        switch_cols = [encoding.names.index(s) for s in branches.switches]
        best_row, best_value = None, -np.inf
        for key in sorted(branches.members):
            free = branches.free(key)
            base = branches.base_row(encoding, key)
            if iw is not None:
                base = iw(base[None])[0]
            cols = [encoding.names.index(n) for n in free]
            if not cols:
                row, value = base, float(acq(base[None, :])[0])
            else:
                here = anchors[np.all(anchors[:, switch_cols] == key, axis=1)][:, cols]
                embedded = Embedded(acq, cols, base)
                sub = Encoding({n: branches.space[n] for n in free})
                found, value = maximize(embedded, sub, here, self._rng)
                row = embedded.full(found[None, :])[0]
            if value > best_value:
                best_row, best_value = row, value
        assert best_row is not None
        return best_row


def _encode(
    encoding: Encoding, params: Mapping[str, Any], branches: Branches | None
) -> FloatArray | None:
    """A trial's row; in a conditional space, with its absent parameters imputed."""
    return encoding.encode(params) if branches is None else branches.row(encoding, params)


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """One BLAS thread while proposing.

    The GP's matrices are small (at most ``max_model_trials`` rows), and L-BFGS-B
    calls BLAS on tiny vectors thousands of times per proposal: with several BLAS
    threads those calls spend their time waking threads, many times slower on a busy
    machine. The limit is lifted on exit.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield
