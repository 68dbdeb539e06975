"""A LightGBM callback that reports a validation metric each iteration and prunes."""

from __future__ import annotations

from typing import Any

from ahpo._validation import invalid, type_error
from ahpo.integration._imports import require
from ahpo.integration._report import (
    check_direction,
    check_single_objective,
    report_and_check,
)

_CV_ENTRY = 5  # lightgbm.cv adds the standard deviation over folds


class LightGBMPruningCallback:
    """Report ``metric`` on ``valid_name`` after each boosting round; prune if told.

    Pass it in ``callbacks`` of ``lightgbm.train`` / ``lightgbm.cv`` or of a
    scikit-learn-API model's ``fit``. The value reported at step ``i`` is the metric
    after round ``i`` (``env.iteration``, from 0); with ``lightgbm.cv`` it is the mean
    of ``metric`` over the validation folds. Needs ``pip install 'ahpo[lightgbm]'``.

    Parameters
    ----------
    trial
        The trial of the objective (an ahpo trial, or Optuna's).
    metric
        The evaluation metric, as LightGBM names it (``"binary_logloss"``, ``"auc"``…).
    valid_name
        The validation set's name (``"valid_0"`` unless named in ``valid_names``);
        ignored with ``lightgbm.cv``.
    report_interval
        Report after every ``report_interval``-th round (steps ``report_interval - 1``,
        ``2 * report_interval - 1``, ..., as Optuna), an int ``>= 1``.

    Raises
    ------
    NotImplementedError
        If the trial's study has several objectives (pruning needs one).
    ValueError
        At the first round, if LightGBM evaluates no set named ``valid_name``, if
        ``metric`` is not evaluated on it, or if the study's direction disagrees with
        whether higher values of the metric are better.

    Examples
    --------
    >>> import ahpo, lightgbm as lgb, numpy as np
    >>> from ahpo.integration import LightGBMPruningCallback
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3))
    >>> y = (x[:, 0] > 0).astype(int)
    >>> def objective(trial):
    ...     params = {"objective": "binary", "verbose": -1,
    ...               "learning_rate": trial.suggest_float("lr", 0.01, 0.3, log=True)}
    ...     log = {}
    ...     lgb.train(params, lgb.Dataset(x[:150], y[:150]), num_boost_round=20,
    ...               valid_sets=[lgb.Dataset(x[150:], y[150:])],
    ...               callbacks=[lgb.record_evaluation(log),
    ...                          LightGBMPruningCallback(trial, "binary_logloss")])
    ...     return log["valid_0"]["binary_logloss"][-1]
    >>> study = ahpo.create_study(pruner=ahpo.pruners.MedianPruner())
    >>> study.optimize(objective, n_trials=3)
    """

    def __init__(
        self, trial: Any, metric: str, valid_name: str = "valid_0", report_interval: int = 1
    ) -> None:
        require("lightgbm", "lightgbm", "LightGBMPruningCallback")
        owner = "LightGBMPruningCallback"
        if not isinstance(metric, str):
            raise type_error("metric", "a str", metric, owner=owner)
        if not isinstance(valid_name, str):
            raise type_error("valid_name", "a str", valid_name, owner=owner)
        if isinstance(report_interval, bool) or not isinstance(report_interval, int):
            raise type_error("report_interval", "an int >= 1", report_interval, owner=owner)
        if report_interval < 1:
            raise invalid("report_interval", "an int >= 1", report_interval, owner=owner)
        check_single_objective(trial, owner)
        self._trial = trial
        self._metric = metric
        self._valid_name = valid_name
        self._interval = report_interval
        self._checked = False

    def _find(self, results: list[tuple[Any, ...]] | None) -> tuple[Any, ...]:
        results = list(results or [])
        # lightgbm.cv gives 5-tuples (..., std over folds) and names its sets "valid" and,
        # with eval_train_metric=True, "train"; valid_name does not apply there.
        is_cv = bool(results) and len(results[0]) == _CV_ENTRY
        target = "valid" if is_cv else self._valid_name
        evaluated = []
        for entry in results:
            data, name = entry[0], entry[1]
            if data == "cv_agg":  # lightgbm < 4.7: ("cv_agg", "valid auc", ...)
                data, _, name = name.partition(" ")
            if data == target and name == self._metric:
                return entry
            evaluated.append((data, name))
        owner = "LightGBMPruningCallback"
        sets = list(dict.fromkeys(data for data, _ in evaluated))
        if not is_cv and target not in sets:
            raise invalid(
                "valid_name",
                "the name of a set LightGBM evaluates (valid_sets of lightgbm.train or "
                f"eval_set of fit; evaluated: {sets})",
                self._valid_name,
                owner=owner,
            )
        if is_cv:
            where = "lightgbm.cv evaluates on its 'valid' folds"
        else:
            where = f"LightGBM evaluates on {self._valid_name!r}"
        shown = [f"{data}: {name}" for data, name in evaluated]
        raise invalid("metric", f"a metric {where} (evaluated: {shown})", self._metric, owner=owner)

    def __call__(self, env: Any) -> None:
        entry = self._find(env.evaluation_result_list)
        if not self._checked:
            check_direction(self._trial, bool(entry[3]), self._metric, "LightGBM")
            self._checked = True
        if (env.iteration + 1) % self._interval == 0:
            report_and_check(self._trial, entry[2], env.iteration, "LightGBM iteration")
