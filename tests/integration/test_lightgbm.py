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


def test_report_interval():
    s = study()
    trial = s.ask()
    _train(trial, report_interval=5)
    assert sorted(s.tell(trial, 0.0).intermediate_values) == [0, 5, 10]


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


def test_direction_mismatch_is_an_error():
    with pytest.raises(ValueError, match="direction='maximize'"):
        _train(study(direction="minimize").ask(), metric="auc")


def test_unknown_metric_is_an_error():
    with pytest.raises(ValueError, match=r"'metric'.*binary_error"):
        _train(study().ask(), metric="binary_error")


@pytest.mark.parametrize(
    ("kwargs", "param"), [({"report_interval": 0}, "report_interval"), ({"metric": 3}, "metric")]
)
def test_validation(kwargs, param):
    args = {"metric": "auc", **kwargs}
    with pytest.raises((ValueError, TypeError), match=param):
        LightGBMPruningCallback(ahpo.create_study().ask(), **args)
