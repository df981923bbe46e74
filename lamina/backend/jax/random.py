"""Random sampling on JAX. `seed` here is always a raw key: a uint32 tensor of shape (2,)."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.jax import host


def key_from_int(seed):
    return jax.random.PRNGKey(seed)


def next_state(state):
    """Seed-generator state `[seed, counter]` after one draw."""
    return state + jnp.asarray([0, 1], dtype=state.dtype)


def key_from_state(state):
    return jax.random.fold_in(jax.random.PRNGKey(state[0]), state[1])


# Draws of up to this many values come from a flat buffer whose size is rounded up to a power
# of two: one compiled sampler then serves every small shape (a model's many weight shapes would
# otherwise each compile their own, 0.2-1 s apiece on a CPU). Eager and traced calls draw the
# same buffer, so a seed gives the same values in both.
_BUCKETED_UP_TO = 2 ** 16


@functools.partial(jax.jit, static_argnums=(0, 1, 2))
def _draw_flat(kind, size, dtype_name, key, a, b):
    dtype = dtypes.to_numpy_dtype(dtype_name)
    if kind == "uniform":
        return jax.random.uniform(key, (size,), dtype=dtype, minval=a, maxval=b)
    if kind == "normal":
        return jax.random.normal(key, (size,), dtype=dtype) * b + a
    return jax.random.truncated_normal(key, -2.0, 2.0, (size,), dtype=dtype) * b + a


def _sample(kind, shape, dtype, key, a, b):
    shape = tuple(int(d) for d in shape)
    size = math.prod(shape)
    drawn = size if size > _BUCKETED_UP_TO else max(256, 1 << (size - 1).bit_length())
    flat = _draw_flat(kind, drawn, dtypes.standardize_dtype(dtype), key, a, b)
    try:
        values = np.asarray(flat)
    except jax.errors.TracerArrayConversionError:
        return flat[:size].reshape(shape)
    # Concrete values: cut on the host, which compiles nothing per shape.
    return host.host_to_device(values[:size].reshape(shape))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _sample("normal", shape, dtype, seed, mean, stddev)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _sample("uniform", shape, dtype, seed, minval, maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _sample("truncated_normal", shape, dtype, seed, mean, stddev)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return jax.random.randint(seed, shape, minval, maxval, dtype=dtypes.to_numpy_dtype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = jnp.asarray(logits)
    out = jax.random.categorical(seed, logits[..., None, :], axis=-1,
                                 shape=(*logits.shape[:-1], num_samples))
    return out.astype(dtypes.to_numpy_dtype(dtype))


def bernoulli_keep(shape, keep_prob, seed):
    return jax.random.bernoulli(seed, keep_prob, shape)


def shuffle(x, axis=0, seed=None):
    return jax.random.permutation(seed, x, axis=axis, independent=False)


def permutation(n, seed):
    return jax.random.permutation(seed, n)


def gamma(shape, alpha, dtype=None, seed=None):
    return jax.random.gamma(seed, alpha, shape, dtype=dtypes.to_numpy_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    return jax.random.binomial(seed, counts, probabilities, shape,
                               dtype=dtypes.to_numpy_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    return jax.random.beta(seed, alpha, beta, shape, dtype=dtypes.to_numpy_dtype(dtype))
