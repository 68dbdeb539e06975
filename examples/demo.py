"""Tune a scikit-learn pipeline on the handwritten-digits data set with ahpo.

The pipeline scales the 8x8 digit images, projects them with PCA and classifies them
with a support-vector machine; ahpo searches four hyperparameters (two on a log scale,
an integer and a categorical) to maximize the 5-fold cross-validated accuracy.

The study lives in the SQLite file ``ahpo.db`` in the working directory, so running
this script again continues the same study with more trials::

    make demo                       # or: python examples/demo.py
    AHPO_DEMO_TRIALS=100 make demo  # trials per run (default 30)

Needs scikit-learn (``pip install 'ahpo[sklearn]'``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import ahpo

STORAGE = "sqlite:///ahpo.db"
STUDY_NAME = "demo"
CV_FOLDS = 5


def n_trials_per_run() -> int:
    """Trials to run now: ``AHPO_DEMO_TRIALS`` from the environment, default 30."""
    text = os.environ.get("AHPO_DEMO_TRIALS", "30")
    if not text.isdigit() or int(text) < 1:
        sys.exit(f"AHPO_DEMO_TRIALS must be a positive whole number. Got {text!r} instead.")
    return int(text)


def make_objective():
    """The objective: the cross-validated accuracy of one configuration (maximize)."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.decomposition import PCA
        from sklearn.model_selection import cross_val_score
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC
    except ImportError:
        sys.exit("The demo needs scikit-learn: pip install 'ahpo[sklearn]'")

    X, y = load_digits(return_X_y=True)

    def objective(trial: ahpo.Trial) -> float:
        model = make_pipeline(
            StandardScaler(),
            PCA(n_components=trial.suggest_int("pca_components", 5, 40)),
            SVC(
                C=trial.suggest_float("C", 1e-2, 1e3, log=True),
                gamma=trial.suggest_float("gamma", 1e-4, 1.0, log=True),
                kernel=trial.suggest_categorical("kernel", ["rbf", "sigmoid"]),
            ),
        )
        return cross_val_score(model, X, y, cv=CV_FOLDS).mean()

    return objective


def cli_command() -> str:
    """How to call the ``ahpo`` command from here: its name, or its path in this venv."""
    script = Path(sys.executable).with_name("ahpo")
    if shutil.which("ahpo") or not script.exists():
        return "ahpo"
    relative = os.path.relpath(script)
    return str(script) if relative.startswith("..") else relative


def main() -> None:
    n_trials = n_trials_per_run()
    objective = make_objective()
    study = ahpo.create_study(
        direction="maximize", storage=STORAGE, study_name=STUDY_NAME, load_if_exists=True
    )
    before = len(study.trials)
    where = Path("ahpo.db").resolve()
    print(f"Study {STUDY_NAME!r} in {where}: {before} trial(s) so far, {n_trials} more now.")

    study.optimize(objective, n_trials=n_trials, show_progress_bar=True)

    cli = cli_command()
    print()
    print(f"Best accuracy ({CV_FOLDS}-fold CV): {study.best_value:.4f}"
          f" (trial {study.best_trial.number})")
    print(f"Best params: {study.best_params}")
    print(f"Trials in the study: {len(study.trials)} ({n_trials} in this run)")
    print()
    print("Look again (from this directory):")
    print(f"  {cli} best --study {STUDY_NAME}")
    print(f"  {cli} trials --study {STUDY_NAME} --format csv")
    print(f"  in Python: study = ahpo.load_study(study_name={STUDY_NAME!r}, storage={STORAGE!r})")
    print("Run it again to continue the same study with more trials.")


if __name__ == "__main__":
    main()
