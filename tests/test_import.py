import subprocess
import sys


def test_import_is_light():
    code = (
        "import sys, ahpo\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'pandas', 'tqdm', 'sklearn', 'matplotlib',"
        " 'torch', 'click') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_of_the_design():
    import ahpo

    for name in [
        "create_study", "load_study", "delete_study", "copy_study", "get_all_study_summaries",
        "Study", "Trial", "FrozenTrial", "TrialState", "TrialPruned", "StudyDirection",
        "create_trial", "Float", "Int", "Categorical",
    ]:
        assert hasattr(ahpo, name), name
    assert ahpo.Float is ahpo.distributions.FloatDistribution
    assert ahpo.storages.InMemoryStorage
    assert ahpo.storages.SQLStorage
    assert ahpo.storages.RetryFailedTrialCallback


def test_library_logs_through_null_handler():
    import logging

    import ahpo  # noqa: F401

    handlers = logging.getLogger("ahpo").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_logging_names_match_optuna(capsys):
    import ahpo

    ahpo.logging.enable_default_handler()
    try:
        ahpo.logging.set_verbosity(ahpo.logging.INFO)
        study = ahpo.create_study()
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        err = capsys.readouterr().err
        assert "Trial 1 finished with value" in err
        assert "Best is trial" in err
    finally:
        ahpo.logging.disable_default_handler()
        ahpo.logging.set_verbosity(ahpo.logging.WARNING)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert "Trial 2" not in capsys.readouterr().err
