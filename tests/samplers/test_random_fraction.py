import pickle
import threading

import numpy as np
import pytest

from ahpo.samplers._random_fraction import RandomFraction


@pytest.mark.parametrize("bad", [1.0, -0.1, True, "1/3", None])
def test_a_fraction_outside_zero_one_names_the_parameter_and_the_sampler(bad):
    with pytest.raises((ValueError, TypeError), match="random_fraction") as info:
        RandomFraction(bad, owner="GPSampler")
    assert "GPSampler" in str(info.value)


def test_zero_never_draws_so_the_sampler_stream_is_untouched():
    rng = np.random.default_rng(0)
    assert not any(RandomFraction(0.0, owner="s")("study", n, rng) for n in range(50))
    assert rng.random() == np.random.default_rng(0).random()


def test_one_draw_per_trial_and_about_the_fraction_of_trials():
    share, rng = RandomFraction(0.3, owner="s"), np.random.default_rng(1)
    decisions = []
    for n in range(400):
        first = share("study", n, rng)
        assert all(share("study", n, rng) == first for _ in range(3))
        decisions.append(first)
    assert 0.24 < np.mean(decisions) < 0.36  # Binomial(400, 0.3): sd 0.023
    state = rng.bit_generator.state
    share("other study", 399, rng)  # a new trial (same number, other study): a new draw
    assert rng.bit_generator.state != state


def test_pickles_without_its_per_thread_memo_and_threads_keep_their_own():
    share = RandomFraction(0.5, owner="s")
    clone = pickle.loads(pickle.dumps(share))
    assert clone.fraction == 0.5
    rng = np.random.default_rng(3)
    share("study", 1, rng)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(share._memo.__dict__.get("last")))
    thread.start()
    thread.join()
    assert seen == [None]
