"""The pruner-overhead benchmark measures equal work on both sides and grades it."""

import pytest
from benchmarks.overhead import Timing

from benchmarks import pruner_overhead

optuna = pytest.importorskip("optuna")


@pytest.mark.parametrize("pruner", ["median", "percentile", "asha"])
def test_both_libraries_run_the_same_steps(pruner):
    _, ours = pruner_overhead.run("ahpo", pruner, 60, optuna)
    _, theirs = pruner_overhead.run("optuna", pruner, 60, optuna)
    assert ours == theirs
    assert 60 < ours < 60 * pruner_overhead.STEPS  # some trials were pruned


def test_report_grades_each_case_against_the_ratio_target():
    results = {
        "asha-1000": {"ahpo": (Timing((100.0, 120.0)), 10), "optuna": (Timing((200.0,)), 10)},
        "median-1000": {"ahpo": (Timing((300.0,)), 10), "optuna": (Timing((200.0,)), 10)},
    }
    text = pruner_overhead.report(results, "cmd", 2, "0.5")
    assert "| asha-1000 | 110 (100–120) | 200 (200–200) | 0.55 | 10 / 10 |" in text
    assert "- PASS: asha-1000, ahpo <= 1.0x Optuna (measured 0.55x)" in text
    assert "- FAIL: median-1000, ahpo <= 1.0x Optuna (measured 1.50x)" in text
