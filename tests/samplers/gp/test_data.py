import numpy as np

from ahpo import StudyDirection
from ahpo.samplers._gp._data import subset, targets

MIN, MAX = StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE


def test_targets_are_larger_is_better():
    values = np.array([[1.0], [2.0]])
    rng = np.random.default_rng(0)
    assert targets(values, [MIN], rng).tolist() == [-1.0, -2.0]
    assert targets(values, [MAX], rng).tolist() == [1.0, 2.0]


def test_scalarized_targets_rank_a_dominated_point_below_its_dominator():
    rng = np.random.default_rng(0)
    values = np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 1.0]])
    for _ in range(20):
        y = targets(values, [MIN, MIN], rng)
        assert y[0] > y[1]


def test_subset_bounds_the_size_and_keeps_the_best():
    rng = np.random.default_rng(0)
    y = rng.normal(size=1000)
    keep = subset(y, 100, rng)
    assert len(keep) == 100 and len(set(keep.tolist())) == 100
    assert set(np.argsort(-y)[:50].tolist()) <= set(keep.tolist())
    assert len(subset(y[:80], 100, rng)) == 80
