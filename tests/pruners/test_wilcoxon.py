import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ahpo
from ahpo.pruners import WilcoxonPruner
from ahpo.pruners._wilcoxon import _p_worse

from ._history import study_with


def _best(study, values, value=None):
    """A COMPLETE trial that reported ``values`` (instance -> score); its value is their
    mean unless given."""
    final = float(np.mean(list(values.values()))) if value is None else value
    study.add_trial(ahpo.create_trial(value=final, intermediate_values=values))


def _decisions(study, values):
    """``should_prune()`` after each report of a new trial, in the order given."""
    trial = study.ask()
    out = []
    for step, value in values:
        trial.report(value, step)
        out.append(trial.should_prune())
    return out


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"p_threshold": -0.01}, ValueError, "p_threshold"),
        ({"p_threshold": 1.5}, ValueError, "p_threshold"),
        ({"p_threshold": math.nan}, ValueError, "p_threshold"),
        ({"p_threshold": "0.1"}, TypeError, "p_threshold"),
        ({"p_threshold": True}, TypeError, "p_threshold"),
        ({"n_startup_steps": -1}, ValueError, "n_startup_steps"),
        ({"n_startup_steps": 2.0}, TypeError, "n_startup_steps"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error, name):
    with pytest.raises(error, match=name):
        WilcoxonPruner(**kwargs)


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        WilcoxonPruner(0.1)  # type: ignore[misc]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_prunes_at_the_hand_computed_step(direction):
    # A trial worse on every instance: the exact one-sided p-value after k paired
    # instances is 2**-k, so with p_threshold 0.1 it is pruned at the 4th (0.0625),
    # not at the 3rd (0.125).
    sign = 1.0 if direction == "minimize" else -1.0
    study = study_with(WilcoxonPruner(p_threshold=0.1, n_startup_steps=0), direction)
    _best(study, {i: sign * i for i in range(10)})
    worse = [(i, sign * (i + 0.5 + 0.1 * i)) for i in (7, 2, 9, 4, 0)]
    assert _decisions(study, worse) == [False, False, False, True, True]


def test_startup_counts_paired_instances_only():
    study = study_with(WilcoxonPruner(p_threshold=0.1, n_startup_steps=6))
    _best(study, {i: 0.0 for i in range(5, 15)})
    # Instances 0-4 have no partner in the best trial; 5-9 are paired.
    values = [(i, 1.0 + 0.01 * i) for i in range(10)] + [(10, 1.2)]
    assert _decisions(study, values) == [False] * 10 + [True]


def test_never_prunes_without_a_complete_trial_or_a_common_instance():
    study = study_with(WilcoxonPruner(p_threshold=1.0, n_startup_steps=0))
    study.add_trial(
        ahpo.create_trial(state=ahpo.TrialState.PRUNED, intermediate_values={0: 0.0})
    )
    assert _decisions(study, [(0, 5.0), (1, 6.0)]) == [False, False]
    _best(study, {10: 0.0, 11: 0.0})
    assert _decisions(study, [(0, 5.0), (1, 6.0)]) == [False, False]


def test_pairs_with_the_best_complete_trial():
    study = study_with(WilcoxonPruner(p_threshold=0.1, n_startup_steps=0))
    _best(study, {i: 10.0 for i in range(8)})
    _best(study, {i: 1.0 for i in range(8)})  # the best: the trial is compared with it
    assert _decisions(study, [(i, 5.0 + 0.1 * i) for i in range(5)])[-1] is True


