"""ahpo: automated hyperparameter optimization.

The core API keeps Optuna's names, so ``import ahpo as optuna`` runs Optuna code.

Examples
--------
>>> import ahpo
>>> def objective(trial):
...     x = trial.suggest_float("x", -10, 10)
...     return (x - 2) ** 2
>>> study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
>>> study.optimize(objective, n_trials=50)
>>> round(study.best_params["x"])
2
"""

from ahpo import (
    distributions,
    exceptions,
    integration,
    logging,
    multiobjective,
    pbt,
    pruners,
    samplers,
    space,
    storages,
    study,
    trial,
)
from ahpo._direction import StudyDirection
from ahpo._exceptions import (
    AhpoError,
    DuplicatedStudyError,
    StorageError,
    StorageVersionError,
    TrialPruned,
    UpdateFinishedTrialError,
)
from ahpo.distributions import (
    CategoricalDistribution,
    Float,
    FloatDistribution,
    Int,
    IntDistribution,
)
from ahpo.space import Categorical
from ahpo.study import (
    Study,
    StudySummary,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from ahpo.trial import FixedTrial, FrozenTrial, Trial, TrialState, create_trial

__version__ = "0.1.0"

__all__ = [
    "AhpoError",
    "Categorical",
    "CategoricalDistribution",
    "DuplicatedStudyError",
    "FixedTrial",
    "Float",
    "FloatDistribution",
    "FrozenTrial",
    "Int",
    "IntDistribution",
    "StorageError",
    "StorageVersionError",
    "Study",
    "StudyDirection",
    "StudySummary",
    "Trial",
    "TrialPruned",
    "TrialState",
    "UpdateFinishedTrialError",
    "__version__",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "integration",
    "load_study",
    "logging",
    "multiobjective",
    "pbt",
    "pruners",
    "samplers",
    "space",
    "storages",
    "study",
    "trial",
]
