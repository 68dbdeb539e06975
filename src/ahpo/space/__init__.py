"""Declarative search spaces: dicts of distributions, constants and conditional choices.

A space is a dict whose values are distributions (:class:`ahpo.Float`,
:class:`ahpo.Int`, :class:`ahpo.Categorical`), constants passed through unchanged,
nested dicts and lists (sub-spaces, returned with the same shape), and
:func:`Categorical` choices among dicts (conditional spaces: the parameters of an
option exist only when it is chosen). :func:`suggest_space` samples one on a trial;
``study.optimize(fn, space=space)`` and ``study.ask(space)`` do it for you.

Parameters get flat names: ``"lr"`` at the top level, ``"optimizer.lr"`` for nested
keys, ``"model.svm.C"`` for the parameter ``C`` of the option labelled ``"svm"`` of
the choice ``"model"``.

Examples
--------
>>> import ahpo
>>> space = {
...     "lr": ahpo.Float(1e-5, 1e-1, log=True),
...     "epochs": 10,
...     "model": ahpo.space.Categorical([
...         {"name": "svm", "C": ahpo.Float(1e-3, 1e3, log=True)},
...         {"name": "rf", "depth": ahpo.Int(2, 12)},
...     ]),
... }
>>> study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=0))
>>> trial = study.ask(space)
>>> sorted(trial.space_params)
['epochs', 'lr', 'model']
>>> trial.space_params["model"]["name"] in ("svm", "rf")
True
"""

from ahpo.space._categorical import ConditionalChoice
from ahpo.space._categorical import categorical as Categorical
from ahpo.space._walk import flatten_space, suggest_space

__all__ = ["Categorical", "ConditionalChoice", "flatten_space", "suggest_space"]
