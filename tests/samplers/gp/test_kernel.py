import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ahpo.samplers._gp._kernel import matern52, squared_differences, weighted_r2

_unit = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    x1=arrays(float, (4, 3), elements=_unit),
    x2=arrays(float, (5, 3), elements=_unit),
    w=arrays(float, 3, elements=st.floats(0.01, 100.0)),
    cat=arrays(bool, 3),
)
def test_fast_distance_matches_per_dimension_distances(x1, x2, w, cat):
    x1, x2 = x1.copy(), x2.copy()
    x1[:, cat] = np.round(x1[:, cat] * 3)
    x2[:, cat] = np.round(x2[:, cat] * 3)
    expected = squared_differences(x1, x2, cat) @ w
    np.testing.assert_allclose(weighted_r2(x1, x2, w, cat), expected, atol=1e-9 * w.sum())


def test_categorical_columns_use_hamming_distance():
    cat = np.array([True])
    sq = squared_differences(np.array([[0.0], [2.0]]), np.array([[0.0], [1.0]]), cat)
    assert sq[..., 0].tolist() == [[0.0, 1.0], [1.0, 1.0]]


def test_kernel_matrix_is_symmetric_positive_definite_with_signal_on_diagonal():
    rng = np.random.default_rng(0)
    x = rng.random((30, 4))
    k = matern52(x, x, np.array([1.0, 4.0, 9.0, 0.5]), 2.5, np.zeros(4, bool))
    np.testing.assert_allclose(k, k.T)
    np.testing.assert_allclose(np.diag(k), 2.5)
    assert np.linalg.eigvalsh(k).min() > 0


def test_kernel_decreases_with_distance():
    x = np.linspace(0, 1, 20)[:, None]
    k = matern52(x[:1], x, np.array([4.0]), 1.0, np.zeros(1, bool))[0]
    assert np.all(np.diff(k) < 0)
