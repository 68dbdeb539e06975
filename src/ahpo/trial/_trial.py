"""The define-by-run trial an objective receives."""

from __future__ import annotations

import datetime
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ahpo._validation import invalid, type_error
from ahpo.distributions import BaseDistribution, check_compatible
from ahpo.trial._base import BaseTrial
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._json import check_json

if TYPE_CHECKING:
    from ahpo._view import StudyView
    from ahpo.study._study import Study

FIXED_PARAMS_KEY = "fixed_params"


class Trial(BaseTrial):
    """One evaluation of the objective: it suggests parameters and reports progress.

    Objectives receive a ``Trial``; they do not create one. Each ``suggest_*`` call
    samples a value the first time a name is asked for and returns the same value
    afterwards, so conditional and dynamic spaces are plain Python ``if`` and ``for``.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     kind = trial.suggest_categorical("kind", ["linear", "rbf"])
    ...     c = trial.suggest_float("C", 1e-3, 1e3, log=True)
    ...     gamma = trial.suggest_float("gamma", 1e-4, 1.0, log=True) if kind == "rbf" else 0
    ...     return c * 0 + gamma
    >>> study = ahpo.create_study()
    >>> study.optimize(objective, n_trials=5)
    """

    def __init__(self, study: Study, frozen: FrozenTrial) -> None:
        self.study = study
        self._trial_id = frozen.trial_id
        self._params: dict[str, Any] = dict(frozen.params)
        self._distributions: dict[str, BaseDistribution] = dict(frozen.distributions)
        self._user_attrs: dict[str, Any] = dict(frozen.user_attrs)
        self._system_attrs: dict[str, Any] = dict(frozen.system_attrs)
        self._intermediate: dict[int, float] = dict(frozen.intermediate_values)
        # A live snapshot for samplers and pruners: it shares this trial's dicts, so it
        # shows every parameter suggested so far without being rebuilt per call.
        self._frozen = FrozenTrial(
            number=frozen.number,
            state=frozen.state,
            values=None,
            params=self._params,
            distributions=self._distributions,
            intermediate_values=self._intermediate,
            user_attrs=self._user_attrs,
            system_attrs=self._system_attrs,
            datetime_start=frozen.datetime_start,
            trial_id=frozen.trial_id,
        )
        self._finished = False  # set once this process has told the trial
        self._relative: dict[str, Any] | None = None
        self._relative_space: dict[str, BaseDistribution] = {}
        self._sampler_view: StudyView | None = None  # the pruner's, built once per trial
        self.space_params: dict[str, Any] | None = None

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if not isinstance(name, str):
            raise type_error("name", "a str", name)
        old = self._distributions.get(name)
        if old is not None:
            check_compatible(name, old, distribution)
            return self._params[name]
        value = self._choose(name, distribution)
        internal = distribution.to_internal_repr(value)
        value = distribution.to_external_repr(internal)
        self.study._storage.set_trial_param(self._trial_id, name, internal, distribution)
        self._params[name] = value
        self._distributions[name] = distribution
        return value

    def _choose(self, name: str, distribution: BaseDistribution) -> Any:
        fixed = self._system_attrs.get(FIXED_PARAMS_KEY)
        if fixed is not None and name in fixed:
            value = fixed[name]
            internal = distribution.to_internal_repr(value)
            if not distribution.contains(internal):
                warnings.warn(
                    f"The fixed value {value!r} of parameter {name!r} is outside "
                    f"{distribution!r}; it is used as given.",
                    stacklevel=4,
                )
            return value
        if distribution.single():
            return distribution.to_external_repr(distribution.from_unit(0.5))
        if self._sampler_view is None:
            self._sampler_view = self.study.pruner.sampler_view(self.study.view, self._frozen)
        view = self._sampler_view
        sampler = self.study.sampler
        if self._relative is None:
            self._relative_space = sampler.infer_relative_search_space(view, self._frozen)
            self._relative = (
                sampler.sample_relative(view, self._frozen, self._relative_space)
                if self._relative_space
                else {}
            )
        if name in self._relative and self._relative_space.get(name) == distribution:
            return self._relative[name]
        return sampler.sample_independent(view, self._frozen, name, distribution)

    # ---- progress and pruning ---------------------------------------------------
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step`` (e.g. an epoch).

        Pruners decide from these values; a second report at the same step replaces
        the first.
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.report is for single-objective studies; this study has "
                f"{len(self.study.directions)} objectives."
            )
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise invalid("step", "a non-negative int", step, owner="Trial.report")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise type_error("value", "a float", value, owner="Trial.report") from None
        self.study._storage.set_trial_intermediate_value(self._trial_id, step, value)
        self._intermediate[step] = value

    def should_prune(self) -> bool:
        """Whether the study's pruner says this trial should stop now."""
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.should_prune is for single-objective studies; this study has "
                f"{len(self.study.directions)} objectives."
            )
        return bool(self.study.pruner.prune(self.study.view, self._frozen))

    # ---- attributes -------------------------------------------------------------
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-compatible value to the trial (shown in ``trials_dataframe``)."""
        if not isinstance(key, str):
            raise type_error("key", "a str", key, owner="Trial.set_user_attr")
        check_json("value", value)
        self.study._storage.set_trial_user_attr(self._trial_id, key, value)
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-compatible value that belongs to ahpo or an integration."""
        check_json("value", value)
        self.study._storage.set_trial_system_attr(self._trial_id, key, value)
        self._system_attrs[key] = value

    def set_constraints(self, values: Sequence[float]) -> None:
        """Record constraint values; the trial is feasible when each is ``<= 0``."""
        out = [float(v) for v in values]
        if any(math.isnan(v) for v in out):
            raise invalid("values", "constraint values without NaN", list(values))
        self.set_system_attr("constraints", out)

    @property
    def number(self) -> int:
        """The trial's number in its study (0, 1, 2, …)."""
        return self._frozen.number

    @property
    def params(self) -> dict[str, Any]:
        """A copy of the parameters suggested so far."""
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """A copy of the distributions of the parameters suggested so far."""
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """A copy of the user attributes."""
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """A copy of the system attributes."""
        return dict(self._system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started (UTC)."""
        return self._frozen.datetime_start

    @property
    def relative_params(self) -> dict[str, Any]:
        """Parameters the sampler proposed jointly (empty before the first suggestion)."""
        return dict(self._relative or {})
