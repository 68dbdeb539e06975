"""Hyperband's brackets replayed on sampled curves (benchmarks/multifidelity/brackets.py)."""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.multifidelity import brackets  # noqa: E402


def _ranked_curves(n, reverse_early=False, seed=0, steps=None):
    """Curves whose rank at every rung is the rank of the final loss (or its reverse).

    One column per rung, or per step with ``steps``.
    """
    finals = np.random.default_rng(seed).uniform(size=n)
    early = (1.0 - finals) if reverse_early else finals
    offsets = np.array([4.0, 3.0, 2.0, 1.0]) if steps is None else np.linspace(4, 1, steps - 1)
    return np.column_stack([early[:, None] + offsets, finals])


def test_the_brackets_read_the_rung_columns_of_curves_with_a_column_per_step():
    curves = np.arange(2 * 81).reshape(2, 81)
    assert brackets.at_rungs(curves).tolist() == [[0, 2, 8, 26, 80], [81, 83, 89, 107, 161]]


def test_bracket_plans_and_costs_follow_li_et_al_table_for_r81_eta3():
    plans = [brackets.bracket_plan(s, 4, 3) for s in range(4, -1, -1)]
    assert plans == [[81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5]]
    # a promoted trial continues: 81 * 1 + 27 * 2 + 9 * 6 + 3 * 18 + 1 * 54
    costs = [brackets.bracket_cost(s, 4, 3) for s in range(4, -1, -1)]
    assert costs == [297, 34 * 3 + 11 * 6 + 3 * 18 + 54, 15 * 9 + 5 * 18 + 54, 8 * 27 + 2 * 54, 405]


def test_perfect_early_ranks_give_each_bracket_its_cost_over_that_of_its_trials_run_fully():
    # with perfect ranks a bracket's best final loss is the best of its n draws, so it
    # needs cost / (n * R) of random search's resource
    curves = _ranked_curves(2000)
    got = brackets.fractions(
        curves, 47, 20_000, np.random.default_rng(1), target=float(np.quantile(curves[:, -1], 0.02))
    )
    for s in range(5):
        n = brackets.bracket_plan(s, 4, 3)[0]
        expected = brackets.bracket_cost(s, 4, 3) / (n * 81)
        assert got[f"s{s}"] == pytest.approx(expected, rel=0.15), s
    assert got["hyperband"] < 0.25


def test_reversed_early_ranks_make_the_aggressive_brackets_worse_than_random_search():
    curves = _ranked_curves(2000, reverse_early=True)
    got = brackets.fractions(curves, 47, 5000, np.random.default_rng(2))
    assert got["s4"] > 10 and got["s3"] > 2
    assert got["s0"] == pytest.approx(1.0, rel=0.15)  # five trials run fully: random search
    assert got["hyperband"] > 1


def test_random_target_is_the_median_best_of_the_budget_and_p_the_share_reaching_it():
    curves = _ranked_curves(1000)
    rng = np.random.default_rng(3)
    target = brackets.random_target(curves, 47, 20_000, rng)
    # P(best of 47 <= t) = 1/2 for uniform finals at t = 1 - 2 ** (-1 / 47)
    assert target == pytest.approx(1 - 2 ** (-1 / 47), rel=0.1)
    got = brackets.fractions(curves, 47, 2000, rng, target=target)
    assert got["p"] == np.mean(curves[:, -1] <= target)


def test_a_target_no_configuration_reaches_leaves_the_fractions_undefined():
    curves = _ranked_curves(100)
    got = brackets.fractions(curves, 47, 100, np.random.default_rng(0), target=-1.0)
    assert got["p"] == 0.0
    assert all(math.isnan(got[k]) for k in ("s4", "s0", "hyperband"))


def test_rank_quantiles_place_the_configurations_reaching_the_target():
    curves = _ranked_curves(1000, reverse_early=True)
    quantiles = brackets.rank_quantiles(curves, float(np.quantile(curves[:, -1], 0.01)))
    assert all(q > 0.98 for q in quantiles)


def test_cli_samples_stores_and_rebuilds_the_report(tmp_path):
    out, raw = tmp_path / "b.md", tmp_path / "b.json"
    argv = ["--tasks", "synthetic", "--configs", "60", "--replays", "200", "--bootstrap", "5",
            "--asha-replays", "20", "--output", str(out), "--json", str(raw)]  # fmt: skip
    brackets.main(argv)
    stored = json.loads(raw.read_text())
    assert stored["git"] and stored["command"].endswith(f"--json {raw}")
    assert np.asarray(stored["curves"]["synthetic"]).shape == (60, 81)
    assert len({tuple(row) for row in stored["curves"]["synthetic"]}) == 60  # distinct ones
    assert "| synthetic | 60 |" in out.read_text()
    assert "| r=1 eta=3 | " in out.read_text()
    again = tmp_path / "again.md"
    brackets.main(["--from-json", str(raw), "--targets", "synthetic=0.5", "--output", str(again),
                   "--replays", "200", "--bootstrap", "5", "--asha-replays", "0"])  # fmt: skip
    text = again.read_text()
    assert f"curves sampled by `{stored['command']}` (git {stored['git']})" in text
    assert "## Targets given" in text and "| synthetic | 60 | 0.5 |" in text
    assert "eta=" not in text  # --asha-replays 0: no ASHA table


def test_curves_stored_with_the_rungs_only_are_refused_with_the_reason(tmp_path):
    raw = tmp_path / "old.json"
    raw.write_text(json.dumps({"command": "c", "git": "g", "curves": {"gbm-cancer": [[1.0] * 5]}}))
    with pytest.raises(SystemExit, match=r"gbm-cancer's curves have 5 columns.*sample them again"):
        brackets.main(["--from-json", str(raw), "--output", str(tmp_path / "x.md")])


def test_the_report_says_where_no_bracket_or_asha_setting_can_need_a_quarter_of_random_search():
    trusted = brackets.analyse(_ranked_curves(1000, steps=81), 47, 2000, 20, 0, asha_replays=50)
    misleading = brackets.analyse(
        _ranked_curves(1000, reverse_early=True, steps=81), 47, 2000, 20, 0, asha_replays=50
    )
    text = brackets.render({"t": {"a": trusted, "b": misleading}}, "cmd", ["`x` (git y)"])
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- a: best bracket s=4 (0.0")
    assert lines[0].endswith("1/4 is within reach.")
    assert lines[1].endswith("no bracket needs 1/4 or less, even at its 5th percentile.")
    assert lines[2].startswith("- a: ASHA's best setting r=")
    assert lines[2].endswith("1/4 is within reach.")
    assert lines[3].startswith("- b: ASHA's best setting r=")
    assert lines[3].endswith("no setting needs 1/4 or less.")
