"""Drop-in ``GridSearchCV`` and ``RandomizedSearchCV`` whose candidates are ahpo trials."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

import ahpo
from ahpo._validation import invalid
from ahpo.sklearn._resource import ResourceSchedule
from ahpo.sklearn._search import BaseSearchCV, _Plan, seed_from
from ahpo.sklearn._space import SearchSpace


def _grid_sampler_class() -> type | None:
    return getattr(ahpo.samplers, "GridSampler", None)


class GridSearchCV(BaseSearchCV):
    """Exhaustive search over a grid, like scikit-learn's, stored in an ahpo study.

    Takes scikit-learn's ``GridSearchCV`` arguments and gives the same fitted
    attributes and the same ``cv_results_`` (one row per grid point, in
    ``ParameterGrid`` order when ``n_jobs`` is 1). Every combination runs exactly once,
    as an ahpo trial (with :class:`ahpo.samplers.GridSampler`), so the search can live
    in a database and be inspected, continued or compared like any study.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune.
    param_grid : dict or list of dicts
        ``{name: [values]}`` or a list of such dicts (each explored separately). Any
        objects may be values (e.g. estimators for a pipeline step); finite ahpo
        distributions (``Categorical``, ``Int``, ``Float`` with ``step``) stand for
        all their values.
    scoring, n_jobs, refit, cv, verbose, error_score, return_train_score
        As in :class:`ahpo.sklearn.SearchCV` (``n_jobs``: grid points evaluated at
        once, in threads).
    pre_dispatch : str or int, default="2*n_jobs"
        Accepted for compatibility with scikit-learn; unused (trials run in threads).
    storage : str or ahpo storage, default=None
        Where the study lives, e.g. ``"sqlite:///grid.db"``.
    study_name : str, default=None
        Name of the study. An existing study of that name in ``storage`` is continued:
        grid points it already ran are not run again.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, scorer_, \
multimetric_, n_splits_, refit_time_, study_, trials_, best_trial_
        As in :class:`ahpo.sklearn.SearchCV`.

    Examples
    --------
    >>> from ahpo.sklearn import GridSearchCV
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}, cv=3)
    >>> len(search.fit(X, y).cv_results_["params"])
    6
    >>> search.best_params_["kernel"] in ("linear", "rbf")
    True
    """

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        error_score: Any = np.nan,
        return_train_score: bool = False,
        storage: Any = None,
        study_name: str | None = None,
    ) -> None:
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.storage = storage
        self.study_name = study_name

    def _space(self) -> SearchSpace:
        return SearchSpace.build(
            self.param_grid, owner="GridSearchCV", grid=True, param="param_grid"
        )

    def _plan(self, space: SearchSpace, schedule: ResourceSchedule | None) -> _Plan:
        n = space.n_combinations()
        grid_cls = _grid_sampler_class()
        if grid_cls is not None:
            study = ahpo.create_study(
                direction="maximize",
                sampler=grid_cls(space.grid()),
                storage=self.storage,
                study_name=self.study_name,
                load_if_exists=self.study_name is not None,
            )
            return _Plan(study, n)
        # Without a grid sampler: queue every point, then run exactly that many trials.
        study = ahpo.create_study(
            direction="maximize",
            sampler=ahpo.samplers.RandomSampler(seed=0),
            storage=self.storage,
            study_name=self.study_name,
            load_if_exists=self.study_name is not None,
        )
        return _Plan(study, n, enqueue=space.combinations())


class RandomizedSearchCV(BaseSearchCV):
    """Random search, like scikit-learn's, with its trials stored in an ahpo study.

    Takes scikit-learn's ``RandomizedSearchCV`` arguments. Each of the ``n_iter``
    candidates is a trial of a study with :class:`ahpo.samplers.RandomSampler`. As in
    scikit-learn, when every parameter is a list, candidates are drawn from the grid
    *without* replacement (a seeded random order of :class:`ahpo.samplers.GridSampler`)
    and ``n_iter`` is capped at the grid size with a warning.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune.
    param_distributions : dict or list of dicts
        Lists of values, scipy.stats distributions or ahpo distributions; a list of
        dicts samples a dict uniformly, then its parameters (see
        :class:`ahpo.sklearn.SearchCV`).
    n_iter : int, default=10
        Number of candidates (trials).
    scoring, n_jobs, refit, cv, verbose, error_score, return_train_score
        As in :class:`ahpo.sklearn.SearchCV`.
    pre_dispatch : str or int, default="2*n_jobs"
        Accepted for compatibility with scikit-learn; unused.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler.
    storage : str or ahpo storage, default=None
        Where the study lives.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, scorer_, \
multimetric_, n_splits_, refit_time_, study_, trials_, best_trial_
        As in :class:`ahpo.sklearn.SearchCV`.

    Examples
    --------
    >>> from ahpo.sklearn import RandomizedSearchCV
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=4, cv=3, random_state=0
    ... )
    >>> len(search.fit(X, y).study_.trials)
    4
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_iter: int = 10,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        storage: Any = None,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.storage = storage

    def _space(self) -> SearchSpace:
        return SearchSpace.build(self.param_distributions, owner="RandomizedSearchCV")

    def _plan(self, space: SearchSpace, schedule: ResourceSchedule | None) -> _Plan:
        n_iter = self.n_iter
        if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral) or n_iter < 1:
            raise invalid("n_iter", "an int >= 1", n_iter, owner="RandomizedSearchCV")
        n_iter = int(n_iter)
        seed = seed_from(self.random_state)
        grid_cls = _grid_sampler_class()
        if space.all_lists() and grid_cls is not None:
            n_grid = space.n_combinations("RandomizedSearchCV")
            if n_grid < n_iter:
                warnings.warn(
                    f"The total space of parameters {n_grid} is smaller than n_iter={n_iter}."
                    f" Running {n_grid} iterations. For exhaustive searches, use "
                    "GridSearchCV.",
                    UserWarning,
                    stacklevel=3,
                )
                n_iter = n_grid
            if seed is None:
                seed = int(np.random.default_rng().integers(np.iinfo(np.int32).max))
            sampler = grid_cls(space.grid("RandomizedSearchCV"), seed=seed)
        else:
            sampler = ahpo.samplers.RandomSampler(seed=seed)
        study = ahpo.create_study(direction="maximize", sampler=sampler, storage=self.storage)
        return _Plan(study, n_iter)
