"""Multi-fidelity benchmark: pruners and BOHB-style sampling against Optuna.

Run with ``python -m benchmarks.multifidelity``; see ``run``.
"""
