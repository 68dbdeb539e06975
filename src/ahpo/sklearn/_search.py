"""``SearchCV``: a scikit-learn meta-estimator whose candidates are ahpo trials."""

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
from sklearn.utils.validation import check_is_fitted

import ahpo
from ahpo._exceptions import TrialPruned
from ahpo._validation import invalid, type_error
from ahpo.sklearn import _results
from ahpo.sklearn._evaluate import (
    PARAMS_KEY,
    RECORD_KEY,
    FoldEvaluator,
    mean_score,
    metric_names,
)
from ahpo.sklearn._space import SearchSpace
from ahpo.trial import Trial

# ---- defaults -----------------------------------------------------------------------


def _tpe_class() -> type | None:
    cls = getattr(ahpo.samplers, "TPESampler", None)
    if cls is None:
        try:
            from ahpo.samplers._tpe import TPESampler as cls
        except ImportError:  # pragma: no cover - TPE ships with ahpo
            return None
    return cls


def default_sampler(seed: int | None) -> Any:
    """TPE seeded with ``seed`` (random sampling if TPE is unavailable)."""
    cls = _tpe_class()
    return cls(seed=seed) if cls is not None else ahpo.samplers.RandomSampler(seed=seed)


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

    def _plan(self, space: SearchSpace) -> _Plan:  # pragma: no cover - abstract
        raise NotImplementedError

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
        classifier = is_classifier(self.estimator)
        cv = check_cv(self.cv, y, classifier=classifier)
        splits = list(cv.split(X, y, groups))
        evaluator = FoldEvaluator(
            X, y, splits, scorer, dict(fit_params), self.error_score, self.return_train_score
        )
        plan = self._plan(space)
        study = plan.study
        seen = {t.number for t in study.trials}
        for params in plan.enqueue:
            study.enqueue_trial(params)
        if self.verbose > 0:
            budget = "up to " if plan.timeout is not None else ""
            count = "?" if plan.n_trials is None else plan.n_trials * len(splits)
            print(
                f"Fitting {len(splits)} folds for each of {budget}"
                f"{'?' if plan.n_trials is None else plan.n_trials} candidates, "
                f"totalling {budget}{count} fits"
            )
        objective = _Objective(self, space, evaluator, plan.pruning, metrics)
        study.optimize(objective, n_trials=plan.n_trials, timeout=plan.timeout, n_jobs=n_jobs)

        rows = _results.collect(study.trials, space, len(splits))
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
            rows, len(splits), names, self.error_score, self.return_train_score
        )

        self.study_ = study
        self.trials_ = [row.trial for row in rows]
        self.cv_results_ = results
        self.n_splits_ = len(splits)
        self.scorer_ = scorer
        self.multimetric_ = multimetric
        refit_metric = self._objective_metric(names) if multimetric else "score"
        if self.refit or not multimetric:
            self.best_index_ = self._select_best_index(refit_metric, results)
            if not callable(self.refit):
                self.best_score_ = float(results[f"mean_test_{refit_metric}"][self.best_index_])
            self.best_params_ = results["params"][self.best_index_]
            self.best_trial_ = self.trials_[self.best_index_]
        if self.refit:
            estimator = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
            start = time.perf_counter()
            if y is not None:
                estimator.fit(X, y, **fit_params)
            else:
                estimator.fit(X, **fit_params)
            self.refit_time_ = time.perf_counter() - start
            self.best_estimator_ = estimator
            if hasattr(estimator, "feature_names_in_"):
                self.feature_names_in_ = estimator.feature_names_in_
        return self

    def _select_best_index(self, refit_metric: str, results: dict[str, Any]) -> int:
        if callable(self.refit):
            best = self.refit(results)
            if isinstance(best, bool) or not isinstance(best, numbers.Integral):
                raise TypeError("best_index_ returned is not an integer")
            if best < 0 or best >= len(results["params"]):
                raise IndexError("best_index_ index out of range")
            return int(best)
        return int(results[f"rank_test_{refit_metric}"].argmin())

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

    def score(self, X: Any, y: Any = None) -> float:
        """Score the refitted estimator on ``(X, y)`` with ``scorer_``.

        With several metrics, the refit metric (the first one when ``refit`` is a
        callable).
        """
        _check_refit(self, "score")
        check_is_fitted(self)
        prefix = "mean_test_"
        names = [k[len(prefix):] for k in self.cv_results_ if k.startswith(prefix)]
        metric = self._objective_metric(names)
        if isinstance(self.scorer_, dict):
            scorer = self.scorer_[metric] if self.multimetric_ else self.scorer_
            return scorer(self.best_estimator_, X, y)
        value = self.scorer_(self.best_estimator_, X, y)
        return value[metric] if self.multimetric_ else value


