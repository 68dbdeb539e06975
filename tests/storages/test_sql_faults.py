"""Faults: a worker killed mid-trial, and the database server restarted mid-study.

Workers are real ``ahpo worker`` processes; nothing is mocked. The shared test
server must never be restarted, so the restart test runs its own throw-away
cluster: ``initdb`` into a temporary directory owned by the ``postgres`` user, then
``pg_ctl`` on a free port with its socket in that directory.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import ahpo
from ahpo.storages import RetryFailedTrialCallback
from ahpo.trial._frozen import FAIL_REASON_KEY
from tests.parallel._objectives import value_of

ROOT = Path(__file__).resolve().parents[2]
OBJECTIVE = "tests.parallel._objectives:slow_quadratic"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return None if initdb is None else Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI is set, so this fails instead of skipping.")
    pytest.skip(reason)


class PrivatePostgres:
    """A cluster in ``root`` (made by :meth:`start`), reachable at :attr:`url`."""

    def __init__(self, root: Path) -> None:
        bindir = _binaries()
        if bindir is None:
            _unavailable("No PostgreSQL server binaries (initdb, pg_ctl) on this machine.")
        assert bindir is not None
        self._bin = bindir
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            if shutil.which("runuser") is None:
                _unavailable("Running as root without runuser to start PostgreSQL as postgres.")
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
        self.data = root / "pgdata"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        root.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(root, user="postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._as_postgres, str(self._bin / tool), *args],
            check=True, capture_output=True, timeout=120,
        )

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-t", "60", *args)

    def start(self) -> None:
        self._ctl("-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


def _worker(url: str, *args: str, trial_seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "AHPO_TEST_TRIAL_SECONDS": str(trial_seconds)}
    return subprocess.Popen(
        [sys.executable, "-m", "ahpo.cli", "worker", "--storage", url, "--study", "s",
         "--objective", OBJECTIVE, "--sampler", "random", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _finish(workers: list[subprocess.Popen[str]], timeout: float = 240) -> None:
    for worker in workers:
        try:
            _, err = worker.communicate(timeout=timeout)
        finally:
            worker.kill()
        assert worker.returncode == 0, err
        assert "Traceback" not in err, err


def _wait_until(predicate: object, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
def test_killed_worker_trial_is_failed_retried_and_study_completes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    study = ahpo.create_study(storage=url, study_name="s")
    beat = ["--heartbeat-interval", "0.5", "--grace-period", "2", "--max-retry", "2"]
    victim = _worker(url, *beat, "--n-trials", "1", trial_seconds=600)
    _wait_until(lambda: study.get_trials(states=(ahpo.TrialState.RUNNING,)), "the victim")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    total = 16
    survivors = [
        _worker(url, *beat, "--max-trials", str(total), trial_seconds=0.4) for _ in range(2)
    ]
    _finish(survivors)

    trials = study.trials
    assert [t.number for t in trials] == list(range(len(trials)))
    lost = trials[0]
    assert lost.state == ahpo.TrialState.FAIL
    assert "heartbeat" in lost.system_attrs[FAIL_REASON_KEY]
    (retry,) = [t for t in trials if RetryFailedTrialCallback.retried_trial_number(t) == 0]
    assert retry.state == ahpo.TrialState.COMPLETE
    assert retry.params == lost.params
    assert RetryFailedTrialCallback.retry_history(retry) == [0]
    complete = [t for t in trials if t.state == ahpo.TrialState.COMPLETE]
    # --max-trials may be exceeded by fewer trials than there are workers.
    assert total <= len(complete) <= total + 1
    assert len(trials) == len(complete) + 1


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp_path: its parents are private to root, and the server
    # runs as the postgres user.
    root = Path(tempfile.mkdtemp(prefix="ahpo-pg-"))
    try:
        server = PrivatePostgres(root)
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
def test_workers_survive_a_server_restart(private_postgres: PrivatePostgres) -> None:
    url = private_postgres.url
    study = ahpo.create_study(storage=url, study_name="s")
    per_worker = 40
    workers = [
        _worker(url, "--heartbeat-interval", "0", "--n-trials", str(per_worker),
                trial_seconds=0.05)
        for _ in range(3)
    ]
    _wait_until(lambda: len(study.trials) >= 15, "trials before the restart")
    before = len(study.trials)
    private_postgres.stop()
    time.sleep(1.0)
    private_postgres.start()
    _finish(workers)

    assert before < 3 * per_worker  # the restart came in the middle of the study
    study = ahpo.load_study(study_name="s", storage=url)
    trials = study.trials
    assert [t.number for t in trials] == list(range(3 * per_worker))
    assert {t.state for t in trials} == {ahpo.TrialState.COMPLETE}
    for t in trials:
        assert t.values == (value_of(t.params["x"], t.params["k"]),)
