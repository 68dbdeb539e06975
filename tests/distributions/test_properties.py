import collections
import decimal
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ahpo.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
    json_to_distribution,
)

SETTINGS = settings(max_examples=150, deadline=None)
units = st.floats(0.0, 1.0)
reals = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def floats(draw):
    kind = draw(st.sampled_from(["plain", "log", "step", "single"]))
    if kind == "log":
        low = draw(st.floats(1e-8, 1e4))
        return FloatDistribution(low, low * draw(st.floats(1.0, 1e8)), log=True)
    low = draw(reals)
    if kind == "step":
        # |low| <= 1e3: see test_contains_accepts_stepped_values_far_from_zero for larger.
        step = draw(st.sampled_from(["0.001", "0.1", "0.25", "0.5", "1", "3"]))
        low = decimal.Decimal(draw(st.integers(-(10**6), 10**6))) / 1000
        high = low + decimal.Decimal(step) * draw(st.integers(0, 50))
        return FloatDistribution(float(low), float(high), step=float(step))
    if kind == "single":
        return FloatDistribution(low, low)
    return FloatDistribution(low, low + draw(st.floats(0, 1e6)))


@st.composite
def ints(draw):
    if draw(st.booleans()):
        low = draw(st.integers(1, 10**6))
        return IntDistribution(low, low + draw(st.integers(0, 10**6)), log=True)
    low = draw(st.integers(-(10**6), 10**6))
    step = draw(st.integers(1, 50))
    return IntDistribution(low, low + step * draw(st.integers(0, 200)), step=step)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), reals, st.text(max_size=5)
)
categoricals = st.lists(scalars, min_size=1, max_size=8, unique_by=lambda v: (type(v), v)).map(
    CategoricalDistribution
)
distributions = st.one_of(floats(), ints(), categoricals)


