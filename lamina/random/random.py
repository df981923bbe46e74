"""Random sampling. `seed` is an int, a SeedGenerator, or None (lamina's default stream)."""

import numpy as np

from lamina import backend
from lamina.random.seed_generator import draw_seed


def _shape(shape):
    """`shape` as a tuple of ints; random draws need every size known."""
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0
                           for d in dims):
        raise ValueError("lamina.random: `shape` must be a tuple of non-negative ints, fully "
                         f"known. Received: shape={shape!r}. For a symbolic batch size, draw "
                         "inside a layer's `call`, where shapes are concrete.")
    return tuple(int(d) for d in dims)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2)."""
    return backend.random.normal(_shape(shape), mean, stddev, dtype=dtype, seed=draw_seed(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from U[minval, maxval)."""
    return backend.random.uniform(_shape(shape), minval, maxval, dtype=dtype, seed=draw_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples re-drawn beyond two standard deviations."""
    return backend.random.truncated_normal(_shape(shape), mean, stddev, dtype=dtype,
                                           seed=draw_seed(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniform in [minval, maxval)."""
    return backend.random.randint(_shape(shape), minval, maxval, dtype=dtype, seed=draw_seed(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices sampled from unnormalized log-probabilities `logits` (batch, classes)."""
    return backend.random.categorical(logits, num_samples, dtype=dtype, seed=draw_seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each element with probability `rate`; scale kept elements by 1 / (1 - rate)."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: `rate` must be in [0, 1). Received: rate={rate!r}")
    x = backend.convert_to_tensor(inputs)
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = backend.random.bernoulli_keep(shape, 1.0 - rate, draw_seed(seed))
    return backend.numpy.where(keep, x / (1.0 - rate), backend.numpy.zeros_like(x))


def shuffle(x, axis=0, seed=None):
    """`x` with its elements along `axis` randomly permuted."""
    return backend.random.shuffle(backend.convert_to_tensor(x), axis=axis, seed=draw_seed(seed))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from Gamma(alpha, 1)."""
    return backend.random.gamma(_shape(shape), alpha, dtype=dtype, seed=draw_seed(seed))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from Binomial(counts, probabilities)."""
    return backend.random.binomial(_shape(shape), counts, probabilities, dtype=dtype,
                                   seed=draw_seed(seed))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from Beta(alpha, beta)."""
    return backend.random.beta(_shape(shape), alpha, beta, dtype=dtype, seed=draw_seed(seed))
