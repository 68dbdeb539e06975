"""Learning-curve tasks: a search space and a loss for every (configuration, step).

Every task is minimized and has ``max_resource`` = 81 steps: a third of an epoch for
the ``partial_fit`` models (27 epochs in all) and one boosting iteration for gradient
boosting. Optimizers pay one unit of resource per step they run, whatever the cache
below does: curves of real training are computed once per configuration in a process
(incrementally, so a trial stopped at step 3 trains one epoch) and reused by every
optimizer, which changes wall time only.

Real training uses datasets scikit-learn ships, with a fixed train/validation split
and a fixed model seed, so a configuration's curve is deterministic. Continuous
hyperparameters are rounded to a grid (half a decade for log-scale ones) inside
the task, which keeps the number of distinct curves small; the response is then
piecewise constant, the same for every optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

#: Resource of a complete trial, in steps.
MAX_RESOURCE = 81

#: Steps per epoch of the ``partial_fit`` tasks: each step trains on one chunk.
_CHUNKS_PER_EPOCH = 3

Config = tuple[Any, ...]


@dataclass(frozen=True)
class Task:
    """One benchmark task.

    Attributes
    ----------
    name
        Short name used on the command line and in the report.
    description
        One line for the report.
    suggest
        ``suggest(trial) -> config``: asks the trial (ahpo's or Optuna's, same names)
        for the hyperparameters and returns the hashable, rounded configuration.
    curve
        ``curve(config) -> loss_at``, ``loss_at(step)`` for ``1 <= step <= max_resource``.
    """

    name: str
    description: str
    suggest: Callable[[Any], Config]
    curve: Callable[[Config], Callable[[int], float]]
    max_resource: int = MAX_RESOURCE


def _log_round(value: float, per_decade: int) -> float:
    """``value`` rounded on a log grid of ``per_decade`` points a decade (2: 1, 3.16, 10)."""
    return float(10 ** (round(math.log10(value) * per_decade) / per_decade))


# ---- synthetic ---------------------------------------------------------------------
_OPTIMUM = np.array([0.2, 0.7, 0.4, 0.6])


def _synthetic_suggest(trial: Any) -> Config:
    return tuple(trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4))


def _synthetic_final(x: np.ndarray) -> float:
    """The known final loss: a shifted quadratic bowl with a ripple, minimum 0."""
    d = x - _OPTIMUM
    return float(d @ d + 0.1 * (1 - np.cos(6 * np.pi * d[1])) + 0.5 * d[0] * d[2])


def _synthetic_curve(config: Config) -> Callable[[int], float]:
    x = np.asarray(config)
    final = _synthetic_final(x)
    # Power-law decay towards the final loss. Good configurations (small x0) start
    # higher and x3 sets the speed, so some curves cross: early ranks mislead a little.
    scale = 0.3 * (1.0 - x[0]) + 0.1
    rate = 0.5 + x[3]

    def loss_at(step: int) -> float:
        return final + scale * (step**-rate - MAX_RESOURCE**-rate)

    return loss_at


# ---- real training -----------------------------------------------------------------
@cache
def _digits() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = load_digits(return_X_y=True)
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.4, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_tr)
    return scaler.transform(x_tr), scaler.transform(x_va), y_tr, y_va


@cache
def _digits_small() -> tuple[np.ndarray, ...]:
    """Digits with 600 training samples: epochs of the MLP stay a few milliseconds."""
    x_tr, x_va, y_tr, y_va = _digits()
    return x_tr[:600], x_va, y_tr[:600], y_va


@cache
def _cancer() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    return tuple(train_test_split(x, y, test_size=0.4, random_state=0, stratify=y))


class _ChunkCurve:
    """Validation loss after each ``partial_fit`` step, trained only as far as asked.

    Step ``k`` (from 1) trains on chunk ``(k - 1) % _CHUNKS_PER_EPOCH`` of the training
    set (contiguous, equal-sized up to one sample), so every ``_CHUNKS_PER_EPOCH`` steps
    are one epoch.
    """

    def __init__(self, model: Any, data: tuple[np.ndarray, ...], loss: str) -> None:
        self._model = model
        self._data = data
        self._loss = loss
        self._losses: list[float] = []

    def __call__(self, step: int) -> float:
        x_tr, x_va, y_tr, y_va = self._data
        classes = np.unique(y_tr)
        chunks = np.array_split(np.arange(len(y_tr)), _CHUNKS_PER_EPOCH)
        while len(self._losses) < step:
            rows = chunks[len(self._losses) % _CHUNKS_PER_EPOCH]
            self._model.partial_fit(x_tr[rows], y_tr[rows], classes=classes)
            if self._loss == "error":
                loss = 1.0 - float(self._model.score(x_va, y_va))
            else:
                from sklearn.metrics import log_loss

                proba = np.clip(self._model.predict_proba(x_va), 1e-6, 1.0)
                loss = float(log_loss(y_va, proba, labels=classes))
            self._losses.append(loss if math.isfinite(loss) else 10.0)
        return self._losses[step - 1]


def _sgd_suggest(trial: Any) -> Config:
    return (
        _log_round(trial.suggest_float("alpha", 1e-6, 1e-1, log=True), 2),
        _log_round(trial.suggest_float("eta0", 1e-4, 1.0, log=True), 2),
        trial.suggest_categorical("learning_rate", ["constant", "invscaling"]),
        trial.suggest_categorical("loss", ["hinge", "log_loss", "modified_huber"]),
    )


@cache
def _sgd_curve(config: Config) -> _ChunkCurve:
    from sklearn.linear_model import SGDClassifier

    alpha, eta0, schedule, loss = config
    model = SGDClassifier(
        alpha=alpha, eta0=eta0, learning_rate=schedule, loss=loss, power_t=0.25, random_state=0
    )
    return _ChunkCurve(model, _digits(), "error")


def _mlp_suggest(trial: Any) -> Config:
    return (
        trial.suggest_categorical("hidden", [16, 48]),
        _log_round(trial.suggest_float("alpha", 1e-6, 1e-1, log=True), 2),
        _log_round(trial.suggest_float("learning_rate_init", 1e-4, 1e-1, log=True), 2),
        trial.suggest_categorical("batch_size", [64, 256]),
    )


@cache
def _mlp_curve(config: Config) -> _ChunkCurve:
    from sklearn.neural_network import MLPClassifier

    hidden, alpha, lr, batch = config
    model = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        alpha=alpha,
        learning_rate_init=lr,
        batch_size=batch,
        random_state=0,
    )
    return _ChunkCurve(model, _digits_small(), "log_loss")


def _gbm_suggest(trial: Any) -> Config:
    return (
        _log_round(trial.suggest_float("learning_rate", 0.003, 0.3, log=True), 2),
        trial.suggest_int("max_depth", 1, 5),
        round(trial.suggest_float("subsample", 0.5, 1.0), 1),
        trial.suggest_categorical("max_features", [0.2, 0.5, 1.0]),
    )


@cache
def _gbm_losses(config: Config) -> tuple[float, ...]:
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.metrics import log_loss

    lr, depth, subsample, features = config
    x_tr, x_va, y_tr, y_va = _cancer()
    model = GradientBoostingClassifier(
        learning_rate=lr,
        max_depth=depth,
        subsample=subsample,
        max_features=features,
        n_estimators=MAX_RESOURCE,  # one tree per step
        random_state=0,
    ).fit(x_tr, y_tr)
    return tuple(float(log_loss(y_va, proba)) for proba in model.staged_predict_proba(x_va))


def _gbm_curve(config: Config) -> Callable[[int], float]:
    losses = _gbm_losses(config)
    return lambda step: losses[step - 1]


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task(
            "synthetic",
            "4-d synthetic power-law curves with known final loss, some crossing",
            _synthetic_suggest,
            _synthetic_curve,
        ),
        Task(
            "sgd-digits",
            "SGDClassifier on digits, validation error after each third of an epoch",
            _sgd_suggest,
            _sgd_curve,
        ),
        Task(
            "mlp-digits",
            "MLPClassifier (1 hidden layer) on digits, validation log-loss per third of an epoch",
            _mlp_suggest,
            _mlp_curve,
        ),
        Task(
            "gbm-cancer",
            "GradientBoostingClassifier on breast cancer, log-loss after each tree",
            _gbm_suggest,
            _gbm_curve,
        ),
    )
}
