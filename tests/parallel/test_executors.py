"""Executors run the optimize loop on threads and processes against one study."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ahpo
from ahpo.parallel import BaseExecutor, ProcessExecutor, RayExecutor, ThreadExecutor
from ahpo.storages import SQLStorage
from ahpo.study._optimize import _Share, _split

from ._checks import assert_exact_study
from ._objectives import failing, quadratic


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'parallel.db'}"


def test_thread_executor_runs_the_budget_on_any_storage() -> None:
    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
    study.optimize(quadratic, n_trials=12, executor=ThreadExecutor(3))
    assert_exact_study(study, 12)


def test_thread_executor_map_keeps_order() -> None:
    assert ThreadExecutor(3).map(lambda v: v * 2, [3, 1, 2]) == [6, 2, 4]


def test_process_executor_splits_the_budget_and_reseeds(sqlite_url: str) -> None:
    study = ahpo.create_study(
        storage=sqlite_url, sampler=ahpo.samplers.RandomSampler(seed=0)
    )
    study.optimize(quadratic, n_trials=10, executor=ProcessExecutor(2))
    assert_exact_study(study, 10)
    # Both workers got a copy of the same seeded sampler; reseeding makes them differ.
    assert len({t.params["x"] for t in study.trials}) == 10


@pytest.mark.slow
def test_process_executor_raises_the_objectives_error(sqlite_url: str) -> None:
    study = ahpo.create_study(storage=sqlite_url)
    with pytest.raises(ValueError, match="on purpose"):
        study.optimize(failing, n_trials=4, executor=ProcessExecutor(2))
    states = {t.state for t in study.trials}
    assert states == {ahpo.TrialState.FAIL}


@pytest.mark.parametrize(
    "storage", [None, "sqlite:///:memory:"], ids=["inmemory", "sqlite-memory"]
)
def test_private_storage_needs_threads(storage: str | None) -> None:
    study = ahpo.create_study(storage=storage)
    with pytest.raises(ValueError, match=r"'executor' parameter of Study\.optimize"):
        study.optimize(quadratic, n_trials=2, executor=ProcessExecutor(2))


def test_process_executor_names_what_does_not_pickle(sqlite_url: str) -> None:
    study = ahpo.create_study(storage=sqlite_url)
    with pytest.raises(TypeError, match="must pickle"):
        study.optimize(lambda t: quadratic(t), n_trials=2, executor=ProcessExecutor(2))
    assert study.trials == []


def test_executor_arguments_are_validated(sqlite_url: str) -> None:
    study = ahpo.create_study(storage=sqlite_url)
    with pytest.raises(ValueError, match="'n_jobs'"):
        study.optimize(quadratic, n_trials=2, n_jobs=2, executor=ProcessExecutor(2))
    with pytest.raises(ValueError, match="'show_progress_bar'"):
        study.optimize(quadratic, n_trials=2, show_progress_bar=True,
                       executor=ProcessExecutor(2))
    with pytest.raises(TypeError, match="'executor'"):
        study.optimize(quadratic, n_trials=2, executor="processes")  # type: ignore[arg-type]
    for make in (ThreadExecutor, ProcessExecutor, RayExecutor):
        with pytest.raises(ValueError, match="'n_workers'"):
            make(0)
        with pytest.raises(TypeError, match="'n_workers'"):
            make(2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'start_method'"):
        ProcessExecutor(2, start_method="thread")


@given(n_trials=st.integers(0, 500), n_workers=st.integers(1, 64))
def test_split_gives_exact_nearly_equal_shares(n_trials: int, n_workers: int) -> None:
    share = _Share(
        storage=None, study_name="s", sampler=None, pruner=None, func=quadratic,  # type: ignore[arg-type]
        n_trials=None, timeout=None, catch=(), callbacks=(), gc_after_trial=False, space=None,
    )
    shares = [s.n_trials for s in _split(share, n_trials, n_workers)]
    assert sum(shares) == n_trials  # type: ignore[arg-type]
    assert len(shares) == min(n_trials, n_workers)
    if shares:
        assert max(shares) - min(shares) <= 1  # type: ignore[operator]
        assert min(shares) >= 1  # type: ignore[operator]


def test_unlimited_budget_gives_every_worker_the_same_share() -> None:
    share = _Share(
        storage=None, study_name="s", sampler=None, pruner=None, func=quadratic,  # type: ignore[arg-type]
        n_trials=None, timeout=1.0, catch=(), callbacks=(), gc_after_trial=False, space=None,
    )
    assert _split(share, None, 3) == [share] * 3


def test_a_custom_executor_plugs_in(sqlite_url: str) -> None:
    class Serial(BaseExecutor):
        n_workers = 3

        def map(self, fn, args):  # type: ignore[no-untyped-def]
            return [fn(arg) for arg in args]

    study = ahpo.create_study(storage=SQLStorage(sqlite_url))
    study.optimize(quadratic, n_trials=7, executor=Serial())
    assert_exact_study(study, 7)


@pytest.mark.slow
def test_ray_executor_runs_the_budget(sqlite_url: str) -> None:
    ray = pytest.importorskip("ray")
    study = ahpo.create_study(storage=sqlite_url, sampler=ahpo.samplers.RandomSampler())
    try:
        study.optimize(quadratic, n_trials=8, executor=RayExecutor(2, {"num_cpus": 0.5}))
    finally:
        ray.shutdown()
    assert_exact_study(study, 8)
