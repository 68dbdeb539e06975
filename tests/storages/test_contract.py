"""The storage contract, run against every backend (see ``conftest.storage``)."""

from __future__ import annotations

import datetime
import math
import threading

import pytest

from ahpo._direction import StudyDirection
from ahpo._exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from ahpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from ahpo.storages import BaseStorage
from ahpo.storages._base import DEFAULT_STUDY_NAME_PREFIX
from ahpo.trial._frozen import make_frozen
from ahpo.trial._state import TrialState

MIN = StudyDirection.MINIMIZE
MAX = StudyDirection.MAXIMIZE
X = FloatDistribution(-10.0, 10.0)
N = IntDistribution(1, 64, log=True)
KIND = CategoricalDistribution(["rbf", None, 3, 2.5, True])


def _study(storage: BaseStorage, *directions: StudyDirection) -> int:
    return storage.create_new_study(list(directions) or [MIN])


# ---- studies ----------------------------------------------------------------------
def test_create_and_find_study(storage: BaseStorage) -> None:
    sid = storage.create_new_study([MIN, MAX], "contract-study")
    assert storage.get_study_id_from_name("contract-study") == sid
    assert storage.get_study_name_from_id(sid) == "contract-study"
    assert storage.get_study_directions(sid) == [MIN, MAX]


def test_generated_study_names_are_unique(storage: BaseStorage) -> None:
    names = {storage.get_study_name_from_id(_study(storage)) for _ in range(3)}
    assert len(names) == 3
    assert all(name.startswith(DEFAULT_STUDY_NAME_PREFIX) for name in names)


def test_duplicate_study_name_is_refused(storage: BaseStorage) -> None:
    sid = storage.create_new_study([MIN], "twice")
    with pytest.raises(DuplicatedStudyError, match="twice"):
        storage.create_new_study([MAX], "twice")
    assert storage.get_study_directions(sid) == [MIN]
    assert [s.study_name for s in storage.get_all_studies()].count("twice") == 1


def test_delete_study_removes_it_and_its_trials(storage: BaseStorage) -> None:
    sid = storage.create_new_study([MIN], "doomed")
    keep = _study(storage)
    trial = storage.create_new_trial(sid)
    kept = storage.create_new_trial(keep)
    storage.delete_study(sid)
    with pytest.raises(KeyError):
        storage.get_study_id_from_name("doomed")
    with pytest.raises(KeyError):
        storage.get_all_trials(sid)
    with pytest.raises(KeyError):
        storage.get_trial(trial.trial_id)
    with pytest.raises(KeyError):
        storage.delete_study(sid)
    assert storage.get_trial(kept.trial_id) == kept
    storage.create_new_study([MIN], "doomed")  # the name is free again


def test_get_all_studies(storage: BaseStorage) -> None:
    a = storage.create_new_study([MIN], "list-a")
    b = storage.create_new_study([MAX, MIN], "list-b")
    storage.set_study_user_attr(b, "owner", "me")
    storage.set_study_system_attr(b, "sampler", {"seed": 1})
    first = storage.create_new_trial(b)
    storage.create_new_trial(b)
    by_id = {s.study_id: s for s in storage.get_all_studies()}
    assert by_id[a].study_name == "list-a"
    assert by_id[a].n_trials == 0
    assert by_id[a].datetime_start is None
    assert by_id[b].directions == (MAX, MIN)
    assert by_id[b].user_attrs == {"owner": "me"}
    assert by_id[b].system_attrs == {"sampler": {"seed": 1}}
    assert by_id[b].n_trials == 2
    assert by_id[b].datetime_start == first.datetime_start
    assert list(by_id) == sorted(by_id)


