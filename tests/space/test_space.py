import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ahpo
from ahpo.distributions import BaseDistribution, CategoricalDistribution
from ahpo.space import Categorical, ConditionalChoice, flatten_space, suggest_space
from ahpo.trial import FixedTrial

# ---- random spaces ----------------------------------------------------------------

_keys = st.text(alphabet="abcxyz_", min_size=1, max_size=3)


@st.composite
def _float(draw):
    low = draw(st.floats(-100, 100))
    kind = draw(st.sampled_from(["plain", "log", "step"]))
    if kind == "log":
        low = draw(st.floats(1e-3, 10))
        return ahpo.Float(low, low * draw(st.floats(1, 1e3)), log=True)
    if kind == "step":
        return ahpo.Float(low, low + 0.5 * draw(st.integers(0, 8)), step=0.5)
    return ahpo.Float(low, low + draw(st.floats(0, 100)))


@st.composite
def _int(draw):
    low = draw(st.integers(-20, 20))
    if draw(st.booleans()):
        low = abs(low) + 1
        return ahpo.Int(low, low + draw(st.integers(0, 500)), log=True)
    step = draw(st.integers(1, 3))
    return ahpo.Int(low, low + step * draw(st.integers(0, 6)), step=step)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5), st.text(max_size=3)
)
_categorical = st.lists(_scalars, min_size=1, max_size=4, unique_by=lambda v: (type(v), v)).map(
    CategoricalDistribution
)
_leaves = st.one_of(_float(), _int(), _categorical, _scalars)


def _spaces(children):
    dicts = st.dictionaries(_keys, children, max_size=3)
    named = st.lists(
        st.tuples(st.text(alphabet="klmn", min_size=1, max_size=2), dicts), max_size=3
    ).map(lambda items: [{**d, "name": n} for n, d in items])
    options = st.lists(st.one_of(children, dicts), min_size=1, max_size=3)
    choice = st.one_of(
        st.tuples(named, options).map(lambda t: t[0] + t[1]),
        named.filter(bool),
    ).map(ConditionalChoice)
    return st.one_of(dicts, choice, st.lists(children, max_size=2))


spaces = st.dictionaries(_keys, st.recursive(_leaves, _spaces, max_leaves=8), max_size=4)


def _check(value, spec, name, params):
    """``value`` is what ``spec`` can give; return the parameter names it used."""
    if isinstance(spec, BaseDistribution):
        assert params[name] == value
        assert spec.contains(spec.to_internal_repr(value))
        return {name}
    if isinstance(spec, ConditionalChoice):
        label = params[name]
        option = spec.option(label)
        prefix = f"{name}.{label}"
        return {name} | _check(value, option, prefix, params)
    if isinstance(spec, dict):
        assert isinstance(value, dict) and list(value) == list(spec)
        used = set()
        for key, item in spec.items():
            used |= _check(value[key], item, f"{name}.{key}" if name else key, params)
        return used
    if isinstance(spec, (list, tuple)):
        assert type(value) is type(spec) and len(value) == len(spec)
        used = set()
        for i, item in enumerate(spec):
            used |= _check(value[i], item, f"{name}.{i}", params)
        return used
    assert value is spec
    return set()


def _fixed_values(space, rnd):
    """A value for every parameter of the space, drawn inside its distribution."""
    out = {}
    for name, dist in flatten_space(space, include_conditional=True).items():
        out[name] = dist.to_external_repr(dist.from_unit(rnd.random()))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=spaces, rnd=st.randoms(use_true_random=False))
def test_fixed_trial_values_lie_in_their_distributions(space, rnd):
    params = _fixed_values(space, rnd)
    trial = FixedTrial(params)
    values = suggest_space(trial, space)
    used = _check(values, space, "", trial.params)
    assert set(trial.params) == used  # only the chosen branches' parameters
    assert suggest_space(trial, space) == values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=spaces, seed=st.integers(0, 2**16))
def test_study_trials_sample_valid_values_and_only_chosen_branches(space, seed):
    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=seed))
    for _ in range(3):
        trial = study.ask(space)
        used = _check(trial.space_params, space, "", trial.params)
        assert set(trial.params) == used
        assert trial.suggest_space(space) == trial.space_params
        study.tell(trial, 0.0)
    conditional = set(flatten_space(space, include_conditional=True)) - set(flatten_space(space))
    for t in study.trials:
        assert set(flatten_space(space)) <= set(t.params)
        assert set(t.params) <= set(flatten_space(space, include_conditional=True))
        chosen = [n for n in conditional if n in t.params]
        for n in chosen:  # a branch parameter implies its choice took that branch
            assert any(
                n.startswith(f"{c}.{t.params[c]}.") or n == f"{c}.{t.params[c]}"
                for c in t.params
            )


