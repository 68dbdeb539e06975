import math
import threading
import time

import pytest

import ahpo
from ahpo import TrialState


def quadratic(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def test_optimize_runs_n_trials_and_finds_best():
    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
    study.optimize(quadratic, n_trials=40)
    assert len(study.trials) == 40
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert [t.number for t in study.trials] == list(range(40))
    best = min(t.value for t in study.trials)
    assert study.best_value == best
    assert study.best_trial.params == study.best_params


def test_maximize_picks_largest():
    study = ahpo.create_study(direction="maximize")
    study.optimize(quadratic, n_trials=20)
    assert study.best_value == max(t.value for t in study.trials)


def test_seeded_sampler_is_reproducible():
    def run():
        study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=42))
        study.optimize(
            lambda t: t.suggest_float("a", 0, 1) + t.suggest_int("b", 0, 9)
            + len(str(t.suggest_categorical("c", ["x", "yy", None]))),
            n_trials=15,
        )
        return [t.params for t in study.trials]

    assert run() == run()


def test_timeout_stops_the_study():
    study = ahpo.create_study()
    start = time.monotonic()
    study.optimize(lambda t: time.sleep(0.01) or t.suggest_float("x", 0, 1), timeout=0.2)
    assert time.monotonic() - start < 2.0
    assert 1 <= len(study.trials) <= 40


def test_n_jobs_threads_run_exact_budget():
    study = ahpo.create_study()
    seen = set()
    lock = threading.Lock()

    def objective(trial):
        with lock:
            seen.add(threading.get_ident())
        time.sleep(0.002)
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=60, n_jobs=4)
    assert len(study.trials) == 60
    assert sorted(t.number for t in study.trials) == list(range(60))
    assert len(seen) > 1


def test_exception_not_in_catch_is_recorded_then_raised():
    study = ahpo.create_study()

    def objective(trial):
        trial.suggest_float("x", 0, 1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        study.optimize(objective, n_trials=5)
    (trial,) = study.trials
    assert trial.state == TrialState.FAIL
    assert "boom" in trial.system_attrs["fail_reason"]


def test_exception_in_catch_lets_the_study_go_on():
    study = ahpo.create_study()
    calls = []

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        calls.append(x)
        if len(calls) % 2:
            raise ValueError("odd")
        return x

    study.optimize(objective, n_trials=6, catch=(ValueError,))
    states = [t.state for t in study.trials]
    assert states.count(TrialState.FAIL) == 3
    assert states.count(TrialState.COMPLETE) == 3


def test_exception_in_thread_stops_and_raises():
    study = ahpo.create_study()

    def objective(trial):
        if trial.number == 3:
            raise KeyError("three")
        time.sleep(0.001)
        return 1.0

    with pytest.raises(KeyError):
        study.optimize(objective, n_trials=50, n_jobs=2)
    assert any(t.state == TrialState.FAIL for t in study.trials)
    assert not any(t.state == TrialState.RUNNING for t in study.trials)


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (float("nan"), "NaN"),
        (None, "None"),
        ("abc", "not a number"),
        ([1.0, 2.0], "2 value(s)"),
    ],
)
def test_bad_return_values_fail_the_trial_and_the_study_goes_on(result, reason):
    study = ahpo.create_study()
    study.optimize(lambda t: result, n_trials=3)
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 3
    assert reason in study.trials[0].system_attrs["fail_reason"]


def test_infinite_values_are_complete():
    study = ahpo.create_study()
    study.optimize(lambda t: math.inf, n_trials=1)
    assert study.trials[0].state == TrialState.COMPLETE


def test_keyboard_interrupt_fails_running_trial_and_propagates():
    study = ahpo.create_study()

    def objective(trial):
        trial.suggest_float("x", 0, 1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=3)
    (trial,) = study.trials
    assert trial.state == TrialState.FAIL
    assert "KeyboardInterrupt" in trial.system_attrs["fail_reason"]


def test_pruned_trial_records_last_intermediate_value():
    study = ahpo.create_study()

    def objective(trial):
        trial.report(3.0, 0)
        trial.report(2.0, 5)
        raise ahpo.TrialPruned()

    study.optimize(objective, n_trials=2)
    assert all(t.state == TrialState.PRUNED for t in study.trials)
    assert study.trials[0].values == (2.0,)
    assert study.trials[0].intermediate_values == {0: 3.0, 5: 2.0}


def test_callbacks_and_stop():
    study = ahpo.create_study()
    seen = []

    def callback(study, trial):
        seen.append(trial.number)
        if len(seen) == 4:
            study.stop()

    study.optimize(quadratic, n_trials=100, callbacks=[callback])
    assert seen == [0, 1, 2, 3]
    study.optimize(quadratic, n_trials=2)
    assert len(study.trials) == 6


def test_declarative_space_calls_function_with_dict():
    study = ahpo.create_study()
    got = []

    def fn(params):
        got.append(params)
        return params["x"] ** 2 + params["n"]

    study.optimize(fn, n_trials=5, space={"x": ahpo.Float(-1, 1), "n": ahpo.Int(0, 3)})
    assert len(got) == 5
    assert all(set(p) == {"x", "n"} for p in got)
    assert study.trials[0].params == got[0]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"n_trials": -1}, "n_trials"),
        ({"n_trials": 1.5}, "n_trials"),
        ({"timeout": -3}, "timeout"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"catch": [1]}, "catch"),
        ({"callbacks": [3]}, "callbacks"),
    ],
)
def test_optimize_validates_arguments(kwargs, param):
    study = ahpo.create_study()
    with pytest.raises((ValueError, TypeError), match=f"'{param}'"):
        study.optimize(quadratic, **kwargs)
    assert study.trials == []


def test_progress_bar_runs(capsys):
    study = ahpo.create_study()
    study.optimize(quadratic, n_trials=3, show_progress_bar=True)
    assert "3/3" in capsys.readouterr().err
