"""Cross-validation of one configuration, fold by fold or all folds at once.

Each fold gives a *record*, a JSON-compatible dict that the trial keeps in its user
attributes (so a search stored in a database can be re-read without refitting)::

    {"fit_time": 0.012, "score_time": 0.001,
     "test": {"score": 0.95}, "train": {"score": 0.99}}      # a fold that ran
    {"fit_time": 0.003, "score_time": 0.0, "error": "ValueError: ..."}  # a failed fit

Scores are floats (``None`` stands for NaN); times are seconds.
"""

from __future__ import annotations

import math
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import cross_validate

RECORD_KEY = "sklearn_cv"
PARAMS_KEY = "sklearn_params"


def to_json_float(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def from_json_float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


class FoldEvaluator:
    """Runs ``cross_validate`` on given folds of fixed splits; turns failures into records.

    Parameters
    ----------
    X, y
        The data, already made indexable.
    splits
        The ``(train, test)`` index arrays of every fold, shared by all trials.
    scoring
        What ``cross_validate`` takes: a scorer callable or a dict of scorers.
    fit_params
        Extra parameters of the estimator's ``fit`` (indexed per fold).
    error_score
        ``"raise"`` re-raises a failing fit; a number records the failure.
    return_train_score
        Also score each fold's training part.
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        splits: Sequence[tuple[np.ndarray, np.ndarray]],
        scoring: Callable[..., Any] | dict[str, Callable[..., Any]],
        fit_params: dict[str, Any],
        error_score: Any,
        return_train_score: bool,
    ) -> None:
        self.X = X
        self.y = y
        self.splits = list(splits)
        self.scoring = scoring
        self.fit_params = fit_params
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()

    @property
    def n_splits(self) -> int:
        return len(self.splits)

    def evaluate(self, estimator: Any, folds: Sequence[int]) -> list[dict[str, Any]]:
        """One record per fold of ``folds`` (indices into the splits), in order."""
        start = time.perf_counter()
        try:
            out = cross_validate(
                estimator,
                self.X,
                self.y,
                cv=[self.splits[k] for k in folds],
                scoring=self.scoring,
                params=self.fit_params or None,
                return_train_score=self.return_train_score,
                error_score="raise",
            )
        except Exception as exc:
            if isinstance(self.error_score, str) and self.error_score == "raise":
                raise
            if len(folds) > 1:  # find out which folds fail: run them one at a time
                return [r for k in folds for r in self.evaluate(estimator, [k])]
            with self._lock:
                self.errors.append(exc)
            return [
                {"fit_time": time.perf_counter() - start, "score_time": 0.0,
                 "error": _describe(exc)}
            ]
        metrics = [key[len("test_"):] for key in out if key.startswith("test_")]
        records = []
        for k in range(len(folds)):
            record: dict[str, Any] = {
                "fit_time": float(out["fit_time"][k]),
                "score_time": float(out["score_time"][k]),
                "test": {m: to_json_float(out[f"test_{m}"][k]) for m in metrics},
            }
            if self.return_train_score:
                record["train"] = {m: to_json_float(out[f"train_{m}"][k]) for m in metrics}
            records.append(record)
        return records


def fold_score(record: dict[str, Any], metric: str, error_score: Any, part: str = "test") -> float:
    """A fold's score for ``metric``: ``error_score`` if its fit failed."""
    if "error" in record:
        return float(error_score)
    return from_json_float(record.get(part, {}).get(metric))


def mean_score(records: Sequence[dict[str, Any]], metric: str, error_score: Any) -> float:
    """The mean of ``metric`` over the folds in ``records`` (NaN if any fold is NaN)."""
    if not records:
        return math.nan
    return float(np.mean([fold_score(r, metric, error_score) for r in records]))


def metric_names(records: Sequence[dict[str, Any]]) -> list[str]:
    """The metrics the records hold, in order of first appearance."""
    names: list[str] = []
    for record in records:
        for name in record.get("test", {}):
            if name not in names:
                names.append(name)
    return names
