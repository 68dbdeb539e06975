"""Studies: create, open, run and inspect optimizations.

Examples
--------
>>> import ahpo
>>> study = ahpo.study.create_study(direction="maximize")
>>> study.optimize(lambda t: -t.suggest_float("x", -1, 1) ** 2, n_trials=10)
"""

from ahpo._direction import StudyDirection
from ahpo._view import StudyView
from ahpo.study._api import (
    StudySummary,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from ahpo.study._study import Study

__all__ = [
    "Study",
    "StudyDirection",
    "StudySummary",
    "StudyView",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]
