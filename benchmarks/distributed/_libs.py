"""What one worker process of the benchmark does, for each library.

Every function here runs in a spawned process, so it is importable by module path.
Both libraries get the same trivial objective (two suggestions and a sum), their own
random or TPE sampler with a distinct seed per worker, and the same PostgreSQL
schema settings; only the library differs.
"""

from __future__ import annotations

import logging
import time
from typing import Any


def objective(trial: Any) -> float:
    """Trivial: the time measured is the framework's and the database's."""
    x = trial.suggest_float("x", -10.0, 10.0)
    y = trial.suggest_int("y", 0, 10)
    return (x - 1.0) ** 2 + y


def engine_kwargs(schema: str, synchronous: bool = True) -> dict[str, Any]:
    options = f"-c search_path={schema}"
    if not synchronous:
        options += " -c synchronous_commit=off"
    return {"connect_args": {"options": options}}


def _sampler(library: str, sampler: str, seed: int) -> Any:
    if library == "ahpo":
        import ahpo

        cls = ahpo.samplers.TPESampler if sampler == "tpe" else ahpo.samplers.RandomSampler
        return cls(seed=seed)
    import optuna

    if sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def open_study(library: str, url: str, schema: str, name: str, sampler: Any,
               synchronous: bool = True) -> Any:
    """Load the study ``name`` with the library's SQL storage on ``schema``."""
    if library == "ahpo":
        import ahpo
        from ahpo.storages import SQLStorage

        storage = SQLStorage(url, engine_kwargs=engine_kwargs(schema, synchronous))
        return ahpo.load_study(study_name=name, storage=storage, sampler=sampler)
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    storage = optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs(schema, synchronous))
    return optuna.load_study(study_name=name, storage=storage, sampler=sampler)


def create_study(library: str, url: str, schema: str, name: str) -> None:
    if library == "ahpo":
        import ahpo
        from ahpo.storages import SQLStorage

        storage = SQLStorage(url, engine_kwargs=engine_kwargs(schema))
        ahpo.create_study(storage=storage, study_name=name)
        storage.close()
        return
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    storage = optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs(schema))
    optuna.create_study(storage=storage, study_name=name)


def run_worker(args: tuple[str, str, str, str, str, int, int, Any]) -> tuple[float, float]:
    """Run ``n_trials`` after the start barrier; return (start, end) wall times."""
    library, url, schema, name, sampler, seed, n_trials, barrier = args
    study = open_study(library, url, schema, name, _sampler(library, sampler, seed))
    barrier.wait()
    start = time.time()
    study.optimize(objective, n_trials=n_trials)
    return start, time.time()


def populate(args: tuple[str, str, str, str, int]) -> None:
    """Grow the study to ``n`` finished trials with ``add_trials`` (fast, both libraries)."""
    library, url, schema, name, n = args
    study = open_study(library, url, schema, name, _sampler(library, "random", 0),
                       synchronous=False)
    missing = n - len(study.trials)
    if missing <= 0:
        return
    if library == "ahpo":
        import ahpo as lib

        dists = {"x": lib.Float(-10.0, 10.0), "y": lib.Int(0, 10)}
    else:
        import optuna as lib

        dists = {
            "x": lib.distributions.FloatDistribution(-10.0, 10.0),
            "y": lib.distributions.IntDistribution(0, 10),
        }
    study.add_trials(
        lib.create_trial(
            params={"x": i % 19 - 9.0, "y": i % 11}, distributions=dists, value=float(i)
        )
        for i in range(missing)
    )


def time_asks(args: tuple[str, str, str, str, int]) -> list[float]:
    """Seconds per ``ask()`` (random sampler), each followed by an untimed tell."""
    library, url, schema, name, n_asks = args
    study = open_study(library, url, schema, name, _sampler(library, "random", 1))
    study.tell(study.ask(), 0.0)  # warm caches, as in a long-running worker
    times = []
    for _ in range(n_asks):
        t0 = time.perf_counter()
        trial = study.ask()
        times.append(time.perf_counter() - t0)
        study.tell(trial, objective(trial))
    return times