# ---- conditional choices ------------------------------------------------------------

MODEL = Categorical([
    {"name": "svm", "C": ahpo.Float(1e-3, 1e3, log=True), "kernel": "rbf"},
    {"name": "rf", "depth": ahpo.Int(2, 12), "trees": [ahpo.Int(10, 20), 5]},
])


def test_conditional_choice_names_and_values():
    trial = FixedTrial({"model": "rf", "model.rf.depth": 4, "model.rf.trees.0": 12})
    values = suggest_space(trial, {"model": MODEL, "seed": 0})
    assert values == {"model": {"name": "rf", "depth": 4, "trees": [12, 5]}, "seed": 0}
    assert trial.params == {"model": "rf", "model.rf.depth": 4, "model.rf.trees.0": 12}
    assert isinstance(trial.distributions["model"], CategoricalDistribution)
    assert trial.distributions["model"].choices == ("svm", "rf")


def test_branches_never_share_a_parameter():
    same_key = Categorical(
        [{"name": "a", "x": ahpo.Float(0, 1)}, {"name": "b", "x": ahpo.Int(0, 5)}]
    )
    names = flatten_space({"m": same_key}, include_conditional=True)
    assert list(names) == ["m", "m.a.x", "m.b.x"]
    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
    study.optimize(lambda p: p["m"]["x"], n_trials=20, space={"m": same_key})
    assert {t.params["m"] for t in study.trials} == {"a", "b"}
    for t in study.trials:
        assert set(t.params) == {"m", f"m.{t.params['m']}.x"}


@pytest.mark.parametrize(
    ("choices", "labels"),
    [
        ([{"name": "svm"}, {"name": "rf"}], ("svm", "rf")),
        (["none", {"name": "l2", "alpha": ahpo.Float(0, 1)}], ("none", "l2")),
        ([None, 3, {"name": "x"}], (None, 3, "x")),
        ([{"name": "a"}, {"name": "a"}], (0, 1)),  # names not distinct
        (["a", {"name": "a"}], (0, 1)),
        ([{"alpha": ahpo.Float(0, 1)}, "none"], (0, 1)),  # a dict without a name
        ([ahpo.Float(0, 1), ahpo.Int(0, 3)], (0, 1)),
        ([[1, 2], [3]], (0, 1)),
        ([{"name": ahpo.Categorical(["p", "q"])}], (0,)),
        ([object, "x"], (0, 1)),
    ],
)
def test_labels(choices, labels):
    choice = Categorical(choices)
    assert isinstance(choice, ConditionalChoice)
    assert choice.labels == labels


def test_index_labels_prefix_the_branch_parameters():
    choice = Categorical([ahpo.Float(0, 1), {"k": ahpo.Int(1, 3)}, "auto"])
    space = {"reg": choice}
    assert list(flatten_space(space, include_conditional=True)) == ["reg", "reg.0", "reg.1.k"]
    assert suggest_space(FixedTrial({"reg": 0, "reg.0": 0.5}), space) == {"reg": 0.5}
    assert suggest_space(FixedTrial({"reg": 1, "reg.1.k": 2}), space) == {"reg": {"k": 2}}
    assert suggest_space(FixedTrial({"reg": 2}), space) == {"reg": "auto"}


def test_nested_choices():
    inner = Categorical([{"name": "adam", "beta": ahpo.Float(0.8, 0.99)}, {"name": "sgd"}])
    outer = Categorical([{"name": "nn", "opt": inner}, {"name": "lin"}])
    trial = FixedTrial({"m": "nn", "m.nn.opt": "adam", "m.nn.opt.adam.beta": 0.9})
    assert suggest_space(trial, {"m": outer}) == {
        "m": {"name": "nn", "opt": {"name": "adam", "beta": 0.9}}
    }


def test_categorical_of_scalars_is_a_plain_distribution():
    assert Categorical(["a", 1, None]) == CategoricalDistribution(["a", 1, None])
    assert Categorical((np.int64(1), np.float64(2.5))) == CategoricalDistribution([1, 2.5])
    with pytest.raises(ValueError, match="distinct"):
        Categorical([1, 1])
    with pytest.raises(ValueError, match="finite"):
        Categorical([1.0, float("nan")])
    with pytest.raises(ValueError, match="non-empty"):
        Categorical([])
    with pytest.raises(TypeError, match="'choices'"):
        Categorical("abc")


