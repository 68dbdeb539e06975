"""``examples/demo.py`` (what ``make demo`` runs) tunes, persists and continues a study."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ahpo

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"

pytest.importorskip("sklearn", reason="the demo needs scikit-learn: pip install 'ahpo[sklearn]'")


def run_demo(cwd: Path, n_trials: int) -> str:
    env = {**os.environ, "AHPO_DEMO_TRIALS": str(n_trials)}
    done = subprocess.run(
        [sys.executable, str(DEMO)], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_demo_runs_and_a_second_run_continues_the_study(tmp_path: Path) -> None:
    first = run_demo(tmp_path, 3)
    assert "Trials in the study: 3 (3 in this run)" in first

    second = run_demo(tmp_path, 3)
    assert "3 trial(s) so far" in second
    assert "Trials in the study: 6 (3 in this run)" in second

    study = ahpo.load_study(study_name="demo", storage=f"sqlite:///{tmp_path / 'ahpo.db'}")
    assert len(study.trials) == 6
    assert f"Best accuracy (5-fold CV): {study.best_value:.4f}" in second
    assert str(study.best_params) in second
    assert "best --study demo" in second


def test_demo_rejects_a_bad_trial_count(tmp_path: Path) -> None:
    env = {**os.environ, "AHPO_DEMO_TRIALS": "many"}
    done = subprocess.run(
        [sys.executable, str(DEMO)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "AHPO_DEMO_TRIALS must be a positive whole number" in done.stderr
    assert not (tmp_path / "ahpo.db").exists()
