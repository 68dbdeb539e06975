"""The trial function of a search: cross-validate one configuration, keep the records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone

from ahpo._exceptions import TrialPruned
from ahpo.sklearn._evaluate import (
    PARAMS_KEY,
    RECORD_KEY,
    FoldEvaluator,
    mean_score,
    metric_names,
)
from ahpo.sklearn._resource import ResourceSchedule
from ahpo.sklearn._space import SearchSpace
from ahpo.trial import Trial

Splits = Sequence[tuple[np.ndarray, np.ndarray]]


class Objective:
    """Cross-validate the configuration a trial suggests; its value is the mean test score.

    Three ways to run, by what the search asks:

    - all folds at once (the default);
    - ``pruning``: fold by fold, reporting the running mean after fold ``k`` as step
      ``k`` and asking the pruner after each fold but the last;
    - ``schedule`` (resource-based successive halving): all folds at each resource
      level, reporting the level's mean score with the level as the step and asking
      the pruner after each level but the last. ``level_splits`` holds the
      subsampled folds of each level when the resource is ``"n_samples"``.

    The fold records are saved in the trial's user attributes (``RECORD_KEY``), for a
    pruned trial too: ``{"n_splits": k, "folds": [...]}``, plus ``"levels":
    [{"n_resources": r, "folds": [...]}, ...]`` with a schedule (``"folds"`` then
    repeats the last level's records).
    """

    def __init__(
        self,
        search: Any,
        space: SearchSpace,
        evaluator: FoldEvaluator,
        pruning: bool,
        metrics: list[str] | None,
        schedule: ResourceSchedule | None = None,
        level_splits: Mapping[int, Splits] | None = None,
    ) -> None:
        self.search = search
        self.space = space
        self.evaluator = evaluator
        self.pruning = pruning
        self.metrics = metrics
        self.schedule = schedule
        self.level_splits = dict(level_splits or {})
        self.error_score = search.error_score

    def _metric(self, records: list[dict[str, Any]]) -> str:
        names = self.metrics if self.metrics is not None else metric_names(records)
        return self.search._objective_metric(names)

    def _score(self, records: list[dict[str, Any]]) -> float:
        return mean_score(records, self._metric(records), self.error_score)

    def __call__(self, trial: Trial) -> float:
        params = self.space.suggest(trial)
        trial.set_user_attr(PARAMS_KEY, self.space.printable(trial.params))
        # Invalid parameter names raise here, whatever error_score says.
        estimator = clone(self.search.estimator).set_params(**clone(params, safe=False))
        if self.schedule is not None:
            value = self._halving(trial, estimator, self.schedule)
        elif self.pruning:
            value = self._fold_by_fold(trial, estimator)
        else:
            records = self.evaluator.evaluate(estimator, range(self.evaluator.n_splits))
            self._save(trial, records)
            value = self._score(records)
        if self.search.verbose > 1:
            print(f"[trial {trial.number}] mean test score {value:.5g} for {params!r}")
        return value

    def _fold_by_fold(self, trial: Trial, estimator: Any) -> float:
        n_splits = self.evaluator.n_splits
        records: list[dict[str, Any]] = []
        for k in range(n_splits):
            records += self.evaluator.evaluate(estimator, [k])
            value = self._score(records)
            if np.isfinite(value):
                trial.report(value, k)
            if k < n_splits - 1 and trial.should_prune():
                self._save(trial, records)
                raise TrialPruned(f"Pruned after {k + 1} of {n_splits} folds.")
        self._save(trial, records)
        return self._score(records)

    def _halving(self, trial: Trial, estimator: Any, schedule: ResourceSchedule) -> float:
        folds = range(self.evaluator.n_splits)
        levels: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        value = float("nan")
        for i, level in enumerate(schedule.levels):
            at_level = clone(estimator).set_params(**schedule.params_at(level))
            records = self.evaluator.evaluate(at_level, folds, self.level_splits.get(level))
            levels.append({"n_resources": int(level), "folds": records})
            value = self._score(records)
            if i == len(schedule.levels) - 1:
                break
            if not np.isfinite(value):
                self._save(trial, records, levels)
                raise TrialPruned(f"Non-finite score at {schedule.resource}={level}.")
            trial.report(value, int(level))
            if trial.should_prune():
                self._save(trial, records, levels)
                raise TrialPruned(f"Pruned after {schedule.resource}={level}.")
        if np.isfinite(value):
            trial.report(value, int(schedule.max_resources))
        self._save(trial, records, levels)
        return value

    def _save(
        self,
        trial: Trial,
        records: list[dict[str, Any]],
        levels: list[dict[str, Any]] | None = None,
    ) -> None:
        attr: dict[str, Any] = {"n_splits": self.evaluator.n_splits, "folds": records}
        if levels is not None:
            attr["levels"] = levels
        trial.set_user_attr(RECORD_KEY, attr)
