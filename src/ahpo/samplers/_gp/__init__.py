"""Gaussian-process Bayesian optimization."""

from ahpo.samplers._gp._sampler import GPSampler

__all__ = ["GPSampler"]
