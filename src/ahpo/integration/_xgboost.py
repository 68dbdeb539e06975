"""An XGBoost callback that reports a validation metric each round and prunes."""

from __future__ import annotations

from typing import Any

from ahpo._validation import invalid, type_error
from ahpo.integration._imports import require
from ahpo.integration._report import check_single_objective, report_and_check

_xgb = require("xgboost", "xgboost", "XGBoostPruningCallback")


class XGBoostPruningCallback(_xgb.callback.TrainingCallback):  # type: ignore[misc]
    """Report ``observation_key`` after each boosting round; prune if the trial says so.

    Pass it in ``callbacks`` of ``xgboost.train`` / ``xgboost.cv`` or of a
    scikit-learn-API model. The value reported at step ``i`` is the metric after round
    ``i``; with ``xgboost.cv`` it is the mean over folds. The study's direction must
    match the metric (``"maximize"`` for ``auc``, ``"minimize"`` for ``logloss``).
    Needs ``pip install 'ahpo[xgboost]'``.

    Parameters
    ----------
    trial
        The trial of the objective (an ahpo trial, or Optuna's).
    observation_key
        ``"<evaluation name>-<metric>"`` as XGBoost logs it, e.g. ``"validation-logloss"``
        for ``evals=[(dvalid, "validation")]``, ``"validation_0-logloss"`` with the
        scikit-learn API, ``"test-logloss"`` with ``xgboost.cv``.

    Raises
    ------
    NotImplementedError
        If the trial's study has several objectives (pruning needs one).
    ValueError
        After the first round, if XGBoost logged nothing under ``observation_key``.

    Examples
    --------
    >>> import ahpo, numpy as np, xgboost as xgb
    >>> from ahpo.integration import XGBoostPruningCallback
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3))
    >>> y = (x[:, 0] > 0).astype(int)
    >>> dtrain, dvalid = xgb.DMatrix(x[:150], y[:150]), xgb.DMatrix(x[150:], y[150:])
    >>> def objective(trial):
    ...     params = {"objective": "binary:logistic", "eval_metric": "logloss",
    ...               "eta": trial.suggest_float("eta", 0.01, 0.3, log=True)}
    ...     log = {}
    ...     xgb.train(params, dtrain, 20, evals=[(dvalid, "validation")], evals_result=log,
    ...               verbose_eval=False,
    ...               callbacks=[XGBoostPruningCallback(trial, "validation-logloss")])
    ...     return log["validation"]["logloss"][-1]
    >>> study = ahpo.create_study(pruner=ahpo.pruners.MedianPruner())
    >>> study.optimize(objective, n_trials=3)
    """

    def __init__(self, trial: Any, observation_key: str) -> None:
        super().__init__()
        if not isinstance(observation_key, str):
            raise type_error(
                "observation_key", "a str", observation_key, owner="XGBoostPruningCallback"
            )
        if "-" not in observation_key:
            raise invalid(
                "observation_key",
                "'<evaluation name>-<metric>', e.g. 'validation-logloss'",
                observation_key,
                owner="XGBoostPruningCallback",
            )
        check_single_objective(trial, "XGBoostPruningCallback")
        self._trial = trial
        self._key = observation_key
        self._data, self._metric = observation_key.split("-", 1)

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        values = evals_log.get(self._data, {}).get(self._metric)
        if not values:
            logged = [f"{d}-{m}" for d, metrics in evals_log.items() for m in metrics]
            raise invalid(
                "observation_key",
                f"a key XGBoost logs (logged: {logged})",
                self._key,
                owner="XGBoostPruningCallback",
            )
        last = values[-1]
        value = last[0] if isinstance(last, tuple) else last  # xgboost.cv: (mean, std)
        report_and_check(self._trial, value, epoch, "XGBoost round")
        return False