def test_study_attrs_round_trip_and_overwrite(storage: BaseStorage) -> None:
    sid = _study(storage)
    assert storage.get_study_user_attrs(sid) == {}
    assert storage.get_study_system_attrs(sid) == {}
    storage.set_study_user_attr(sid, "a", [1, 2.5, "x", None, True, {"b": [False]}])
    storage.set_study_user_attr(sid, "a", {"replaced": 1})
    storage.set_study_user_attr(sid, "c", 3)
    storage.set_study_system_attr(sid, "a", "system")
    assert storage.get_study_user_attrs(sid) == {"a": {"replaced": 1}, "c": 3}
    assert storage.get_study_system_attrs(sid) == {"a": "system"}


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get_study_name_from_id(10**6),
        lambda s: s.get_study_directions(10**6),
        lambda s: s.get_study_user_attrs(10**6),
        lambda s: s.get_study_system_attrs(10**6),
        lambda s: s.set_study_user_attr(10**6, "k", 1),
        lambda s: s.set_study_system_attr(10**6, "k", 1),
        lambda s: s.delete_study(10**6),
        lambda s: s.create_new_trial(10**6),
        lambda s: s.claim_waiting_trial(10**6),
        lambda s: s.get_all_trials(10**6),
        lambda s: s.get_n_trials(10**6),
        lambda s: s.get_study_id_from_name("no such study"),
        lambda s: s.get_trial(10**6),
        lambda s: s.set_trial_state_values(10**6, TrialState.COMPLETE, [1.0]),
        lambda s: s.set_trial_param(10**6, "x", 0.0, X),
        lambda s: s.set_trial_intermediate_value(10**6, 0, 1.0),
        lambda s: s.set_trial_user_attr(10**6, "k", 1),
        lambda s: s.set_trial_system_attr(10**6, "k", 1),
    ],
)
def test_unknown_ids_raise_key_error(storage: BaseStorage, call) -> None:
    with pytest.raises(KeyError):
        call(storage)


# ---- trials -----------------------------------------------------------------------
def test_trial_numbers_are_contiguous_per_study(storage: BaseStorage) -> None:
    a, b = _study(storage), _study(storage)
    made = [storage.create_new_trial(sid) for sid in (a, b, a, a, b)]
    assert [t.number for t in made] == [0, 0, 1, 2, 1]
    assert len({t.trial_id for t in made}) == 5
    assert [t.number for t in storage.get_all_trials(a)] == [0, 1, 2]
    for trial in made:
        sid = a if trial in storage.get_all_trials(a) else b
        assert storage.get_trial_id_from_study_id_trial_number(sid, trial.number) == trial.trial_id
    with pytest.raises(KeyError):
        storage.get_trial_id_from_study_id_trial_number(b, 2)


def test_new_trial_is_running_and_empty(storage: BaseStorage) -> None:
    sid = _study(storage)
    trial = storage.create_new_trial(sid)
    assert trial.state == TrialState.RUNNING
    assert trial.values is None
    assert trial.params == {} and trial.distributions == {}
    assert trial.intermediate_values == {}
    assert trial.user_attrs == {} and trial.system_attrs == {}
    assert isinstance(trial.datetime_start, datetime.datetime)
    assert trial.datetime_start.tzinfo is None
    assert trial.datetime_complete is None
    assert storage.get_trial(trial.trial_id) == trial


def test_params_round_trip(storage: BaseStorage) -> None:
    sid = _study(storage)
    tid = storage.create_new_trial(sid).trial_id
    storage.set_trial_param(tid, "x", -2.5, X)
    storage.set_trial_param(tid, "n", 16.0, N)
    storage.set_trial_param(tid, "kind", 1.0, KIND)
    storage.set_trial_param(tid, "flag", 4.0, KIND)
    trial = storage.get_trial(tid)
    assert trial.params == {"x": -2.5, "n": 16, "kind": None, "flag": True}
    assert type(trial.params["n"]) is int and trial.params["flag"] is True
    assert trial.distributions == {"x": X, "n": N, "kind": KIND, "flag": KIND}
    assert list(trial.params) == ["x", "n", "kind", "flag"]


def test_param_with_another_distribution_is_refused(storage: BaseStorage) -> None:
    tid = storage.create_new_trial(_study(storage)).trial_id
    storage.set_trial_param(tid, "x", 1.0, X)
    storage.set_trial_param(tid, "x", 1.0, FloatDistribution(-10, 10))  # equal: fine
    with pytest.raises(ValueError, match="'x'"):
        storage.set_trial_param(tid, "x", 1.0, FloatDistribution(0.0, 5.0))
    assert storage.get_trial(tid).distributions == {"x": X}


@pytest.mark.parametrize(
    "values",
    [[0.25], [1.0, -3.5], [math.inf, -math.inf], [-math.inf], [1e308, -1e-308, 0.0]],
)
def test_values_round_trip(storage: BaseStorage, values: list[float]) -> None:
    sid = storage.create_new_study([MIN] * len(values))
    tid = storage.create_new_trial(sid).trial_id
    storage.set_trial_state_values(tid, TrialState.COMPLETE, values)
    trial = storage.get_trial(tid)
    assert trial.values == tuple(values)
    assert trial.state == TrialState.COMPLETE
    assert trial.datetime_complete is not None
    assert trial.datetime_complete >= trial.datetime_start


