"""scikit-learn front end: searches that are scikit-learn meta-estimators.

:class:`SearchCV` tunes any estimator or ``Pipeline`` with an ahpo study (Gaussian-process
Bayesian optimization by default, TPE for conditional spaces and pruned searches),
:class:`GridSearchCV` and :class:`RandomizedSearchCV` are drop-in
replacements for scikit-learn's, and :func:`nested_cross_validate` estimates how
well a whole tuning procedure generalizes. ``import ahpo`` does not import this
module (nor scikit-learn); import it explicitly.

``SearchCV(..., resource="n_samples" | "<estimator parameter>")`` runs asynchronous
successive halving: each trial is cross-validated at growing resource levels,
reported as steps, and the pruner stops the laggards. Metadata passed to ``fit``
(``sample_weight``, ``groups``, ...) is routed as ``GridSearchCV`` routes it, with or
without ``sklearn.set_config(enable_metadata_routing=True)``.

Spaces
------
A space is a dict ``{param: spec}`` or a list of such dicts (a conditional space: the
study parameter ``"__grid__"`` picks a dict, then its parameters are suggested).

============================================  ==========================================
spec                                          in the study
============================================  ==========================================
``ahpo.Float/Int/Categorical(...)``           as given
``[v1, v2, ...]`` of distinct JSON scalars    ``Categorical([v1, v2, ...])``
``[SVC(), RandomForestClassifier()]``,        ``Categorical([0, 1, ...])``: the index;
tuples, arrays, duplicates, any objects       the estimator gets the object itself
``scipy.stats.uniform(loc, scale)``           ``Float(loc, loc + scale)``
``scipy.stats.loguniform(a, b)``              ``Float(a, b, log=True)``
``scipy.stats.randint(low, high)``            ``Int(low, high - 1)``
any other frozen ``scipy.stats`` distrib.     ``Float(0, 1)``: a quantile q; the
                                              estimator gets ``dist.ppf(q)``
============================================  ==========================================

A parameter present in several dicts with different specs becomes one study
parameter per dict, ``"<name>@<dict index>"``; the estimator always sees ``<name>``.

Examples
--------
>>> import ahpo
>>> from ahpo.sklearn import SearchCV
>>> from sklearn.datasets import load_iris
>>> from sklearn.ensemble import RandomForestClassifier
>>> from sklearn.pipeline import Pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from sklearn.svm import SVC
>>> X, y = load_iris(return_X_y=True)
>>> pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
>>> space = [
...     {"clf": [SVC()], "clf__C": ahpo.Float(1e-2, 1e2, log=True)},
...     {"clf": [RandomForestClassifier(n_estimators=5, random_state=0)],
...      "clf__max_depth": ahpo.Int(2, 6)},
... ]
>>> search = SearchCV(pipe, space, n_trials=6, cv=3, random_state=0).fit(X, y)
>>> type(search.best_params_["clf"]).__name__ in ("SVC", "RandomForestClassifier")
True
"""

try:
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "ahpo.sklearn needs scikit-learn; install it with: pip install 'ahpo[sklearn]'"
    ) from exc

from ahpo.sklearn._nested import nested_cross_validate
from ahpo.sklearn._searchcv import SearchCV
from ahpo.sklearn._shortcuts import GridSearchCV, RandomizedSearchCV

__all__ = [
    "GridSearchCV",
    "RandomizedSearchCV",
    "SearchCV",
    "nested_cross_validate",
]
