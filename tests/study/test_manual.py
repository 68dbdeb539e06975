import pytest

import ahpo
from ahpo import TrialState


def test_enqueued_trials_run_first_and_fill_missing_params():
    study = ahpo.create_study()
    study.enqueue_trial({"x": 0.25})
    study.enqueue_trial({"x": 0.75, "y": 3}, user_attrs={"source": "expert"})
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("y", 0, 5), n_trials=3)
    trials = study.trials
    assert trials[0].params["x"] == 0.25
    assert 0 <= trials[0].params["y"] <= 5
    assert trials[1].params == {"x": 0.75, "y": 3}
    assert trials[1].user_attrs == {"source": "expert"}
    assert all(t.state == TrialState.COMPLETE for t in trials)


def test_enqueue_skip_if_exists():
    study = ahpo.create_study()
    study.enqueue_trial({"x": 0.5})
    study.enqueue_trial({"x": 0.5}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    study.enqueue_trial({"x": 0.5}, skip_if_exists=True)
    assert len(study.trials) == 1


def test_enqueue_out_of_range_value_warns():
    study = ahpo.create_study()
    study.enqueue_trial({"x": 5.0})
    with pytest.warns(UserWarning, match="outside"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[0].params["x"] == 5.0


def test_enqueue_validates():
    study = ahpo.create_study()
    with pytest.raises(TypeError, match="'params'"):
        study.enqueue_trial([1, 2])
    with pytest.raises(TypeError, match="'params'"):
        study.enqueue_trial({"x": object()})
    assert study.trials == []


def test_add_trial_feeds_the_study():
    study = ahpo.create_study()
    study.add_trial(
        ahpo.create_trial(
            params={"x": 2.0, "k": "b"},
            distributions={"x": ahpo.Float(0, 10), "k": ahpo.Categorical(["a", "b"])},
            value=-1.0,
        )
    )
    study.optimize(lambda t: t.suggest_float("x", 0, 10), n_trials=3)
    assert study.best_trial.number == 0
    assert study.best_params == {"x": 2.0, "k": "b"}
    assert study.trials[0].datetime_complete is not None


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"params": {"x": 20.0}, "distributions": {"x": ahpo.Float(0, 10)}, "value": 1},
         "params['x']"),
        ({"params": {"x": 1.0}, "distributions": {}, "value": 1}, "distributions"),
        ({"params": {}, "distributions": {}}, "values"),
        ({"params": {}, "distributions": {}, "value": 1, "state": TrialState.RUNNING}, "state"),
        ({"params": {}, "distributions": {}, "value": 1, "user_attrs": {"a": object()}},
         "attrs['a']"),
    ],
)
def test_create_trial_validates(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=param.replace("[", r"\[")):
        ahpo.create_trial(**kwargs)


def test_add_trial_checks_objective_count():
    study = ahpo.create_study(directions=["minimize", "minimize"])
    with pytest.raises(ValueError, match=r"trial\.values"):
        study.add_trial(ahpo.create_trial(value=1.0))
    assert study.trials == []
