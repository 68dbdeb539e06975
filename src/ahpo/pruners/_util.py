"""Helpers shared by the pruners: argument checks and step bookkeeping."""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

from ahpo._direction import StudyDirection
from ahpo._validation import invalid, type_error
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState


def check_int(value: Any, name: str, owner: str, minimum: int) -> int:
    """``value`` as an ``int >= minimum``, else the error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise type_error(name, f"an int >= {minimum}", value, owner=owner)
    if value < minimum:
        raise invalid(name, f"an int >= {minimum}", value, owner=owner)
    return int(value)


def check_real(value: Any, name: str, owner: str, must: str = "a float") -> float:
    """``value`` as a float that is not NaN, else the error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise type_error(name, must, value, owner=owner)
    value = float(value)
    if math.isnan(value):
        raise invalid(name, must + " (not NaN)", value, owner=owner)
    return value


def step_to_check(trial: FrozenTrial, n_warmup_steps: int, interval_steps: int) -> int | None:
    """The trial's last step if a pruner should decide there now, else ``None``.

    Nothing is decided before ``n_warmup_steps``. After it, checks happen at steps
    ``n_warmup_steps + i * interval_steps``; when nothing was reported at such a step,
    the check is postponed to the next reported step. So a check happens at the last
    step iff no other reported step lies in ``[nearest check step <= step, step)``.
    """
    step = trial.last_step
    if step is None or step < n_warmup_steps:
        return None
    nearest = (step - n_warmup_steps) // interval_steps * interval_steps + n_warmup_steps
    previous = max((s for s in trial.intermediate_values if s != step), default=-1)
    return step if previous < nearest else None


def worse_first_sign(direction: StudyDirection) -> float:
    """``+1`` for minimization, ``-1`` for maximization: ``sign * value`` is a loss."""
    return -1.0 if direction == StudyDirection.MAXIMIZE else 1.0


def earliest_complete(trials: Iterable[FrozenTrial]) -> FrozenTrial | None:
    """The COMPLETE trial with a reported value that finished first, ``None`` if none.

    Ties (and records without a completion time) are broken by trial number, so every
    worker that sees the same trials picks the same one; once picked, later
    completions cannot displace it.
    """
    best: FrozenTrial | None = None
    best_key: tuple[int, Any, int] | None = None
    for t in trials:
        if t.state != TrialState.COMPLETE or not t.intermediate_values:
            continue
        done = t.datetime_complete
        key = (0, done, t.number) if done is not None else (1, 0, t.number)
        if best_key is None or key < best_key:
            best, best_key = t, key
    return best


def check_resource(value: Any, name: str, owner: str) -> int | str:
    """``value`` as an ``int >= 1`` or the string ``"auto"``, else the error."""
    if isinstance(value, str):
        if value != "auto":
            raise invalid(name, "an int >= 1 or 'auto'", value, owner=owner)
        return value
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise type_error(name, "an int >= 1 or 'auto'", value, owner=owner)
    if value < 1:
        raise invalid(name, "an int >= 1 or 'auto'", value, owner=owner)
    return int(value)
