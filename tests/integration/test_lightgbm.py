from types import SimpleNamespace

import numpy as np
import pytest

import ahpo
from ahpo import TrialState
from ahpo.integration import LightGBMPruningCallback

from ._helpers import study

lgb = pytest.importorskip("lightgbm")

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 4))
Y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
PARAMS = {
    "objective": "binary",
    "metric": ["binary_logloss", "auc"],
    "verbose": -1,
    "num_threads": 1,
}


def _train(trial, metric="binary_logloss", rounds=12, **kwargs):
    log: dict = {}
    lgb.train(
        PARAMS,
        lgb.Dataset(X[:200], Y[:200]),
        num_boost_round=rounds,
        valid_sets=[lgb.Dataset(X[200:], Y[200:])],
        callbacks=[lgb.record_evaluation(log), LightGBMPruningCallback(trial, metric, **kwargs)],
    )
    return log


def test_reports_the_validation_metric_every_round():
    s = study()
    trial = s.ask()
    log = _train(trial)
    frozen = s.tell(trial, 0.0)
    expected = log["valid_0"]["binary_logloss"]
    assert [frozen.intermediate_values[i] for i in range(12)] == pytest.approx(expected)


def test_report_interval_reports_after_every_nth_round_as_optuna():
    s = study()
    trial = s.ask()
    log = _train(trial, report_interval=5)
    frozen = s.tell(trial, 0.0)
    assert sorted(frozen.intermediate_values) == [4, 9]
    assert frozen.intermediate_values[9] == pytest.approx(log["valid_0"]["binary_logloss"][9])


def test_prunes_when_the_pruner_says_so():
    s = study(prune_at=3)
    s.optimize(lambda t: _train(t) and 0.0, n_trials=1)
    (trial,) = s.trials
    assert trial.state == TrialState.PRUNED
    assert trial.last_step == 3


def test_cv_reports_the_mean_over_folds():
    s = study(direction="maximize")
    trial = s.ask()
    result = lgb.cv(
        PARAMS,
        lgb.Dataset(X, Y),
        num_boost_round=5,
        nfold=3,
        callbacks=[LightGBMPruningCallback(trial, "auc")],
    )
    frozen = s.tell(trial, 0.0)
    assert [frozen.intermediate_values[i] for i in range(5)] == pytest.approx(
        result["valid auc-mean"]
    )


def test_cv_with_train_metric_reports_the_validation_folds():
    s = study(direction="maximize")
    trial = s.ask()
    result = lgb.cv(
        {**PARAMS, "metric": "auc"},
        lgb.Dataset(X, Y),
        num_boost_round=4,
        nfold=3,
        eval_train_metric=True,
        callbacks=[LightGBMPruningCallback(trial, "auc")],
    )
    frozen = s.tell(trial, 0.0)
    assert [frozen.intermediate_values[i] for i in range(4)] == pytest.approx(
        result["valid auc-mean"]
    )


def test_cv_custom_metric_whose_name_has_a_space():
    def error(preds, data):
        return "my error", float(np.mean((preds > 0.5) != data.get_label())), False

    s = study()
    trial = s.ask()
    result = lgb.cv(
        {**PARAMS, "metric": "None"},
        lgb.Dataset(X, Y),
        num_boost_round=3,
        nfold=3,
        feval=error,
        callbacks=[LightGBMPruningCallback(trial, "my error")],
    )
    frozen = s.tell(trial, 0.0)
    assert [frozen.intermediate_values[i] for i in range(3)] == pytest.approx(
        result["valid my error-mean"]
    )


def test_cv_entries_of_lightgbm_before_4_7():
    # lightgbm < 4.7 passes ("cv_agg", "<set> <metric>", mean, higher_is_better, std).
    s = study(direction="maximize")
    trial = s.ask()
    env = SimpleNamespace(
        iteration=0,
        evaluation_result_list=[
            ("cv_agg", "train auc", 0.9, True, 0.01),
            ("cv_agg", "valid auc", 0.8, True, 0.02),
        ],
    )
    LightGBMPruningCallback(trial, "auc")(env)
    assert s.tell(trial, 0.0).intermediate_values == {0: 0.8}


def test_direction_mismatch_is_an_error():
    with pytest.raises(ValueError, match="direction='maximize'"):
        _train(study(direction="minimize").ask(), metric="auc")


def test_unknown_metric_is_an_error():
    with pytest.raises(ValueError, match=r"'metric'.*binary_error"):
        _train(study().ask(), metric="binary_error")


def test_unknown_valid_name_is_an_error_naming_valid_name():
    with pytest.raises(ValueError, match=r"'valid_name'.*\['valid_0'\]\)\. Got 'valid'"):
        _train(study().ask(), valid_name="valid")


def test_multi_objective_study_is_a_clear_error():
    trial = ahpo.create_study(directions=["minimize", "minimize"]).ask()
    with pytest.raises(NotImplementedError, match=r"'trial'.*single-objective.*2 objectives"):
        LightGBMPruningCallback(trial, "binary_logloss")


@pytest.mark.parametrize(
    ("kwargs", "param"), [({"report_interval": 0}, "report_interval"), ({"metric": 3}, "metric")]
)
def test_validation(kwargs, param):
    args = {"metric": "auc", **kwargs}
    with pytest.raises((ValueError, TypeError), match=param):
        LightGBMPruningCallback(ahpo.create_study().ask(), **args)
