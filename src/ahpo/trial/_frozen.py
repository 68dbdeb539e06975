"""Immutable records of trials, as samplers, pruners and users read them."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahpo.distributions import BaseDistribution
from ahpo.trial._state import TrialState

CONSTRAINTS_KEY = "constraints"
FAIL_REASON_KEY = "fail_reason"


@dataclass(frozen=True, slots=True, eq=False)
class FrozenTrial:
    """A snapshot of one trial: what it tried and what it got.

    Finished trials never change, so storages and studies share one record between
    readers; treat the dict attributes as read-only (copy before changing them).

    Attributes
    ----------
    number
        The trial's position in its study, from 0, with no gaps.
    state
        Its :class:`TrialState`.
    values
        One float per objective for a COMPLETE trial, else ``None``.
    params
        External parameter values by name (what the objective saw).
    distributions
        The distribution of each parameter.
    intermediate_values
        ``step -> value`` reported with :meth:`Trial.report`.
    user_attrs, system_attrs
        JSON-compatible annotations; system attrs belong to ahpo (e.g. ``"fail_reason"``).
    datetime_start, datetime_complete
        UTC times the trial started running and finished.
    trial_id
        The storage's identifier (unique across studies in one storage).
    """

    number: int
    state: TrialState
    values: tuple[float, ...] | None
    params: dict[str, Any]
    distributions: dict[str, BaseDistribution]
    intermediate_values: dict[int, float] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    datetime_start: datetime.datetime | None = None
    datetime_complete: datetime.datetime | None = None
    trial_id: int = -1

    @property
    def value(self) -> float | None:
        """The objective value of a single-objective trial (``None`` if not COMPLETE)."""
        if self.values is None:
            return None
        if len(self.values) != 1:
            raise RuntimeError(
                f"Trial {self.number} has {len(self.values)} objective values; "
                "use 'values' for multi-objective studies."
            )
        return self.values[0]

    @property
    def duration(self) -> datetime.timedelta | None:
        """Wall time from start to finish, ``None`` while unfinished."""
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def last_step(self) -> int | None:
        """The largest step reported, ``None`` if nothing was reported."""
        return max(self.intermediate_values) if self.intermediate_values else None

    @property
    def constraints(self) -> tuple[float, ...] | None:
        """Constraint values (feasible when each is ``<= 0``), ``None`` if not set.

        They are kept in ``system_attrs["constraints"]``, where Optuna keeps them too.
        """
        c = self.system_attrs.get(CONSTRAINTS_KEY)
        return None if c is None else tuple(c)

    @property
    def feasible(self) -> bool:
        """Whether every constraint is satisfied (``<= 0``); true without constraints."""
        return self.constraints is None or all(c <= 0.0 for c in self.constraints)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name)
            for name in self.__dataclass_fields__
            if name != "trial_id"
        )

    __hash__ = None  # type: ignore[assignment]


def identity(trial: FrozenTrial) -> tuple[int, datetime.datetime | None, datetime.datetime | None]:
    """What tells apart two finished trials with one study name and one number.

    Caches of finished trials (a sampler's encoded parameters, a pruner's rung values)
    are keyed by study name and trial number. A sampler or pruner used again on a
    study of the same name, in another storage or after the study was deleted and
    created again, sees other trials under those keys; this tuple (storage id, start
    and completion times) differs for them, so an entry can be checked before use.
    """
    return (trial.trial_id, trial.datetime_start, trial.datetime_complete)


def check_values(values: Sequence[float], n_objectives: int) -> tuple[float, ...] | str:
    """Validate objective values: the tuple on success, else the reason as text."""
    if len(values) != n_objectives:
        return (
            f"The objective returned {len(values)} value(s) but the study has "
            f"{n_objectives} direction(s)."
        )
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return f"The objective returned {v!r}, which is not a number."
        if math.isnan(f):
            return "The objective returned NaN."
        out.append(f)
    return tuple(out)


def make_frozen(
    *,
    number: int,
    state: TrialState,
    values: Sequence[float] | None = None,
    params: Mapping[str, Any] | None = None,
    distributions: Mapping[str, BaseDistribution] | None = None,
    intermediate_values: Mapping[int, float] | None = None,
    user_attrs: Mapping[str, Any] | None = None,
    system_attrs: Mapping[str, Any] | None = None,
    datetime_start: datetime.datetime | None = None,
    datetime_complete: datetime.datetime | None = None,
    trial_id: int = -1,
) -> FrozenTrial:
    """Build a :class:`FrozenTrial` from any mappings, copying them."""
    return FrozenTrial(
        number=number,
        state=state,
        values=None if values is None else tuple(float(v) for v in values),
        params=dict(params or {}),
        distributions=dict(distributions or {}),
        intermediate_values=dict(intermediate_values or {}),
        user_attrs=dict(user_attrs or {}),
        system_attrs=dict(system_attrs or {}),
        datetime_start=datetime_start,
        datetime_complete=datetime_complete,
        trial_id=trial_id,
    )
