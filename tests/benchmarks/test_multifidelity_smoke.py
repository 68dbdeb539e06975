"""Smoke test of the multi-fidelity benchmark (benchmarks/multifidelity) and its measure."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.multifidelity import report  # noqa: E402
from benchmarks.multifidelity.run import main  # noqa: E402


def _run(task, method, seed, points, budget=100):
    return {"task": task, "method": method, "seed": seed, "budget": budget, "trace": points}


def test_target_is_the_median_final_loss_of_random_search():
    runs = [_run("t", "random", s, [[50, v + 1.0], [100, v]]) for s, v in enumerate([3, 1, 2])]
    assert report.target(runs, "t") == 2.0


def test_fraction_is_the_resource_spent_when_the_target_is_first_reached():
    run = _run("t", "bohb", 0, [[10, float("inf")], [30, 5.0], [60, 2.0], [100, 1.0]])
    assert report.fraction(run, 2.0) == (0.6, True)
    assert report.fraction(run, 0.5) == (1.0, False)  # censored at its total resource


def test_checks_give_the_mann_whitney_p_of_each_comparison():
    # random reaches the target (its median final loss, 2.0) at 1.0; bohb far earlier
    runs = [_run("t", "random", s, [[100, v]]) for s, v in enumerate([3.0, 1.0, 2.0, 2.0])]
    runs += [_run("t", "hyperband+random", s, [[60, 1.0]]) for s in range(4)]
    runs += [_run("t", "bohb", s, [[10 + s, 1.0]]) for s in range(4)]
    for run in runs:
        run.update(n_trials=1, wall_seconds=0.0)
    row = report.checks(report.summarize(runs)).splitlines()[-1]
    # 4 against 4 runs, every bohb run below every hyperband one: p near 2 / C(8, 4)
    found = re.search(r"0\.115 vs 0\.600 yes \(p (\d\.\d\d)\)", row)
    assert found and 0.01 <= float(found[1]) <= 0.05
    assert row.endswith("| not run | not run | not run |")  # no Optuna rows were run
    assert row.count("not run") == 5  # nor ASHA or BOHB-GP


def test_cli_runs_stores_the_commit_and_rebuilds_the_report(tmp_path):
    pytest.importorskip("matplotlib")  # the report's plot
    pytest.importorskip("optuna")  # the report measures what its TPE reads
    out, raw = tmp_path / "mf.md", tmp_path / "mf.json"
    argv = [
        "--seeds", "2", "--first-seed", "5", "--jobs", "1", "--budget-trials", "4",
        "--tasks", "synthetic", "--methods", "random,hyperband+random,bohb",
        "--output", str(out), "--json", str(raw),
    ]  # fmt: skip
    main(argv)
    doc = json.loads(raw.read_text())
    assert doc["git"]
    assert sorted({r["seed"] for r in doc["results"]}) == [5, 6]
    assert {r["method"] for r in doc["results"]} == {"random", "hyperband+random", "bohb"}
    for r in doc["results"]:
        spent = [s for s, _ in r["trace"]]
        assert spent == sorted(spent) and spent[-1] >= r["budget"] == 4 * 81
        assert r["repeat_steps"] == 0  # continuous synthetic configurations never repeat
    text = out.read_text()
    assert "Seeds 5–6" in text and "| synthetic |" in text
    assert out.with_suffix(".png").exists()
    again = tmp_path / "again.md"
    main(["--from-json", str(raw), "--output", str(again)])
    assert f"git {doc['git']};" in again.read_text()


def test_from_json_pools_disjoint_seeds_and_refuses_overlaps(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("optuna")

    def stored(first, seeds):
        raw = tmp_path / f"mf{first}.json"
        main([
            "--seeds", str(seeds), "--first-seed", str(first), "--jobs", "1",
            "--budget-trials", "2", "--tasks", "synthetic", "--methods", "random,asha+random",
            "--output", str(tmp_path / f"mf{first}.md"), "--json", str(raw),
        ])  # fmt: skip
        return str(raw)

    a, b, c = stored(0, 2), stored(2, 1), stored(1, 1)
    pooled = tmp_path / "pooled.md"
    main(["--from-json", f"{a},{b}", "--output", str(pooled)])
    assert "Seeds 0–2 (3 runs per task and method)" in pooled.read_text()
    with pytest.raises(SystemExit, match="share a"):
        main(["--from-json", f"{a},{c}", "--output", str(pooled)])


def test_repeat_steps_count_the_steps_of_configurations_already_tried():
    from benchmarks.multifidelity import methods
    from benchmarks.multifidelity.tasks import Task

    grid = Task(
        "grid",
        "two configurations",
        lambda trial: trial.suggest_categorical("c", ["a", "b"]),
        lambda config: lambda step: 1.0 / step,
        max_resource=3,
    )
    run = methods.run(grid, "random", seed=0, budget=30)
    assert run["n_trials"] == 10 and run["trace"][-1][0] == 30  # nothing is pruned
    assert run["repeat_steps"] == 30 - 2 * 3  # all but the first trial of each choice
    summary = report.summarize([run])
    assert summary["grid"]["random"]["repeats"] == 0.8


@pytest.mark.parametrize("name", ["sgd-digits", "mlp-digits", "gbm-cancer"])
def test_real_tasks_declare_their_grid_to_the_sampler(name):
    import math

    from benchmarks.multifidelity.tasks import TASKS

    import ahpo

    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
    for _ in range(40):
        trial = study.ask()
        config = TASKS[name].suggest(trial)
        for dist in trial.distributions.values():  # a sampler can tell points apart
            assert not isinstance(dist, ahpo.distributions.FloatDistribution) or dist.step
        for key, value in trial.params.items():
            if key.endswith("_exp"):  # eighths of a decade
                assert float(10 ** (value / 8)) in config
            elif isinstance(value, float):
                assert math.isclose(value * 20, round(value * 20))  # subsample, 0.05 apart
        study.tell(trial, 0.0)


def test_gbm_curve_grown_tree_by_tree_is_the_curve_of_one_fit():
    from benchmarks.multifidelity import tasks
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.metrics import log_loss

    config = (0.1, 3, 0.75, 0.5)
    curve = tasks._gbm_curve(config)
    x_tr, x_va, y_tr, y_va = tasks._cancer()
    model = GradientBoostingClassifier(
        learning_rate=0.1,
        max_depth=3,
        subsample=0.75,
        max_features=0.5,
        n_estimators=20,
        random_state=0,
    ).fit(x_tr, y_tr)
    staged = [log_loss(y_va, p) for p in model.staged_predict_proba(x_va)]
    assert [curve(step) for step in (3, 1, 20)] == [staged[2], staged[0], staged[19]]


def test_shared_rows_give_both_libraries_the_same_configurations():
    pytest.importorskip("optuna")
    from benchmarks.multifidelity import methods
    from benchmarks.multifidelity.tasks import TASKS

    task = TASKS["synthetic"]
    runs = {m: methods.run(task, m, seed=3, budget=6 * 81) for m in methods.SHARED_DRAWS}
    # ASHA decides the same in both libraries, so on the same configurations the runs match.
    assert runs["asha+shared"]["trace"] == runs["optuna-asha+shared"]["trace"]
    # The configurations are the stream's, not the sampler's, and differ between trials.
    first = [methods.SharedDraws(3, i) for i in range(3)]
    configs = [task.suggest(d) for d in first]
    assert len(set(configs)) == 3
    study, _ = methods.METHODS["optuna-hyperband+shared"][1](3, task)
    study.enqueue_trial(first[0].params)
    assert task.suggest(study.ask()) == configs[0]


def test_shared_draws_stay_on_the_declared_grid():
    from benchmarks.multifidelity.methods import SharedDraws

    values = {SharedDraws(0, i).suggest_float("s", 0.5, 1.0, step=0.05) for i in range(400)}
    assert values == {round(0.5 + 0.05 * k, 2) for k in range(11)}
    ints = {SharedDraws(0, i).suggest_int("k", -3, 2) for i in range(200)}
    assert ints == set(range(-3, 3))


def test_paired_table_counts_seeds_and_skips_the_test_on_ties():
    runs = [_run("t", "random", s, [[100, 2.0]]) for s in range(3)]
    runs += [_run("t", "asha+shared", s, [[40, 1.0]]) for s in range(3)]
    runs += [_run("t", "optuna-asha+shared", s, [[40, 1.0]]) for s in range(3)]
    runs += [_run("t", "hyperband+shared", s, [[30 + s, 1.0]]) for s in range(3)]
    runs += [_run("t", "optuna-hyperband+shared", s, [[50, 1.0]]) for s in range(3)]
    rows = report.paired(runs).splitlines()
    assert rows[2].endswith("| 0.400 / 0.400 | 0 / 3 / 0 | – |")
    assert rows[3].endswith("| 0.310 / 0.500 | 3 / 0 / 0 | 0.25 |")
    assert report.paired(runs[:3]) == ""


def test_a_run_without_random_search_stores_its_traces_or_refuses(tmp_path, capsys):
    out, raw = tmp_path / "mf.md", tmp_path / "mf.json"
    base = ["--seeds", "1", "--jobs", "1", "--budget-trials", "1", "--tasks", "synthetic"]
    with pytest.raises(SystemExit, match="without 'random'"):
        main([*base, "--methods", "asha+random", "--output", str(out)])
    main([*base, "--methods", "asha+random", "--output", str(out), "--json", str(raw)])
    assert "traces stored in" in capsys.readouterr().out
    assert json.loads(raw.read_text())["results"] and not out.exists()
