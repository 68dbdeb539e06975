"""Small machine-learning tuning tasks on datasets that ship with scikit-learn.

Every evaluation is a 3-fold cross-validation with fixed folds and fixed model seeds,
so a configuration always gets the same score (the tasks are deterministic, like the
synthetic functions). Models and data are kept small so that one evaluation takes
about 0.02–0.2 s on one core.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

import numpy as np

_CV_SEED = 0
_MODEL_SEED = 0


@cache
def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
    from sklearn.preprocessing import StandardScaler

    if name == "digits":
        x, y = load_digits(return_X_y=True)
        keep = np.random.default_rng(0).permutation(len(y))[:400]
        return x[keep] / 16.0, y[keep]
    if name == "breast_cancer":
        x, y = load_breast_cancer(return_X_y=True)
        return StandardScaler().fit_transform(x), y
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    raise ValueError(f"unknown dataset {name!r}")


def _cv_mean(model: Any, data: str, scoring: str, classification: bool) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    x, y = _data(data)
    folds = StratifiedKFold if classification else KFold
    cv = folds(n_splits=3, shuffle=True, random_state=_CV_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        scores = cross_val_score(model, x, y, cv=cv, scoring=scoring, error_score=np.nan)
    return float(np.mean(scores))


def svc_digits(p: dict[str, Any]) -> float:
    """Accuracy (maximize) of an SVC on 400 digits; C, gamma (log) and the kernel."""
    from sklearn.svm import SVC

    model = SVC(C=p["C"], gamma=p["gamma"], kernel=p["kernel"], max_iter=100_000)
    value = _cv_mean(model, "digits", "accuracy", classification=True)
    return 0.0 if np.isnan(value) else value


def hgb_breast_cancer(p: dict[str, Any]) -> float:
    """Log-loss (minimize) of a 20-iteration HistGradientBoosting on breast_cancer."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        learning_rate=p["learning_rate"],
        max_leaf_nodes=p["max_leaf_nodes"],
        min_samples_leaf=p["min_samples_leaf"],
        l2_regularization=p["l2_regularization"],
        max_iter=20,
        max_bins=32,
        early_stopping=False,
        random_state=_MODEL_SEED,
    )
    value = -_cv_mean(model, "breast_cancer", "neg_log_loss", classification=True)
    return 10.0 if not np.isfinite(value) else value


def mlp_digits(p: dict[str, Any]) -> float:
    """Accuracy (maximize) of a one-hidden-layer MLP (≤ 12 epochs, early stopping)."""
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(p["hidden"],),
        alpha=p["alpha"],
        learning_rate_init=p["learning_rate_init"],
        batch_size=p["batch_size"],
        max_iter=12,
        early_stopping=True,
        n_iter_no_change=4,
        random_state=_MODEL_SEED,
    )
    value = _cv_mean(model, "digits", "accuracy", classification=True)
    return 0.0 if np.isnan(value) else value


def elasticnet_diabetes(p: dict[str, Any]) -> float:
    """Cross-validated mean squared error (minimize) of ElasticNet on diabetes."""
    from sklearn.linear_model import ElasticNet

    model = ElasticNet(alpha=p["alpha"], l1_ratio=p["l1_ratio"], max_iter=5000)
    return -_cv_mean(model, "diabetes", "neg_mean_squared_error", classification=False)
