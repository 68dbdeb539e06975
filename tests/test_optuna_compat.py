"""Code written for Optuna's core API runs after ``import ahpo as optuna``."""

import ahpo as optuna


def test_a_typical_optuna_script_runs_unchanged():
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.Trial) -> float:
        classifier = trial.suggest_categorical("classifier", ["SVC", "RandomForest"])
        if classifier == "SVC":
            c = trial.suggest_float("svc_c", 1e-10, 1e10, log=True)
            score = abs(c - 1.0)
        else:
            depth = trial.suggest_int("rf_max_depth", 2, 32, log=True)
            score = 1.0 / depth
        for step in range(3):
            trial.report(score + 1.0 / (step + 1), step)
            if trial.should_prune():
                raise optuna.exceptions.TrialPruned()
        trial.set_user_attr("classifier", classifier)
        return score

    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.RandomSampler(seed=10)
    )
    study.enqueue_trial({"classifier": "RandomForest", "rf_max_depth": 32})
    study.add_trial(
        optuna.trial.create_trial(
            params={"classifier": "SVC", "svc_c": 1.0},
            distributions={
                "classifier": optuna.distributions.CategoricalDistribution(["SVC", "RandomForest"]),
                "svc_c": optuna.distributions.FloatDistribution(1e-10, 1e10, log=True),
            },
            value=0.5,
        )
    )
    study.optimize(objective, n_trials=20, timeout=600)

    complete = study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.COMPLETE])
    assert len(complete) == 21
    assert study.trials[0].params == {"classifier": "RandomForest", "rf_max_depth": 32}
    assert study.best_trial.value == min(t.value for t in complete)
    assert isinstance(study.best_params, dict)
    assert study.direction == optuna.study.StudyDirection.MINIMIZE
    summaries = optuna.get_all_study_summaries(study._storage)
    assert summaries[0].n_trials == 21


def test_ask_and_tell_interface_as_in_optuna_docs():
    study = optuna.create_study(direction="maximize")
    for _ in range(5):
        trial = study.ask()
        x = trial.suggest_float("x", -1, 1)
        study.tell(trial, -(x**2))
    trial = study.ask({"x": optuna.distributions.FloatDistribution(-1, 1)})
    study.tell(trial, -(trial.params["x"] ** 2))
    assert len(study.trials) == 6
    assert study.best_value <= 0
