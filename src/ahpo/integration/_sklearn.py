"""Training a scikit-learn estimator step by step, reporting and pruning on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ahpo._validation import invalid, type_error
from ahpo.integration._imports import require
from ahpo.integration._report import (
    check_direction,
    check_single_objective,
    report_and_check,
)

_MODES = ("auto", "partial_fit", "warm_start")
#: Parameters that count a warm-started estimator's iterations, in order of preference.
_WARM_PARAMS = ("n_estimators", "max_iter")


def _scorer(scoring: str | Callable[..., float] | None) -> Callable[..., float]:
    if scoring is None:
        return lambda estimator, x, y: float(estimator.score(x, y))
    if isinstance(scoring, str):
        metrics = require("sklearn.metrics", "sklearn", "fit_with_pruning")
        return metrics.get_scorer(scoring)
    if callable(scoring):
        return scoring
    raise type_error(
        "scoring",
        "None, a scikit-learn scorer name or a callable",
        scoring,
        owner="fit_with_pruning",
    )


def _mode(estimator: Any, mode: str) -> str:
    if mode not in _MODES:
        raise invalid("mode", f"one of {_MODES}", mode, owner="fit_with_pruning")
    if mode == "auto":
        mode = "partial_fit" if hasattr(estimator, "partial_fit") else "warm_start"
    if mode == "partial_fit" and not hasattr(estimator, "partial_fit"):
        raise invalid(
            "estimator",
            "an estimator with partial_fit",
            type(estimator).__name__,
            owner="fit_with_pruning",
        )
    if mode == "warm_start" and "warm_start" not in estimator.get_params():
        raise invalid(
            "estimator",
            "an estimator with partial_fit or a warm_start parameter",
            type(estimator).__name__,
            owner="fit_with_pruning",
        )
    return mode


def fit_with_pruning(
    trial: Any,
    estimator: Any,
    x: Any,
    y: Any,
    x_valid: Any,
    y_valid: Any,
    *,
    n_steps: int,
    scoring: str | Callable[..., float] | None = None,
    mode: str = "auto",
    step_size: int = 1,
    classes: Any = None,
) -> float:
    """Fit ``estimator`` step by step, report the validation score, prune if told.

    A step is one ``partial_fit`` call over ``(x, y)`` (an epoch) or, for an estimator
    with ``warm_start``, one more ``fit`` with ``step_size`` more iterations (its
    ``n_estimators``, or ``max_iter`` when it has no ``n_estimators``). After step
    ``i`` (from 1) the score on ``(x_valid, y_valid)`` is reported at step ``i``; when
    the trial's pruner says so, :class:`ahpo.TrialPruned` is raised. Scores are greater
    is better (scikit-learn's convention), so the study must maximize. Like ``fit``,
    it fits ``estimator`` in place. Needs ``pip install 'ahpo[sklearn]'``.

    Parameters
    ----------
    trial
        The trial of the objective (an ahpo trial, or Optuna's).
    estimator
        An unfitted scikit-learn estimator with ``partial_fit`` or ``warm_start``.
    x, y
        Training data, shapes ``(n_samples, n_features)`` and ``(n_samples,)``.
    x_valid, y_valid
        Validation data the score is computed on.
    n_steps
        Steps to train, an int ``>= 1``.
    scoring
        ``None`` (``estimator.score``), a scikit-learn scorer name (``"neg_log_loss"``)
        or ``scoring(estimator, x, y) -> float``, greater is better.
    mode
        ``"partial_fit"``, ``"warm_start"`` or ``"auto"`` (``partial_fit`` when the
        estimator has it).
    step_size
        With ``warm_start``: iterations added per step, an int ``>= 1``.
    classes
        With ``partial_fit`` of a classifier: all class labels (default: those of
        ``y``).

    Returns
    -------
    float
        The validation score after the last step.

    Examples
    --------
    >>> import ahpo
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from ahpo.integration import fit_with_pruning
    >>> x, y = load_iris(return_X_y=True)
    >>> def objective(trial):
    ...     alpha = trial.suggest_float("alpha", 1e-5, 1e-1, log=True)
    ...     model = SGDClassifier(alpha=alpha, random_state=0)
    ...     return fit_with_pruning(trial, model, x[::2], y[::2], x[1::2], y[1::2], n_steps=10)
    >>> study = ahpo.create_study(direction="maximize", pruner=ahpo.pruners.MedianPruner())
    >>> study.optimize(objective, n_trials=5)
    """
    require("sklearn", "sklearn", "fit_with_pruning")
    owner = "fit_with_pruning"
    for name, value in (("n_steps", n_steps), ("step_size", step_size)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise type_error(name, "an int >= 1", value, owner=owner)
        if value < 1:
            raise invalid(name, "an int >= 1", value, owner=owner)
    score = _scorer(scoring)
    mode = _mode(estimator, mode)
    check_single_objective(trial, owner)
    check_direction(trial, True, "score", owner)
    if mode == "partial_fit":
        import numpy as np

        fit_kwargs = {}
        if classes is not None or _is_classifier(estimator):
            fit_kwargs["classes"] = np.unique(y) if classes is None else classes

        def advance(step: int) -> None:
            estimator.partial_fit(x, y, **fit_kwargs)

    else:
        params = estimator.get_params()
        counter = next((p for p in _WARM_PARAMS if p in params), None)
        if counter is None:
            raise invalid(
                "estimator",
                f"a warm_start estimator with one of {_WARM_PARAMS}",
                type(estimator).__name__,
                owner=owner,
            )
        estimator.set_params(warm_start=True)

        def advance(step: int) -> None:
            estimator.set_params(**{counter: step * step_size})
            estimator.fit(x, y)

    value = float("nan")
    for step in range(1, n_steps + 1):
        advance(step)
        value = float(score(estimator, x_valid, y_valid))
        report_and_check(trial, value, step, "step")
    return value


def _is_classifier(estimator: Any) -> bool:
    base = require("sklearn.base", "sklearn", "fit_with_pruning")
    return bool(base.is_classifier(estimator))
