import numpy as np
import pytest

import ahpo
from ahpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from ahpo.samplers import GPSampler
from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._tree import IMPUTED_CHOICE, IMPUTED_NUMERICAL, Branches, Embedded

SWITCH = CategoricalDistribution(["a", "b"])
X = FloatDistribution(0.0, 1.0)
N = IntDistribution(1, 5)
K = CategoricalDistribution(["u", "v"])


def _trial(params, dists):
    return ahpo.create_trial(params=params, distributions=dists, value=0.0)


def _tree_trials():
    return [
        _trial({"s": "a", "x": 0.2, "n": 3}, {"s": SWITCH, "x": X, "n": N}),
        _trial({"s": "b", "k": "v"}, {"s": SWITCH, "k": K}),
        _trial({"s": "a", "x": 0.9, "n": 1}, {"s": SWITCH, "x": X, "n": N}),
    ]


def test_detect_reads_branches_and_imputes_absent_parameters():
    branches = Branches.detect(_tree_trials(), {"s": SWITCH})
    assert branches is not None
    assert branches.switches == ("s",)
    assert branches.members == {(0,): frozenset({"s", "x", "n"}), (1,): frozenset({"s", "k"})}
    assert branches.free((0,)) == ["n", "x"] and branches.free((1,)) == ["k"]
    encoding = Encoding(branches.space)
    assert encoding.names == ["k", "n", "s", "x"]
    row = branches.row(encoding, {"s": "b", "k": "v"})
    assert row.tolist() == [1.0, IMPUTED_NUMERICAL, 1.0, IMPUTED_NUMERICAL]
    row = branches.row(encoding, {"s": "a", "x": 0.2, "n": 3})
    assert row[0] == IMPUTED_CHOICE and row[2] == 0.0 and row[3] == pytest.approx(0.2)
    base = branches.base_row(encoding, (1,))
    assert base.tolist() == [IMPUTED_CHOICE, IMPUTED_NUMERICAL, 1.0, IMPUTED_NUMERICAL]


def test_detect_declines_a_space_without_conditional_parameters():
    trials = [_trial({"s": "a", "x": 0.1}, {"s": SWITCH, "x": X})] * 2
    assert Branches.detect(trials, {"s": SWITCH, "x": X}) is None


@pytest.mark.parametrize(
    "trials",
    [
        # the same switch value with different parameters: not a switched tree
        [_trial({"s": "a", "x": 0.1}, {"s": SWITCH, "x": X}),
         _trial({"s": "a", "n": 2}, {"s": SWITCH, "n": N})],
        # one parameter with two distributions
        [_trial({"s": "a", "x": 0.1}, {"s": SWITCH, "x": X}),
         _trial({"s": "b", "x": 3.0}, {"s": SWITCH, "x": FloatDistribution(0, 5)})],
    ],
)
def test_detect_declines_spaces_that_are_not_switched_trees(trials):
    assert Branches.detect(trials, {"s": SWITCH}) is None


def test_detect_needs_a_categorical_switch():
    trials = [_trial({"x": 0.1, "n": 2}, {"x": X, "n": N}), _trial({"x": 0.3}, {"x": X})]
    assert Branches.detect(trials, {"x": X}) is None


def test_embedded_writes_free_columns_into_the_base_row():
    class Sum:
        def __call__(self, x):
            return x.sum(axis=1)

        def value_and_grad(self, x):
            return float(x.sum()), np.arange(len(x), dtype=float)

    emb = Embedded(Sum(), [0, 2], np.array([9.0, 1.0, 9.0]))
    assert emb.full(np.array([[0.5, 0.25]])).tolist() == [[0.5, 1.0, 0.25]]
    assert emb(np.array([[0.5, 0.25]])).tolist() == [1.75]
    value, grad = emb.value_and_grad(np.array([0.5, 0.25]))
    assert value == 1.75 and grad.tolist() == [0.0, 2.0]


def _hidden_branch(trial):
    # Branch "a" is good on average (about 0.55); "b" is bad on average but holds the
    # optimum 0 in a small region: a model of the switch alone never finds it.
    if trial.suggest_categorical("branch", ["a", "b"]) == "a":
        return 0.3 + abs(trial.suggest_float("x", 0, 1) - 0.5)
    y = trial.suggest_float("y", 0, 1)
    z = trial.suggest_int("z", 1, 10)
    return 20 * (y - 0.73) ** 2 + 0.2 * abs(z - 7)


@pytest.mark.slow
def test_gp_finds_the_optimum_in_the_branch_that_is_worse_on_average():
    found = 0
    for seed in range(5):
        study = ahpo.create_study(sampler=GPSampler(seed=seed, deterministic_objective=True))
        study.optimize(_hidden_branch, n_trials=40)
        found += study.best_value < 0.05
    assert found >= 4
