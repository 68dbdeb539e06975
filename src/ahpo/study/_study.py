"""The Study: a thin facade over storage, sampler, pruner and the optimize loop."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ahpo import _best
from ahpo._direction import StudyDirection
from ahpo._validation import invalid, type_error
from ahpo._view import StudyView
from ahpo.distributions import BaseDistribution
from ahpo.pruners import BasePruner, NopPruner
from ahpo.samplers._base import BaseSampler
from ahpo.storages import BaseStorage, get_storage
from ahpo.study import _optimize
from ahpo.study._tell import fail_untold
from ahpo.study._tell import tell as _tell_trial
from ahpo.trial._frozen import FrozenTrial, make_frozen
from ahpo.trial._json import check_json
from ahpo.trial._state import TrialState
from ahpo.trial._trial import FIXED_PARAMS_KEY, Trial

if TYPE_CHECKING:
    import pandas as pd

    from ahpo.parallel import BaseExecutor


def _default_sampler() -> BaseSampler:
    from ahpo.samplers._tpe import TPESampler

    return TPESampler()


class Study:
    """A named optimization: its directions, its trials, and how new ones are chosen.

    Create one with :func:`ahpo.create_study` or reopen one with
    :func:`ahpo.load_study`; the constructor loads an existing study by name.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study(direction="minimize")
    >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 2) ** 2, n_trials=30)
    >>> abs(study.best_params["x"] - 2) < 1.5
    True
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage | None,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        if sampler is not None and not isinstance(sampler, BaseSampler):
            raise type_error("sampler", "an ahpo sampler or None", sampler)
        if pruner is not None and not isinstance(pruner, BasePruner):
            raise type_error("pruner", "an ahpo pruner or None", pruner)
        self._storage = get_storage(storage)
        self._study_id = self._storage.get_study_id_from_name(study_name)
        self.study_name = study_name
        self._directions = tuple(self._storage.get_study_directions(self._study_id))
        self.sampler = sampler if sampler is not None else _default_sampler()
        self.pruner = pruner if pruner is not None else NopPruner()
        self.view = StudyView(self._storage, self._study_id, self._directions, study_name)
        self._stop_flag = False

    def __repr__(self) -> str:
        return f"<ahpo.Study {self.study_name!r} directions={list(self._directions)!r}>"

    # ---- directions -------------------------------------------------------------
    @property
    def directions(self) -> list[StudyDirection]:
        """One direction per objective."""
        return list(self._directions)

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        return self.view.direction

    # ---- trials -----------------------------------------------------------------
    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial, ordered by number."""
        return self.get_trials()

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The trials, ordered by number; only those in ``states`` if given.

        ``deepcopy`` is accepted for Optuna compatibility and has no effect: trial
        records are immutable, so nothing needs copying.
        """
        return self._storage.get_all_trials(self._study_id, states)

    @property
    def best_trial(self) -> FrozenTrial:
        """The completed (and feasible) trial with the best value.

        Raises ``ValueError`` before any trial completes and ``RuntimeError`` in a
        multi-objective study (use :attr:`best_trials`).
        """
        if len(self._directions) > 1:
            raise RuntimeError(
                "A multi-objective study has no single best trial; use 'best_trials'."
            )
        complete = self._storage.get_all_trials(self._study_id, (TrialState.COMPLETE,))
        return _best.best_trial(complete, self._directions[0])

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The completed (and feasible) trials on the Pareto front."""
        complete = self._storage.get_all_trials(self._study_id, (TrialState.COMPLETE,))
        return _best.best_trials(complete, self._directions)

    @property
    def best_params(self) -> dict[str, Any]:
        """A copy of the parameters of :attr:`best_trial`."""
        return dict(self.best_trial.params)

    @property
    def best_value(self) -> float:
        """The objective value of :attr:`best_trial`."""
        return self.best_trial.values[0]  # type: ignore[index]

    # ---- running ----------------------------------------------------------------
    def optimize(
        self,
        func: Callable[..., Any],
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        catch: Iterable[type[BaseException]] | type[BaseException] = (),
        callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
        space: Mapping[str, Any] | None = None,
        executor: BaseExecutor | None = None,
    ) -> None:
        """Run the objective on new trials until a budget is reached.

        Parameters
        ----------
        func
            The objective: ``func(trial) -> float`` (or a sequence of floats, one per
            objective). With ``space``, it is called as ``func(params)`` with a dict.
        n_trials
            Trials to run in this call; ``None`` runs until ``timeout``, until the
            sampler is exhausted (a finished grid) or until :meth:`stop`.
        timeout
            Seconds after which no new trial starts.
        n_jobs
            Threads running trials at once (``-1``: one per CPU).
        catch
            Exception classes that mark a trial FAIL and let the study go on. Any other
            exception also marks the trial FAIL, then stops the study and is raised.
            A NaN or non-number result always marks FAIL and the study goes on.
        callbacks
            Called as ``callback(study, frozen_trial)`` after each trial.
        gc_after_trial
            Run the garbage collector after each trial.
        show_progress_bar
            Show a progress bar (tqdm).
        space
            A declarative space (dict of distributions, nested dicts as categorical
            choices); see :mod:`ahpo.space`.
        executor
            Where the workers run, from :mod:`ahpo.parallel`: threads, local processes,
            Dask or Ray (then leave ``n_jobs`` at 1). Workers other than threads open
            the storage from its URL, so it must be a SQLite file or PostgreSQL, and
            ``func``, the sampler and the callbacks must pickle. ``n_trials`` is split
            exactly between the workers; :meth:`stop` reaches only this process.

        Examples
        --------
        >>> import ahpo
        >>> study = ahpo.create_study()
        >>> study.optimize(lambda p: p["x"] ** 2, n_trials=5, space={"x": ahpo.Float(-1, 1)})
        >>> len(study.trials)
        5
        """
        _optimize.optimize(
            self, func, n_trials, timeout, n_jobs, catch, callbacks, gc_after_trial,
            show_progress_bar, space, executor,
        )

    def stop(self) -> None:
        """Ask a running :meth:`optimize` to start no new trial (e.g. from a callback)."""
        self._stop_flag = True

    def ask(
        self, space: Mapping[str, Any] | None = None
    ) -> Trial:
        """Start a new trial (the oldest enqueued one first) and return it.

        Parameters
        ----------
        space
            Optional: a dict of distributions (Optuna's ``fixed_distributions``) or a
            declarative ahpo space; it is sampled at once and the values are in
            ``trial.space_params`` (and, flattened, in ``trial.params``).

        Examples
        --------
        >>> import ahpo
        >>> study = ahpo.create_study()
        >>> trial = study.ask({"x": ahpo.Float(0, 1)})
        >>> frozen = study.tell(trial, trial.params["x"] ** 2)
        >>> frozen.state
        TrialState.COMPLETE
        """
        if space is not None and not isinstance(space, Mapping):
            raise type_error("space", "a dict of distributions", space, owner="Study.ask")
        trial_id = self._storage.claim_waiting_trial(self._study_id)
        if trial_id is None:
            frozen = self._storage.create_new_trial(self._study_id)
        else:
            frozen = self._storage.get_trial(trial_id)
        try:
            attrs = self.sampler.before_trial(self.view, frozen)
            if attrs:
                for key, value in attrs.items():
                    check_json(f"before_trial()[{key!r}]", value)
                    self._storage.set_trial_system_attr(frozen.trial_id, key, value)
                frozen = dataclasses.replace(
                    frozen, system_attrs={**frozen.system_attrs, **attrs}
                )
            trial = Trial(self, frozen)
            if space is not None:
                trial.space_params = trial.suggest_space(space)
        except BaseException as exc:
            # A trial that cannot start must not stay RUNNING forever.
            fail_untold(self._storage, frozen.trial_id, f"{type(exc).__name__}: {exc}")
            raise
        return trial

    def tell(
        self,
        trial: Trial | int,
        values: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        """Finish a trial started with :meth:`ask` and return its record.

        Parameters
        ----------
        trial
            The :class:`Trial` or its number.
        values
            The objective value (or one per objective); required for COMPLETE.
        state
            COMPLETE (default when values are given), PRUNED or FAIL.
        skip_if_finished
            Return the stored record instead of raising when the trial is finished.

        NaN, a non-number or the wrong count of values marks the trial FAIL (the
        reason is in ``system_attrs["fail_reason"]``). Telling a finished trial raises
        :class:`ahpo.UpdateFinishedTrialError` naming it.
        """
        return _tell_trial(self, trial, values, state, skip_if_finished)

    # ---- manual tuning ----------------------------------------------------------
    def enqueue_trial(
        self,
        params: Mapping[str, Any],
        user_attrs: Mapping[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue a configuration to run before any sampled one (an expert's guess).

        Parameters missing from ``params`` are sampled as usual. With
        ``skip_if_exists``, nothing is queued if a trial with these parameter values
        already exists (in any state).

        Examples
        --------
        >>> import ahpo
        >>> study = ahpo.create_study()
        >>> study.enqueue_trial({"x": 0.25})
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
        >>> study.trials[0].params
        {'x': 0.25}
        """
        if not isinstance(params, Mapping):
            raise type_error("params", "a dict of parameter values", params)
        check_json("params", dict(params))
        if skip_if_exists and self._has_params(params):
            return
        for key, value in (user_attrs or {}).items():
            check_json(f"user_attrs[{key!r}]", value)
        template = make_frozen(
            number=-1,
            state=TrialState.WAITING,
            user_attrs=user_attrs,
            system_attrs={FIXED_PARAMS_KEY: dict(params)},
        )
        self._storage.create_new_trial(self._study_id, template=template)

    def _has_params(self, params: Mapping[str, Any]) -> bool:
        for t in self._storage.get_all_trials(self._study_id):
            known = {**t.system_attrs.get(FIXED_PARAMS_KEY, {}), **t.params}
            if all(k in known and known[k] == v for k, v in params.items()):
                return True
        return False

    def add_trial(self, trial: FrozenTrial) -> None:
        """Record a trial evaluated elsewhere (see :func:`ahpo.create_trial`).

        Model-based samplers learn from it like from any other trial.
        """
        if not isinstance(trial, FrozenTrial):
            raise type_error("trial", "a FrozenTrial (from ahpo.create_trial)", trial)
        if trial.state == TrialState.RUNNING:
            raise invalid("trial.state", "not RUNNING", trial.state, owner="Study.add_trial")
        if trial.state == TrialState.COMPLETE and (
            trial.values is None or len(trial.values) != len(self._directions)
        ):
            raise invalid(
                "trial.values",
                f"{len(self._directions)} value(s), one per direction",
                trial.values,
                owner="Study.add_trial",
            )
        for name, dist in trial.distributions.items():
            if not isinstance(dist, BaseDistribution) or name not in trial.params:
                raise invalid(f"trial.params[{name!r}]", "given with its distribution", None)
            if not dist.contains(dist.to_internal_repr(trial.params[name])):
                raise invalid(f"trial.params[{name!r}]", f"inside {dist!r}", trial.params[name])
        self._storage.create_new_trial(self._study_id, template=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """:meth:`add_trial` for each of ``trials``."""
        for trial in trials:
            self.add_trial(trial)

    # ---- attributes -------------------------------------------------------------
    @property
    def user_attrs(self) -> dict[str, Any]:
        """A copy of the study's user attributes."""
        return copy.deepcopy(self._storage.get_study_user_attrs(self._study_id))

    @property
    def system_attrs(self) -> dict[str, Any]:
        """A copy of the study's system attributes."""
        return copy.deepcopy(self._storage.get_study_system_attrs(self._study_id))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-compatible value to the study."""
        if not isinstance(key, str):
            raise type_error("key", "a str", key, owner="Study.set_user_attr")
        check_json("value", value)
        self._storage.set_study_user_attr(self._study_id, key, value)

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-compatible value that belongs to ahpo or an integration."""
        check_json("value", value)
        self._storage.set_study_system_attr(self._study_id, key, value)

    def trials_dataframe(
        self,
        attrs: Sequence[str] = (
            "number", "value", "datetime_start", "datetime_complete", "duration",
            "params", "user_attrs", "system_attrs", "state",
        ),
        multi_index: bool = False,
    ) -> pd.DataFrame:
        """The trials as a pandas DataFrame (needs ``pip install 'ahpo[pandas]'``).

        Columns follow Optuna's: ``number``, ``value`` (or ``values_0``, …),
        ``params_<name>``, ``user_attrs_<key>``, ``state``… With ``multi_index``
        the columns are two-level, e.g. ``("params", "x")``.
        """
        from ahpo.study._dataframe import trials_dataframe

        return trials_dataframe(self, attrs, multi_index)
