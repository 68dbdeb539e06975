import pytest

import ahpo
from ahpo import StudyDirection


def test_create_duplicate_and_load_if_exists():
    storage = ahpo.storages.InMemoryStorage()
    study = ahpo.create_study(storage=storage, study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    with pytest.raises(ahpo.DuplicatedStudyError, match="'s'"):
        ahpo.create_study(storage=storage, study_name="s")
    again = ahpo.create_study(storage=storage, study_name="s", load_if_exists=True)
    assert len(again.trials) == 2


def test_load_if_exists_checks_direction():
    storage = ahpo.storages.InMemoryStorage()
    ahpo.create_study(storage=storage, study_name="s", direction="maximize")
    with pytest.raises(ValueError, match="direction"):
        ahpo.create_study(
            storage=storage, study_name="s", load_if_exists=True, direction="minimize"
        )
    loaded = ahpo.create_study(storage=storage, study_name="s", load_if_exists=True)
    assert loaded.direction == StudyDirection.MAXIMIZE
    study = ahpo.create_study(
        storage=storage, study_name="s", load_if_exists=True, direction="maximize"
    )
    assert study.direction == StudyDirection.MAXIMIZE


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"direction": "up"}, "direction"),
        ({"directions": []}, "directions"),
        ({"directions": ["minimize", "sideways"]}, "directions"),
        ({"study_name": ""}, "study_name"),
        ({"storage": 3}, "storage"),
        ({"sampler": "tpe"}, "sampler"),
        ({"pruner": object()}, "pruner"),
    ],
)
def test_create_study_validates(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=f"'{param}'"):
        ahpo.create_study(**kwargs)


def test_load_delete_and_summaries():
    storage = ahpo.storages.InMemoryStorage()
    a = ahpo.create_study(storage=storage, study_name="a")
    a.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    ahpo.create_study(storage=storage, study_name="b", directions=["minimize", "maximize"])
    summaries = {s.study_name: s for s in ahpo.get_all_study_summaries(storage)}
    assert summaries["a"].n_trials == 3
    assert summaries["a"].best_trial.value == a.best_value
    assert summaries["b"].best_trial is None
    assert summaries["b"].directions == (StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE)
    with pytest.raises(ValueError, match="'study_name'"):
        ahpo.load_study(study_name=None, storage=storage)
    ahpo.delete_study(study_name="b", storage=storage)
    assert ahpo.load_study(study_name=None, storage=storage).study_name == "a"
    with pytest.raises(KeyError, match="'b'"):
        ahpo.load_study(study_name="b", storage=storage)
    assert ahpo.get_all_study_names(storage) == ["a"]


def test_copy_study_keeps_trials_and_attrs():
    src = ahpo.storages.InMemoryStorage()
    dst = ahpo.storages.InMemoryStorage()
    study = ahpo.create_study(storage=src, study_name="orig", direction="maximize")
    study.set_user_attr("owner", "me")
    study.enqueue_trial({"x": 0.5})
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    study.enqueue_trial({"x": 0.1})
    ahpo.copy_study(from_study_name="orig", from_storage=src, to_storage=dst)
    copy = ahpo.load_study(study_name="orig", storage=dst)
    assert copy.direction == StudyDirection.MAXIMIZE
    assert copy.user_attrs == {"owner": "me"}
    assert [(t.number, t.state, t.params, t.values) for t in copy.trials] == [
        (t.number, t.state, t.params, t.values) for t in study.trials
    ]
    assert copy.best_params == study.best_params


def test_study_attrs_are_json_checked():
    study = ahpo.create_study()
    study.set_user_attr("k", [1, "a"])
    with pytest.raises(TypeError, match="'value'"):
        study.set_user_attr("bad", {1, 2})
    assert study.user_attrs == {"k": [1, "a"]}


def test_trials_dataframe():
    pd = pytest.importorskip("pandas")
    study = ahpo.create_study()

    def objective(trial):
        trial.set_user_attr("tag", "t")
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=3)
    df = study.trials_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 3
    for column in ["number", "value", "params_x", "user_attrs_tag", "state", "duration"]:
        assert column in df.columns
    assert list(df["state"]) == ["COMPLETE"] * 3
    multi = study.trials_dataframe(attrs=("number", "params"), multi_index=True)
    assert ("params", "x") in multi.columns
    mo = ahpo.create_study(directions=["minimize", "minimize"])
    mo.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=2)
    assert {"values_0", "values_1"} <= set(mo.trials_dataframe().columns)
    with pytest.raises(ValueError, match="'attrs'"):
        study.trials_dataframe(attrs=("nope",))
