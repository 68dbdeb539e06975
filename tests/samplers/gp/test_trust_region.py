import numpy as np

import ahpo
from ahpo.samplers import GPSampler
from ahpo.samplers._gp._acquisition import Acquisition
from ahpo.samplers._gp._encoding import Encoding
from ahpo.samplers._gp._gp import GaussianProcess, KernelParams
from ahpo.samplers._gp._optimize import maximize
from ahpo.samplers._gp._trust_region import box, side_length


def test_box_grows_after_successes_and_shrinks_after_failures():
    assert side_length(np.arange(4.0), 30) == 1.6
    assert side_length(np.r_[1.0, np.zeros(30)], 30) == 0.4
    assert side_length(np.r_[1.0, np.zeros(30 * 7)], 30) == 0.8  # restarted


def test_box_is_centred_clipped_and_follows_the_lengthscales():
    center = np.array([0.5, 0.05, 1.0])
    lower, upper = box(center, 0.4, np.array([1.0, 1.0, 1.0]), np.array([True, True, False]))
    np.testing.assert_allclose(lower, [0.3, 0.0, 0.0])
    np.testing.assert_allclose(upper, [0.7, 0.25, 1.0])
    lower, upper = box(center, 0.4, np.array([4.0, 0.25, 1.0]), np.array([True, True, True]))
    assert upper[0] - lower[0] < 0.4 < upper[1] - lower[1]


def test_the_acquisition_optimizer_stays_inside_the_box():
    rng = np.random.default_rng(0)
    enc = Encoding({"a": ahpo.Float(0, 1), "b": ahpo.Float(0, 1), "k": ahpo.Int(0, 3)})
    x = enc.from_unit(rng.random((12, 3)))
    gp = GaussianProcess(x, rng.normal(size=12), KernelParams(np.ones(3), 1.0, 1e-4),
                         enc.categorical)
    acq = Acquisition(gp, "logei", best=2.0)
    lower, upper = np.array([0.2, 0.6, 0.0]), np.array([0.3, 0.9, 1.0])
    row, _ = maximize(acq, enc, x[:2], rng, (lower, upper))
    assert lower[0] <= row[0] <= upper[0] and lower[1] <= row[1] <= upper[1]


def test_high_dimensional_spaces_sample_valid_points():
    dim = 22

    def sphere(trial):
        return sum((trial.suggest_float(f"x{i:02d}", -1, 1) - 0.3) ** 2 for i in range(dim))

    study = ahpo.create_study(sampler=GPSampler(seed=0, n_startup_trials=5))
    study.optimize(sphere, n_trials=8)
    assert all(len(t.params) == dim and all(-1 <= v <= 1 for v in t.params.values())
               for t in study.trials)
