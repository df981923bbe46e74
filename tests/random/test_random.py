"""lamina.random samplers: statistics of the draws, bounds, dropout scaling, shuffles, errors.

Sample sizes are chosen so that each statistical check is more than 5 standard errors wide.
"""

import numpy as np
import pytest

from lamina import backend, random

N = 20000


def draw(x):
    return np.asarray(x).astype("float64")


def test_normal_statistics():
    x = draw(random.normal((N,), mean=2.0, stddev=3.0, seed=1))
    assert abs(x.mean() - 2.0) < 5 * 3.0 / np.sqrt(N)
    assert abs(x.std() - 3.0) < 0.1
    # about 68.3% of the mass lies within one standard deviation
    assert abs(np.mean(np.abs(x - 2.0) < 3.0) - 0.6827) < 0.02


def test_uniform_statistics_and_bounds():
    x = draw(random.uniform((N,), minval=-1.0, maxval=3.0, seed=2))
    assert x.min() >= -1.0 and x.max() < 3.0
    assert abs(x.mean() - 1.0) < 5 * (4 / np.sqrt(12)) / np.sqrt(N)
    assert abs(x.var() - 16 / 12) < 0.05
    counts, _ = np.histogram(x, bins=4, range=(-1, 3))
    assert np.all(np.abs(counts / N - 0.25) < 0.02)


def test_truncated_normal_stays_within_two_stddevs():
    x = draw(random.truncated_normal((N,), mean=1.0, stddev=0.5, seed=3))
    assert x.min() >= 0.0 and x.max() <= 2.0
    assert abs(x.mean() - 1.0) < 0.02
    # the standard normal truncated to [-2, 2] has standard deviation 0.8796
    assert abs(x.std() - 0.5 * 0.8796) < 0.01


def test_float_samplers_honour_dtype():
    samplers = (random.normal, random.uniform, random.truncated_normal)
    dtypes = ("float16", "bfloat16", "float32")
    # One compiled program for all nine draws; compiling each separately dominates the time.
    draws = backend.transforms.jit(
        lambda: [f((3, 2), dtype=d, seed=1) for f in samplers for d in dtypes])()
    for x, dtype in zip(draws, dtypes * len(samplers)):
        assert tuple(x.shape) == (3, 2) and backend.standardize_dtype(x.dtype) == dtype


def test_default_dtype_is_floatx():
    assert backend.standardize_dtype(random.normal((2,), seed=1).dtype) == "float32"


def test_randint_bounds_and_coverage():
    x = np.asarray(random.randint((N,), -2, 3, seed=4))
    assert backend.standardize_dtype(x.dtype) == "int32"
    assert x.min() == -2 and x.max() == 2
    counts = np.bincount(x + 2)
    assert np.all(np.abs(counts / N - 0.2) < 0.02)
    assert backend.standardize_dtype(random.randint((2,), 0, 5, dtype="uint8", seed=1).dtype) \
        == "uint8"


@pytest.mark.parametrize("rate", [0.0, 0.25, 0.8])
def test_dropout_rate_and_scaling(rate):
    x = np.full((N,), 2.0, "float32")
    y = draw(random.dropout(x, rate, seed=5))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 2.0 / (1 - rate), rtol=1e-6)
    assert abs(kept.mean() - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / N) + 1e-9
    # inverted dropout keeps the expected value
    assert abs(y.mean() - 2.0) < 0.1


def test_dropout_noise_shape_shares_the_mask():
    x = np.ones((200, 3), "float32")
    y = draw(random.dropout(x, 0.5, noise_shape=(None, 1), seed=6))
    assert np.all(y == y[:, :1])  # one decision per row
    assert set(np.unique(y)) == {0.0, 2.0}
    y = draw(random.dropout(x, 0.5, noise_shape=(1, 3), seed=6))
    assert np.all(y == y[:1])  # one decision per column


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5])
def test_dropout_rejects_rates_outside_0_1(rate):
    with pytest.raises(ValueError, match=r"`rate` must be in \[0, 1\)"):
        random.dropout(np.ones(3), rate, seed=1)


def test_shuffle_is_a_permutation():
    x = np.arange(50)
    y = np.asarray(random.shuffle(x, seed=7))
    assert sorted(y.tolist()) == x.tolist() and not np.array_equal(y, x)
    # whole columns move together when shuffling axis 1
    m = np.arange(12).reshape(4, 3)
    cols = np.asarray(random.shuffle(m, axis=1, seed=8))
    assert sorted(map(tuple, cols.T.tolist())) == sorted(map(tuple, m.T.tolist()))


