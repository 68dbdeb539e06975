"""The Tree-structured Parzen Estimator."""

from ahpo.samplers._tpe._sampler import TPESampler

__all__ = ["TPESampler"]
