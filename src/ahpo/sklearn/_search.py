"""What every ahpo search shares: fit, cv_results_, refit, routing and delegation."""

from __future__ import annotations

import copy
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring
from sklearn.metrics._scorer import _check_multimetric_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, get_tags, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted

import ahpo
from ahpo._validation import invalid, type_error
from ahpo.sklearn import _results
from ahpo.sklearn._evaluate import FoldEvaluator, metric_names
from ahpo.sklearn._objective import Objective
from ahpo.sklearn._resource import (
    N_SAMPLES,
    ResourceSchedule,
    subsampled_splits,
    training_orders,
)
from ahpo.sklearn._routing import metadata_router, route_fit, route_score
from ahpo.sklearn._space import SearchSpace

# ---- defaults -----------------------------------------------------------------------


def default_sampler(seed: int | None, *, model_all_trials: bool) -> Any:
    """The sampler a search uses when it is given none, seeded with ``seed``.

    ``GPSampler`` when every trial is a complete evaluation of one flat space
    (``model_all_trials``): a search typically runs a few dozen expensive
    cross-validations, the budget where a Gaussian process does best. ``TPESampler``
    otherwise: a conditional space (a list of dicts), or pruning and successive
    halving, whose stopped trials TPE still learns from through their reports.
    """
    if model_all_trials:
        return ahpo.samplers.GPSampler(seed=seed)
    return ahpo.samplers.TPESampler(seed=seed)