def test_a_better_mean_is_never_pruned():
    # Slightly worse on nine instances, far better on one: the signed-rank test alone
    # says "worse" (p = 0.042), the trial's mean says better than the best trial's.
    study = study_with(WilcoxonPruner(p_threshold=0.1, n_startup_steps=0))
    _best(study, {i: 1.0 for i in range(10)})
    values = [(i, 1.1 + 1e-3 * i) for i in range(9)] + [(9, -4.0)]
    assert _decisions(study, values)[-1] is False


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_pairs_with_the_best_trial_even_when_its_value_is_infinite(direction):
    # Study.best_trial (and Optuna's pruner) take a trial that returned -inf (minimizing)
    # as the best; its reports are finite, so it is the one to pair with. Skipping it
    # paired the trial with the worse one, which it beats, so it went on.
    sign = 1.0 if direction == "minimize" else -1.0
    study = study_with(WilcoxonPruner(p_threshold=0.1, n_startup_steps=0), direction)
    _best(study, {i: sign * 10.0 for i in range(8)})
    _best(study, {i: sign * 1.0 for i in range(8)}, value=-sign * math.inf)
    assert study.best_trial.number == 1
    assert _decisions(study, [(i, sign * (5.0 + 0.1 * i)) for i in range(5)])[-1] is True
    # Alone, a trial with an infinitely bad value is still the best one.
    study = study_with(WilcoxonPruner(p_threshold=0.1, n_startup_steps=0), direction)
    _best(study, {i: sign * 1.0 for i in range(8)}, value=sign * math.inf)
    assert _decisions(study, [(i, sign * (5.0 + 0.1 * i)) for i in range(5)])[-1] is True


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("where", ["trial", "best"])
def test_non_finite_values_are_never_pruned(bad, where):
    study = study_with(WilcoxonPruner(p_threshold=0.5, n_startup_steps=0))
    best = {i: 0.0 for i in range(6)}
    trial = [(i, 1.0 + i) for i in range(6)]
    if where == "best":
        best[3] = bad
    else:
        trial[0] = (0, bad)
    _best(study, best, value=0.0)
    assert _decisions(study, trial) == [False] * 6


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-100, 100), min_size=1, max_size=25),
    st.lists(st.floats(-100, 100), min_size=1, max_size=25),
    st.floats(0.0, 1.0),
    st.integers(0, 4),
    st.randoms(use_true_random=False),
)
def test_decision_is_symmetric_and_ignores_report_order(best, mine, p, startup, rng):
    """Pairing is by instance id, so the order of the reports does not matter, and
    maximizing ``v`` decides as minimizing ``-v`` does. An identical trial never goes."""

    def decide(direction, sign, order):
        study = study_with(WilcoxonPruner(p_threshold=p, n_startup_steps=startup), direction)
        _best(study, {i: sign * v for i, v in enumerate(best)})
        return _decisions(study, [(i, sign * mine[i]) for i in order])[-1]

    order = list(range(len(mine)))
    shuffled = order[:]
    rng.shuffle(shuffled)
    decided = decide("minimize", 1.0, order)
    assert decide("minimize", 1.0, shuffled) == decided
    assert decide("maximize", -1.0, order) == decided
    study = study_with(WilcoxonPruner(p_threshold=p, n_startup_steps=startup))
    _best(study, dict(enumerate(best)))
    assert not any(_decisions(study, list(enumerate(best))))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=2, max_size=9))
def test_p_value_with_zeros_and_ties_is_the_exact_one(values):
    """Counted over all sign flips, as scipy's exhaustive permutation test does."""
    from scipy.stats import wilcoxon

    d = np.array(values, dtype=float)
    expected = wilcoxon(d, alternative="greater", zero_method="zsplit").pvalue
    assert _p_worse(d) == pytest.approx(expected, abs=1e-12)


def _mean_over_instances(instances):
    """The docstring's objective: the squared distance of ``x`` to each instance, in a
    shuffled order; a trial told to stop returns the mean it has (no TrialPruned)."""

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        order = np.random.default_rng(trial.number).permutation(len(instances))
        losses = []
        for i in order:
            losses.append(float((x - instances[i]) ** 2))
            trial.report(losses[-1], int(i))
            if trial.should_prune():
                break
        return float(np.mean(losses))

    return objective


def test_instances_study_prunes_bad_trials_early_and_keeps_the_optimum():
    instances = np.linspace(-1.0, 1.0, 40)
    study = ahpo.create_study(
        sampler=ahpo.samplers.RandomSampler(seed=0), pruner=WilcoxonPruner(p_threshold=0.1)
    )
    study.optimize(_mean_over_instances(instances), n_trials=40)
    lengths = [len(t.intermediate_values) for t in study.trials]
    assert sum(lengths) < 0.6 * 40 * len(instances)
    # The best trial is one that ran every instance, close to the optimum x = 0.
    assert len(study.best_trial.intermediate_values) == len(instances)
    assert abs(study.best_params["x"]) < 0.1


def test_prunes_the_trials_optuna_prunes():
    """Same configurations and instance orders: each trial runs as many instances under
    ahpo's WilcoxonPruner as under Optuna's. The instances are random, so no two
    differences tie and both take scipy's exact p-value (with ties, ahpo counts the
    exact one up to 50 pairs, where scipy approximates past 13)."""
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    instances = np.random.default_rng(1).uniform(-1.0, 1.0, 30)
    xs = np.random.default_rng(0).uniform(-1.0, 1.0, 30)
    runs = []
    for lib in (ahpo, optuna):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning
            study = lib.create_study(pruner=lib.pruners.WilcoxonPruner(p_threshold=0.2))
            for x in xs:
                study.enqueue_trial({"x": float(x)})
            study.optimize(_mean_over_instances(instances), n_trials=len(xs))
        runs.append([len(t.intermediate_values) for t in study.trials])
    assert runs[0] == runs[1]
    assert min(runs[0]) < len(instances) // 4  # the comparison is not vacuous
