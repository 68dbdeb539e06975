"""Cross-validation of one configuration, one fold at a time.

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
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection._validation import _fit_and_score

RECORD_KEY = "sklearn_cv"
PARAMS_KEY = "sklearn_params"


def to_json_float(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def from_json_float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _as_dict(scores: Any) -> dict[str, Any]:
    return dict(scores) if isinstance(scores, dict) else {"score": scores}


class FoldEvaluator:
    """Fits and scores a configuration on given folds of fixed splits, fold by fold.

    Failures become records (or are raised with ``error_score="raise"``).

    Parameters
    ----------
    X, y
        The data, already made indexable.
    splits
        The ``(train, test)`` index arrays of every fold, shared by all trials.
    scoring
        A scorer callable (it may return a dict of scores) or a dict of scorers.
    fit_params
        Metadata for the estimator's ``fit`` (indexed per fold, e.g. ``sample_weight``).
    score_params
        Metadata for the scorer(s) (indexed per fold), as routed by the search.
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
        score_params: dict[str, Any],
        error_score: Any,
        return_train_score: bool,
    ) -> None:
        self.X = X
        self.y = y
        self.splits = list(splits)
        self.scoring = scoring
        self.fit_params = fit_params
        self.score_params = score_params
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._scorer: Any = None

    @property
    def n_splits(self) -> int:
        return len(self.splits)

    def _checked_scorer(self, estimator: Any) -> Any:
        if self._scorer is None:
            self._scorer = check_scoring(estimator, scoring=self.scoring, raise_exc=True)
        return self._scorer

    def evaluate(
        self,
        estimator: Any,
        folds: Sequence[int],
        splits: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> list[dict[str, Any]]:
        """One record per fold of ``folds`` (indices into the splits), in order.

        ``splits`` replaces the evaluator's own splits (e.g. subsampled ones).
        """
        splits = self.splits if splits is None else splits
        return [self._fold(estimator, *splits[k]) for k in folds]

    def _fold(self, estimator: Any, train: np.ndarray, test: np.ndarray) -> dict[str, Any]:
        start = time.perf_counter()
        try:
            out = _fit_and_score(
                clone(estimator),
                self.X,
                self.y,
                scorer=self._checked_scorer(estimator),
                train=train,
                test=test,
                verbose=0,
                parameters=None,
                fit_params=self.fit_params,
                score_params=self.score_params,
                return_train_score=self.return_train_score,
                return_times=True,
                error_score="raise",
            )
        except Exception as exc:
            if isinstance(self.error_score, str) and self.error_score == "raise":
                raise
            with self._lock:
                self.errors.append(exc)
            return {"fit_time": time.perf_counter() - start, "score_time": 0.0,
                    "error": _describe(exc)}
        record: dict[str, Any] = {
            "fit_time": float(out["fit_time"]),
            "score_time": float(out["score_time"]),
            "test": {m: to_json_float(v) for m, v in _as_dict(out["test_scores"]).items()},
        }
        if self.return_train_score:
            record["train"] = {
                m: to_json_float(v) for m, v in _as_dict(out["train_scores"]).items()
            }
        return record


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
