"""The constraint values a sampler's ``constraints_func`` records on a finished trial."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ahpo.trial._frozen import CONSTRAINTS_KEY, FrozenTrial
from ahpo.trial._state import TrialState

ConstraintsFunc = Callable[[FrozenTrial], Sequence[float]]


def constraint_attrs(
    constraints_func: ConstraintsFunc | None, trial: FrozenTrial, state: TrialState
) -> Mapping[str, Any] | None:
    """System attrs holding ``constraints_func(trial)`` for a COMPLETE trial, else None.

    A value ``<= 0`` means that constraint is satisfied; NaN is an error that names the
    trial, raised before anything is stored.
    """
    if constraints_func is None or state != TrialState.COMPLETE:
        return None
    constraints = [float(c) for c in constraints_func(trial)]
    if any(np.isnan(constraints)):
        raise ValueError(f"constraints_func returned NaN for trial {trial.number}.")
    return {CONSTRAINTS_KEY: constraints}
