"""Functions that run in child processes of the multi-process tests (spawned, so
they must be importable by module path)."""

from __future__ import annotations

from ahpo.distributions import FloatDistribution
from ahpo.storages import SQLStorage
from ahpo.trial._state import TrialState


def create_trials(url: str, study_id: int, worker: int, n: int) -> list[int]:
    """Create ``n`` trials, each with a param and a value naming the worker."""
    storage = SQLStorage(url)
    ids = []
    for i in range(n):
        tid = storage.create_new_trial(study_id).trial_id
        storage.set_trial_param(tid, "worker", float(worker), FloatDistribution(0, 100))
        storage.set_trial_state_values(tid, TrialState.COMPLETE, [worker * 1000.0 + i])
        ids.append(tid)
    storage.close()
    return ids


def claim_trials(url: str, study_id: int, attempts: int) -> list[int]:
    """Try ``attempts`` claims; finish each claimed trial; return the claimed ids."""
    storage = SQLStorage(url)
    claimed = []
    for _ in range(attempts):
        tid = storage.claim_waiting_trial(study_id)
        if tid is not None:
            storage.set_trial_state_values(tid, TrialState.COMPLETE, [float(tid)])
            claimed.append(tid)
    storage.close()
    return claimed