class _Objective:
    """The trial function: cross-validate one configuration, keep the fold records."""

    def __init__(
        self,
        search: BaseSearchCV,
        space: SearchSpace,
        evaluator: FoldEvaluator,
        pruning: bool,
        metrics: list[str] | None,
    ) -> None:
        self.search = search
        self.space = space
        self.evaluator = evaluator
        self.pruning = pruning
        self.metrics = metrics
        self.error_score = search.error_score

    def _metric(self, records: list[dict[str, Any]]) -> str:
        names = self.metrics if self.metrics is not None else metric_names(records)
        return self.search._objective_metric(names)

    def __call__(self, trial: Trial) -> float:
        params = self.space.suggest(trial)
        trial.set_user_attr(PARAMS_KEY, self.space.printable(trial.params))
        # Invalid parameter names raise here, whatever error_score says.
        estimator = clone(self.search.estimator).set_params(**clone(params, safe=False))
        n_splits = self.evaluator.n_splits
        records: list[dict[str, Any]] = []
        if self.pruning:
            for k in range(n_splits):
                records += self.evaluator.evaluate(estimator, [k])
                value = mean_score(records, self._metric(records), self.error_score)
                if np.isfinite(value):
                    trial.report(value, k)
                if k < n_splits - 1 and trial.should_prune():
                    self._save(trial, records)
                    raise TrialPruned(f"Pruned after {k + 1} of {n_splits} folds.")
        else:
            records = self.evaluator.evaluate(estimator, range(n_splits))
        self._save(trial, records)
        value = mean_score(records, self._metric(records), self.error_score)
        if self.search.verbose > 1:
            print(f"[trial {trial.number}] mean test score {value:.5g} for {params!r}")
        return value

    def _save(self, trial: Trial, records: list[dict[str, Any]]) -> None:
        trial.set_user_attr(
            RECORD_KEY, {"n_splits": self.evaluator.n_splits, "folds": records}
        )


