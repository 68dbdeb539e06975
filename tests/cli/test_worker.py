"""``ahpo worker``: runs a shared study's trials; stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import ahpo
from ahpo.cli import main
from ahpo.trial._frozen import FAIL_REASON_KEY

ROOT = Path(__file__).resolve().parents[2]
OBJECTIVE = "tests.parallel._objectives:quadratic"


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    ahpo.create_study(storage=url, study_name="shared")
    return url


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["worker", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_worker_runs_its_trials(url: str) -> None:
    code, out = _invoke("--storage", url, "--study", "shared", "--objective", OBJECTIVE,
                        "--n-trials", "6", "--sampler", "random", "--seed", "3")
    assert code == 0, out
    assert "6 trial(s)" in out
    study = ahpo.load_study(study_name="shared", storage=url)
    assert [t.state for t in study.trials] == [ahpo.TrialState.COMPLETE] * 6


def test_max_trials_counts_the_whole_study(url: str) -> None:
    args = ["--storage", url, "--study", "shared", "--objective", OBJECTIVE,
            "--max-trials", "5", "--sampler", "random"]
    assert _invoke(*args)[0] == 0
    code, out = _invoke(*args)
    assert code == 0
    assert "already holds 5" in out
    assert len(ahpo.load_study(study_name="shared", storage=url).trials) == 5


@pytest.mark.parametrize(
    ("objective", "message"),
    [
        ("no_colon", "must be 'module:function'"),
        ("no_such_module_xyz:f", "cannot import module"),
        ("tests.parallel._objectives:nothing", "has no attribute"),
    ],
)
def test_bad_objective_is_a_usage_error(url: str, objective: str, message: str) -> None:
    code, out = _invoke("--storage", url, "--study", "shared", "--objective", objective)
    assert code == 2
    assert message in out


def test_unknown_study_is_an_error(url: str) -> None:
    code, out = _invoke("--storage", url, "--study", "nope", "--objective", OBJECTIVE)
    assert code == 1
    assert "No study named 'nope'" in out


def _wait_for_running(url: str, timeout: float = 60.0) -> None:
    study = ahpo.load_study(study_name="shared", storage=url)
    deadline = time.monotonic() + timeout
    while not study.get_trials(states=(ahpo.TrialState.RUNNING,)):
        assert time.monotonic() < deadline, "the worker never started a trial"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_fails_the_running_trial_and_exits(url: str, sig: int, code: int) -> None:
    env = {**os.environ, "AHPO_TEST_TRIAL_SECONDS": "120"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "ahpo.cli", "worker", "--storage", url, "--study", "shared",
         "--objective", "tests.parallel._objectives:slow_quadratic", "--n-trials", "3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for_running(url)
        worker.send_signal(sig)
        _, err = worker.communicate(timeout=30)
    finally:
        worker.kill()
    assert worker.returncode == code, err
    assert "marked FAIL" in err
    (trial,) = ahpo.load_study(study_name="shared", storage=url).trials
    assert trial.state == ahpo.TrialState.FAIL
    assert "WorkerShutdown" in trial.system_attrs[FAIL_REASON_KEY]
