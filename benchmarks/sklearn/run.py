"""Hyperparameter searches for scikit-learn estimators, side by side.

ahpo's :class:`ahpo.sklearn.SearchCV` (default sampler: GPSampler for these flat
spaces) against scikit-learn's
``RandomizedSearchCV`` and ``HalvingRandomSearchCV`` and Optuna's ``OptunaSearchCV``
(if ``optuna-integration`` is installed), on estimator × dataset pairs that
scikit-learn ships. Every method gets the same space and the same budget of fits
(``--trials`` candidates × ``--folds`` folds; successive halving gets as many
candidates as keeps its total number of fits at or under that budget, and most of
its fits use a fraction of the samples). For each seed, the data are split 75/25
(stratified for classifiers); the search runs on the 75 % with a shuffled
``(Stratified)KFold`` seeded by the seed, and the refitted best estimator is scored
on the held-out 25 %. ``ahpo-halving`` (optional) is ``SearchCV`` with
``resource="n_samples"``, ``min_resources="exhaust"``, ``factor=3`` and as many
candidates as ``HalvingRandomSearchCV``; being asynchronous, its number of fits is
not fixed in advance and is reported as it ran.

Run from the repository root::

    python benchmarks/sklearn/run.py --seeds 5 --trials 30 --jobs 2 \\
        --methods ahpo,sklearn-random,sklearn-halving,optuna,ahpo-halving \\
        --output docs/benchmarks/sklearn.md --json /tmp/sklearn-bench.json

Quick look::

    python benchmarks/sklearn/run.py --seeds 1 --trials 10 --pairs svc-cancer,enet-diabetes
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

# ---- the problems ---------------------------------------------------------------------
# A space is {param: spec}; a spec is ("float", low, high, log), ("int", low, high) or
# ("cat", [choices]). Each method gets it in its own vocabulary.


@dataclass(frozen=True)
class Pair:
    name: str
    dataset: str
    task: str  # "classification" or "regression"
    make: Callable[[], Any]
    space: dict[str, tuple]


def _svc() -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC())


def _svr() -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR

    return make_pipeline(StandardScaler(), SVR())


def _forest() -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=50, n_jobs=1, random_state=0)


def _knn() -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier()


def _tree() -> Any:
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=0)


def _hgb() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=50, early_stopping=False, random_state=0)


def _enet() -> Any:
    from sklearn.linear_model import ElasticNet

    return ElasticNet(max_iter=5000)


def _ridge_poly() -> Any:
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    return make_pipeline(PolynomialFeatures(), StandardScaler(), Ridge())


PAIRS = [
    Pair("svc-cancer", "breast_cancer", "classification", _svc, {
        "svc__C": ("float", 1e-3, 1e3, True),
        "svc__gamma": ("float", 1e-5, 1e1, True),
    }),
    Pair("forest-wine", "wine", "classification", _forest, {
        "max_depth": ("int", 1, 12),
        "min_samples_leaf": ("int", 1, 20),
        "max_features": ("float", 0.05, 1.0, False),
        "criterion": ("cat", ["gini", "entropy"]),
    }),
    Pair("knn-digits", "digits", "classification", _knn, {
        "n_neighbors": ("int", 1, 40),
        "weights": ("cat", ["uniform", "distance"]),
        "p": ("int", 1, 2),
    }),
    Pair("tree-digits", "digits", "classification", _tree, {
        "max_depth": ("int", 2, 30),
        "min_samples_split": ("int", 2, 40),
        "min_samples_leaf": ("int", 1, 20),
        "criterion": ("cat", ["gini", "entropy"]),
    }),
    Pair("hgb-cancer", "breast_cancer", "classification", _hgb, {
        "learning_rate": ("float", 1e-3, 1.0, True),
        "max_leaf_nodes": ("int", 2, 64),
        "min_samples_leaf": ("int", 2, 60),
        "l2_regularization": ("float", 1e-6, 10.0, True),
    }),
    Pair("svr-diabetes", "diabetes", "regression", _svr, {
        "svr__C": ("float", 1e-2, 1e4, True),
        "svr__epsilon": ("float", 1e-3, 10.0, True),
        "svr__gamma": ("float", 1e-5, 1.0, True),
    }),
    Pair("enet-diabetes", "diabetes", "regression", _enet, {
        "alpha": ("float", 1e-5, 10.0, True),
        "l1_ratio": ("float", 0.0, 1.0, False),
    }),
    Pair("polyridge-diabetes", "diabetes", "regression", _ridge_poly, {
        "polynomialfeatures__degree": ("int", 1, 3),
        "ridge__alpha": ("float", 1e-4, 1e4, True),
    }),
]
PAIRS_BY_NAME = {p.name: p for p in PAIRS}


def _load(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets

    return getattr(datasets, f"load_{dataset}")(return_X_y=True)


def _ahpo_space(space: dict[str, tuple]) -> dict[str, Any]:
    import ahpo

    out: dict[str, Any] = {}
    for name, spec in space.items():
        if spec[0] == "float":
            out[name] = ahpo.Float(spec[1], spec[2], log=spec[3])
        elif spec[0] == "int":
            out[name] = ahpo.Int(spec[1], spec[2])
        else:
            out[name] = list(spec[1])
    return out


def _scipy_space(space: dict[str, tuple]) -> dict[str, Any]:
    from scipy import stats

    out: dict[str, Any] = {}
    for name, spec in space.items():
        if spec[0] == "float":
            low, high, log = spec[1:]
            out[name] = stats.loguniform(low, high) if log else stats.uniform(low, high - low)
        elif spec[0] == "int":
            out[name] = stats.randint(spec[1], spec[2] + 1)
        else:
            out[name] = list(spec[1])
    return out


def _optuna_space(space: dict[str, tuple]) -> dict[str, Any]:
    from optuna import distributions as d

    out: dict[str, Any] = {}
    for name, spec in space.items():
        if spec[0] == "float":
            out[name] = d.FloatDistribution(spec[1], spec[2], log=spec[3])
        elif spec[0] == "int":
            out[name] = d.IntDistribution(spec[1], spec[2])
        else:
            out[name] = d.CategoricalDistribution(list(spec[1]))
    return out


# ---- the methods ------------------------------------------------------------------------
def _halving_candidates(budget_fits: int, n_splits: int, factor: int = 3) -> int:
    """The most candidates whose halving schedule fits in ``budget_fits`` fits."""
    best = 1
    for c in range(1, budget_fits + 1):
        n_iter = 1 + math.floor(math.log(c, factor) + 1e-9) if c > 1 else 1
        fits = n_splits * sum(math.ceil(c / factor**i) for i in range(n_iter))
        if fits <= budget_fits:
            best = c
    return best


def _make_search(method: str, pair: Pair, n_trials: int, cv: Any, scoring: str, seed: int) -> Any:
    est = pair.make()
    if method == "ahpo":
        from ahpo.sklearn import SearchCV

        return SearchCV(est, _ahpo_space(pair.space), n_trials=n_trials, cv=cv,
                        scoring=scoring, random_state=seed)
    if method == "ahpo-tpe":
        from ahpo.samplers import TPESampler
        from ahpo.sklearn import SearchCV

        return SearchCV(est, _ahpo_space(pair.space), n_trials=n_trials, cv=cv,
                        scoring=scoring, sampler=TPESampler(seed=seed))
    if method == "ahpo-halving":
        from ahpo.sklearn import SearchCV

        c = _halving_candidates(n_trials * cv.get_n_splits(), cv.get_n_splits())
        return SearchCV(est, _ahpo_space(pair.space), n_trials=c, cv=cv, scoring=scoring,
                        random_state=seed, resource="n_samples", min_resources="exhaust",
                        factor=3)
    if method == "ahpo-random":
        from ahpo.sklearn import RandomizedSearchCV as AhpoRandomized

        return AhpoRandomized(est, _scipy_space(pair.space), n_iter=n_trials, cv=cv,
                              scoring=scoring, random_state=seed)
    if method == "sklearn-random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(est, _scipy_space(pair.space), n_iter=n_trials, cv=cv,
                                  scoring=scoring, random_state=seed)
    if method == "sklearn-halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        c = _halving_candidates(n_trials * cv.get_n_splits(), cv.get_n_splits())
        return HalvingRandomSearchCV(est, _scipy_space(pair.space), n_candidates=c, factor=3,
                                     min_resources="exhaust", cv=cv, scoring=scoring,
                                     random_state=seed)
    if method == "optuna":
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return OptunaSearchCV(est, _optuna_space(pair.space), n_trials=n_trials, cv=cv,
                              scoring=scoring, random_state=seed, refit=True)
    raise ValueError(f"unknown method {method!r}")


def _n_fits(method: str, search: Any, n_trials: int, n_splits: int) -> int:
    if method == "sklearn-halving":
        return int(sum(search.n_candidates_)) * n_splits
    if method in ("sklearn-random", "ahpo", "ahpo-tpe", "ahpo-random", "ahpo-halving"):
        return len(search.cv_results_["params"]) * n_splits
    return n_trials * n_splits


def run_one(pair_name: str, method: str, seed: int, n_trials: int, n_folds: int) -> dict[str, Any]:
    """One search: returns the best CV score, the held-out score, fits and seconds."""
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore")
    pair = PAIRS_BY_NAME[pair_name]
    X, y = _load(pair.dataset)
    classification = pair.task == "classification"
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y if classification else None
    )
    splitter = StratifiedKFold if classification else KFold
    cv = splitter(n_splits=n_folds, shuffle=True, random_state=seed)
    scoring = "accuracy" if classification else "r2"
    search = _make_search(method, pair, n_trials, cv, scoring, seed)
    # One thread per search: OpenMP estimators (HistGradientBoosting) in several
    # processes at once otherwise oversubscribe the CPUs and time nothing useful.
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        search.fit(X_tr, y_tr)
        seconds = time.perf_counter() - start
    test = float(get_scorer(scoring)(search.best_estimator_, X_te, y_te))
    return {
        "pair": pair_name, "method": method, "seed": seed,
        "cv_score": float(search.best_score_), "test_score": test,
        "fits": _n_fits(method, search, n_trials, n_folds), "seconds": seconds,
    }


def _task(args: tuple) -> dict[str, Any]:
    try:
        return run_one(*args)
    except Exception as exc:  # a method that breaks is reported, not fatal
        pair, method, seed = args[:3]
        return {"pair": pair, "method": method, "seed": seed, "error": repr(exc)}


# ---- the report -------------------------------------------------------------------------
def _mean_std(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}"


def report(results: list[dict[str, Any]], methods: list[str], meta: dict[str, Any]) -> str:
    pairs = [p.name for p in PAIRS if any(r["pair"] == p.name for r in results)]
    ok = [r for r in results if "error" not in r]
    lines = [
        "# scikit-learn searches: ahpo vs scikit-learn vs Optuna",
        "",
        "Produced by `benchmarks/sklearn/run.py`:",
        "",
        "```",
        meta["command"],
        "```",
        "",
        f"{meta['seeds']} seeds, {meta['trials']} candidates × {meta['folds']} folds per "
        f"search; {meta['when']}; Python {meta['python']}, scikit-learn "
        f"{meta['sklearn']}, ahpo {meta['ahpo']}, optuna {meta.get('optuna', 'n/a')}; "
        f"{meta['cpus']} CPUs, {meta['jobs']} search(es) at once.",
        "",
        "Methods: `ahpo` is `ahpo.sklearn.SearchCV` with its default sampler (for these",
        "flat spaces without pruning: `GPSampler`, seeded); `ahpo-tpe`, when run, is",
        "`SearchCV` with `TPESampler(seed)`;",
        "`sklearn-random` is `RandomizedSearchCV`; `sklearn-halving` is",
        "`HalvingRandomSearchCV` (factor 3, `min_resources='exhaust'`) with as many",
        "candidates as keep its fits within the same budget (most of them on fewer",
        "samples, so it is cheaper per fit); `optuna` is `optuna_integration.OptunaSearchCV`",
        "(its default TPE, seeded); `ahpo-halving`, when run, is `SearchCV` with",
        "`resource='n_samples'`, `min_resources='exhaust'`, `factor=3` and halving's number",
        "of candidates (asynchronous successive halving: its fits are counted as they ran,",
        "3 per candidate and level reached). Scores: accuracy (classifiers) and R²",
        "(regressors);",
        "*CV* is the search's `best_score_` on the 75 % training part (optimistic: it",
        "chose the winner), *test* is the refitted best estimator on the held-out 25 %.",
        "Mean ± standard deviation over seeds; higher is better.",
        "",
        "## Held-out test score",
        "",
        "| pair | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]

    def cell(pair: str, method: str, key: str) -> list[float]:
        return [r[key] for r in ok if r["pair"] == pair and r["method"] == method]

    for key, title in (("test_score", None), ("cv_score", "## Best CV score (search)")):
        if title:
            lines += ["", title, "", "| pair | " + " | ".join(methods) + " |",
                      "|---|" + "---|" * len(methods)]
        for pair in pairs:
            lines.append(f"| {pair} | " + " | ".join(
                _mean_std(cell(pair, m, key)) for m in methods) + " |")
    # Ranks per pair (on means), averaged.
    lines += ["", "## Mean rank over pairs (1 = best)", "",
              "| method | rank by test score | rank by CV score | fits per search | "
              "seconds per search |", "|---|---|---|---|---|"]
    for method in methods:
        ranks: dict[str, list[float]] = {"test_score": [], "cv_score": []}
        for key in ranks:
            for pair in pairs:
                means = {m: np.mean(cell(pair, m, key)) for m in methods if cell(pair, m, key)}
                if method not in means:
                    continue
                order = sorted(means.values(), reverse=True)
                ranks[key].append(1 + order.index(means[method]))
        fits = [r["fits"] for r in ok if r["method"] == method]
        secs = [r["seconds"] for r in ok if r["method"] == method]
        shown = {k: f"{np.mean(v):.2f}" if v else "—" for k, v in ranks.items()}
        lines.append(
            f"| {method} | {shown['test_score']} | {shown['cv_score']} | "
            f"{np.mean(fits) if fits else 0:.0f} | {np.mean(secs) if secs else 0:.1f} |"
        )
    lines += _targets(ok, pairs, methods)
    errors = [r for r in results if "error" in r]
    if errors:
        lines += ["", "## Errors", ""]
        lines += [f"- {r['pair']} / {r['method']} / seed {r['seed']}: `{r['error']}`"
                  for r in errors]
    lines += [
        "",
        "## Reading it",
        "",
        "With a few dozen candidates and noisy CV estimates, differences of a fraction of",
        "a standard deviation are noise; the rank table summarizes which method tends to",
        "be ahead. Model-based samplers (ahpo's GP and TPE, Optuna's TPE) start from",
        "10 space-filling or random candidates and only then exploit, so their advantage grows",
        "with the budget.",
        "",
    ]
    return "\n".join(lines)


def _targets(ok: list[dict[str, Any]], pairs: list[str], methods: list[str]) -> list[str]:
    """The issue's targets, computed: pairs where ahpo's mean CV score is ahead; averages."""
    if "ahpo" not in methods:
        return []

    def mean(pair: str, method: str, key: str = "cv_score") -> float:
        values = [r[key] for r in ok if r["pair"] == pair and r["method"] == method]
        return float(np.mean(values)) if values else math.nan

    lines = ["", "## Targets (computed from the tables above)", "",
             "| against | pairs where ahpo's mean CV score is higher | tied | lower | "
             "mean CV difference (ahpo − it) | per-seed spread of that difference | "
             "mean test difference |", "|---|---|---|---|---|---|---|"]
    seeds = sorted({r["seed"] for r in ok})
    for other in [m for m in methods if m != "ahpo"]:
        diffs = [mean(p, "ahpo") - mean(p, other) for p in pairs]
        tests = [mean(p, "ahpo", "test_score") - mean(p, other, "test_score") for p in pairs]
        per_seed = []
        for seed in seeds:
            d = []
            for p in pairs:
                a = [r["cv_score"] for r in ok if (r["pair"], r["method"], r["seed"]) ==
                     (p, "ahpo", seed)]
                b = [r["cv_score"] for r in ok if (r["pair"], r["method"], r["seed"]) ==
                     (p, other, seed)]
                if a and b:
                    d.append(a[0] - b[0])
            if d:
                per_seed.append(float(np.mean(d)))
        ahead = sum(d > 1e-12 for d in diffs)
        tied = sum(abs(d) <= 1e-12 for d in diffs)
        lines.append(
            f"| {other} | {ahead} of {len(pairs)} | {tied} | {len(pairs) - ahead - tied} | "
            f"{np.nanmean(diffs):+.5f} | min {min(per_seed, default=math.nan):+.5f}, "
            f"max {max(per_seed, default=math.nan):+.5f} over {len(per_seed)} seeds | "
            f"{np.nanmean(tests):+.5f} |"
        )
    lines += ["", "The mean CV difference averages, over pairs, the difference of the means "
              "over seeds; the spread gives, for each seed, that difference averaged over "
              "pairs, and shows its smallest and largest value."]
    return lines


def _available_methods() -> list[str]:
    methods = ["ahpo", "sklearn-random", "sklearn-halving"]
    try:
        import optuna_integration  # noqa: F401
    except ImportError:
        print("optuna-integration is not installed: skipping OptunaSearchCV", file=sys.stderr)
    else:
        methods.append("optuna")
    return methods


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks/sklearn/run.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--trials", type=int, default=30, help="candidates per search")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--pairs", default="all", help="comma-separated names, or 'all': "
                    + ",".join(PAIRS_BY_NAME))
    ap.add_argument("--methods", default="default",
                    help="comma-separated: ahpo, ahpo-tpe, ahpo-random, ahpo-halving, "
                    "sklearn-random, sklearn-halving, optuna ('default': ahpo, sklearn-random, "
                    "sklearn-halving and optuna if installed)")
    ap.add_argument("--jobs", type=int, default=1, help="searches run at once (processes)")
    ap.add_argument("--output", help="write the markdown report here")
    ap.add_argument("--json", help="write the raw results here")
    args = ap.parse_args(argv)

    pairs = list(PAIRS_BY_NAME) if args.pairs == "all" else args.pairs.split(",")
    for p in pairs:
        if p not in PAIRS_BY_NAME:
            ap.error(f"unknown pair {p!r}")
    methods = _available_methods() if args.methods == "default" else args.methods.split(",")
    tasks = [(p, m, s, args.trials, args.folds)
             for s in range(args.seeds) for p in pairs for m in methods]
    results = []
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for i, result in enumerate(pool.map(_task, tasks), 1):
            results.append(result)
            shown = result.get("error") or (
                f"cv {result['cv_score']:.4f} test {result['test_score']:.4f} "
                f"fits {result['fits']} {result['seconds']:.1f}s"
            )
            print(f"[{i}/{len(tasks)}] {result['pair']:<20} {result['method']:<16} "
                  f"seed {result['seed']}: {shown}", flush=True)
    from importlib.metadata import version

    meta = {
        "command": "python benchmarks/sklearn/run.py " + shlex.join(argv or sys.argv[1:]),
        "seeds": args.seeds, "trials": args.trials, "folds": args.folds, "jobs": args.jobs,
        "when": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
        "sklearn": version("scikit-learn"), "ahpo": version("ahpo"), "cpus": os.cpu_count(),
        "wall_seconds": round(time.perf_counter() - start, 1),
    }
    with contextlib.suppress(Exception):  # not installed
        meta["optuna"] = version("optuna")
    text = report(results, methods, meta)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
