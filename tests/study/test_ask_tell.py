import pytest

import ahpo
from ahpo import TrialState


def test_ask_tell_loop():
    study = ahpo.create_study()
    for _ in range(5):
        trial = study.ask()
        x = trial.suggest_float("x", 0, 1)
        frozen = study.tell(trial, x)
        assert frozen.state == TrialState.COMPLETE
        assert frozen.value == x
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 5


def test_ask_with_fixed_distributions():
    study = ahpo.create_study()
    trial = study.ask({"x": ahpo.Float(0, 1), "k": ahpo.Categorical(["a", "b"])})
    assert set(trial.params) == {"x", "k"}
    assert trial.space_params == trial.params


def test_tell_by_number():
    study = ahpo.create_study()
    trial = study.ask()
    study.tell(trial.number, 1.5)
    assert study.trials[0].value == 1.5


def test_tell_finished_trial_names_it_and_keeps_the_value():
    study = ahpo.create_study()
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(ahpo.UpdateFinishedTrialError, match="Trial 0"):
        study.tell(trial, 2.0)
    assert study.trials[0].value == 1.0
    assert study.tell(trial, 2.0, skip_if_finished=True).value == 1.0


def test_tell_unknown_number():
    study = ahpo.create_study()
    with pytest.raises(ValueError, match="'trial'"):
        study.tell(7, 1.0)


def test_tell_requires_values_for_complete():
    study = ahpo.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="'values'"):
        study.tell(trial)
    study.tell(trial, state=TrialState.FAIL)
    assert study.trials[0].state == TrialState.FAIL


def test_tell_fail_with_values_is_rejected():
    study = ahpo.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="'values'"):
        study.tell(trial, 1.0, state=TrialState.FAIL)
    assert study.trials[0].state == TrialState.RUNNING


def test_tell_wrong_number_of_values_fails_trial():
    study = ahpo.create_study(directions=["minimize", "maximize"])
    trial = study.ask()
    frozen = study.tell(trial, [1.0])
    assert frozen.state == TrialState.FAIL
    assert "2 direction" in frozen.system_attrs["fail_reason"]


def test_multi_objective_best_trials_is_pareto_front():
    study = ahpo.create_study(directions=["minimize", "maximize"])
    for values in [(1, 1), (2, 3), (3, 2), (0, 0), (2, 3)]:
        study.tell(study.ask(), values)
    front = {t.number for t in study.best_trials}
    assert front == {0, 1, 3, 4}
    with pytest.raises(RuntimeError, match="best_trials"):
        _ = study.best_trial


def test_best_trial_before_any_complete():
    study = ahpo.create_study()
    with pytest.raises(ValueError, match="No trials are completed"):
        _ = study.best_trial


def test_constraints_restrict_best_trial():
    study = ahpo.create_study()
    for value, constraint in [(0.0, 1.0), (1.0, -1.0), (2.0, 0.0)]:
        trial = study.ask()
        trial.set_constraints([constraint])
        study.tell(trial, value)
    assert study.best_trial.number == 1
    assert study.trials[0].feasible is False


def test_report_validation():
    study = ahpo.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="'step'"):
        trial.report(1.0, -1)
    with pytest.raises(TypeError, match="'value'"):
        trial.report("x", 1)
    trial.report(0.5, 1)
    trial.report(0.25, 1)
    assert study.trials[0].intermediate_values == {1: 0.25}


def test_report_in_multi_objective_study_is_refused():
    study = ahpo.create_study(directions=["minimize", "minimize"])
    trial = study.ask()
    with pytest.raises(NotImplementedError):
        trial.report(1.0, 0)