@st.composite
def dist_and_internal(draw):
    """A distribution and a valid internal value of it, not only the ones from_unit gives."""
    dist = draw(distributions)
    if isinstance(dist, CategoricalDistribution):
        return dist, float(draw(st.integers(0, len(dist.choices) - 1)))
    if isinstance(dist, IntDistribution):
        k = draw(st.integers(0, (dist.high - dist.low) // dist.step))
        return dist, float(dist.low + k * dist.step)
    if dist.step is not None:
        n = round((dist.high - dist.low) / dist.step)
        return dist, float(dist.from_unit((draw(st.integers(0, n)) + 0.5) / (n + 1)))
    return dist, draw(st.floats(dist.low, dist.high))


@SETTINGS
@given(dist_and_internal())
def test_to_unit_then_from_unit_gives_the_value_back(pair):
    dist, x = pair
    u = dist.to_unit(x)
    assert 0.0 <= u <= 1.0
    back = dist.from_unit(u)
    if isinstance(dist, FloatDistribution) and dist.step is None:
        assert math.isclose(back, x, rel_tol=1e-9, abs_tol=1e-9 * (dist.high - dist.low))
    else:
        assert back == x


@SETTINGS
@given(distributions, st.floats(-0.5, 1.5))
def test_from_unit_is_always_contained(dist, u):
    x = dist.from_unit(u)
    assert dist.contains(x)
    assert dist.contains(dist.to_internal_repr(dist.to_external_repr(x)))


@SETTINGS
@given(distributions, st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_from_unit_on_arrays_matches_scalars(dist, us):
    arr = dist.from_unit(np.array(us))
    assert arr.shape == (len(us),)
    assert arr.tolist() == [dist.from_unit(u) for u in us]
    units_back = dist.to_unit(arr)
    assert np.allclose(units_back, [dist.to_unit(x) for x in arr.tolist()])


@SETTINGS
@given(distributions)
def test_json_round_trip_keeps_equality_and_hash(dist):
    back = json_to_distribution(distribution_to_json(dist))
    assert back == dist
    assert hash(back) == hash(dist)
    assert type(back) is type(dist)
    assert distribution_to_json(back) == distribution_to_json(dist)


@SETTINGS
@given(dist_and_internal())
def test_external_round_trip(pair):
    dist, x = pair
    external = dist.to_external_repr(x)
    assert dist.to_internal_repr(external) == x
    if isinstance(dist, IntDistribution):
        assert type(external) is int


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(
        st.builds(lambda low, k, s: IntDistribution(low, low + k * s, step=s),
                  st.integers(-50, 50), st.integers(0, 30), st.integers(1, 7)),
        st.builds(lambda low, k, s: FloatDistribution(low, low + k * s, step=s),
                  st.integers(-50, 50).map(lambda v: v / 4), st.integers(0, 30),
                  st.sampled_from([0.25, 0.5, 2.0])),
        st.integers(1, 12).map(lambda n: CategoricalDistribution(list(range(n)))),
    ),
    st.integers(1, 400),
)
def test_a_uniform_unit_grid_gives_every_value_the_same_share(dist, m):
    values = dist.from_unit((np.arange(m) + 0.5) / m)
    counts = collections.Counter(values.tolist())
    n = (
        len(dist.choices)
        if isinstance(dist, CategoricalDistribution)
        else round((dist.high - dist.low) / dist.step) + 1
    )
    shares = [counts.get(v, 0) for v in _all_values(dist)]
    assert len(shares) == n
    assert max(shares) - min(shares) <= 1, shares


def _all_values(dist):
    if isinstance(dist, CategoricalDistribution):
        return [float(i) for i in range(len(dist.choices))]
    n = round((dist.high - dist.low) / dist.step)
    return [float(dist.from_unit((k + 0.5) / (n + 1))) for k in range(n + 1)]


@SETTINGS
@given(distributions, units, units)
def test_to_unit_is_monotone(dist, u1, u2):
    assume(not isinstance(dist, CategoricalDistribution))
    lo, hi = sorted((u1, u2))
    assert dist.from_unit(lo) <= dist.from_unit(hi)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: FloatDistribution(2.0, 1.0), ValueError, "'low' parameter of FloatDistribution"),
        (lambda: FloatDistribution(0.0, 1.0, log=True), ValueError, "'low' .* > 0 when log"),
        (lambda: FloatDistribution(-1.0, 1.0, log=True), ValueError, "'low'"),
        (lambda: FloatDistribution(0.0, 1.0, step=0.3), ValueError, "'step' .* a divisor"),
        (lambda: FloatDistribution(0.0, 1.0, step=0.0), ValueError, "'step' .* > 0"),
        (lambda: FloatDistribution(0.0, 1.0, step=-0.5), ValueError, "'step'"),
        (lambda: FloatDistribution(1.0, 2.0, log=True, step=0.5), ValueError, "'step' .* None"),
        (lambda: FloatDistribution(0.0, float("inf")), ValueError, "'high' .* finite"),
        (lambda: FloatDistribution(float("nan"), 1.0), ValueError, "'low' .* finite"),
        (lambda: FloatDistribution("0", 1.0), TypeError, "'low' .* a real number"),
        (lambda: FloatDistribution(True, 2.0), TypeError, "'low' .* a real number"),
        (lambda: FloatDistribution(0.0, 1.0, log="yes"), TypeError, "'log' .* a bool"),
        (lambda: IntDistribution(5, 1), ValueError, "'low' parameter of IntDistribution"),
        (lambda: IntDistribution(0, 10, log=True), ValueError, "'low' .* >= 1 when log"),
        (lambda: IntDistribution(1, 10, step=4), ValueError, "'step' .* a divisor of high - low"),
        (lambda: IntDistribution(1, 10, step=0), ValueError, "'step' .* >= 1"),
        (lambda: IntDistribution(1, 9, step=2, log=True), ValueError, "'step' .* 1 when log"),
        (lambda: IntDistribution(True, 3), TypeError, "'low' .* an integer"),
        (lambda: IntDistribution(0, 2.5), TypeError, "'high' .* an integer"),
        (lambda: IntDistribution(0, "3"), TypeError, "'high'"),
        (lambda: CategoricalDistribution([]), ValueError, "'choices' .* non-empty"),
        (lambda: CategoricalDistribution("abc"), TypeError, "'choices' .* a sequence"),
        (lambda: CategoricalDistribution({1, 2}), TypeError, "'choices'"),
        (lambda: CategoricalDistribution([1, 2, 1]), ValueError, r"'choices\[2\]' .* distinct"),
        (lambda: CategoricalDistribution([1.0, float("nan")]), ValueError, r"'choices\[1\]'"),
        (lambda: CategoricalDistribution([[1], 2]), TypeError, r"'choices\[0\]' .* None, a bool"),
        (lambda: CategoricalDistribution([{"a": 1}]), TypeError, r"'choices\[0\]'"),
        (lambda: CategoricalDistribution(["a", object()]), TypeError, r"'choices\[1\]'"),
    ],
)
def test_invalid_arguments_name_the_parameter(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_contains_accepts_stepped_values_far_from_zero():
    d = FloatDistribution(131072.0, 131072.001, step=0.001)
    assert d.contains(d.high)
    assert d.contains(d.from_unit(1.0))


def test_bool_int_and_float_choices_are_distinct():
    d = CategoricalDistribution([1, True, 1.0])
    assert [d.to_internal_repr(v) for v in (1, True, 1.0)] == [0.0, 1.0, 2.0]
    assert d != CategoricalDistribution([True, 1, 1.0])
    assert json_to_distribution(distribution_to_json(d)) == d


def test_integer_valued_floats_are_accepted_as_int_bounds():
    assert IntDistribution(1.0, 3.0) == IntDistribution(1, 3)
    assert IntDistribution(np.int64(1), np.int64(3)).high == 3
    with pytest.raises(TypeError, match=r"'value' .* an integer"):
        IntDistribution(0, 3).to_internal_repr(True)
    with pytest.raises(ValueError, match=r"'value' .* an integer"):
        IntDistribution(0, 3).to_internal_repr(1.5)


def test_json_of_an_unknown_distribution_is_rejected():
    with pytest.raises(ValueError, match=r"'text' .* JSON-serialized ahpo distribution"):
        json_to_distribution('{"name": "Beta", "attributes": {}}')
    with pytest.raises(ValueError, match="'text'"):
        json_to_distribution("not json")