class SearchCV(BaseSearchCV):
    """Hyperparameter search over a scikit-learn estimator, driven by an ahpo study.

    Each candidate is a trial of an ahpo study: the sampler (TPE by default) proposes
    parameters, the estimator is cross-validated with them, and the mean test score is
    the trial's value (the study maximizes it). The best configuration is then refit
    on all the data, exactly as ``GridSearchCV`` does, with the same fitted attributes.

    Parameters
    ----------
    estimator : estimator object
        The estimator (or ``Pipeline``) to tune; cloned for every fit.
    param_distributions : dict or list of dicts
        The space. Values are ahpo distributions (``ahpo.Float(1e-3, 1e3, log=True)``,
        ``ahpo.Int``, ``ahpo.Categorical``), lists of values (any objects, estimators
        included: a pipeline step can be a choice), or frozen ``scipy.stats``
        distributions (``uniform``, ``loguniform``, ``randint`` map to ahpo
        distributions; others are sampled through their ``ppf``). A list of dicts is a
        conditional space: the study first picks a dict (parameter ``"__grid__"``),
        then that dict's parameters. See :mod:`ahpo.sklearn` for the mapping.
    sampler : ahpo sampler, default=None
        How trials are chosen; ``None``: ``TPESampler(seed=random_state)``. The
        search works on a copy, so repeated fits start from the same sampler state.
    pruner : ahpo pruner, default=None
        Used with ``enable_pruning``; ``None``: ``MedianPruner()`` then.
    n_trials : int or None, default=10
        Trials (candidates) to run; ``None`` runs until ``timeout``.
    timeout : float, default=None
        Seconds after which no new trial starts.
    cv : int, cross-validation generator or iterable, default=5
        As in ``GridSearchCV``: an int is ``(Stratified)KFold``. The splits are drawn
        once per fit, so every trial sees the same folds.
    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``; several metrics need ``refit`` to name the one the
        study maximizes (otherwise the first metric is maximized).
    refit : bool, str or callable, default=True
        Refit the best configuration on all the data (``best_estimator_``); with
        several metrics, the name of the metric that picks it; a callable takes
        ``cv_results_`` and returns ``best_index_``.
    n_jobs : int, default=None
        Trials run at once, in threads of the study (``study.optimize(n_jobs=...)``;
        ``-1``: one per CPU). The folds of a trial run one after the other. Most
        scikit-learn estimators release the GIL in their numerical core, so threads
        overlap well; with ``n_jobs > 1`` the order of trials is not reproducible.
    storage : str or ahpo storage, default=None
        Where the study lives; e.g. ``"sqlite:///search.db"`` keeps every trial with
        its fold scores. ``None``: in memory.
    study : ahpo.Study, default=None
        An existing study (direction ``"maximize"``) to continue; its compatible
        trials (same space, same number of folds) appear in ``cv_results_``. Shared,
        not copied, by ``clone``. Excludes ``sampler``, ``pruner`` and ``storage``.
    random_state : int, RandomState instance or None, default=None
        Seeds the default sampler (ignored when ``sampler`` or ``study`` is given).
    error_score : 'raise' or numeric, default=np.nan
        Score of a fold whose fit fails (a ``FitFailedWarning`` is emitted); "raise"
        raises the error. When every fit fails, the search raises.
    return_train_score : bool, default=False
        Also record training scores in ``cv_results_``.
    verbose : int, default=0
        ``> 0`` prints the budget; ``> 1`` also prints each trial's score.
    enable_pruning : bool, default=False
        Fit fold by fold, report the running mean score after each fold
        (``trial.report(mean, fold_index)``) and stop the trial when the pruner says
        so. Pruned trials are in ``cv_results_`` with NaN for the folds they skipped.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        ``GridSearchCV``'s format, one row per trial (in trial order): ``params``,
        ``param_<name>``, ``split<k>_test_<metric>``, ``mean_test_<metric>``,
        ``std_test_<metric>``, ``rank_test_<metric>`` (``<metric>`` is ``score`` for a
        single metric), fit and score times, train scores if asked; plus
        ``trial_number`` and ``state`` (``"COMPLETE"``, ``"PRUNED"`` or ``"FAIL"``).
    best_estimator_ : estimator
        The best configuration refit on all the data (only with ``refit``).
    best_score_ : float
        Mean cross-validated score of the best configuration.
    best_params_ : dict
        Its parameters, with the real objects of the space (e.g. estimators).
    best_index_ : int
        Its row in ``cv_results_``.
    best_trial_ : ahpo.FrozenTrial
        Its trial.
    scorer_ : callable or dict
        The scorer(s) used.
    multimetric_ : bool
        Whether several metrics were scored.
    n_splits_ : int
        Number of cross-validation folds.
    refit_time_ : float
        Seconds spent refitting the best configuration.
    study_ : ahpo.Study
        The study that ran the trials (an in-memory copy after unpickling).
    trials_ : list of ahpo.FrozenTrial
        The trials behind the rows of ``cv_results_``.
    n_features_in_ : int
        Delegated to ``best_estimator_``.
    feature_names_in_ : ndarray of str
        Delegated to ``best_estimator_`` when it has them.
    classes_ : ndarray
        Delegated to ``best_estimator_`` (classifiers).

    Examples
    --------
    >>> import ahpo
    >>> from ahpo.sklearn import SearchCV
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SearchCV(
    ...     SVC(), {"C": ahpo.Float(1e-2, 1e2, log=True)}, n_trials=5, cv=3, random_state=0
    ... )
    >>> search.fit(X, y).best_score_ > 0.9
    True
    >>> sorted(search.best_params_)
    ['C']
    >>> len(search.cv_results_["mean_test_score"])
    5
    """

    _owner = "SearchCV"

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        sampler: Any = None,
        pruner: Any = None,
        n_trials: int | None = 10,
        timeout: float | None = None,
        cv: Any = 5,
        scoring: Any = None,
        refit: Any = True,
        n_jobs: int | None = None,
        storage: Any = None,
        study: Any = None,
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        verbose: int = 0,
        enable_pruning: bool = False,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.sampler = sampler
        self.pruner = pruner
        self.n_trials = n_trials
        self.timeout = timeout
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_jobs = n_jobs
        self.storage = storage
        self.study = study
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.verbose = verbose
        self.enable_pruning = enable_pruning

    def _space(self) -> SearchSpace:
        return SearchSpace.build(self.param_distributions, owner="SearchCV")

    def _plan(self, space: SearchSpace) -> _Plan:
        owner = "SearchCV"
        n_trials, timeout = self.n_trials, self.timeout
        if n_trials is not None and (
            isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral)
            or n_trials < 1
        ):
            raise invalid("n_trials", "None or an int >= 1", n_trials, owner=owner)
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or timeout <= 0
        ):
            raise invalid("timeout", "None or a number of seconds > 0", timeout, owner=owner)
        if n_trials is None and timeout is None and self.sampler is None and self.study is None:
            raise invalid("n_trials", "an int when timeout is None", None, owner=owner)
        if not isinstance(self.enable_pruning, (bool, np.bool_)):
            raise type_error("enable_pruning", "a bool", self.enable_pruning, owner=owner)
        if self.study is not None:
            for name in ("sampler", "pruner", "storage"):
                if getattr(self, name) is not None:
                    raise invalid(
                        name, "None when a study is given (the study has its own)",
                        getattr(self, name), owner=owner,
                    )
            if not isinstance(self.study, ahpo.Study):
                raise type_error("study", "an ahpo.Study or None", self.study, owner=owner)
            if self.study.direction != ahpo.StudyDirection.MAXIMIZE:
                raise invalid(
                    "study", "a study with direction 'maximize' (scores are maximized)",
                    self.study, owner=owner,
                )
            study = self.study
        else:
            sampler = (
                default_sampler(seed_from(self.random_state))
                if self.sampler is None
                else private_copy(self.sampler)
            )
            pruner = self.pruner
            if pruner is None and self.enable_pruning:
                pruner = ahpo.pruners.MedianPruner() if hasattr(ahpo.pruners, "MedianPruner") \
                    else None
            elif pruner is not None:
                pruner = private_copy(pruner)
            study = ahpo.create_study(
                direction="maximize", sampler=sampler, pruner=pruner, storage=self.storage
            )
        return _Plan(study, None if n_trials is None else int(n_trials), timeout,
                     bool(self.enable_pruning))