def test_categorical_follows_the_logits():
    probs = np.array([[0.7, 0.2, 0.1], [0.0, 0.0, 1.0]])
    with np.errstate(divide="ignore"):
        logits = np.log(probs).astype("float32")
    x = np.asarray(random.categorical(logits, 5000, seed=9))
    assert x.shape == (2, 5000) and backend.standardize_dtype(x.dtype) == "int32"
    np.testing.assert_allclose(np.bincount(x[0], minlength=3) / 5000, probs[0], atol=0.03)
    assert np.all(x[1] == 2)


@pytest.mark.parametrize("name,args,kwargs,forwarded", [
    ("gamma", ([4],), {"alpha": 3.0, "dtype": "float16"}, ((4,), 3.0)),
    ("beta", ((2, 3),), {"alpha": 2.0, "beta": 6.0}, ((2, 3), 2.0, 6.0)),
    ("binomial", ((5,),), {"counts": 10, "probabilities": 0.3}, ((5,), 10, 0.3)),
])
def test_gamma_beta_binomial_forward_their_arguments(monkeypatch, name, args, kwargs, forwarded):
    # JAX's samplers for these take seconds to compile; lamina only forwards arguments to them,
    # so the wiring is what is checked here (a swapped alpha/beta would show).
    calls = []
    monkeypatch.setattr(backend.random, name, lambda *a, **k: calls.append((a, k)) or "drawn")
    assert getattr(random, name)(*args, **kwargs, seed=3) == "drawn"
    (positional, keywords), = calls
    assert positional == forwarded
    assert keywords["dtype"] == kwargs.get("dtype")
    np.testing.assert_array_equal(keywords["seed"], backend.random.key_from_int(3))


def test_same_int_seed_same_draw_different_seed_different_draw():
    a, b = random.normal((4,), seed=42), random.normal((4,), seed=42)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(np.asarray(a), np.asarray(random.normal((4,), seed=43)))


def test_unseeded_draws_differ_but_follow_set_random_seed():
    a, b = random.uniform((4,)), random.uniform((4,))
    assert not np.array_equal(np.asarray(a), np.asarray(b))
    random.set_random_seed(7)
    first = [np.asarray(random.uniform((4,))) for _ in range(2)]
    random.set_random_seed(7)
    second = [np.asarray(random.uniform((4,))) for _ in range(2)]
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("seed", [1.5, "7", True, [1, 2], np.array([1.0, 2.0])])
def test_bad_seeds_are_rejected(seed):
    with pytest.raises(ValueError, match="`seed` must be an int, a `lamina.random.SeedGenerator`"):
        random.normal((2,), seed=seed)


@pytest.mark.parametrize("shape", [(None, 2), (2, -1), 3.5, (2.0,)])
def test_shapes_must_be_known_non_negative_ints(shape):
    with pytest.raises(ValueError, match="`shape` must be a tuple of non-negative ints"):
        random.uniform(shape, seed=1)


def test_draws_trace_under_jit_with_a_key():
    key = backend.random.key_from_int(3)
    f = backend.transforms.jit(lambda k: random.normal((3,), seed=k))
    np.testing.assert_array_equal(f(key), f(key))
    assert tuple(f(key).shape) == (3,)


def test_unseeded_draws_inside_jit_are_refused():
    # The host-drawn key would become a constant of the compiled program.
    with pytest.raises(ValueError, match="need an explicit seed.*SeedGenerator"):
        backend.transforms.jit(lambda: random.normal((2,)))()
    with pytest.raises(ValueError, match="need an explicit seed"):
        backend.transforms.jit(lambda x: random.dropout(x, 0.5))(np.ones(3, "float32"))


@pytest.mark.skipif(backend.backend() != "jax", reason="the JAX backend's own mask sampler")
@pytest.mark.parametrize("shape", [(1,), (3,), (128, 512), (7, 5, 3)])
def test_dropout_masks_are_jax_bernoulli_bit_for_bit_without_a_loop(shape):
    import jax

    from lamina.backend.jax import random as jax_random
    for seed in (0, 12345, 2 ** 31 + 7):
        key = jax.random.fold_in(jax.random.PRNGKey(seed), 3)
        for keep in (0.8, 0.5, 0.1, 0.999):
            expected = np.asarray(jax.random.bernoulli(key, keep, shape))
            np.testing.assert_array_equal(np.asarray(jax_random.bernoulli_keep(shape, keep, key)),
                                          expected)
    # The hash is written out, so XLA fuses it: no rolled loop, which JAX's own CPU lowering has.
    lowered = jax.jit(lambda k: jax_random.bernoulli_keep(shape, 0.8, k)).lower(key).as_text()
    assert "while" not in lowered and "threefry" not in lowered
    if jax.default_backend() == "cpu":
        reference = jax.jit(lambda k: jax.random.bernoulli(k, 0.8, shape)).lower(key).as_text()
        assert "while" in reference
