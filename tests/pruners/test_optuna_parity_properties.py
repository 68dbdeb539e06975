"""Random learning curves: ahpo's pruners stop the trials Optuna's stop, at the same steps.

The property-based companion of ``test_optuna_parity.py``. Hypothesis draws a pruner's
settings, a direction and a table of learning curves (a few to 25 trials; sparse,
irregular steps; ties, NaN and infinite values), and both libraries run the trials one
after another: ``ask``, each report followed by ``should_prune``, then ``tell`` (PRUNED
at the first "prune", else COMPLETE with the drawn final value, FAIL if that is NaN).
The trials must end in the same states at the same last steps. Where ahpo differs from
Optuna on purpose, the region is left out, and the comment there says why.

Examples are derandomized (and no example database is kept), so every run draws the
same ones.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import ahpo

optuna = pytest.importorskip("optuna")

#: ``(step, value)`` reports in the order made, and the value returned if not pruned.
Curve = tuple[list[tuple[int, float]], float]


def _settings(max_examples: int) -> settings:
    """Fast and deterministic: the same examples on every run, no example database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


directions = st.sampled_from(["minimize", "maximize"])
special = st.sampled_from([math.nan, math.inf, -math.inf])
# Small integers make ties and repeated values likely; other reals come less often, and
# the values Optuna accepts beyond them (NaN, infinities) least often.
values = st.integers(0, 9).flatmap(
    lambda kind: (
        special
        if kind == 0
        else st.floats(-1e3, 1e3, allow_nan=False)
        if kind <= 3
        else st.integers(-3, 3).map(float)
    )
)


@st.composite
def curves(
    draw: st.DrawFn,
    max_step: int = 30,
    max_reports: int = 8,
    ascending: bool = True,
    value: st.SearchStrategy[float] = values,
) -> list[Curve]:
    """1 to 25 trials, each reporting at every step from 0 (up to ``2 * max_reports``
    of them) or at up to ``max_reports`` scattered steps: all trials one way, or each
    its own way."""
    mode = draw(st.sampled_from(["dense", "sparse", "mixed"]))
    out = []
    for _ in range(draw(st.integers(1, 25))):
        if mode == "dense" or (mode == "mixed" and draw(st.booleans())):
            steps = list(range(min(draw(st.integers(0, 2 * max_reports)), max_step + 1)))
        else:
            steps = sorted(draw(st.sets(st.integers(0, max_step), max_size=max_reports)))
        if not ascending:
            steps = draw(st.permutations(steps))
        out.append(([(s, draw(value)) for s in steps], draw(values)))
    return out


def _run(lib: Any, pruner: Any, direction: str, trials: Sequence[Curve]) -> list[tuple]:
    study = lib.create_study(
        direction=direction, pruner=pruner, sampler=lib.samplers.RandomSampler(seed=0)
    )
    for reports, final in trials:
        trial = study.ask()
        for step, value in reports:
            trial.report(value, step)
            if trial.should_prune():
                study.tell(trial, state=lib.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, final)
    return [(t.state.name, t.last_step) for t in study.trials]


