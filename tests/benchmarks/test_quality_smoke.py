"""Smoke test of the sampler quality benchmark (benchmarks/quality)."""

import gzip
import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest.importorskip("optuna")
pytest.importorskip("hyperopt")
pytest.importorskip("matplotlib")

from benchmarks.quality import problems, run, scores  # noqa: E402
from benchmarks.quality.__main__ import main  # noqa: E402


def test_cli_writes_json_markdown_and_plot(tmp_path):
    out, png, raw = tmp_path / "q.md", tmp_path / "q.png", tmp_path / "q.json.gz"
    ref = tmp_path / "reference.json"
    argv = [
        "--budget", "5", "--seeds", "1", "--problems", "branin,conditional",
        "--optimizers", "ahpo-random,ahpo-tpe", "--jobs", "1", "--quiet",
        "--output", str(out), "--plot", str(png), "--json", str(raw),
        "--reference", str(ref),
    ]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(gzip.decompress(raw.read_bytes()))
    assert len(doc["results"]) == 4
    assert all(r["error"] is None and len(r["curve"]) == 5 for r in doc["results"])
    s = scores.compute(doc)
    for p in ("branin", "conditional"):
        for o in ("ahpo-random", "ahpo-tpe"):
            assert math.isfinite(s.mean[p][o])
    text = out.read_text()
    assert text.startswith("# Sampler quality benchmark")
    assert "python -m benchmarks.quality --budget 5" in text
    assert "| branin |" in text and "mean rank" in text
    assert png.stat().st_size > 1000
    assert not ref.exists()  # no ML task ran, so no best-ever value to record

    # The report is rebuilt from the JSON alone: same numbers, plus how it was rendered.
    again = tmp_path / "again.md"
    assert main(["--from-json", str(raw), "--output", str(again), "--plot", str(png)]) == 0
    rebuilt = again.read_text()
    assert "Page rendered from the stored results" in rebuilt
    assert rebuilt.split("## Normalized score")[1] == text.split("## Normalized score")[1]


def test_problem_registry_and_seeded_run_are_deterministic():
    branin = problems.get("branin")
    assert branin.function({"x0": math.pi, "x1": 2.275}) == pytest.approx(branin.optimum)
    assert {p.name for p in problems.select("tag:conditional")} == {"conditional"}
    assert "branin" not in {p.name for p in problems.select("all,-branin")}
    a = run.run("ahpo-tpe", "hartmann3", budget=12, seed=3)
    b = run.run("ahpo-tpe", "hartmann3", budget=12, seed=3)
    assert a.curve == b.curve
    assert all(x >= y for x, y in zip(a.curve, a.curve[1:], strict=False))
    assert a.curve[-1] >= problems.get("hartmann3").optimum


def test_hyperopt_gets_the_same_space():
    from hyperopt.pyll import stochastic

    cond = problems.get("conditional")
    rng = __import__("numpy").random.default_rng(0)
    for _ in range(20):
        params = cond.from_hyperopt(stochastic.sample(cond.hyperopt_space(), rng=rng))
        branch = params["branch"]
        assert all(k == "branch" or k.startswith(branch) for k in params)
        assert math.isfinite(cond.function(params))
    mixed = problems.get("mixed")
    for _ in range(20):
        params = mixed.from_hyperopt(stochastic.sample(mixed.hyperopt_space(), rng=rng))
        assert isinstance(params["n1"], int) and 1 <= params["n1"] <= 1000
        assert params["c1"] in ("a", "b", "c", "d")


def test_noisy_problem_is_scored_by_the_noiseless_value():
    curve = run.best_so_far([3.0, 1.0, 2.0], [3.5, 2.5, 0.0], sign=1.0)
    assert curve == [3.5, 2.5, 2.5]
    result = run.run("ahpo-random", "hartmann6_noisy", budget=10, seed=0)
    h6 = problems.get("hartmann6")
    assert result.curve[-1] >= h6.optimum
