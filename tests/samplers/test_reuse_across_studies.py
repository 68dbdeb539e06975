"""A sampler used again on another study of the same name learns from that study only.

Samplers cache what they read of finished trials by study name and trial number. A
study created again under its name (after ``delete_study``, or in another storage)
has other trials under the same numbers; a stale cache would pair its values with the
earlier study's parameters.
"""

import pytest

import ahpo
from ahpo.samplers._tpe._history import History


def _first_study(sampler, storage):
    """Fourteen trials near 0.93, the optimum: a model fitted on them looks there."""
    study = ahpo.create_study(study_name="same", sampler=sampler, storage=storage)
    for i in range(6):
        study.enqueue_trial({"x": 0.90 + 0.01 * i})
    study.optimize(lambda t: (t.suggest_float("x", 0.0, 1.0) - 0.93) ** 2, n_trials=14)


def _again(how):
    storage = ahpo.storages.InMemoryStorage()

    def second(sampler):
        if how == "deleted and created again":
            ahpo.delete_study(study_name="same", storage=storage)
            target = storage
        else:
            target = ahpo.storages.InMemoryStorage()
        return ahpo.create_study(study_name="same", sampler=sampler, storage=target)

    return storage, second


SAMPLERS = {
    "tpe": lambda: ahpo.samplers.TPESampler(seed=0, n_startup_trials=6),
    "gp": lambda: ahpo.samplers.GPSampler(seed=0, n_startup_trials=6),
}


@pytest.mark.parametrize("how", ["deleted and created again", "another storage"])
@pytest.mark.parametrize("name", list(SAMPLERS))
def test_model_is_fitted_on_the_new_study(name, how):
    sampler = SAMPLERS[name]()
    storage, second = _again(how)
    _first_study(sampler, storage)
    study = second(sampler)
    # Six start-up trials spread over [0, 1], then the model: the optimum is at 0.1.
    for i in range(6):
        study.enqueue_trial({"x": 0.05 + 0.18 * i})
    study.optimize(lambda t: (t.suggest_float("x", 0.0, 1.0) - 0.1) ** 2, n_trials=14)
    proposed = [t.params["x"] for t in study.trials[6:]]
    assert max(proposed) < 0.6, proposed


def test_a_database_study_read_again_keeps_the_record(tmp_path, monkeypatch):
    """The trials read back from SQL on each sample have the same identity: the TPE
    record is built once, not cleared and rebuilt at every trial."""
    clears = []
    clear = History._clear

    def counted(self):
        if hasattr(self, "_seen"):  # not the record's creation
            clears.append(self)
        clear(self)

    monkeypatch.setattr(History, "_clear", counted)
    study = ahpo.create_study(
        storage=f"sqlite:///{tmp_path / 'db.sqlite'}",
        sampler=ahpo.samplers.TPESampler(seed=0, n_startup_trials=3),
    )
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=12)
    assert clears == []
