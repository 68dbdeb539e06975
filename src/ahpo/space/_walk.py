"""Walking a declarative space: validation, flat parameter names, define-by-run sampling."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ahpo._validation import invalid, type_error
from ahpo.distributions import BaseDistribution
from ahpo.space._categorical import ConditionalChoice

if TYPE_CHECKING:
    from ahpo.trial import BaseTrial


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    path: str
    distribution: BaseDistribution
    conditional: bool


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _params(value: Any, name: str, path: str, conditional: bool) -> Iterator[_Param]:
    """Every parameter of ``value`` (all options of every choice), checking dict keys."""
    if isinstance(value, BaseDistribution):
        yield _Param(name, path, value, conditional)
    elif isinstance(value, ConditionalChoice):
        yield _Param(name, path, value.distribution, conditional)
        for i, (label, option) in enumerate(zip(value.labels, value.choices, strict=True)):
            yield from _params(option, _join(name, label), f"{path}[{i}]", True)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise type_error(path, "a dict with str keys", key)
            if not key:
                raise invalid(path, "a dict with non-empty keys", key)
            yield from _params(item, _join(name, key), f"{path}[{key!r}]", conditional)
    elif type(value) in (list, tuple):
        for i, item in enumerate(value):
            yield from _params(item, _join(name, i), f"{path}[{i}]", conditional)


def _checked_params(space: Mapping[str, Any]) -> list[_Param]:
    if not isinstance(space, Mapping):
        raise type_error("space", "a dict of distributions, constants and sub-spaces", space)
    params = list(_params(space, "", "space", False))
    seen: dict[str, str] = {}
    for p in params:
        other = seen.setdefault(p.name, p.path)
        if other != p.path:
            raise invalid(p.path, f"named apart from {other} (both flatten to {p.name!r})", p.name)
    return params


def flatten_space(
    space: Mapping[str, Any], *, include_conditional: bool = False
) -> dict[str, BaseDistribution]:
    """The parameters of a space by flat name, with their distributions.

    Nested dict keys are joined with ``"."`` (``"optimizer.lr"``); a conditional choice
    is a categorical parameter over its labels (see :class:`ConditionalChoice`). The
    parameters inside the options of a choice are conditional: they are left out
    unless ``include_conditional`` is true. Constants are not parameters. The space is
    validated; errors name the path of the faulty entry (``space['model'][1]['C']``).

    Parameters
    ----------
    space
        A declarative space: a dict of distributions, constants, nested dicts, lists
        and :func:`ahpo.space.Categorical` choices.
    include_conditional
        Also list the parameters that exist only when an option is chosen.

    Returns
    -------
    dict
        ``name -> BaseDistribution``, in the order of the space.

    Examples
    --------
    >>> import ahpo
    >>> space = {
    ...     "optimizer": {"lr": ahpo.Float(1e-5, 1e-1, log=True), "kind": "adam"},
    ...     "model": ahpo.space.Categorical([{"name": "rf", "depth": ahpo.Int(2, 12)}, "lin"]),
    ... }
    >>> list(ahpo.space.flatten_space(space))
    ['optimizer.lr', 'model']
    >>> list(ahpo.space.flatten_space(space, include_conditional=True))
    ['optimizer.lr', 'model', 'model.rf.depth']
    """
    return {
        p.name: p.distribution
        for p in _checked_params(space)
        if include_conditional or not p.conditional
    }


def _sample(trial: BaseTrial, value: Any, name: str) -> Any:
    if isinstance(value, BaseDistribution):
        return trial._suggest(name, value)
    if isinstance(value, ConditionalChoice):
        label = trial._suggest(name, value.distribution)
        return _sample(trial, value.option(label), _join(name, label))
    if isinstance(value, Mapping):
        return {key: _sample(trial, item, _join(name, key)) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_sample(trial, item, _join(name, i)) for i, item in enumerate(value))
    return value


def suggest_space(trial: BaseTrial, space: Mapping[str, Any]) -> dict[str, Any]:
    """Suggest every parameter of a declarative space on a trial; return the values.

    The space is a dict whose values are distributions (suggested with the trial's
    define-by-run machinery, so ``step`` and ``log`` are honoured), constants (returned
    unchanged), nested dicts and lists (walked; the result has the same shape) and
    :func:`ahpo.space.Categorical` choices. Parameter names are flat: a top-level key
    is its own name, nested keys and list positions are joined with ``"."``
    (``"optimizer.lr"``, ``"layers.0"``). A conditional choice is suggested as a
    categorical over its labels; only the chosen option is walked, under the prefix
    ``"<name>.<label>."``, and its value (a dict with its ``"name"``, a list, a
    constant…) takes the choice's place in the result.

    Asking a trial twice for the same space gives the same dict.

    Parameters
    ----------
    trial
        Any :class:`ahpo.trial.BaseTrial`: a :class:`~ahpo.Trial` of a study or a
        :class:`~ahpo.trial.FixedTrial`.
    space
        The declarative space; it is validated first, and errors name the path of
        the faulty entry.

    Returns
    -------
    dict
        The values, shaped like ``space``.

    Examples
    --------
    >>> import ahpo
    >>> space = {
    ...     "optimizer": {"lr": ahpo.Float(1e-5, 1e-1, log=True), "kind": "adam"},
    ...     "model": ahpo.space.Categorical([
    ...         {"name": "svm", "C": ahpo.Float(1e-3, 1e3, log=True)},
    ...         {"name": "rf", "depth": ahpo.Int(2, 12)},
    ...     ]),
    ... }
    >>> trial = ahpo.trial.FixedTrial(
    ...     {"optimizer.lr": 0.01, "model": "svm", "model.svm.C": 10.0})
    >>> ahpo.space.suggest_space(trial, space)
    {'optimizer': {'lr': 0.01, 'kind': 'adam'}, 'model': {'name': 'svm', 'C': 10.0}}
    >>> sorted(trial.params)
    ['model', 'model.svm.C', 'optimizer.lr']
    """
    _checked_params(space)
    return {key: _sample(trial, value, key) for key, value in space.items()}
