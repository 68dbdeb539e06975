"""``cv_results_`` in scikit-learn's format, built from the trials of a study."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata
from sklearn.exceptions import FitFailedWarning

from ahpo.sklearn._evaluate import RECORD_KEY, fold_score
from ahpo.sklearn._resource import ResourceSchedule
from ahpo.sklearn._space import SearchSpace
from ahpo.trial import FrozenTrial, TrialState

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


@dataclass(frozen=True)
class Row:
    """One candidate of ``cv_results_``: a finished trial and its fold records."""

    trial: FrozenTrial
    params: dict[str, Any]
    records: list[dict[str, Any]]
    iter: int | None = None
    n_resources: int | None = None


def _level_rows(
    trial: FrozenTrial, params: dict[str, Any], levels: Any, schedule: ResourceSchedule
) -> list[Row]:
    """One row per resource level the trial ran, in the order it ran them."""
    if not isinstance(levels, list):
        return []
    rows = []
    for level in levels:
        n_resources = level.get("n_resources") if isinstance(level, dict) else None
        records = level.get("folds") if isinstance(level, dict) else None
        if n_resources not in schedule.levels or not isinstance(records, list) or not records:
            return []
        rows.append(Row(trial, {**params, **schedule.params_at(n_resources)}, records,
                        schedule.levels.index(n_resources), n_resources))
    return rows


def collect(
    trials: Sequence[FrozenTrial],
    space: SearchSpace,
    n_splits: int,
    schedule: ResourceSchedule | None = None,
) -> list[Row]:
    """The finished trials that cross-validated a point of ``space`` on ``n_splits`` folds.

    With a ``schedule`` (successive halving), one row per resource level a trial ran,
    trial by trial; only trials that ran levels of that schedule. Trials of the study
    that do not fit (another space, another number of folds or levels, no records
    because an error stopped them) are left out.
    """
    rows: list[Row] = []
    for trial in sorted(trials, key=lambda t: t.number):
        attr = trial.user_attrs.get(RECORD_KEY)
        if trial.state not in _FINISHED or not isinstance(attr, dict):
            continue
        records = attr.get("folds")
        if attr.get("n_splits") != n_splits or not isinstance(records, list) or not records:
            continue
        try:
            params = space.decode(trial.params)
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if schedule is not None:
            rows += _level_rows(trial, params, attr.get("levels"), schedule)
        elif "levels" not in attr:
            rows.append(Row(trial, params, records))
    return rows


def check_failures(rows: Sequence[Row], errors: Sequence[BaseException], error_score: Any) -> None:
    """Warn about failed fits (``FitFailedWarning``); raise if every fit failed.

    When every fit failed, the common exception is re-raised if all failures share a
    type other than ``ValueError`` (as ``error_score="raise"`` would have shown it);
    otherwise a ``ValueError`` summarizes them, as scikit-learn's searches do.
    """
    messages = [r["error"] for row in rows for r in row.records if "error" in r]
    if not messages:
        return
    n_fits = sum(len(row.records) for row in rows)
    delimiter = "-" * 80 + "\n"
    summary = "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{message}"
        for message, n in Counter(messages).items()
    )
    if len(messages) == n_fits:
        kinds = {type(e) for e in errors}
        if len(kinds) == 1 and not issubclass(next(iter(kinds)), ValueError):
            raise errors[0]
        raise ValueError(
            f"\nAll the {n_fits} fits failed.\n"
            "It is very likely that your model is misconfigured.\n"
            "You can try to debug the error by setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{summary}"
        ) from (errors[0] if errors else None)
    warnings.warn(
        f"\n{len(messages)} fits failed out of a total of {n_fits}.\n"
        "The score on these train-test partitions for these parameters"
        f" will be set to {error_score}.\n"
        "If these failures are not expected, you can try to debug them "
        "by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
        stacklevel=3,
    )


def _masked_params(params: Sequence[dict[str, Any]]) -> dict[str, MaskedArray]:
    """``param_<name>`` columns: masked where a candidate does not have the parameter."""
    n = len(params)
    columns: dict[str, dict[int, Any]] = {}
    for i, p in enumerate(params):
        for name, value in p.items():
            columns.setdefault(f"param_{name}", {})[i] = value
    out = {}
    for key, column in columns.items():
        values = list(column.values())
        try:
            arr = np.array(values)
        except ValueError:  # e.g. lists of different lengths
            dtype = np.dtype(object)
        else:
            dtype = arr.dtype if arr.dtype.kind != "U" and arr.ndim == 1 else np.dtype(object)
        ma = MaskedArray(np.empty(n, dtype=dtype), mask=True)
        for i, value in column.items():
            ma[i] = value
        out[key] = ma
    return out


def _rank(means: np.ndarray) -> np.ndarray:
    if np.isnan(means).all():
        return np.ones_like(means, dtype=np.int32)
    filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
    return rankdata(-filled, method="min").astype(np.int32, copy=False)


def format_results(
    rows: Sequence[Row],
    n_splits: int,
    metrics: Sequence[str],
    error_score: Any,
    return_train_score: bool,
    halving: bool = False,
) -> dict[str, Any]:
    """Build ``cv_results_`` as ``GridSearchCV`` does, one row per trial.

    Splits a pruned trial did not reach are NaN: its mean test score is NaN and it
    ranks last; its mean fit and score times average the splits it ran. Two extra
    columns name the trial behind each row: ``trial_number`` and ``state``. With
    ``halving``, one row per trial and resource level, with the columns ``iter`` (the
    level's index) and ``n_resources``, as in ``HalvingRandomSearchCV``; ranks
    compare all rows, as there.
    """
    n = len(rows)
    pruned = np.array([row.trial.state == TrialState.PRUNED for row in rows], dtype=bool)

    def table(get: Any) -> np.ndarray:
        out = np.full((n, n_splits), np.nan)
        for i, row in enumerate(rows):
            for k, record in enumerate(row.records[:n_splits]):
                out[i, k] = get(record)
        return out

    results: dict[str, Any] = {}
    for name in ("fit_time", "score_time"):
        array = table(lambda r, name=name: float(r.get(name, math.nan)))
        ran = ~np.isnan(array)
        counts = np.maximum(ran.sum(axis=1), 1)
        means = np.where(ran, array, 0.0).sum(axis=1) / counts
        sq = np.where(ran, (array - means[:, None]) ** 2, 0.0).sum(axis=1) / counts
        results[f"mean_{name}"] = means
        results[f"std_{name}"] = np.sqrt(sq)
    params = [row.params for row in rows]
    results.update(_masked_params(params))
    results["params"] = params

    parts = ["test", "train"] if return_train_score else ["test"]
    for metric in metrics:
        for part in parts:
            key = f"{part}_{metric}"
            array = table(lambda r, m=metric, p=part: fold_score(r, m, error_score, p))
            for k in range(n_splits):
                results[f"split{k}_{key}"] = array[:, k]
            means = array.mean(axis=1)
            results[f"mean_{key}"] = means
            results[f"std_{key}"] = np.sqrt(((array - means[:, None]) ** 2).mean(axis=1))
            if part == "test":
                results[f"rank_{key}"] = _rank(means)
            if np.any(~np.isfinite(means[~pruned])):
                warnings.warn(
                    f"One or more of the {part} scores are non-finite: {means}",
                    category=UserWarning,
                    stacklevel=3,
                )
    if halving:
        results["iter"] = np.array([row.iter for row in rows], dtype=np.int64)
        results["n_resources"] = np.array([row.n_resources for row in rows], dtype=np.int64)
    results["trial_number"] = np.array([row.trial.number for row in rows], dtype=np.int64)
    results["state"] = np.array([row.trial.state.name for row in rows], dtype=object)
    return results
