"""Nested cross-validation: an honest estimate of a whole tuning procedure."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.model_selection import cross_validate

from ahpo._validation import invalid, type_error


def nested_cross_validate(
    search: Any,
    X: Any,
    y: Any = None,
    *,
    cv: Any = 5,
    scoring: Any = None,
    groups: Any = None,
    n_jobs: int | None = None,
) -> dict[str, Any]:
    """Estimate how well a hyperparameter search generalizes, with an outer CV.

    The best score of a search is optimistic: the same folds chose the
    configuration and scored it. Nested cross-validation runs a fresh clone of the
    whole search on the training part of each outer fold and scores its refitted
    best estimator on the outer test part, which took no part in the tuning.

    Parameters
    ----------
    search : estimator
        An unfitted search (e.g. :class:`ahpo.sklearn.SearchCV`, or scikit-learn's
        own) with ``refit`` enabled. It must not hold a ``study``: each outer fold
        needs its own study (a ``storage`` URL is fine: each fit makes a new study).
    X : array-like of shape (n_samples, n_features)
        The data.
    y : array-like of shape (n_samples,), default=None
        The targets.
    cv : int, cross-validation generator or iterable, default=5
        The outer splits (an int: ``(Stratified)KFold``).
    scoring : str, callable, list or dict, default=None
        Outer metric(s); ``None`` uses the search's ``score`` (its refit metric).
    groups : array-like of shape (n_samples,), default=None
        Group labels, used by the outer splitter and passed (restricted to the outer
        training part) to the search's ``fit`` for its inner splitter.
    n_jobs : int, default=None
        Outer folds run at once, in joblib processes (the search object is pickled).

    Returns
    -------
    dict
        ``test_score`` (or ``test_<metric>`` per metric): outer test scores, shape
        ``(n_outer_splits,)``; ``fit_time`` and ``score_time``: seconds per outer fold
        (``fit_time`` is the whole inner search plus refit); ``best_params``: the
        configuration each outer fold chose; ``best_score``: its inner CV score
        (NaN when the search has none).

    Examples
    --------
    >>> import ahpo
    >>> from ahpo.sklearn import SearchCV, nested_cross_validate
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SearchCV(SVC(), {"C": ahpo.Float(1e-2, 1e2, log=True)},
    ...                   n_trials=3, cv=3, random_state=0)
    >>> result = nested_cross_validate(search, X, y, cv=3)
    >>> result["test_score"].shape, len(result["best_params"])
    ((3,), 3)
    """
    if not hasattr(search, "fit"):
        raise type_error("search", "an estimator (a search)", search,
                         owner="nested_cross_validate")
    if getattr(search, "study", None) is not None:
        raise invalid(
            "search.study",
            "None: each outer fold needs a study of its own (give a storage instead)",
            search.study,
            owner="nested_cross_validate",
        )
    out = cross_validate(
        search,
        X,
        y,
        groups=groups,
        cv=cv,
        scoring=scoring,
        n_jobs=n_jobs,
        params=None if groups is None else {"groups": groups},
        return_estimator=True,
    )
    fitted = out.pop("estimator")
    result = {key: value for key, value in out.items() if key != "indices"}
    result["best_params"] = [getattr(s, "best_params_", None) for s in fitted]
    result["best_score"] = np.array(
        [float(getattr(s, "best_score_", np.nan)) for s in fitted], dtype=float
    )
    return result
