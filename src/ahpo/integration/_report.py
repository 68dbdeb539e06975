"""Reporting one value to a trial and raising TrialPruned when its pruner says so."""

from __future__ import annotations

from typing import Any

from ahpo._exceptions import TrialPruned


def report_and_check(trial: Any, value: float, step: int, what: str) -> None:
    """``trial.report(value, step)``; raise :class:`TrialPruned` if it should stop."""
    trial.report(float(value), step)
    if trial.should_prune():
        raise TrialPruned(f"Trial was pruned at {what} {step}.")


def check_direction(trial: Any, higher_is_better: bool, metric: str, owner: str) -> None:
    """Raise if the study's direction disagrees with the metric's (a common mistake)."""
    direction = trial.study.direction
    maximize = getattr(direction, "name", str(direction)).upper().endswith("MAXIMIZE")
    if maximize != higher_is_better:
        better = "higher" if higher_is_better else "lower"
        raise ValueError(
            f"The {metric!r} metric of {owner} is better when {better}, but the study's "
            f"direction is {getattr(direction, 'name', direction)}; create the study with "
            f"direction={'maximize' if higher_is_better else 'minimize'!r}."
        )


def check_single_objective(trial: Any, owner: str) -> None:
    """Raise if ``trial`` belongs to a multi-objective study, which takes no reports.

    A trial without a study (e.g. a ``FixedTrial`` replaying the best parameters) passes.
    """
    directions = getattr(getattr(trial, "study", None), "directions", None)
    if directions is not None and len(directions) > 1:
        raise NotImplementedError(
            f"The 'trial' parameter of {owner} must be a trial of a single-objective study: "
            "pruning reports intermediate values, which multi-objective studies do not take. "
            f"Got a trial of a study with {len(directions)} objectives instead."
        )
