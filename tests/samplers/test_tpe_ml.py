"""Seeded statistical test: TPE against random search on a small ML tuning task."""

import numpy as np
import pytest

import ahpo
from ahpo.samplers._tpe import TPESampler

pytest.importorskip("sklearn")


def _svr_objective():
    """3-fold CV mean squared error of an RBF support-vector regressor on 300 diabetes samples."""
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR

    x, y = load_diabetes(return_X_y=True)
    keep = np.random.default_rng(0).permutation(len(y))[:300]
    x, y = StandardScaler().fit_transform(x[keep]), y[keep]
    folds = KFold(n_splits=3, shuffle=True, random_state=0)

    def objective(trial):
        model = SVR(
            C=trial.suggest_float("C", 1e-2, 1e4, log=True),
            epsilon=trial.suggest_float("epsilon", 1e-2, 1e2, log=True),
            gamma=trial.suggest_float("gamma", 1e-4, 1e1, log=True),
        )
        scores = cross_val_score(model, x, y, cv=folds, scoring="neg_mean_squared_error")
        return -float(np.mean(scores))

    return objective


@pytest.mark.slow
def test_tpe_beats_random_on_svr_in_three_of_four_seeds():
    # Random search gets other seeds: TPE's start-up draws with seed s equal
    # RandomSampler(seed=s)'s first draws, which would make early ties. With 20 of
    # the 30 trials model-based, TPE wins about 3 runs in 4 (22 of seeds 0-29, 16 of
    # 0-19), so 20 seeds keep the test about the rate rather than one seed's luck.
    objective = _svr_objective()
    wins = 0
    for seed in range(20):
        tpe = ahpo.create_study(sampler=TPESampler(seed=seed))
        tpe.optimize(objective, n_trials=30)
        rnd = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=seed + 100))
        rnd.optimize(objective, n_trials=30)
        wins += tpe.best_value < rnd.best_value
    assert wins >= 15
