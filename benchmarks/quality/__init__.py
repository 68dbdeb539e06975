"""Sampler quality benchmark: ahpo against Optuna and Hyperopt on shared problems.

Run it with ``python -m benchmarks.quality --help``. From tests::

    from benchmarks.quality import problems, run
    branin = problems.get("branin")          # a Problem: objective, space, optimum
    result = run.run("ahpo-tpe", branin, budget=50, seed=0)
    result.curve[-1] - branin.optimum        # gap of the incumbent after 50 trials

Modules: ``problems`` (the problem registry), ``optimizers`` (name → runner),
``run`` (seeded runs, process pool), ``scores`` (normalized scores, ranks,
head-to-head), ``report`` (markdown and plot).
"""

from benchmarks.quality import optimizers, problems, run, scores

__all__ = ["optimizers", "problems", "run", "scores"]