def seed_from(random_state: Any) -> int | None:
    """An int seed from scikit-learn's ``random_state`` (None, an int or a RandomState)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def private_copy(obj: Any) -> Any:
    """A deep copy of a sampler or pruner, so fitting never advances the caller's.

    Objects that cannot be copied (they hold locks) are used as they are.
    """
    try:
        return copy.deepcopy(obj)
    except (TypeError, copy.Error):
        return obj


# ---- delegation helpers -------------------------------------------------------------


def _check_refit(search: Any, attr: str) -> None:
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} instance was initialized with `refit=False`. "
            f"{attr} is available only after refitting on the best parameters. You can "
            "refit an estimator manually using the `best_params_` attribute"
        )


def _estimator_has(attr: str) -> Callable[[Any], bool]:
    """For ``available_if``: the refitted (else the unfitted) estimator has ``attr``."""

    def check(self: Any) -> bool:
        _check_refit(self, attr)
        if hasattr(self, "best_estimator_"):
            getattr(self.best_estimator_, attr)
        else:
            getattr(self.estimator, attr)
        return True

    return check


def _budget_message(plan: _Plan, n_splits: int, schedule: ResourceSchedule | None) -> str:
    """What ``verbose > 0`` prints before the search."""
    up_to = "up to " if plan.timeout is not None else ""
    n = "?" if plan.n_trials is None else str(plan.n_trials)
    if schedule is None:
        fits = "?" if plan.n_trials is None else str(plan.n_trials * n_splits)
        return (f"Fitting {n_splits} folds for each of {up_to}{n} candidates, "
                f"totalling {up_to}{fits} fits")
    most = "?" if plan.n_trials is None else str(plan.n_trials * n_splits * len(schedule.levels))
    return (f"Successive halving on {schedule.resource} at levels {list(schedule.levels)}: "
            f"{up_to}{n} candidates, {n_splits} fits at each level a candidate reaches "
            f"(at most {most} fits)")


@dataclass
class _Plan:
    """How one ``fit`` runs: the study, the budget, and configurations to enqueue."""

    study: ahpo.Study
    n_trials: int | None
    timeout: float | None = None
    pruning: bool = False
    enqueue: list[dict[str, Any]] = field(default_factory=list)


class BaseSearchCV(MetaEstimatorMixin, BaseEstimator):
    """What every ahpo search shares: fit, cv_results_, refit and delegation.

    Subclasses define ``__init__`` (scikit-learn reads the parameters from it),
    ``_space()`` and ``_plan(space)``.
    """

    _owner = "SearchCV"

    # ---- hooks ------------------------------------------------------------------
    def _space(self) -> SearchSpace:  # pragma: no cover - abstract
        raise NotImplementedError

    def _plan(
        self, space: SearchSpace, schedule: ResourceSchedule | None
    ) -> _Plan:  # pragma: no cover - abstract
        raise NotImplementedError

    def _schedule(
        self, space: SearchSpace, X: Any, y: Any, n_splits: int
    ) -> ResourceSchedule | None:
        """The resource levels of successive halving; ``None``: plain cross-validation."""
        return None

    def get_metadata_routing(self) -> Any:
        """How ``fit`` and ``score`` route metadata, as ``GridSearchCV`` does.

        ``fit`` routes to the estimator's ``fit``, the scorer(s) and the splitter's
        ``split`` (``groups``); ``score`` to the scorer(s). Used when
        ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The routing information.
        """
        return metadata_router(self)

    # ---- scikit-learn protocol --------------------------------------------------
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = copy.deepcopy(sub.classifier_tags)
        tags.regressor_tags = copy.deepcopy(sub.regressor_tags)
        tags.target_tags = copy.deepcopy(sub.target_tags)
        tags.input_tags.pairwise = sub.input_tags.pairwise
        tags.input_tags.sparse = sub.input_tags.sparse
        return tags

    def __sklearn_clone__(self) -> Any:
        # A study (a database handle) is shared by clones, never copied; so are
        # samplers, pruners and storages that cannot be copied (they hold locks).
        params = {}
        for name, value in self.get_params(deep=False).items():
            if name == "study":
                params[name] = value
                continue
            try:
                params[name] = clone(value, safe=False)
            except (TypeError, copy.Error):
                if name not in ("sampler", "pruner", "storage"):
                    raise
                params[name] = value
        new = type(self)(**params)
        for attr in ("_metadata_request", "_sklearn_output_config"):
            if hasattr(self, attr):
                setattr(new, attr, copy.deepcopy(getattr(self, attr)))
        return new

    def __getstate__(self) -> dict[str, Any]:
        # A study holds locks and connections: a pickled search keeps its trials and
        # comes back with an in-memory copy of the study.
        state = dict(super().__getstate__())
        study = state.pop("study_", None)
        if study is not None:
            state["_study_snapshot"] = (
                study.study_name,
                [t for t in study.trials if t.state.is_finished()],
            )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        snapshot = state.pop("_study_snapshot", None)
        super().__setstate__(state)
        if snapshot is not None:
            name, trials = snapshot
            study = ahpo.create_study(direction="maximize", study_name=name)
            study.add_trials(trials)
            self.study_ = study

    # ---- validation -------------------------------------------------------------
    def _check_common(self) -> int:
        owner = type(self).__name__
        n_jobs = self.n_jobs
        if n_jobs is None:
            n_jobs = 1
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or (
            n_jobs == 0 or n_jobs < -1
        ):
            raise invalid("n_jobs", "None, a positive int or -1", self.n_jobs, owner=owner)
        err = self.error_score
        if not (isinstance(err, str) and err == "raise") and (
            isinstance(err, bool) or not isinstance(err, numbers.Real)
        ):
            raise invalid("error_score", "'raise' or a number", err, owner=owner)
        if not (self.refit is True or self.refit is False or isinstance(self.refit, str)
                or callable(self.refit)):
            raise type_error("refit", "a bool, a str or a callable", self.refit, owner=owner)
        if isinstance(self.verbose, bool) or not isinstance(self.verbose, numbers.Integral):
            raise type_error("verbose", "an int", self.verbose, owner=owner)
        if not hasattr(self.estimator, "fit"):
            raise type_error("estimator", "an estimator with a fit method", self.estimator,
                             owner=owner)
        return int(n_jobs)

    def _scorers(self) -> tuple[Any, list[str] | None]:
        """``scorer_`` and the metric names (``None``: a callable decides at run time)."""
        scoring = self.scoring
        if callable(scoring):
            return scoring, None
        if scoring is None or isinstance(scoring, str):
            return check_scoring(self.estimator, scoring), ["score"]
        scorers = _check_multimetric_scoring(self.estimator, scoring)
        self._check_refit_for_multimetric(list(scorers))
        return scorers, list(scorers)

    def _check_refit_for_multimetric(self, metrics: list[str]) -> None:
        valid = isinstance(self.refit, str) and self.refit in metrics
        if self.refit is not False and not valid and not callable(self.refit):
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a scorer key "
                "or a callable to refit an estimator with the best parameter setting on the "
                "whole data and make the best_* attributes available for that metric. If "
                f"this is not needed, refit should be set to False explicitly. {self.refit!r} "
                "was passed."
            )

    def _objective_metric(self, names: list[str]) -> str:
        """The metric the study maximizes: the refit metric, else the first one."""
        if isinstance(self.refit, str) and self.refit in names:
            return self.refit
        return names[0] if names else "score"

    # ---- fit --------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> Any:
        """Search the space with an ahpo study, then refit the best configuration.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data (whatever the estimator accepts: a DataFrame for a
            ``ColumnTransformer``, a precomputed kernel for a pairwise estimator).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; ``None`` for unsupervised estimators.
        groups : array-like of shape (n_samples,), default=None
            Group labels for group-aware splitters such as ``GroupKFold``.
        **fit_params : dict
            Passed to the estimator's ``fit`` (indexed per fold, e.g. ``sample_weight``).

        Returns
        -------
        self : object
            The fitted search.
        """
        n_jobs = self._check_common()
        for attr in [a for a in vars(self) if a.endswith("_") and not a.startswith("_")]:
            delattr(self, attr)  # nothing from a previous fit survives this one
        space = self._space()
        scorer, metrics = self._scorers()
        if y is None and get_tags(self.estimator).target_tags.required:
            raise ValueError(
                f"{type(self).__name__} of {type(self.estimator).__name__} requires y to be "
                "passed, but the target y is None."
            )
        X, y, groups = indexable(X, y, groups)
        routed = route_fit(self, groups, fit_params)
        classifier = is_classifier(self.estimator)
        cv = check_cv(self.cv, y, classifier=classifier)
        splits = list(cv.split(X, y, **routed.split))
        evaluator = FoldEvaluator(
            X, y, splits, scorer, routed.fit, routed.score, self.error_score,
            self.return_train_score,
        )
        schedule = self._schedule(space, X, y, len(splits))
        plan = self._plan(space, schedule)
        study = plan.study
        seen = {t.number for t in study.trials}
        for params in plan.enqueue:
            study.enqueue_trial(params)
        if self.verbose > 0:
            print(_budget_message(plan, len(splits), schedule))
        level_splits = {}
        if schedule is not None and schedule.resource == N_SAMPLES:
            orders = training_orders(splits, y, classifier, seed_from(self.random_state) or 0)
            level_splits = {
                level: subsampled_splits(splits, orders, level, _num_samples(X))
                for level in schedule.levels
            }
        objective = Objective(
            self, space, evaluator, plan.pruning, metrics, schedule, level_splits
        )
        study.optimize(objective, n_trials=plan.n_trials, timeout=plan.timeout, n_jobs=n_jobs)

        rows = _results.collect(study.trials, space, len(splits), schedule)
        if not rows:
            raise ValueError(
                f"{type(self).__name__} finished no trial (n_trials={plan.n_trials!r}, "
                f"timeout={plan.timeout!r}); give it a larger budget."
            )
        _results.check_failures(
            [r for r in rows if r.trial.number not in seen], evaluator.errors, self.error_score
        )
        if metrics is not None:  # known before the search
            names, multimetric = metrics, not isinstance(self.scoring, (str, type(None)))
        else:  # a callable scorer: a dict of scores makes it multi-metric
            names = metric_names([rec for row in rows for rec in row.records]) or ["score"]
            multimetric = names != ["score"]
            if multimetric:
                self._check_refit_for_multimetric(names)
        results = _results.format_results(
            rows, len(splits), names, self.error_score, self.return_train_score,
            halving=schedule is not None,
        )

        self.study_ = study
        self.trials_ = [row.trial for row in rows]
        self.cv_results_ = results
        self.n_splits_ = len(splits)
        self.scorer_ = scorer
        self.multimetric_ = multimetric
        if schedule is not None:
            self._set_halving_attributes(schedule, results)
        refit_metric = self._objective_metric(names) if multimetric else "score"
        if self.refit or not multimetric:
            self.best_index_ = self._select_best_index(refit_metric, results, schedule)
            if not callable(self.refit):
                self.best_score_ = float(results[f"mean_test_{refit_metric}"][self.best_index_])
            self.best_params_ = results["params"][self.best_index_]
            self.best_trial_ = self.trials_[self.best_index_]
        if self.refit:
            estimator = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
            start = time.perf_counter()
            if y is not None:
                estimator.fit(X, y, **routed.fit)
            else:
                estimator.fit(X, **routed.fit)
            self.refit_time_ = time.perf_counter() - start
            self.best_estimator_ = estimator
            if hasattr(estimator, "feature_names_in_"):
                self.feature_names_in_ = estimator.feature_names_in_
        return self

    def _set_halving_attributes(
        self, schedule: ResourceSchedule, results: dict[str, Any]
    ) -> None:
        levels = list(schedule.levels)
        reached = [int(np.sum(results["n_resources"] == level)) for level in levels]
        self.min_resources_ = schedule.min_resources
        self.max_resources_ = schedule.max_resources
        self.n_possible_iterations_ = len(levels)
        self.n_iterations_ = sum(1 for n in reached if n > 0)
        self.n_resources_ = levels[: self.n_iterations_]
        self.n_candidates_ = reached[: self.n_iterations_]

    def _select_best_index(
        self, refit_metric: str, results: dict[str, Any], schedule: ResourceSchedule | None
    ) -> int:
        if callable(self.refit):
            best = self.refit(results)
            if isinstance(best, bool) or not isinstance(best, numbers.Integral):
                raise TypeError("best_index_ returned is not an integer")
            if best < 0 or best >= len(results["params"]):
                raise IndexError("best_index_ index out of range")
            return int(best)
        ranks = np.asarray(results[f"rank_test_{refit_metric}"], dtype=float)
        if schedule is not None:  # the best among the candidates at the full resource
            full = results["n_resources"] == schedule.max_resources
            if full.any():
                ranks = np.where(full, ranks, np.inf)
        return int(ranks.argmin())

    # ---- delegation -------------------------------------------------------------
    @property
    def n_features_in_(self) -> int:
        """Number of features seen by the refitted estimator."""
        try:
            check_is_fitted(self)
        except NotFittedError as exc:
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute."
            ) from exc
        return self.best_estimator_.n_features_in_

    @property
    def classes_(self) -> np.ndarray:
        """The class labels of the refitted classifier."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    def _fitted(self, method: str) -> Any:
        check_is_fitted(self)
        return getattr(self.best_estimator_, method)

    @available_if(_estimator_has("predict"))
    def predict(self, X: Any) -> Any:
        """Call ``predict`` of the refitted estimator."""
        return self._fitted("predict")(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        """Call ``predict_proba`` of the refitted estimator."""
        return self._fitted("predict_proba")(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        """Call ``predict_log_proba`` of the refitted estimator."""
        return self._fitted("predict_log_proba")(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """Call ``decision_function`` of the refitted estimator."""
        return self._fitted("decision_function")(X)

    @available_if(_estimator_has("score_samples"))
    def score_samples(self, X: Any) -> Any:
        """Call ``score_samples`` of the refitted estimator."""
        return self._fitted("score_samples")(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X: Any) -> Any:
        """Call ``transform`` of the refitted estimator."""
        return self._fitted("transform")(X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X: Any) -> Any:
        """Call ``inverse_transform`` of the refitted estimator."""
        return self._fitted("inverse_transform")(X)

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """Score the refitted estimator on ``(X, y)`` with ``scorer_``.

        With several metrics, the refit metric (the first one when ``refit`` is a
        callable). ``params`` (e.g. ``sample_weight``) go to the scorer(s) that request
        them; only with metadata routing enabled.
        """
        _check_refit(self, "score")
        check_is_fitted(self)
        kwargs = route_score(self, params)
        prefix = "mean_test_"
        names = [k[len(prefix):] for k in self.cv_results_ if k.startswith(prefix)]
        metric = self._objective_metric(names)
        if isinstance(self.scorer_, dict):
            scorer = self.scorer_[metric] if self.multimetric_ else self.scorer_
            return scorer(self.best_estimator_, X, y, **kwargs)
        value = self.scorer_(self.best_estimator_, X, y, **kwargs)
        return value[metric] if self.multimetric_ else value
