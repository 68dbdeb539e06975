"""Build a finished trial from values computed elsewhere (``study.add_trial``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from ahpo._validation import invalid, type_error
from ahpo.distributions import BaseDistribution
from ahpo.trial._frozen import FrozenTrial, make_frozen
from ahpo.trial._json import check_json
from ahpo.trial._state import TrialState


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    values: Sequence[float] | None = None,
    params: Mapping[str, Any] | None = None,
    distributions: Mapping[str, BaseDistribution] | None = None,
    user_attrs: Mapping[str, Any] | None = None,
    system_attrs: Mapping[str, Any] | None = None,
    intermediate_values: Mapping[int, float] | None = None,
) -> FrozenTrial:
    """Make a trial record to add to a study with :meth:`Study.add_trial`.

    Use it to tell a study about configurations evaluated elsewhere (an expert's
    past runs, another tool's results); model-based samplers learn from them.

    Parameters
    ----------
    state
        COMPLETE (the default), PRUNED, FAIL or WAITING.
    value, values
        The objective value, or one value per objective (give at most one of them).
        Required for COMPLETE.
    params, distributions
        External parameter values and the distribution of each; every value must
        lie in its distribution.

    Examples
    --------
    >>> import ahpo
    >>> study = ahpo.create_study()
    >>> study.add_trial(ahpo.create_trial(
    ...     params={"x": 2.0}, distributions={"x": ahpo.Float(0, 10)}, value=4.0))
    >>> study.best_params
    {'x': 2.0}
    """
    if not isinstance(state, TrialState) or state == TrialState.RUNNING:
        raise invalid("state", "COMPLETE, PRUNED, FAIL or WAITING", state, owner="create_trial")
    if value is not None and values is not None:
        raise ValueError("create_trial takes 'value' or 'values', not both.")
    if value is not None:
        values = [value]
    if state == TrialState.COMPLETE and values is None:
        raise invalid("values", "given for a COMPLETE trial", None, owner="create_trial")
    if values is not None and state != TrialState.COMPLETE:
        raise invalid("state", "COMPLETE when values are given", state, owner="create_trial")
    params = dict(params or {})
    distributions = dict(distributions or {})
    if set(params) != set(distributions):
        raise invalid(
            "distributions",
            f"a distribution for each parameter {sorted(params)!r}",
            sorted(distributions),
            owner="create_trial",
        )
    for name, dist in distributions.items():
        if not isinstance(dist, BaseDistribution):
            raise type_error(f"distributions[{name!r}]", "an ahpo distribution", dist)
        internal = dist.to_internal_repr(params[name])
        if not dist.contains(internal):
            raise invalid(f"params[{name!r}]", f"inside {dist!r}", params[name])
        params[name] = dist.to_external_repr(internal)
    for key, attr in {**(user_attrs or {}), **(system_attrs or {})}.items():
        check_json(f"attrs[{key!r}]", attr)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    finished = state.is_finished()
    return make_frozen(
        number=-1,
        state=state,
        values=values,
        params=params,
        distributions=distributions,
        intermediate_values=intermediate_values,
        user_attrs=user_attrs,
        system_attrs=system_attrs,
        datetime_start=now if finished else None,
        datetime_complete=now if finished else None,
    )
