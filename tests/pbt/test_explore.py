"""PBT's explore step: how each kind of parameter moves (Ray Tune's rules where they exist)."""

import numpy as np
import pytest

from ahpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from ahpo.pbt._explore import explore


def _moves(value, dist, factors=(0.8, 1.2), n=400):
    rng = np.random.default_rng(0)
    return {explore({"p": value}, {"p": dist}, rng, factors, 0.0)["p"] for _ in range(n)}


@pytest.mark.parametrize(
    ("value", "dist", "expected"),
    [
        (1, IntDistribution(1, 8), {1, 2}),  # 0.8 stays at the bound, 1.2 moves a step
        (2, IntDistribution(1, 8), {1, 3}),  # 1.6 and 2.4 round back to 2: one step each way
        (2, IntDistribution(1, 1024, log=True), {1, 3}),
        (10, IntDistribution(1, 64), {8, 12}),
        (0.1, FloatDistribution(0.0, 1.0, step=0.1), {0.0, 0.2}),
        (8, IntDistribution(0, 8, step=2), {6, 8}),
    ],
)
def test_int_and_stepped_params_move_at_least_one_step(value, dist, expected):
    assert _moves(value, dist) == expected


def test_continuous_params_are_scaled_exactly_and_clipped():
    assert _moves(0.5, FloatDistribution(0.0, 1.0)) == {0.4, 0.6}
    assert _moves(1.0, FloatDistribution(1e-5, 1.0, log=True)) == {0.8, 1.0}


def test_categorical_params_shift_to_a_neighbouring_choice():
    dist = CategoricalDistribution([16, 32, 64, 128])
    assert _moves(32, dist) == {16, 64}
    assert _moves(128, dist) == {64, 128}  # at the end a shift outwards keeps it


def test_resampling_happens_with_the_given_probability():
    rng = np.random.default_rng(0)
    dist = {"p": FloatDistribution(0.0, 1.0)}
    changed = [explore({"p": 0.5}, dist, rng, (1.0,), 0.3)["p"] != 0.5 for _ in range(4000)]
    assert np.mean(changed) == pytest.approx(0.3, abs=0.03)


def test_only_mutable_params_change():
    dists = {"lr": FloatDistribution(1e-4, 1.0, log=True), "width": IntDistribution(8, 64)}
    rng = np.random.default_rng(0)
    outs = [
        explore({"lr": 0.1, "width": 32}, dists, rng, (0.8, 1.2), 0.5, {"lr"}) for _ in range(50)
    ]
    assert {o["width"] for o in outs} == {32}
    assert len({o["lr"] for o in outs}) > 2
    assert explore({"lr": 0.1, "width": 32}, dists, rng, (2.0,), 0.0, set()) == {
        "lr": 0.1,
        "width": 32,
    }