def test_intermediate_values_round_trip(storage: BaseStorage) -> None:
    tid = storage.create_new_trial(_study(storage)).trial_id
    reports = {0: 1.5, 1: math.inf, 2: -math.inf, 3: math.nan, 10**10: -0.5}
    for step, value in reports.items():
        storage.set_trial_intermediate_value(tid, step, value)
    storage.set_trial_intermediate_value(tid, 0, 0.75)  # a later report at a step wins
    got = storage.get_trial(tid).intermediate_values
    assert set(got) == set(reports)
    assert got[0] == 0.75 and got[1] == math.inf and got[2] == -math.inf
    assert math.isnan(got[3]) and got[10**10] == -0.5


def test_trial_attrs_round_trip(storage: BaseStorage) -> None:
    tid = storage.create_new_trial(_study(storage)).trial_id
    value = {"nested": [1, 2.5, None, "s", {"t": True}], "unicode": "λ→∞"}
    storage.set_trial_user_attr(tid, "u", value)
    storage.set_trial_user_attr(tid, "n", 1)
    storage.set_trial_user_attr(tid, "n", 2)
    storage.set_trial_system_attr(tid, "s", [0.1, 0.2])
    trial = storage.get_trial(tid)
    assert trial.user_attrs == {"u": value, "n": 2}
    assert trial.system_attrs == {"s": [0.1, 0.2]}


@pytest.mark.parametrize("state", [TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL])
def test_finished_trials_refuse_updates_and_keep_data(
    storage: BaseStorage, state: TrialState
) -> None:
    sid = _study(storage)
    tid = storage.create_new_trial(sid).trial_id
    storage.set_trial_param(tid, "x", 1.0, X)
    storage.set_trial_intermediate_value(tid, 0, 2.0)
    storage.set_trial_user_attr(tid, "u", 1)
    storage.set_trial_system_attr(tid, "s", 2)
    storage.set_trial_state_values(tid, state, [3.0] if state == TrialState.COMPLETE else None)
    before = storage.get_trial(tid)
    refused = [
        lambda: storage.set_trial_param(tid, "y", 0.0, X),
        lambda: storage.set_trial_param(tid, "x", 2.0, X),
        lambda: storage.set_trial_state_values(tid, TrialState.COMPLETE, [9.0]),
        lambda: storage.set_trial_state_values(tid, TrialState.RUNNING),
        lambda: storage.set_trial_intermediate_value(tid, 0, 5.0),
        lambda: storage.set_trial_user_attr(tid, "u", 5),
        lambda: storage.set_trial_system_attr(tid, "s", 5),
    ]
    for call in refused:
        with pytest.raises(UpdateFinishedTrialError):
            call()
    after = storage.get_trial(tid)
    assert after == before
    assert after.params == {"x": 1.0} and after.user_attrs == {"u": 1}
    assert storage.get_all_trials(sid) == [before]


def test_state_transitions(storage: BaseStorage) -> None:
    sid = _study(storage)
    waiting = storage.create_new_trial(sid, make_frozen(number=-1, state=TrialState.WAITING))
    assert waiting.datetime_start is None
    storage.set_trial_state_values(waiting.trial_id, TrialState.RUNNING)
    running = storage.get_trial(waiting.trial_id)
    assert running.state == TrialState.RUNNING and running.datetime_start is not None
    storage.set_trial_state_values(waiting.trial_id, TrialState.PRUNED)
    pruned = storage.get_trial(waiting.trial_id)
    assert pruned.state == TrialState.PRUNED and pruned.values is None
    assert pruned.datetime_complete is not None
    failed = storage.create_new_trial(sid).trial_id
    storage.set_trial_state_values(failed, TrialState.FAIL)
    assert storage.get_trial(failed).values is None


def test_waiting_trials_are_claimed_in_order_and_once(storage: BaseStorage) -> None:
    sid = _study(storage)
    storage.create_new_trial(sid)  # a RUNNING trial is never claimed
    waiting = [
        storage.create_new_trial(
            sid,
            make_frozen(
                number=-1, state=TrialState.WAITING, params={"x": 1.0 * i}, distributions={"x": X}
            ),
        )
        for i in range(3)
    ]
    storage.set_trial_state_values(waiting[1].trial_id, TrialState.RUNNING)  # taken by hand
    claimed = [storage.claim_waiting_trial(sid) for _ in range(3)]
    assert claimed == [waiting[0].trial_id, waiting[2].trial_id, None]
    trial = storage.get_trial(waiting[2].trial_id)
    assert trial.state == TrialState.RUNNING
    assert trial.datetime_start is not None
    assert trial.params == {"x": 2.0}


def test_claim_from_threads_takes_each_trial_once(storage: BaseStorage) -> None:
    sid = _study(storage)
    ids = {
        storage.create_new_trial(sid, make_frozen(number=-1, state=TrialState.WAITING)).trial_id
        for _ in range(20)
    }
    got: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        while (tid := storage.claim_waiting_trial(sid)) is not None:
            with lock:
                got.append(tid)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(ids)


