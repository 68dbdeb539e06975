"""Property tests: random parameters, values and attributes round-trip exactly."""

from __future__ import annotations

import math
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from ahpo._direction import StudyDirection
from ahpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from ahpo.storages import BaseStorage
from ahpo.trial._frozen import make_frozen
from ahpo.trial._state import TrialState

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# PostgreSQL text cannot hold NUL; names and keys are otherwise any text.
names = st.text(
    alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
    min_size=1,
    max_size=30,
)
finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
attrs = st.dictionaries(names, json_values, max_size=4)
choices = st.lists(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | finite | st.text(max_size=10),
    min_size=1,
    max_size=6,
    unique_by=lambda c: (type(c), c),
)


@st.composite
def param(draw: st.DrawFn) -> tuple[BaseDistribution, Any]:
    """A random distribution and a random external value inside it."""
    kind = draw(st.sampled_from(["float", "float_log", "float_step", "int", "int_log", "cat"]))
    if kind == "float":
        low = draw(st.floats(-1e9, 1e9))
        high = low + draw(st.floats(0, 1e9))
        return FloatDistribution(low, high), draw(st.floats(low, high))
    if kind == "float_log":
        low = draw(st.floats(1e-9, 1e6))
        high = low * draw(st.floats(1, 1e6))
        return FloatDistribution(low, high, log=True), draw(st.floats(low, high))
    if kind == "float_step":
        step = draw(st.sampled_from([0.1, 0.25, 0.5, 2.0]))
        low = draw(st.integers(-100, 100)) * step
        n = draw(st.integers(0, 50))
        dist = FloatDistribution(low, low + n * step, step=step)
        return dist, dist.from_unit(draw(st.floats(0, 1)))
    if kind == "int":
        low = draw(st.integers(-(2**40), 2**40))
        step = draw(st.integers(1, 7))
        n = draw(st.integers(0, 1000))
        dist = IntDistribution(low, low + n * step, step=step)
        return dist, low + draw(st.integers(0, n)) * step
    if kind == "int_log":
        low = draw(st.integers(1, 1000))
        high = low + draw(st.integers(0, 10**6))
        return IntDistribution(low, high, log=True), draw(st.integers(low, high))
    options = draw(choices)
    return CategoricalDistribution(options), draw(st.sampled_from(options))


def strict(value: Any) -> Any:
    """A key that tells 1, 1.0 and True apart and compares floats bit for bit."""
    if isinstance(value, float):
        return ("float", value.hex())
    if isinstance(value, dict):
        return ("dict", tuple((k, strict(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(strict(v) for v in value))
    return (type(value).__name__, value)


def param_key(params: dict[str, Any]) -> Any:
    """:func:`strict` for parameters, except that ``-0.0`` counts as ``0.0``: SQLite
    reads a REAL ``-0.0`` back as ``0.0`` (equal as numbers, documented in models.py)."""
    return strict({k: v + 0.0 if isinstance(v, float) else v for k, v in params.items()})


def _same_floats(a: dict[int, float], b: dict[int, float]) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or strict(a[k]) == strict(b[k]) for k in a
    )


@SETTINGS
@given(params=st.dictionaries(names, param(), max_size=5))
def test_params_round_trip(storage: BaseStorage, params: dict[str, Any]) -> None:
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid).trial_id
    for name, (dist, value) in params.items():
        storage.set_trial_param(tid, name, dist.to_internal_repr(value), dist)
    expected = {
        name: dist.to_external_repr(dist.to_internal_repr(v)) for name, (dist, v) in params.items()
    }
    for trial in (storage.get_trial(tid), storage.get_all_trials(sid)[0]):
        assert param_key(trial.params) == param_key(expected)
        assert trial.distributions == {name: dist for name, (dist, _) in params.items()}
    storage.delete_study(sid)


@SETTINGS
@given(user=attrs, system=attrs, study_user=attrs)
def test_attrs_round_trip(
    storage: BaseStorage, user: dict[str, Any], system: dict[str, Any], study_user: dict[str, Any]
) -> None:
    sid = storage.create_new_study([StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid).trial_id
    for key, value in user.items():
        storage.set_trial_user_attr(tid, key, value)
    for key, value in system.items():
        storage.set_trial_system_attr(tid, key, value)
    for key, value in study_user.items():
        storage.set_study_user_attr(sid, key, value)
    storage.set_trial_state_values(tid, TrialState.FAIL)
    trial = storage.get_trial(tid)
    assert strict(dict(sorted(trial.user_attrs.items()))) == strict(dict(sorted(user.items())))
    assert strict(dict(sorted(trial.system_attrs.items()))) == strict(dict(sorted(system.items())))
    got = storage.get_study_user_attrs(sid)
    assert strict(dict(sorted(got.items()))) == strict(dict(sorted(study_user.items())))
    storage.delete_study(sid)


@SETTINGS
@given(
    values=st.lists(st.floats(allow_nan=False), min_size=1, max_size=3),
    reports=st.dictionaries(st.integers(0, 2**40), st.floats(), max_size=6),
    user=attrs,
    picked=st.dictionaries(names, param(), max_size=3),
)
def test_template_round_trip(
    storage: BaseStorage,
    values: list[float],
    reports: dict[int, float],
    user: dict[str, Any],
    picked: dict[str, Any],
) -> None:
    sid = storage.create_new_study([StudyDirection.MAXIMIZE] * len(values))
    template = make_frozen(
        number=-1,
        state=TrialState.COMPLETE,
        values=values,
        params={name: value for name, (_, value) in picked.items()},
        distributions={name: dist for name, (dist, _) in picked.items()},
        intermediate_values=reports,
        user_attrs=user,
    )
    added = storage.create_new_trial(sid, template)
    for trial in (added, storage.get_trial(added.trial_id), storage.get_all_trials(sid)[0]):
        assert [strict(v) for v in trial.values] == [strict(float(v)) for v in values]
        assert _same_floats(trial.intermediate_values, reports)
        assert strict(dict(sorted(trial.user_attrs.items()))) == strict(dict(sorted(user.items())))
        assert trial.distributions == template.distributions
    storage.delete_study(sid)
