import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ahpo
from ahpo.samplers._gp._encoding import Encoding

SPACE = {
    "f": ahpo.Float(-2.0, 3.0),
    "log": ahpo.Float(1e-4, 1.0, log=True),
    "step": ahpo.Float(0.0, 1.0, step=0.125),
    "i": ahpo.Int(1, 12),
    "ilog": ahpo.Int(8, 1024, log=True),
    "c": ahpo.Categorical(["a", "b", "c", None]),
}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
def test_unit_points_decode_to_valid_values_that_round_trip(u):
    enc = Encoding(SPACE)
    row = enc.from_unit(np.array([u]))[0]
    params = enc.decode(row)
    for name, value in params.items():
        dist = SPACE[name]
        assert dist.contains(dist.to_internal_repr(value))
    np.testing.assert_allclose(enc.encode(params), row, atol=1e-12)


def test_snap_is_idempotent_and_keeps_continuous_columns():
    enc = Encoding(SPACE)
    x = enc.from_unit(np.random.default_rng(0).random((50, 6)))
    np.testing.assert_array_equal(enc.snap(x), x)
    moved = x.copy()
    moved[:, enc.names.index("f")] = 0.3137
    assert np.all(enc.snap(moved)[:, enc.names.index("f")] == 0.3137)


def test_encode_rejects_missing_and_out_of_range_values():
    enc = Encoding({"x": ahpo.Float(0, 1), "k": ahpo.Int(0, 3)})
    assert enc.encode({"x": 0.5}) is None
    assert enc.encode({"x": 2.0, "k": 1}) is None
    assert enc.encode({"x": 0.5, "k": 1}) is not None


def test_alternatives_cover_small_domains_and_neighbours_of_large_ones():
    enc = Encoding(SPACE)
    row = enc.from_unit(np.full((1, 6), 0.5))[0]
    assert len(enc.alternatives(row, enc.names.index("c"))) == 4
    assert len(enc.alternatives(row, enc.names.index("i"))) == 12
    near = enc.alternatives(row, enc.names.index("ilog"))
    values = {SPACE["ilog"].from_unit(u) for u in near}
    current = SPACE["ilog"].from_unit(row[enc.names.index("ilog")])
    assert values and all(0 < abs(v - current) <= 4 for v in values)
