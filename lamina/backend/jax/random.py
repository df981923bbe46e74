"""Random sampling on JAX. `seed` here is always a raw key: a uint32 tensor of shape (2,)."""

import jax
import jax.numpy as jnp

from lamina.backend.common import dtypes


def key_from_int(seed):
    return jax.random.PRNGKey(seed)


def next_state(state):
    """Seed-generator state `[seed, counter]` after one draw."""
    return state + jnp.asarray([0, 1], dtype=state.dtype)


def key_from_state(state):
    return jax.random.fold_in(jax.random.PRNGKey(state[0]), state[1])


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = dtypes.to_numpy_dtype(dtype)
    return jax.random.normal(seed, shape, dtype=dtype) * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = dtypes.to_numpy_dtype(dtype)
    return jax.random.uniform(seed, shape, dtype=dtype, minval=minval, maxval=maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = dtypes.to_numpy_dtype(dtype)
    return jax.random.truncated_normal(seed, -2.0, 2.0, shape, dtype=dtype) * stddev + mean


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
