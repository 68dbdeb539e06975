"""Load: many worker processes on one study, PostgreSQL and SQLite, via executors.

Each run checks that exactly the expected trials exist, numbered 0..n-1, all
COMPLETE with the value their objective returned, and that no exception reached the
caller. PostgreSQL runs with ``synchronous_commit=off`` in these sessions: the
tests are about concurrency, not about surviving a power cut.

The sizes are the issue's: 8 processes x 500 trials on PostgreSQL, 4 x 250 on
SQLite, 4 Dask workers x 250, 200 enqueued trials; all six tests take about three
minutes on a quiet 2-core machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ahpo
from ahpo.parallel import DaskExecutor, ProcessExecutor
from ahpo.samplers._base import BaseSampler
from ahpo.storages import SQLStorage
from tests.conftest import Postgres
from tests.parallel._checks import assert_exact_study
from tests.parallel._objectives import logged_quadratic, quadratic

SAMPLERS = {"random": ahpo.samplers.RandomSampler, "tpe": ahpo.samplers.TPESampler}
#: Trials per worker.
PG_PER_WORKER = 500
SQLITE_PER_WORKER = 250
DASK_PER_WORKER = 250
ENQUEUED = 200
#: Seconds a load test may take (pytest-timeout); a loaded machine needs the margin.
TIMEOUT = 1800


def _fast_postgres(pg: Postgres) -> SQLStorage:
    """A storage on a fresh schema of the test server, without commit fsyncs."""
    fresh = pg.fresh()
    options = f"-c search_path={fresh.schema} -c synchronous_commit=off"
    return SQLStorage(fresh.url, engine_kwargs={"connect_args": {"options": options}})


def _sampler(name: str) -> BaseSampler:
    return SAMPLERS[name](seed=7)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_postgres_eight_processes(postgres: Postgres, sampler: str) -> None:
    storage = _fast_postgres(postgres)
    study = ahpo.create_study(storage=storage, sampler=_sampler(sampler))
    study.optimize(quadratic, n_trials=8 * PG_PER_WORKER, executor=ProcessExecutor(8))
    assert_exact_study(study, 8 * PG_PER_WORKER)
    storage.close()


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_sqlite_four_processes(tmp_path: Path, sampler: str) -> None:
    storage = SQLStorage(f"sqlite:///{tmp_path / 'load.db'}")
    study = ahpo.create_study(storage=storage, sampler=_sampler(sampler))
    study.optimize(quadratic, n_trials=4 * SQLITE_PER_WORKER, executor=ProcessExecutor(4))
    assert_exact_study(study, 4 * SQLITE_PER_WORKER)
    storage.close()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(TIMEOUT)
def test_dask_local_cluster_four_workers(postgres: Postgres) -> None:
    distributed = pytest.importorskip("distributed")
    storage = _fast_postgres(postgres)
    study = ahpo.create_study(storage=storage, sampler=_sampler("random"))
    with distributed.LocalCluster(
        n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        executor = DaskExecutor(client)
        assert executor.n_workers == 4
        study.optimize(quadratic, n_trials=4 * DASK_PER_WORKER, executor=executor)
    assert_exact_study(study, 4 * DASK_PER_WORKER)
    storage.close()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(TIMEOUT)
def test_enqueued_trials_run_exactly_once_with_eight_workers(
    postgres: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "runs.log"
    monkeypatch.setenv("AHPO_TEST_RUN_LOG", str(log))  # inherited by spawned workers
    storage = _fast_postgres(postgres)
    study = ahpo.create_study(storage=storage, sampler=_sampler("random"))
    enqueued = {(-10.0 + 20.0 * i / ENQUEUED, i % 6) for i in range(ENQUEUED)}
    for x, k in sorted(enqueued):
        study.enqueue_trial({"x": x, "k": k})
    study.optimize(logged_quadratic, n_trials=ENQUEUED, executor=ProcessExecutor(8))
    assert_exact_study(study, ENQUEUED)
    assert {(t.params["x"], t.params["k"]) for t in study.trials} == enqueued
    runs = [int(line) for line in log.read_text().split()]
    assert sorted(runs) == list(range(ENQUEUED))  # every objective ran once
    storage.close()
