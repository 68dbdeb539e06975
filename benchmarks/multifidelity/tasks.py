"""Learning-curve tasks: a search space and a loss for every (configuration, step).

Every task is minimized and has ``max_resource`` = 81 steps: a third of an epoch for
the ``partial_fit`` models (27 epochs in all) and one boosting iteration for gradient
boosting. Optimizers pay one unit of resource per step they run, whatever the cache
below does: curves of real training are computed once per configuration in a process
(incrementally, so a trial stopped at step 3 trains one epoch) and reused by every
optimizer, which changes wall time only.

Real training uses datasets scikit-learn ships, with a fixed train/validation split
and a fixed model seed, so a configuration's curve is deterministic. Its search
spaces are grids, so that a configuration's curve is trained once, and the tasks
declare them as such: a log-scale hyperparameter is an integer exponent in eighths
of a decade (``suggest_int``, value ``10 ** (k / 8)``, neighbours 33 % apart) and
``subsample`` a float with ``step=0.05``. A sampler thus sees when it proposes a
configuration again, and each space holds several times the configurations a
method samples in a run (2,805 to 8,118 against about 300 for Hyperband).
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
        for the hyperparameters and returns the hashable configuration (grid values).
    curve
        ``curve(config) -> loss_at``, ``loss_at(step)`` for ``1 <= step <= max_resource``.
    """

    name: str
    description: str
    suggest: Callable[[Any], Config]
    curve: Callable[[Config], Callable[[int], float]]
    max_resource: int = MAX_RESOURCE


#: Grid points per decade of the log-scale hyperparameters.
_PER_DECADE = 8


def _log_grid(trial: Any, name: str, low: float, high: float) -> float:
    """``10 ** (k / 8)`` for the integer ``k`` the trial suggests, from ``low`` to ``high``.

    The parameter is named ``{name}_exp``; ``low`` and ``high``, each a power of
    ``10 ** (1 / 8)``, are the grid's end points: ``1e-2, 1.0`` gives ``k`` in
    ``[-16, 0]``, 17 values, each 1.33 times the one before.
    """
    k_low = round(math.log10(low) * _PER_DECADE)
    k_high = round(math.log10(high) * _PER_DECADE)
    return float(10 ** (trial.suggest_int(f"{name}_exp", k_low, k_high) / _PER_DECADE))


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
        _log_grid(trial, "alpha", 1e-6, 1e-1),
        _log_grid(trial, "eta0", 1e-4, 1.0),
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
        _log_grid(trial, "alpha", 1e-6, 1e-1),
        _log_grid(trial, "learning_rate_init", 1e-4, 1e-1),
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
        _log_grid(trial, "learning_rate", 10**-2.5, 10**-0.5),
        trial.suggest_int("max_depth", 1, 5),
        # rounded so that the configuration (the curve cache's key) is exactly 0.05 * k
        round(trial.suggest_float("subsample", 0.5, 1.0, step=0.05), 2),
        trial.suggest_categorical("max_features", [0.2, 0.5, 1.0]),
    )


class _TreeCurve:
    """Validation log-loss after each tree, growing the ensemble only as far as asked.

    ``warm_start`` adds trees to the fitted ones; the curve is the same as that of one
    fit of 81 trees read with ``staged_predict_proba`` (same random stream).
    """

    def __init__(self, model: Any) -> None:
        self._model = model
        self._losses: list[float] = []

    def __call__(self, step: int) -> float:
        from sklearn.metrics import log_loss

        x_tr, x_va, y_tr, y_va = _cancer()
        while len(self._losses) < step:
            self._model.set_params(n_estimators=len(self._losses) + 1)
            self._model.fit(x_tr, y_tr)
            self._losses.append(float(log_loss(y_va, self._model.predict_proba(x_va))))
        return self._losses[step - 1]


@cache
def _gbm_curve(config: Config) -> _TreeCurve:
    from sklearn.ensemble import GradientBoostingClassifier

    lr, depth, subsample, features = config
    model = GradientBoostingClassifier(
        learning_rate=lr,
        max_depth=depth,
        subsample=subsample,
        max_features=features,
        n_estimators=1,  # one tree per step, added by warm_start
        warm_start=True,
        random_state=0,
    )
    return _TreeCurve(model)


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


def replayed(name: str, curves: np.ndarray) -> Task:
    """Task ``name`` on stored curves: configuration ``(i,)`` is row ``i`` of ``curves``.

    ``curves`` holds a loss per step for distinct configurations drawn uniformly from the
    task's grid (``brackets.sample_curves``), so a row drawn uniformly is a random
    configuration of that grid, restricted to the sample, and nothing is trained. A row
    index has no structure a model could learn: only methods that sample at random
    (``methods.RANDOM_SAMPLING``) are meaningful on it.
    """
    rows = np.asarray(curves, dtype=float)
    if rows.ndim != 2 or rows.shape[1] != MAX_RESOURCE:
        raise ValueError(
            f"{name}: stored curves must hold one loss per step ({MAX_RESOURCE}), "
            f"got shape {rows.shape}"
        )
    return Task(
        name,
        f"{TASKS[name].description}; replayed on {len(rows)} stored curves",
        lambda trial: (trial.suggest_int("row", 0, len(rows) - 1),),
        lambda config: lambda step: float(rows[config[0], step - 1]),
    )