def test_choice_keeps_its_own_copy_of_the_options():
    options = [{"name": "a", "x": ahpo.Float(0, 1)}, {"name": "b"}]
    choice = Categorical(options)
    options[0]["name"] = "changed"
    options[0]["x"] = 5
    assert choice.labels == ("a", "b")
    assert suggest_space(FixedTrial({"c": "a", "c.a.x": 0.5}), {"c": choice}) == {
        "c": {"name": "a", "x": 0.5}
    }


def test_choice_equality_and_repr():
    a = Categorical([{"name": "p", "x": ahpo.Int(0, 2)}, "q"])
    b = Categorical([{"name": "p", "x": ahpo.Int(0, 2)}, "q"])
    assert a == b and a != Categorical([{"name": "p", "x": ahpo.Int(0, 3)}, "q"])
    assert "ConditionalChoice" in repr(a)
    with pytest.raises(TypeError):
        hash(a)


# ---- plain spaces -------------------------------------------------------------------

def test_nested_dicts_lists_and_constants():
    estimator = object()
    space = {
        "optimizer": {"lr": ahpo.Float(1e-5, 1e-1, log=True), "kind": "adam"},
        "layers": (ahpo.Int(8, 64, step=8), ahpo.Int(8, 64, step=8)),
        "estimator": estimator,
        "tags": ["a", "b"],
        "empty": {},
    }
    trial = FixedTrial({"optimizer.lr": 1e-3, "layers.0": 16, "layers.1": 64})
    values = suggest_space(trial, space)
    assert values == {
        "optimizer": {"lr": 1e-3, "kind": "adam"},
        "layers": (16, 64),
        "estimator": estimator,
        "tags": ["a", "b"],
        "empty": {},
    }
    assert values["estimator"] is estimator
    assert values["tags"] is not space["tags"]


def test_flatten_space_lists_the_unconditional_parameters():
    space = {"x": ahpo.Float(0, 1), "sub": {"n": ahpo.Int(1, 3), "c": 2}, "m": MODEL}
    flat = flatten_space(space)
    assert flat == {"x": ahpo.Float(0, 1), "sub.n": ahpo.Int(1, 3), "m": MODEL.distribution}
    everything = flatten_space(space, include_conditional=True)
    assert list(everything) == [
        "x", "sub.n", "m", "m.svm.C", "m.rf.depth", "m.rf.trees.0"
    ]


def test_optimize_and_ask_with_a_conditional_space():
    space = {"model": MODEL, "lr": ahpo.Float(1e-3, 1.0, log=True)}
    seen = []
    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=3))
    study.optimize(lambda p: seen.append(p) or p["lr"], n_trials=20, space=space)
    assert {p["model"]["name"] for p in seen} == {"svm", "rf"}
    for p, t in zip(seen, study.trials, strict=True):
        assert suggest_space(FixedTrial(t.params), space) == p


@pytest.mark.parametrize(
    ("space", "error", "match"),
    [
        ([ahpo.Float(0, 1)], TypeError, "'space' parameter must be a dict"),
        ({"a": {1: ahpo.Float(0, 1)}}, TypeError, r"\"space\['a'\]\" parameter must be a dict"),
        ({"": ahpo.Float(0, 1)}, ValueError, "non-empty keys"),
        (
            {"a.b": ahpo.Int(0, 1), "a": {"b": ahpo.Float(0, 1)}},
            ValueError,
            r"\"space\['a'\]\['b'\]\" parameter must be named apart from space\['a.b'\]",
        ),
        (
            {"model": Categorical([{"name": "x", "C": ahpo.Float(0, 1)}, "y"]),
             "model.x.C": ahpo.Int(0, 1)},
            ValueError,
            r"space\['model'\]\[0\]\['C'\]",
        ),
        (
            {"m": Categorical([{"name": "x", "z": {3: 1}}])},
            TypeError,
            r"\"space\['m'\]\[0\]\['z'\]\" parameter must be a dict with str keys",
        ),
    ],
)
def test_invalid_spaces_name_the_path(space, error, match):
    with pytest.raises(error, match=match):
        flatten_space(space)
    with pytest.raises(error, match=match):
        suggest_space(FixedTrial({}), space)
