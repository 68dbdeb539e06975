"""scikit-learn's own estimator checks, run on ahpo's searches (no expected failures)."""

from __future__ import annotations

import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import ahpo
from ahpo.sklearn import GridSearchCV, RandomizedSearchCV, SearchCV

ESTIMATORS = [
    # Default error_score (NaN): failures inside the search must still surface as the
    # errors the checks expect.
    SearchCV(LogisticRegression(), {"C": ahpo.Float(0.01, 10, log=True)}, n_trials=3, cv=3),
    SearchCV(
        Pipeline([("pca", PCA()), ("ridge", Ridge())]),
        {"ridge__alpha": [0.1, 1.0]},
        n_trials=2,
        cv=2,
    ),
    GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2),
    RandomizedSearchCV(Ridge(), {"alpha": ahpo.Float(0.1, 10, log=True)}, n_iter=2, cv=2),
]


@pytest.mark.slow
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
