"""Metadata routing: which of ``fit``'s extra arguments go to the splitter, estimator, scorer.

As ``GridSearchCV`` does. With ``sklearn.set_config(enable_metadata_routing=True)``,
each consumer receives what it requested (``set_fit_request``,
``set_score_request``, a group-aware splitter asks for ``groups``) and an
unrequested argument raises. Without routing, ``groups`` goes to the splitter,
everything else to the estimator's ``fit``, and ``sample_weight`` also to the
scorer(s) that accept it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from inspect import signature
from typing import Any

from sklearn.metrics import check_scoring
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)


@dataclass(frozen=True)
class RoutedFit:
    """The metadata of one ``fit``, by consumer."""

    split: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    score: dict[str, Any] = field(default_factory=dict)


def routing_scorer(estimator: Any, scoring: Any) -> Any:
    """The scorer object that requests metadata for ``scoring`` (one for several metrics)."""
    return check_scoring(estimator, scoring=scoring)


def metadata_router(search: Any) -> MetadataRouter:
    """``get_metadata_routing`` of a search: estimator (fit), scorer (fit, score), splitter."""
    router = MetadataRouter(owner=search)
    router.add(
        estimator=search.estimator,
        method_mapping=MethodMapping().add(caller="fit", callee="fit"),
    )
    router.add(
        scorer=routing_scorer(search.estimator, search.scoring),
        method_mapping=MethodMapping()
        .add(caller="score", callee="score")
        .add(caller="fit", callee="score"),
    )
    router.add(splitter=search.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
    return router


def _accepts_sample_weight(scorer: Any, search: Any) -> bool:
    """Whether the scorer (any of several) takes ``sample_weight``; warns for those that do not."""
    multi = isinstance(scorer, _MultimetricScorer)
    scorers = dict(scorer._scorers) if multi else {"score": scorer}
    accepted = []
    for name, one in scorers.items():
        if hasattr(one, "_accept_sample_weight"):
            accept = bool(one._accept_sample_weight())
        else:
            try:
                accept = "sample_weight" in signature(one).parameters
            except (TypeError, ValueError):
                accept = False
        if not accept:
            warnings.warn(
                f"The scoring {name}={one} does not support sample_weight, which may lead "
                f"to statistically incorrect results when fitting {search} with "
                "sample_weight.",
                UserWarning,
                stacklevel=4,
            )
        accepted.append(accept)
    return any(accepted)


def route_fit(search: Any, groups: Any, fit_params: dict[str, Any]) -> RoutedFit:
    """Split the metadata passed to ``search.fit`` among splitter, estimator and scorer."""
    if _routing_enabled():
        params = dict(fit_params)
        if groups is not None:
            params["groups"] = groups
        routed = process_routing(search, "fit", **params)
        return RoutedFit(
            dict(routed.splitter.split), dict(routed.estimator.fit), dict(routed.scorer.score)
        )
    score: dict[str, Any] = {}
    weight = fit_params.get("sample_weight")
    if weight is not None and _accepts_sample_weight(
        routing_scorer(search.estimator, search.scoring), search
    ):
        score["sample_weight"] = weight
    split = {} if groups is None else {"groups": groups}
    return RoutedFit(split, dict(fit_params), score)


def route_score(search: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The metadata ``search.score`` passes to its scorer (only with routing enabled)."""
    if not _routing_enabled():
        if params:
            raise ValueError(
                f"Passing extra keyword arguments to {type(search).__name__}.score is only "
                "supported if enable_metadata_routing=True, which you can set using "
                "`sklearn.set_config`. Got: " + ", ".join(sorted(params))
            )
        return {}
    return dict(process_routing(search, "score", **params).scorer.score)
