"""The population as the storage holds it: members, their segments and lineage.

Each trial is one *segment* of one *member*: it trains ``interval`` steps starting
from the checkpoint its *parent* trial saved. Trial system attribute ``"pbt"`` holds
``{"member": m, "generation": g, "parent": number or None}``; nothing else is kept,
so every worker rebuilds the same population from the trials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

#: The trial system attribute that places a trial in the population.
PBT_KEY = "pbt"


@dataclass(frozen=True)
class Member:
    """One member of the population.

    Attributes
    ----------
    index
        The member's number, ``0 <= index < population_size``.
    latest
        Its most recent COMPLETE segment, ``None`` before its first one ends.
    busy
        Whether a segment of it is RUNNING.
    failed
        Whether the segment it ran after ``latest`` ended FAIL or PRUNED.
    """

    index: int
    latest: FrozenTrial | None
    busy: bool
    failed: bool = False


def members(trials: Sequence[FrozenTrial], population_size: int) -> list[Member]:
    """The ``population_size`` members, as the trials of the study describe them."""
    latest: dict[int, FrozenTrial] = {}
    last_end: dict[int, FrozenTrial] = {}  # the last segment that finished, by number
    busy: set[int] = set()
    for t in trials:
        info = t.system_attrs.get(PBT_KEY)
        if not isinstance(info, dict):
            continue
        m = int(info["member"])
        if t.state == TrialState.RUNNING:
            busy.add(m)
            continue
        if t.state == TrialState.WAITING:
            continue
        if m not in last_end or t.number > last_end[m].number:
            last_end[m] = t
        if t.state == TrialState.COMPLETE:
            old = latest.get(m)
            if old is None or generation(t) >= generation(old):
                latest[m] = t
    return [
        Member(
            m,
            latest.get(m),
            m in busy,
            m in latest and last_end[m].state != TrialState.COMPLETE,
        )
        for m in range(population_size)
    ]


def stale_checkpoints(trials: Sequence[FrozenTrial], population_size: int) -> list[int]:
    """Numbers of the COMPLETE segments whose checkpoints no segment will load again.

    A segment continues from a checkpoint of the generation of its member's latest
    COMPLETE segment (its own, or a better member's when it exploits); a member
    without one starts from scratch and then ranks against the others' first
    generation. So every checkpoint of a generation below the smallest of the
    members' latest generations (``0`` while a member has none) is stale, unless a
    RUNNING segment continues from it (one of two segments of a member, with more
    workers than members, that has not loaded it yet).

    Examples
    --------
    >>> from ahpo.pbt._population import stale_checkpoints
    >>> stale_checkpoints([], 4)
    []
    """
    population = members(trials, population_size)
    floor = min(0 if m.latest is None else generation(m.latest) for m in population)
    loading = {_parent(t) for t in trials if t.state == TrialState.RUNNING}
    return [
        t.number
        for t in trials
        if t.state == TrialState.COMPLETE
        and isinstance(t.system_attrs.get(PBT_KEY), dict)
        and generation(t) < floor
        and t.number not in loading
    ]


def generation(trial: FrozenTrial) -> int:
    """The generation of a segment (0 for the first segment of a member)."""
    return int(trial.system_attrs[PBT_KEY]["generation"])


def _parent(trial: FrozenTrial) -> int | None:
    info = trial.system_attrs.get(PBT_KEY)
    parent = None if not isinstance(info, dict) else info.get("parent")
    return None if parent is None else int(parent)


def lineage(trials: Sequence[FrozenTrial], number: int) -> list[int]:
    """Trial numbers from the first segment down to trial ``number``, following parents.

    A segment that exploited another member has that member's segment as its parent,
    so the chain shows whose checkpoints a result was trained from.

    Examples
    --------
    >>> from ahpo.pbt._population import lineage
    >>> lineage([], 3)
    [3]
    """
    by_number = {t.number: t for t in trials}
    chain = [number]
    while True:
        trial = by_number.get(chain[-1])
        parent = None if trial is None else _parent(trial)
        if parent is None:
            return chain[::-1]
        chain.append(parent)