def _both(make: Callable[[Any], Any], direction: str, trials: Sequence[Curve]) -> tuple:
    """``(ours, theirs)``: each trial's end, ``(state, last_step)``, under each library."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ExperimentalWarning, NaN and ignored-value warnings
        theirs = _run(optuna, make(optuna), direction, trials)
        ours = _run(ahpo, make(ahpo), direction, trials)
    pruned = sum(state == "PRUNED" for state, _ in theirs)
    event(f"pruned: {'none' if not pruned else 'all' if pruned == len(theirs) else 'some'}")
    event(f"trials: {'1-5' if len(trials) <= 5 else '6-15' if len(trials) <= 15 else '16-25'}")
    return ours, theirs


def _build(spec: tuple) -> Callable[[Any], Any]:
    """``(class name, kwargs)``, with a nested spec as ``wrapped_pruner``: ``lib -> pruner``."""
    name, kwargs = spec

    def make(lib: Any) -> Any:
        args = dict(kwargs)
        if "wrapped_pruner" in args and args["wrapped_pruner"] is not None:
            args["wrapped_pruner"] = _build(args["wrapped_pruner"])(lib)
        return getattr(lib.pruners, name)(**args)

    return make


# ---- pruners that read the reported values only ----------------------------------------

percentile_options = st.fixed_dictionaries(
    {
        "n_startup_trials": st.integers(0, 4),
        "n_warmup_steps": st.integers(0, 6),
        "interval_steps": st.integers(1, 4),
        "n_min_trials": st.integers(1, 4),
    }
)
percentile_specs = st.one_of(
    st.builds(
        lambda p, kw: ("PercentilePruner", {"percentile": p, **kw}),
        st.sampled_from([0.0, 100.0, 50.0]) | st.floats(0.0, 100.0),
        percentile_options,
    ),
    st.builds(
        lambda kw: ("MedianPruner", kw),
        percentile_options,
    ),
)


@st.composite
def threshold_specs(draw: st.DrawFn) -> tuple:
    bound = st.none() | st.sampled_from([0.0, math.inf, -math.inf]) | st.integers(-3, 3).map(float)
    lower, upper = draw(bound), draw(bound)
    if lower is None and upper is None:
        upper = 0.0
    if lower is not None and upper is not None and lower > upper:
        lower, upper = upper, lower
    return (
        "ThresholdPruner",
        {
            "lower": lower,
            "upper": upper,
            "n_warmup_steps": draw(st.integers(0, 6)),
            "interval_steps": draw(st.integers(1, 4)),
        },
    )


# PatientPruner wraps a pruner that keeps no state of its own. (Optuna's
# SuccessiveHalvingPruner records a rung value only when asked, and PatientPruner asks
# only once a trial stalled; ahpo derives rung values from the reports.)
patient_specs = st.builds(
    lambda wrapped, patience, delta: (
        "PatientPruner",
        {"wrapped_pruner": wrapped, "patience": patience, "min_delta": delta},
    ),
    st.integers(0, 3).flatmap(
        lambda kind: (
            percentile_specs if kind == 0 else threshold_specs() if kind == 1 else st.none()
        )
    ),
    st.integers(0, 3),
    st.sampled_from([0.0, math.inf]) | st.floats(0.0, 10.0),
)

ordered_or_not = st.booleans().flatmap(lambda ascending: curves(ascending=ascending))


@_settings(70)
@given(percentile_specs | st.just(("NopPruner", {})), directions, ordered_or_not)
def test_percentile_and_median_stop_the_trials_optuna_stops(spec, direction, trials):
    """Percentile (0 and 100 included), Median and Nop; reports in step order or not."""
    ours, theirs = _both(_build(spec), direction, trials)
    assert ours == theirs


@_settings(60)
@given(threshold_specs(), directions, ordered_or_not)
def test_threshold_stops_the_trials_optuna_stops(spec, direction, trials):
    ours, theirs = _both(_build(spec), direction, trials)
    assert ours == theirs


@_settings(70)
@given(patient_specs, directions, ordered_or_not)
def test_patient_stops_the_trials_optuna_stops(spec, direction, trials):
    ours, theirs = _both(_build(spec), direction, trials)
    assert ours == theirs


# ---- successive halving and Hyperband ----------------------------------------------------


def _comparable(
    trials: Sequence[Curve], theirs: Sequence[tuple], first_rung: Callable[[int], int], eta: int
) -> int:
    """How many leading trials ahpo must end as Optuna did: all but those after the
    first trial that leaves the rungs different by design.

    Optuna records a rung value when it decides the rung; ahpo derives the rung values
    from the reports (it writes nothing), and the two agree when every report is checked,
    except for a trial that:

    - failed (documented: FAIL trials do not compete in ahpo);
    - was pruned by a report that crossed two or more rungs: Optuna records it at the
      rungs up to the one that pruned it, ahpo, which cannot tell from the reports which
      one that was, at every rung the report crossed.
    """
    for i, ((reports, _), (state, last)) in enumerate(zip(trials, theirs, strict=True)):
        rung = first_rung(i)
        if state == "FAIL" and last is not None and last >= rung:
            event("compared: up to a failed trial")
            return i + 1
        if state != "PRUNED":
            continue
        reported = dict(reports)
        previous = max((s for s in reported if s < last), default=-1)
        crossed = 0
        while rung <= last:
            crossed += rung > previous
            rung *= eta
        if crossed >= 2:
            event("compared: up to a report that crossed rungs")
            return i + 1
    return len(trials)


@_settings(100)
@given(
    st.integers(1, 5),
    st.integers(2, 4),
    st.integers(0, 2),
    st.integers(0, 2),
    directions,
    curves(),
)
def test_successive_halving_stops_the_trials_optuna_stops(
    min_resource, eta, rate, bootstrap_count, direction, trials
):
    """Int ``min_resource`` ("auto" differs by design); reports in step order.

    Steps are resources, so a curve goes forward: ahpo's rung value is the value at the
    smallest reported step at or past the rung, Optuna's the value of the report that
    crossed it, and only out of order (step 2, then step 1) do the two differ.
    """
    make = _build(
        (
            "SuccessiveHalvingPruner",
            {
                "min_resource": min_resource,
                "reduction_factor": eta,
                "min_early_stopping_rate": rate,
                "bootstrap_count": bootstrap_count,
            },
        )
    )
    ours, theirs = _both(make, direction, trials)
    n = _comparable(trials, theirs, lambda _: min_resource * eta**rate, eta)
    assert ours[:n] == theirs[:n]


class _OptunaHyperband(optuna.pruners.HyperbandPruner):
    """Optuna's Hyperband with ahpo's brackets: its number of brackets (Optuna's
    ``floor(log(R / r, eta))`` in floating point can be one short, e.g. for R / r = 243,
    eta = 3) and its assignment of trials to them (by number, not a hash of the study
    name: a documented difference)."""

    def __init__(self, ours: ahpo.pruners.HyperbandPruner, *args: Any) -> None:
        super().__init__(*args)
        self._ours = ours
        self._n_brackets = ours.n_brackets()

    def _get_bracket_id(self, study: Any, trial: Any) -> int:
        return self._ours.bracket_of(trial.number)


@st.composite
def hyperband_cases(draw: st.DrawFn) -> tuple:
    min_resource = draw(st.integers(1, 3))
    eta = draw(st.integers(2, 4))
    max_resource = draw(st.integers(min_resource, min_resource * eta**3))
    order = draw(st.sampled_from(["sequential", "interleaved"]))
    # Steps below max_resource only: ahpo never prunes a trial at max_resource (a
    # documented difference); Optuna's own examples report steps 0 .. R - 1.
    trials = draw(curves(max_step=max_resource - 1))
    return (min_resource, max_resource, eta, draw(st.integers(0, 2)), order), trials


@_settings(60)
@given(hyperband_cases(), directions)
def test_hyperband_stops_the_trials_optuna_stops_in_each_bracket(case, direction):
    (min_resource, max_resource, eta, bootstrap_count, order), trials = case
    ours = ahpo.pruners.HyperbandPruner(
        min_resource, max_resource, eta, bootstrap_count, bracket_order=order
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _OptunaHyperband(ours, min_resource, max_resource, eta, bootstrap_count)

    def make(lib: Any) -> Any:
        return ours if lib is ahpo else theirs

    ends, their_ends = _both(make, direction, trials)
    n = _comparable(trials, their_ends, lambda i: min_resource * eta ** ours.bracket_of(i), eta)
    assert ends[:n] == their_ends[:n]


# ---- Wilcoxon ------------------------------------------------------------------------


@st.composite
def instance_scores(draw: st.DrawFn) -> list[Curve]:
    """Per-instance scores of 1 to 25 trials on up to 16 of 20 instances, in any order.

    A trial's score on an instance is its drawn level plus a drawn integer plus a
    pseudo-random fraction fixed per trial and instance, so that no two differences
    between trials have the same size: with ties or zeros among more than 13
    differences scipy (and so Optuna) approximates the p-value where ahpo counts it
    exactly (a documented difference), and scipy's exact count with ties takes up to a
    second a call. A few trials report NaN or infinite scores: neither library prunes
    them, nor pairs with a best trial that has any. The value told is the mean of the
    scores, or now and then a drawn one.
    """
    out = []
    for i in range(draw(st.integers(1, 25))):
        level = draw(st.integers(-3, 3))
        score = st.integers(-1, 1).map(float)
        if draw(st.integers(0, 4)) == 0:  # one trial in five may report a NaN or infinity
            score = st.integers(0, 4).flatmap(lambda kind, s=score: special if kind == 0 else s)
        steps = draw(st.permutations(range(20)))[: draw(st.integers(0, 16))]
        reports = [(s, level + draw(score) + random.Random(i * 1000 + s).random()) for s in steps]
        mean = sum(v for _, v in reports) / len(reports) if reports else 0.0
        out.append((reports, draw(values) if draw(st.integers(0, 3)) == 0 else mean))
    return out


@_settings(40)
@given(
    st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.5, 1.0]) | st.floats(0.0, 1.0),
    # n_startup_steps >= 2: Optuna never prunes with fewer than two paired instances,
    # whatever n_startup_steps says (its documented floor); ahpo takes n_startup_steps
    # as given, so with 0 or 1 a single worse instance prunes when p_threshold > 0.5.
    st.integers(2, 6),
    directions,
    instance_scores(),
)
def test_wilcoxon_stops_the_trials_optuna_stops(p_threshold, n_startup_steps, direction, trials):
    make = _build(
        ("WilcoxonPruner", {"p_threshold": p_threshold, "n_startup_steps": n_startup_steps})
    )
    ours, theirs = _both(make, direction, trials)
    assert ours == theirs
