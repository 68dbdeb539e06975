import numpy as np
import pytest

import ahpo
from ahpo import TrialState
from ahpo.integration import fit_with_pruning

from ._helpers import study

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, SGDClassifier

X, Y = load_iris(return_X_y=True)
XT, YT, XV, YV = X[::2], Y[::2], X[1::2], Y[1::2]


def test_partial_fit_reports_the_score_after_each_epoch():
    s = study(direction="maximize")
    trial = s.ask()
    final = fit_with_pruning(trial, SGDClassifier(random_state=0), XT, YT, XV, YV, n_steps=4)
    reference = SGDClassifier(random_state=0)
    expected = []
    for _ in range(4):
        reference.partial_fit(XT, YT, classes=np.unique(YT))
        expected.append(reference.score(XV, YV))
    frozen = s.tell(trial, final)
    assert [frozen.intermediate_values[i] for i in range(1, 5)] == pytest.approx(expected)
    assert final == pytest.approx(expected[-1])


def test_warm_start_adds_step_size_iterations_per_step():
    s = study(direction="maximize")
    trial = s.ask()
    model = GradientBoostingClassifier(random_state=0, max_depth=1)
    fit_with_pruning(trial, model, XT, YT, XV, YV, n_steps=3, step_size=4, scoring="neg_log_loss")
    assert model.n_estimators_ == 12
    frozen = s.tell(trial, 0.0)
    assert sorted(frozen.intermediate_values) == [1, 2, 3]
    assert all(v < 0 for v in frozen.intermediate_values.values())


def test_prunes_when_the_pruner_says_so():
    s = study(direction="maximize", prune_at=2)

    def objective(trial):
        model = SGDClassifier(random_state=0)
        return fit_with_pruning(trial, model, XT, YT, XV, YV, n_steps=10)

    s.optimize(objective, n_trials=1)
    assert s.trials[0].state == TrialState.PRUNED
    assert s.trials[0].last_step == 2


def test_callable_scoring():
    s = study(direction="maximize")
    trial = s.ask()
    value = fit_with_pruning(
        trial,
        SGDClassifier(random_state=0),
        XT,
        YT,
        XV,
        YV,
        n_steps=2,
        scoring=lambda est, x, y: -float(np.mean(est.predict(x) != y)),
    )
    assert value <= 0


def test_minimizing_study_is_an_error():
    with pytest.raises(ValueError, match="direction='maximize'"):
        fit_with_pruning(study().ask(), SGDClassifier(), XT, YT, XV, YV, n_steps=2)


def test_multi_objective_study_is_a_clear_error():
    trial = ahpo.create_study(directions=["maximize", "maximize"]).ask()
    with pytest.raises(NotImplementedError, match=r"'trial'.*single-objective.*2 objectives"):
        fit_with_pruning(trial, SGDClassifier(), XT, YT, XV, YV, n_steps=2)


@pytest.mark.parametrize(
    ("estimator", "kwargs", "param"),
    [
        (LinearRegression(), {}, "estimator"),
        (LinearRegression(), {"mode": "partial_fit"}, "estimator"),
        (SGDClassifier(), {"mode": "epochs"}, "mode"),
        (SGDClassifier(), {"n_steps": 0}, "n_steps"),
        (SGDClassifier(), {"step_size": 1.5}, "step_size"),
        (SGDClassifier(), {"scoring": 3}, "scoring"),
    ],
)
def test_validation(estimator, kwargs, param):
    args = {"n_steps": 2, **kwargs}
    s = ahpo.create_study(direction="maximize")
    with pytest.raises((ValueError, TypeError), match=f"'{param}'"):
        fit_with_pruning(s.ask(), estimator, XT, YT, XV, YV, **args)
