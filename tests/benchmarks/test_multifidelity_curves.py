"""The multi-fidelity benchmark run on stored curves (``--curves``), nothing trained."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.multifidelity import methods, tasks  # noqa: E402
from benchmarks.multifidelity.run import main  # noqa: E402


def _curves(n=40, seed=0):
    rng = np.random.default_rng(seed)
    finals = rng.uniform(0.1, 1.0, size=n)
    return (finals[:, None] + np.linspace(1.0, 0.0, tasks.MAX_RESOURCE)).tolist()


def _store(tmp_path, name="synthetic", curves=None):
    path = tmp_path / f"curves-{name}.json"
    doc = {"command": "c", "git": "g", "curves": {name: _curves() if curves is None else curves}}
    path.write_text(json.dumps(doc))
    return path


class _Trial:
    def suggest_int(self, name, low, high):
        assert (name, low) == ("row", 0)
        return high


def test_a_replayed_configuration_is_a_row_and_its_curve_that_row():
    curves = _curves()
    task = tasks.replayed("gbm-cancer", curves)
    config = task.suggest(_Trial())
    assert config == (len(curves) - 1,)
    loss_at = task.curve(config)
    assert [loss_at(s) for s in (1, 81)] == [curves[-1][0], curves[-1][80]]
    assert task.description.endswith(f"replayed on {len(curves)} stored curves")
    with pytest.raises(ValueError, match=r"gbm-cancer: .* one loss per step \(81\)"):
        tasks.replayed("gbm-cancer", [[1.0] * 5])


def test_only_random_sampling_methods_run_on_stored_curves():
    assert "random" in methods.RANDOM_SAMPLING and "optuna-asha+shared" in methods.RANDOM_SAMPLING
    assert not {"bohb", "hyperband+tpe", "bohb-gp"} & methods.RANDOM_SAMPLING


def test_cli_runs_on_stored_curves_and_rebuilds_the_report(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("optuna")
    out, raw, curves = tmp_path / "mf.md", tmp_path / "mf.json", _store(tmp_path)
    main(["--curves", str(curves), "--tasks", "synthetic", "--seeds", "3", "--jobs", "1",
          "--methods", "random,asha+random", "--output", str(out), "--json", str(raw)])  # fmt: skip
    doc = json.loads(raw.read_text())
    assert doc["curves"] == str(curves)
    assert {(r["method"], r["seed"]) for r in doc["results"]} == {
        (m, s) for m in ("random", "asha+random") for s in range(3)
    }
    text = out.read_text()
    assert f"**Replayed on stored curves, nothing trained** (`--curves {curves}`)" in text
    assert "| synthetic | " in text and "not run" in text  # Hyperband was not run
    again = tmp_path / "again.md"
    main(["--from-json", str(raw), "--output", str(again)])
    assert f"(`--curves {curves}`)" in again.read_text()


def test_stored_curves_refuse_learning_methods_missing_tasks_and_trained_runs(tmp_path):
    curves = str(_store(tmp_path))
    base = ["--curves", curves, "--seeds", "1", "--jobs", "1", "--output", str(tmp_path / "x.md")]
    with pytest.raises(SystemExit, match="--curves: bohb learn from configurations"):
        main([*base, "--tasks", "synthetic", "--methods", "random,bohb"])
    with pytest.raises(SystemExit, match="--curves: no curves of task 'sgd-digits'"):
        main([*base, "--tasks", "sgd-digits", "--methods", "random"])
    replayed, trained = tmp_path / "r.json", tmp_path / "t.json"
    replayed.write_text(json.dumps({"command": "a", "git": "g", "curves": curves, "results": []}))
    trained.write_text(json.dumps({"command": "b", "git": "g", "results": []}))
    with pytest.raises(SystemExit, match="pool only with such runs"):
        main(["--from-json", f"{replayed},{trained}", "--output", str(tmp_path / "y.md")])
