import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ahpo
from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._unseen import Unseen

GRID = Encoding({
    "k": ahpo.Int(0, 3),
    "w": ahpo.Int(1, 64, log=True),
    "frac": ahpo.Float(0.3, 0.7, step=0.2),
    "kind": ahpo.Categorical(["a", "b"]),
})


def _all_rows(encoding):
    columns = [encoding.values(j) for j in range(encoding.dim)]
    return np.stack(np.meshgrid(*columns, indexing="ij"), axis=-1).reshape(-1, encoding.dim)


def test_values_are_every_point_of_a_column_log_scaled_or_not():
    decoded = {name: set() for name in GRID.names}
    for row in _all_rows(GRID):
        for name, value in GRID.decode(row).items():
            decoded[name].add(round(value, 9) if isinstance(value, float) else value)
    assert decoded == {
        "k": {0, 1, 2, 3}, "w": set(range(1, 65)), "frac": {0.3, 0.5, 0.7}, "kind": {"a", "b"}
    }


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_fresh_finds_an_unseen_point_while_one_is_left(data):
    rows = _all_rows(GRID)
    keep = data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=len(rows) - 1, unique=True))
    left = set(range(len(rows))) - set(keep)
    if data.draw(st.booleans()):  # all but one seen
        keep = sorted(set(range(len(rows))) - {min(left)})
    seen = GRID.snap(rows[keep]) if keep else rows[:0]
    unseen = Unseen(lambda x: np.zeros(len(x)), seen)
    fresh = unseen.fresh(GRID, np.random.default_rng(data.draw(st.integers(0, 99))))
    assert fresh is not None and not unseen.taken(fresh)
    assert GRID.encode(GRID.decode(fresh)) is not None


def test_fresh_is_none_on_a_used_up_grid_and_the_wrapper_scores_seen_rows_minus_inf():
    rows = _all_rows(GRID)
    unseen = Unseen(lambda x: np.ones(len(x)), rows)
    assert unseen.fresh(GRID, np.random.default_rng(0)) is None
    half = Unseen(lambda x: np.ones(len(x)), rows[::2])
    values = half(rows)
    assert np.all(values[::2] == -np.inf) and np.all(values[1::2] == 1.0)
    # A row read back from a trial's parameters is the same point as the grid's.
    assert half.taken(GRID.encode(GRID.decode(rows[0])))
