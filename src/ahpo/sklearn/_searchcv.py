"""``SearchCV``: a scikit-learn meta-estimator whose candidates are ahpo trials."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import _num_samples

import ahpo
from ahpo._validation import invalid, type_error
from ahpo.sklearn._resource import ResourceSchedule, build_schedule
from ahpo.sklearn._search import BaseSearchCV, _Plan, default_sampler, private_copy, seed_from
from ahpo.sklearn._space import SearchSpace


class SearchCV(BaseSearchCV):
    """Hyperparameter search over a scikit-learn estimator, driven by an ahpo study.

    Each candidate is a trial of an ahpo study: the sampler (Bayesian optimization by
    default) proposes
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
        How trials are chosen. ``None``: ``GPSampler(seed=random_state)`` for a
        single-dict space searched without pruning or ``resource`` (a few dozen
        complete cross-validations is the budget where a Gaussian process does best);
        ``TPESampler(seed=random_state)`` for a conditional space or with pruning or
        successive halving (TPE also learns from stopped trials). The search works on
        a copy, so repeated fits start from the same sampler state.
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
        Excludes ``resource``.
    resource : str, default=None
        Resource-based successive halving, as ``HalvingRandomSearchCV`` does but
        asynchronous: ``"n_samples"`` (the training part of every fold is subsampled,
        stratified for classifiers; test folds stay whole) or the name of an estimator
        parameter that sets the cost of a fit (``"n_estimators"``, ``"max_iter"``;
        it must not be searched). Each trial cross-validates its configuration at
        ``min_resources``, then ``factor`` times more, ... up to ``max_resources``;
        after each level but the last it reports the level's mean test score with the
        level as the step and the pruner (default
        ``SuccessiveHalvingPruner(min_resource=min_resources_, reduction_factor=factor)``;
        a ``HyperbandPruner`` works too) stops the trials that fall behind. The trial's
        value is its score at ``max_resources``. ``None``: every trial cross-validates
        once, at full resources.
    min_resources : int, "smallest" or "exhaust", default="smallest"
        The first level. ``"smallest"``: ``2 * n_splits`` samples (times the number of
        classes for a classifier) for ``"n_samples"``, 1 for a parameter;
        ``"exhaust"``: ``max_resources // factor ** floor(log_factor(n_trials))`` (at
        least ``"smallest"``), as scikit-learn's halving does for ``n_trials``
        candidates.
    max_resources : int or "auto", default="auto"
        The last level, the resource of the refitted estimator; ``"auto"`` is the
        number of samples (only for ``"n_samples"``).
    factor : int, default=3
        Growth of the resource between levels (the last step grows by less than
        ``factor ** 2``), and the pruner's reduction factor: about ``1 / factor`` of
        the trials that reach a level go on to the next.
    start_from_estimator : bool, default=False
        If True, the first trial of a new study evaluates the estimator's own values of the
        searched parameters (``estimator.get_params()``: scikit-learn's defaults or
        the values you set), for those that lie in the space and are stored as values
        (ahpo distributions, lists of scalars); the study samples the others. An
        informed first point, as ``study.enqueue_trial`` would give it. Not for a
        conditional (list-of-dicts) space, nor for a ``study`` that has trials.

    Counting fits: without ``resource``, ``n_trials * n_splits`` fits, all on full
    folds. With ``resource``, each trial costs ``n_splits`` fits at each level it
    reaches: ``n_splits_ * sum(n_candidates_)`` fits in all, most of them at a
    fraction of the resource (``cv_results_["n_resources"]`` gives each row's).

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
    n_resources_, n_candidates_ : list of int
        With ``resource``: the levels some trial reached, and how many trials
        reached each (``HalvingRandomSearchCV``'s names).
    min_resources_, max_resources_, n_iterations_, n_possible_iterations_ : int
        With ``resource``: the first and last levels, the number of levels some trial
        reached and the number of levels.

    With ``resource``, ``cv_results_`` has one row per trial and level it ran, with
    the columns ``iter`` (the level's index) and ``n_resources``; ``params`` include
    the resource parameter; ``best_index_`` is the best row at ``max_resources``.

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

    Successive halving on the number of trees:

    >>> from sklearn.ensemble import RandomForestClassifier
    >>> halving = SearchCV(
    ...     RandomForestClassifier(random_state=0), {"max_depth": ahpo.Int(1, 8)},
    ...     n_trials=9, cv=3, random_state=0,
    ...     resource="n_estimators", min_resources=2, max_resources=18,
    ... ).fit(X, y)
    >>> halving.n_resources_
    [2, 6, 18]
    >>> halving.best_params_["n_estimators"]
    18
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
        resource: str | None = None,
        min_resources: int | str = "smallest",
        max_resources: int | str = "auto",
        factor: int = 3,
        start_from_estimator: bool = False,
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
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.start_from_estimator = start_from_estimator

    def _space(self) -> SearchSpace:
        return SearchSpace.build(self.param_distributions, owner="SearchCV")

    def _n_trials(self) -> int | None:
        n_trials = self.n_trials
        if n_trials is not None and (
            isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral)
            or n_trials < 1
        ):
            raise invalid("n_trials", "None or an int >= 1", n_trials, owner="SearchCV")
        return None if n_trials is None else int(n_trials)

    def _schedule(
        self, space: SearchSpace, X: Any, y: Any, n_splits: int
    ) -> ResourceSchedule | None:
        if self.resource is None:
            return None
        if self.enable_pruning:
            raise invalid("enable_pruning", "False when resource is set (halving prunes)",
                          self.enable_pruning, owner="SearchCV")
        classifier = is_classifier(self.estimator) and y is not None
        return build_schedule(
            self.resource, self.min_resources, self.max_resources, self.factor,
            estimator=self.estimator,
            searched=[p.key for group in space.groups for p in group],
            n_samples=_num_samples(X),
            n_splits=n_splits,
            n_classes=len(np.unique(y)) if classifier else None,
            n_trials=self._n_trials(),
        )

    def _plan(self, space: SearchSpace, schedule: ResourceSchedule | None) -> _Plan:
        owner = "SearchCV"
        n_trials, timeout = self._n_trials(), self.timeout
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or timeout <= 0
        ):
            raise invalid("timeout", "None or a number of seconds > 0", timeout, owner=owner)
        if n_trials is None and timeout is None and self.sampler is None and self.study is None:
            raise invalid("n_trials", "an int when timeout is None", None, owner=owner)
        for name in ("enable_pruning", "start_from_estimator"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise type_error(name, "a bool", getattr(self, name), owner=owner)
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
            flat = not space.choice and schedule is None and not self.enable_pruning
            sampler = (
                default_sampler(seed_from(self.random_state), model_all_trials=flat)
                if self.sampler is None
                else private_copy(self.sampler)
            )
            pruner = self.pruner
            if pruner is None and schedule is not None:
                pruner = ahpo.pruners.SuccessiveHalvingPruner(
                    min_resource=schedule.min_resources, reduction_factor=schedule.factor
                )
            elif pruner is None and self.enable_pruning:
                pruner = ahpo.pruners.MedianPruner()
            elif pruner is not None:
                pruner = private_copy(pruner)
            study = ahpo.create_study(
                direction="maximize", sampler=sampler, pruner=pruner, storage=self.storage
            )
        enqueue = []
        if self.start_from_estimator and not study.trials:
            point = space.point_of(self.estimator.get_params(deep=True))
            enqueue = [point] if point else []
        return _Plan(study, n_trials, timeout, bool(self.enable_pruning), enqueue)