def test_trials_from_threads_get_contiguous_numbers(storage: BaseStorage) -> None:
    sid = _study(storage)

    def work() -> None:
        for _ in range(10):
            tid = storage.create_new_trial(sid).trial_id
            storage.set_trial_state_values(tid, TrialState.COMPLETE, [float(tid)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    trials = storage.get_all_trials(sid)
    assert [t.number for t in trials] == list(range(40))
    assert all(t.values == (float(t.trial_id),) for t in trials)


def test_complete_template_is_copied(storage: BaseStorage) -> None:
    sid = storage.create_new_study([MIN, MAX])
    start = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)
    template = make_frozen(
        number=99,
        state=TrialState.COMPLETE,
        values=[1.5, -math.inf],
        params={"x": 2.0, "n": 8, "kind": "rbf"},
        distributions={"x": X, "n": N, "kind": KIND},
        intermediate_values={0: 3.0, 5: math.inf},
        user_attrs={"who": "expert", "list": [1, 2]},
        system_attrs={"constraints": [-1.0]},
        datetime_start=start,
        datetime_complete=start + datetime.timedelta(seconds=90),
    )
    storage.create_new_trial(sid)
    added = storage.create_new_trial(sid, template)
    assert added.number == 1
    assert added.state == TrialState.COMPLETE
    stored = storage.get_trial(added.trial_id)
    assert stored == added
    assert stored.values == (1.5, -math.inf)
    assert stored.params == {"x": 2.0, "n": 8, "kind": "rbf"}
    assert stored.distributions == template.distributions
    assert stored.intermediate_values == {0: 3.0, 5: math.inf}
    assert stored.user_attrs == {"who": "expert", "list": [1, 2]}
    assert stored.constraints == (-1.0,)
    assert stored.datetime_start == start
    assert stored.duration == datetime.timedelta(seconds=90)


def test_finished_template_without_times_gets_them(storage: BaseStorage) -> None:
    sid = _study(storage)
    template = make_frozen(number=-1, state=TrialState.FAIL)
    added = storage.create_new_trial(sid, template)
    assert added.datetime_start is not None and added.datetime_complete is not None
    assert storage.get_trial(added.trial_id) == added


def test_get_all_trials_states_filter_and_counts(storage: BaseStorage) -> None:
    sid = _study(storage)
    other = _study(storage)
    storage.create_new_trial(other)
    states = [
        TrialState.COMPLETE,
        TrialState.RUNNING,
        TrialState.PRUNED,
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.WAITING,
    ]
    for state in states:
        if state == TrialState.WAITING:
            storage.create_new_trial(sid, make_frozen(number=-1, state=state))
            continue
        tid = storage.create_new_trial(sid).trial_id
        if state != TrialState.RUNNING:
            storage.set_trial_state_values(
                tid, state, [1.0] if state == TrialState.COMPLETE else None
            )
    done = storage.get_all_trials(sid, states=(TrialState.COMPLETE,))
    assert [t.number for t in done] == [0, 3]
    finished = storage.get_all_trials(sid, states={TrialState.PRUNED, TrialState.FAIL})
    assert [t.number for t in finished] == [2, 4]
    assert [t.state for t in storage.get_all_trials(sid)] == states
    assert storage.get_all_trials(sid, states=()) == []
    assert storage.get_n_trials(sid) == 6
    assert storage.get_n_trials(sid, states=[TrialState.COMPLETE, TrialState.WAITING]) == 3
    assert storage.get_n_trials(other) == 1
    assert storage.get_all_trials(_study(storage)) == []


def test_reads_see_every_update(storage: BaseStorage) -> None:
    sid = _study(storage)
    first = storage.create_new_trial(sid).trial_id
    assert [t.state for t in storage.get_all_trials(sid)] == [TrialState.RUNNING]
    storage.set_trial_param(first, "x", 1.0, X)
    storage.set_trial_intermediate_value(first, 1, 0.5)
    assert storage.get_all_trials(sid)[0].params == {"x": 1.0}
    storage.set_trial_state_values(first, TrialState.COMPLETE, [0.5])
    second = storage.create_new_trial(sid).trial_id
    trials = storage.get_all_trials(sid)
    assert [(t.trial_id, t.state) for t in trials] == [
        (first, TrialState.COMPLETE),
        (second, TrialState.RUNNING),
    ]
    assert trials[0].values == (0.5,) and trials[0].intermediate_values == {1: 0.5}
