"""Hyperband: several ASHA brackets with different early-stopping rates."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Container

from ahpo._validation import invalid
from ahpo._view import StudyView
from ahpo.pruners._base import BasePruner
from ahpo.pruners._rungs import RungIndexes
from ahpo.pruners._successive_halving import first_crossed_rung_step
from ahpo.pruners._util import check_int, check_resource, earliest_complete, worse_first_sign
from ahpo.pruners._views import BracketView, RungCache, RungView
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

# 2**64 / golden ratio: with bracket_order="interleaved", trial number n goes to the
# point frac(n / phi) of [0, 1) (Fibonacci hashing), a low-discrepancy sequence, so every
# prefix of trials is spread over the brackets almost exactly in proportion to their
# budgets.
_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
_SAMPLER_TRIALS = ("bracket", "all", "rung")
_BRACKET_ORDERS = ("sequential", "interleaved")


@functools.lru_cache(maxsize=64)
def _layout(min_resource: int, max_resource: int, eta: int) -> tuple[int, ...]:
    """Cumulative trial budgets of the brackets, one entry per bracket."""
    # Number of brackets s_max + 1 = floor(log_eta(R / r)) + 1 (Li et al. 2018,
    # Algorithm 1, with R / r as in ASHA), in exact integer arithmetic, at least 1.
    n = 1
    while min_resource * eta**n <= max_resource:
        n += 1
    cumulative = []
    total = 0
    for bracket in range(n):
        s = n - 1 - bracket
        # n_i = ceil((s_max + 1) * eta**s / (s + 1)) configurations (Algorithm 1, line 3).
        total += -(-(n * eta**s) // (s + 1))
        cumulative.append(total)
    return tuple(cumulative)


def _bracket(trial_number: int, cumulative: tuple[int, ...], sequential: bool) -> int:
    if sequential:
        point = trial_number % cumulative[-1]
    else:
        point = ((trial_number * _GOLDEN) & _MASK) * cumulative[-1] >> 64
    return bisect.bisect_right(cumulative, point)


class HyperbandPruner(BasePruner):
    """Hyperband over asynchronous successive halving.

    Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
    Optimization", JMLR 18, 2018) hedges over how aggressively to stop trials: bracket
    ``b`` (``0 <= b < n_brackets``) is a :class:`SuccessiveHalvingPruner` with
    ``min_early_stopping_rate=b``, so its first rung is at
    ``min_resource * reduction_factor ** b``, and a trial competes only with the trials
    of its own bracket. ``n_brackets = floor(log_eta(max_resource / min_resource)) + 1``
    (computed exactly, at least 1). A trial that reached ``max_resource`` has had its
    full resource and is never pruned: rungs at steps ``>= max_resource`` are not
    decided, so the last bracket runs its trials to the end as in the paper (Optuna's
    brackets, which do not know ``max_resource``, also decide a rung at
    ``max_resource`` when a trial reports that step).

    Each trial's bracket is a fixed function of its trial number alone (see
    :meth:`bracket_of`), so workers on different machines agree without talking and
    nothing is written to storage. One Hyperband iteration is
    ``N = sum(n_b)`` trials, bracket ``b`` getting Hyperband's budget
    ``n_b = ceil(n_brackets * eta**s / (s + 1))`` with ``s = n_brackets - 1 - b``.
    Unlike Optuna, which hashes the study name with the number, the assignment does
    not depend on the study name. ``bracket_order`` says how an iteration's trials
    are laid out.

    Parameters
    ----------
    min_resource
        ``r``: the step of the first rung of bracket 0, an int ``>= 1``.
    max_resource
        ``R``: the largest step a trial runs to, an int ``>= min_resource``, or
        ``"auto"``: one more than the last step of the first trial to COMPLETE
        (earliest completion time, then lowest number). Nothing is pruned before then.
    reduction_factor
        ``eta``, an int ``>= 2``.
    bootstrap_count
        Passed to each bracket (see :class:`SuccessiveHalvingPruner`); needs an int
        ``max_resource``.
    bracket_order
        ``"sequential"`` (default): Li et al.'s order (Algorithm 1 runs ``s = s_max``
        down to 0). Trial ``i`` falls at position ``i mod N`` of the iteration: the
        first ``n_0`` trials are bracket 0 (the most aggressive, as ASHA alone), the
        next ``n_1`` bracket 1, and so on, so the brackets that stop early and sample
        the most configurations come first, and a study shorter than one iteration
        is ASHA. ``"interleaved"``: trial ``i`` goes to the point ``frac(i / phi)`` of
        ``[0, 1)`` (golden-ratio Fibonacci hashing, in 64-bit integer arithmetic) and
        to the bracket whose slice of ``[0, 1)``, of length ``n_b / N``, holds it, so
        every prefix of trials is shared among the brackets in proportion to
        ``n_b`` (within 3 trials): each bracket hedges from the start, and each
        bracket's first result comes later. Choose it when early losses may mislead
        (the configurations best at the end are slow starters, as shallow boosted
        trees that deeper ones outrun in the first iterations): there the aggressive
        brackets cost more than random search, and running them first delays the
        result. The multi-fidelity benchmark
        (``docs/benchmarks/multifidelity.md``) measures both orders, and
        ``docs/benchmarks/multifidelity-brackets.md`` how far each task's early losses
        can be trusted.
    sampler_trials
        What a model-based sampler (TPE, GP) learns from (see :meth:`sampler_view`);
        random, quasi-random and grid sampling are not affected:

        - ``"rung"`` (default): model-based multi-fidelity as BOHB (Falkner et al.,
          ICML 2018): the trials of all brackets, valued at the highest rung that at
          least ``min_observations`` of them reached; those that stopped below it
          are shown as pending (RUNNING, no value), so the model is not fitted on
          them but does not propose their points again
          (:class:`~ahpo.pruners._views.RungView`). Any model-based sampler is
          fitted on that rung unchanged; ``TPESampler(random_fraction=1/3)`` makes
          it BOHB's TPE on Hyperband;
        - ``"bracket"`` (Optuna's documented behaviour): only the trials of the
          sampled trial's bracket;
        - ``"all"``: every trial, unchanged.

        ``"rung"`` is the default because the model then learns from values at one
        fidelity, the highest that is well filled, and from every bracket. On the
        multi-fidelity benchmark (``docs/benchmarks/multifidelity-seeds-0-19.md``, 20
        seeds) TPE under it needed less resource than under Optuna's HyperbandPruner
        on three of four tasks and as much on the fourth; under ``"bracket"`` it
        needed less where early losses are faithful, but reached random search's
        result in 9 of 20 runs where they mislead (gradient boosting, whose best
        configurations start slowly), against 19 of 20 under ``"rung"``.
    min_observations
        With ``sampler_trials="rung"``: trials a rung needs before the model uses it,
        an int ``>= 1``, or ``None`` for BOHB's ``d + 3`` (``d`` parameters). The
        sampler counts only that rung's trials as finished, so while a newly used
        rung holds fewer than the sampler's ``n_startup_trials`` (10 for TPE and GP),
        its proposals are start-up draws again. Setting ``min_observations`` to
        ``n_startup_trials`` avoids those phases; on the multi-fidelity benchmark
        that was not better (ARCHITECTURE.md, "Pruners and multi-fidelity").

    Examples
    --------
    >>> import ahpo
    >>> pruner = ahpo.pruners.HyperbandPruner(min_resource=1, max_resource=27)
    >>> pruner.n_brackets()
    4
    >>> [pruner.bracket_of(i) for i in (0, 26, 27, 38, 39, 45, 48, 49)]
    [0, 0, 1, 1, 2, 3, 3, 0]
    >>> interleaved = ahpo.pruners.HyperbandPruner(1, 27, bracket_order="interleaved")
    >>> [interleaved.bracket_of(i) for i in range(8)]
    [0, 1, 0, 2, 0, 0, 1, 0]
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0.0, 1.0)
    ...     for step in range(1, 28):
    ...         trial.report(x + 1 / step, step)
    ...         if trial.should_prune():
    ...             raise ahpo.TrialPruned()
    ...     return x
    >>> study = ahpo.create_study(pruner=pruner, sampler=ahpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=30)
    >>> any(t.state == ahpo.TrialState.PRUNED for t in study.trials)
    True

    BOHB: TPE fitted on the highest rung with enough trials (the default view), a
    third of the trials drawn at random:

    >>> bohb = ahpo.create_study(
    ...     sampler=ahpo.samplers.TPESampler(seed=0, random_fraction=1 / 3),
    ...     pruner=ahpo.pruners.HyperbandPruner(1, 27),
    ... )
    >>> bohb.optimize(objective, n_trials=30)
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
        *,
        bracket_order: str = "sequential",
        sampler_trials: str = "rung",
        min_observations: int | None = None,
    ) -> None:
        owner = type(self).__name__
        if sampler_trials not in _SAMPLER_TRIALS:
            raise invalid(
                "sampler_trials", f"one of {_SAMPLER_TRIALS}", sampler_trials, owner=owner
            )
        self._sampler_trials = sampler_trials
        if bracket_order not in _BRACKET_ORDERS:
            raise invalid("bracket_order", f"one of {_BRACKET_ORDERS}", bracket_order, owner=owner)
        self._sequential = bracket_order == "sequential"
        self._min_observations = (
            None
            if min_observations is None
            else check_int(min_observations, "min_observations", owner, 1)
        )
        self._min_resource = check_int(min_resource, "min_resource", owner, 1)
        resource = check_resource(max_resource, "max_resource", owner)
        if resource != "auto" and int(resource) < self._min_resource:
            raise invalid(
                "max_resource",
                f"'auto' or an int >= min_resource ({self._min_resource})",
                max_resource,
                owner=owner,
            )
        self._max_resource = resource
        self._reduction_factor = check_int(reduction_factor, "reduction_factor", owner, 2)
        self._bootstrap_count = check_int(bootstrap_count, "bootstrap_count", owner, 0)
        if self._bootstrap_count > 0 and self._max_resource == "auto":
            raise invalid(
                "bootstrap_count", "0 when max_resource is 'auto'", bootstrap_count, owner=owner
            )
        self._rung_cache = RungCache(self._min_resource, self._reduction_factor)
        self._indexes = RungIndexes()

    def _resolved_max_resource(
        self, view: StudyView | None, trials: list[FrozenTrial] | None = None
    ) -> int | None:
        """``R``, ``None`` while ``"auto"`` is unknown; ``trials`` saves a fetch."""
        if self._max_resource != "auto":
            return int(self._max_resource)
        if trials is None:
            if view is None:
                raise invalid(
                    "view",
                    "a StudyView when max_resource is 'auto'",
                    None,
                    owner=type(self).__name__,
                )
            trials = view.get_trials((TrialState.COMPLETE,))
        first = earliest_complete(trials)
        if first is None or first.last_step is None:
            return None
        return first.last_step + 1

    def _cumulative(
        self, view: StudyView | None, trials: list[FrozenTrial] | None = None
    ) -> tuple[int, ...] | None:
        """Cumulative bracket budgets; ``trials`` saves a fetch when already read."""
        max_resource = self._resolved_max_resource(view, trials)
        if max_resource is None:
            return None
        return _layout(self._min_resource, max_resource, self._reduction_factor)

    def _bracket_at(self, trial_number: int, cumulative: tuple[int, ...]) -> int:
        return _bracket(trial_number, cumulative, self._sequential)

    def n_brackets(self, view: StudyView | None = None) -> int | None:
        """The number of brackets, ``None`` while ``max_resource="auto"`` is unknown.

        Parameters
        ----------
        view
            The study's view; needed only when ``max_resource="auto"``.
        """
        cumulative = self._cumulative(view)
        return None if cumulative is None else len(cumulative)

    def bracket_of(self, trial_number: int, view: StudyView | None = None) -> int:
        """The bracket (``0 <= b < n_brackets``) of the trial numbered ``trial_number``.

        A pure function of the number and the pruner's settings (and, with
        ``max_resource="auto"``, of the first completed trial), identical in every
        process. Samplers may use it to model each bracket's trials separately.

        Parameters
        ----------
        trial_number
            ``FrozenTrial.number``, an int ``>= 0``.
        view
            The study's view; needed only when ``max_resource="auto"``.

        Raises
        ------
        RuntimeError
            If ``max_resource="auto"`` and no trial has completed yet.
        """
        number = check_int(trial_number, "trial_number", "HyperbandPruner.bracket_of", 0)
        cumulative = self._cumulative(view)
        if cumulative is None:
            raise RuntimeError(
                "The brackets are not known yet: max_resource is 'auto' and no trial with "
                "reported values has completed."
            )
        return self._bracket_at(number, cumulative)

    def prune(self, view: StudyView, trial: FrozenTrial) -> bool:
        if trial.last_step is None:
            return False
        trials: list[FrozenTrial] | None = None
        if self._max_resource == "auto":
            trials = view.get_trials()
        max_resource = self._resolved_max_resource(view, trials)
        if max_resource is None:
            return False
        cumulative = _layout(self._min_resource, max_resource, self._reduction_factor)
        bracket = self._bracket_at(trial.number, cumulative)
        rung_step = first_crossed_rung_step(
            trial, self._min_resource, self._reduction_factor, bracket
        )
        # A trial at R has had its full resource: its last rung is the final evaluation
        # (Li et al. 2018, Algorithm 1: the last round of a bracket runs at R and
        # eliminates nothing), so rungs at steps >= R are never decided.
        if rung_step is None or rung_step >= max_resource:
            return False
        if trials is None:
            trials = view.get_trials()
        index = self._indexes.get(
            view.study_name,
            worse_first_sign(view.direction),
            (bracket, cumulative),
            lambda number: self._bracket_at(number, cumulative) == bracket,
        )
        return index.prunes(
            trials,
            trial,
            rung_step,
            self._reduction_factor,
            self._bootstrap_count,
            last=min(trial.last_step, max_resource - 1),
        )

    def sampler_view(self, view: StudyView, trial: FrozenTrial) -> StudyView:
        """What the sampler learns from while it samples ``trial`` (``sampler_trials``).

        ``"bracket"`` shows the trials of ``trial``'s bracket (the study as it is while
        ``max_resource="auto"`` is unknown); ``"rung"`` shows all trials valued at the
        highest rung with enough observations (the study as it is in a multi-objective
        study, whose trials report nothing); ``"all"`` returns ``view``.

        Examples
        --------
        >>> import ahpo
        >>> pruner = ahpo.pruners.HyperbandPruner(
        ...     1, 27, bracket_order="interleaved", sampler_trials="bracket"
        ... )
        >>> study = ahpo.create_study(pruner=pruner)
        >>> for _ in range(4):
        ...     _ = study.tell(study.ask(), 0.0)
        >>> trial = study.ask()
        >>> view = pruner.sampler_view(study.view, study.trials[-1])
        >>> [t.number for t in view.trials]  # trial 4 is in bracket 0, like 0 and 2
        [0, 2, 4]
        """
        if self._sampler_trials == "all":
            return view
        if self._sampler_trials == "rung":
            if view.is_multi_objective:
                return view
            return RungView(view, self._rung_cache, self._min_observations)
        if self._max_resource != "auto":
            cumulative = _layout(
                self._min_resource, int(self._max_resource), self._reduction_factor
            )
            bracket = self._bracket_at(trial.number, cumulative)
            return BracketView(view, lambda number: self._bracket_at(number, cumulative) == bracket)
        return _AutoBracketView(view, self, trial.number)


class _AutoBracketView(BracketView):
    """A bracket view whose brackets are known only once a trial completes."""

    __slots__ = ("_number", "_pruner")

    def __init__(self, base: StudyView, pruner: HyperbandPruner, number: int) -> None:
        super().__init__(base, lambda _: True)
        self._pruner = pruner
        self._number = number

    def get_trials(self, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        trials = self._base.get_trials()
        cumulative = self._pruner._cumulative(None, trials)
        if cumulative is not None:
            bracket = self._pruner._bracket_at(self._number, cumulative)
            trials = [
                t for t in trials if self._pruner._bracket_at(t.number, cumulative) == bracket
            ]
        return trials if states is None else [t for t in trials if t.state in states]
