import pytest

import ahpo
from ahpo.trial import FixedTrial


def test_same_name_same_distribution_returns_same_value():
    study = ahpo.create_study()
    trial = study.ask()
    a = trial.suggest_float("x", 0, 1)
    assert trial.suggest_float("x", 0, 1) == a
    k = trial.suggest_categorical("k", ["a", "b", "c"])
    assert trial.suggest_categorical("k", ["a", "b", "c"]) == k


def test_same_name_other_distribution_is_an_error():
    study = ahpo.create_study()
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    with pytest.raises(ValueError, match="'x' was already suggested"):
        trial.suggest_float("x", 0, 2)
    with pytest.raises(ValueError, match="'x' was already suggested"):
        trial.suggest_int("x", 0, 1)


def test_dynamic_spaces_across_trials():
    study = ahpo.create_study()

    def objective(trial):
        n_layers = trial.suggest_int("n_layers", 1, 3)
        return sum(trial.suggest_int(f"units_{i}", 4, 64, log=True) for i in range(n_layers))

    study.optimize(objective, n_trials=20)
    for t in study.trials:
        assert len(t.params) == 1 + t.params["n_layers"]


def test_conditional_space():
    study = ahpo.create_study()

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["a", "b"])
        if kind == "a":
            return trial.suggest_float("a_x", 0, 1)
        return trial.suggest_int("b_n", 0, 3)

    study.optimize(objective, n_trials=20)
    for t in study.trials:
        expected = {"kind", "a_x"} if t.params["kind"] == "a" else {"kind", "b_n"}
        assert set(t.params) == expected


def test_suggest_validates_with_parameter_names():
    study = ahpo.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="'low'"):
        trial.suggest_float("x", 2, 1)
    with pytest.raises(ValueError, match="'low'"):
        trial.suggest_float("x", 0, 1, log=True)
    with pytest.raises(ValueError, match="'step'"):
        trial.suggest_float("x", 0, 1, step=0.3)
    with pytest.raises(ValueError, match="'choices'"):
        trial.suggest_categorical("x", [])
    with pytest.raises(TypeError, match="'name'"):
        trial.suggest_float(3, 0, 1)
    assert trial.params == {}


def test_values_respect_steps_and_logs():
    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=3))

    def objective(trial):
        a = trial.suggest_float("a", 0, 1, step=0.25)
        b = trial.suggest_int("b", 2, 20, step=3)
        c = trial.suggest_int("c", 1, 1000, log=True)
        assert a in (0, 0.25, 0.5, 0.75, 1.0)
        assert (b - 2) % 3 == 0
        assert isinstance(c, int)
        return a + b + c

    study.optimize(objective, n_trials=100)
    small = sum(t.params["c"] < 32 for t in study.trials)
    assert small > 30  # log-uniform: about half the draws are below sqrt(1000)


def test_single_value_distribution_needs_no_sampling():
    study = ahpo.create_study()
    trial = study.ask()
    assert trial.suggest_int("n", 5, 5) == 5
    assert trial.suggest_categorical("c", ["only"]) == "only"


def test_user_attrs_must_be_json():
    study = ahpo.create_study()
    trial = study.ask()
    trial.set_user_attr("note", {"a": [1, 2]})
    with pytest.raises(TypeError, match="'value'"):
        trial.set_user_attr("bad", object())
    study.tell(trial, 1.0)
    assert study.trials[0].user_attrs == {"note": {"a": [1, 2]}}


def test_trial_properties_are_copies():
    study = ahpo.create_study()
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.params["x"] = 99
    assert trial.params["x"] != 99


def test_fixed_trial_runs_objective_without_study():
    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        trial.report(x, 0)
        assert not trial.should_prune()
        return x**2 if kind == "a" else -1

    assert objective(FixedTrial({"x": 3.0, "kind": "a"})) == 9.0


def test_fixed_trial_errors():
    trial = FixedTrial({"x": 30.0})
    with pytest.raises(ValueError, match="outside"):
        trial.suggest_float("x", 0, 1)
    with pytest.raises(ValueError, match="no value for parameter 'y'"):
        trial.suggest_int("y", 0, 1)
    with pytest.raises(TypeError, match="'params'"):
        FixedTrial([1])


def test_frozen_trial_is_immutable():
    study = ahpo.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    frozen = study.trials[0]
    with pytest.raises(AttributeError):
        frozen.number = 5
    assert frozen.duration is not None
