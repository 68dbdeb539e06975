import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ahpo.samplers._gp._warp import warp


@settings(max_examples=50, deadline=None)
@given(arrays(float, st.integers(2, 40), elements=st.floats(-1e6, 1e6), unique=True))
def test_warp_keeps_the_order_and_standardizes(y):
    w = warp(y)
    order = np.argsort(y)
    assert np.all(np.diff(w[order]) >= 0)
    assert abs(w.mean()) < 1e-9
    assert abs(w.std() - 1.0) < 1e-9


def test_a_bad_outlier_does_not_squash_the_good_values():
    rng = np.random.default_rng(0)
    y = rng.normal(size=30)
    plain = (y - y.mean()) / y.std()
    with_outlier = warp(np.append(y, -1e8))[:-1]
    spread = np.ptp(with_outlier) / np.ptp(plain)
    assert spread > 0.2  # plain standardization would leave ~1e-7 of it


def test_constant_targets_stay_finite():
    assert np.isfinite(warp(np.ones(5))).all()
