"""Tests of the pruners: hand-built histories, hand-computed schedules, Optuna parity."""
