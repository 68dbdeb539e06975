import numpy as np
import pytest

import ahpo
from ahpo import TrialState
from ahpo.integration import XGBoostPruningCallback

from ._helpers import study

xgb = pytest.importorskip("xgboost")

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 4))
Y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
PARAMS = {"objective": "binary:logistic", "eval_metric": ["logloss", "auc"], "nthread": 1}


def _train(trial, key="validation-logloss", rounds=10):
    log: dict = {}
    xgb.train(
        PARAMS,
        xgb.DMatrix(X[:200], Y[:200]),
        rounds,
        evals=[(xgb.DMatrix(X[200:], Y[200:]), "validation")],
        evals_result=log,
        verbose_eval=False,
        callbacks=[XGBoostPruningCallback(trial, key)],
    )
    return log


def test_reports_the_validation_metric_every_round():
    s = study()
    trial = s.ask()
    log = _train(trial)
    frozen = s.tell(trial, 0.0)
    assert [frozen.intermediate_values[i] for i in range(10)] == pytest.approx(
        log["validation"]["logloss"]
    )


def test_prunes_when_the_pruner_says_so():
    s = study(prune_at=4)
    s.optimize(lambda t: _train(t) and 0.0, n_trials=1)
    (trial,) = s.trials
    assert trial.state == TrialState.PRUNED
    assert trial.last_step == 4


def test_sklearn_api():
    s = study(direction="maximize")
    trial = s.ask()
    model = xgb.XGBClassifier(
        n_estimators=6,
        eval_metric="auc",
        n_jobs=1,
        callbacks=[XGBoostPruningCallback(trial, "validation_0-auc")],
    )
    model.fit(X[:200], Y[:200], eval_set=[(X[200:], Y[200:])], verbose=False)
    frozen = s.tell(trial, 0.0)
    assert frozen.intermediate_values == pytest.approx(
        dict(enumerate(model.evals_result()["validation_0"]["auc"]))
    )


def test_cv_reports_the_mean_over_folds():
    s = study()
    trial = s.ask()
    result = xgb.cv(
        PARAMS,
        xgb.DMatrix(X, Y),
        4,
        nfold=3,
        callbacks=[XGBoostPruningCallback(trial, "test-logloss")],
    )
    frozen = s.tell(trial, 0.0)
    assert [frozen.intermediate_values[i] for i in range(4)] == pytest.approx(
        list(result["test-logloss-mean"])
    )


def test_unknown_key_is_an_error():
    with pytest.raises(ValueError, match=r"'observation_key'.*validation-logloss"):
        _train(study().ask(), key="validation-error")


def test_multi_objective_study_is_a_clear_error():
    trial = ahpo.create_study(directions=["minimize", "maximize"]).ask()
    with pytest.raises(NotImplementedError, match=r"'trial'.*single-objective.*2 objectives"):
        XGBoostPruningCallback(trial, "validation-logloss")


@pytest.mark.parametrize("key", ["logloss", 3])
def test_validation(key):
    with pytest.raises((ValueError, TypeError), match="observation_key"):
        XGBoostPruningCallback(ahpo.create_study().ask(), key)
