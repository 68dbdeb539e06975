import json
import subprocess
import sys

import pytest

import ahpo.integration

# One fresh interpreter where lightgbm, xgboost and scikit-learn cannot be imported.
_CHILD = """
import json, sys
for name in ("lightgbm", "xgboost", "sklearn"):
    sys.modules[name] = None
import ahpo, ahpo.integration as integration
out = {"imported": [m for m in ("lightgbm", "xgboost", "sklearn") if sys.modules.get(m)]}
calls = {
    "LightGBMPruningCallback": lambda f, t: f(t, "auc"),
    "XGBoostPruningCallback": lambda f, t: f(t, "valid-auc"),
    "fit_with_pruning": lambda f, t: f(t, None, [[0]], [0], [[0]], [0], n_steps=1),
}
for name, call in calls.items():
    try:
        call(getattr(integration, name), ahpo.create_study().ask())
    except ImportError as exc:
        out[name] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def without_libraries():
    run = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def test_import_ahpo_integration_imports_no_library(without_libraries):
    assert without_libraries["imported"] == []


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("LightGBMPruningCallback", "lightgbm"),
        ("XGBoostPruningCallback", "xgboost"),
        ("fit_with_pruning", "sklearn"),
    ],
)
def test_missing_library_names_the_extra(without_libraries, name, extra):
    assert f"pip install 'ahpo[{extra}]'" in without_libraries[name]


def test_unknown_name():
    with pytest.raises(AttributeError, match="nope"):
        ahpo.integration.nope  # noqa: B018


def test_exported():
    assert set(ahpo.integration.__all__) == {
        "LightGBMPruningCallback",
        "XGBoostPruningCallback",
        "fit_with_pruning",
    }
    assert set(dir(ahpo.integration)) == set(ahpo.integration.__all__)
