"""Random sampling on NumPy. `seed` here is always a raw key: a uint32 array of shape (2,).

Keys have the JAX backend's form, so seed-generator state and `draw_seed` work unchanged; each
draw seeds a fresh `np.random.Generator` from its key, which makes a key give the same numbers
every time. The numbers differ from JAX's: only determinism is shared, not the streams.
"""

import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.numpy.core import convert_to_tensor


def key_from_int(seed):
    seed = int(seed)
    return np.array([(seed >> 32) & 0xFFFFFFFF, seed & 0xFFFFFFFF], dtype=np.uint32)


def next_state(state):
    """Seed-generator state `[seed, counter]` after one draw."""
    state = np.asarray(state)
    return state + np.asarray([0, 1], dtype=state.dtype)


def key_from_state(state):
    # Mixing seed and counter through SeedSequence keeps keys of nearby states unrelated.
    words = [int(v) for v in np.asarray(state).reshape(-1)]
    return np.random.SeedSequence([0x6C616D69, *words]).generate_state(2).astype(np.uint32)


def _rng(key):
    if key is None:
        raise ValueError("numpy random ops need a key; lamina.random passes one from `seed`.")
    return np.random.default_rng([int(v) for v in np.asarray(key).reshape(-1)])


def _shape(shape):
    return tuple(int(d) for d in shape)


def _floats(values, dtype):
    return np.asarray(values, dtype=dtypes.to_numpy_dtype(dtype))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _floats(_rng(seed).standard_normal(_shape(shape)) * stddev + mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    values = _rng(seed).random(_shape(shape))
    return _floats(values * (maxval - minval) + minval, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    rng, shape = _rng(seed), _shape(shape)
    values = rng.standard_normal(shape)
    # Re-draw everything beyond two standard deviations until none is left.
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return _floats(values * stddev + mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    values = _rng(seed).integers(minval, maxval, size=_shape(shape))
    return values.astype(dtypes.to_numpy_dtype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = np.asarray(logits, dtype=np.float64)
    # Gumbel-max: the argmax of logits plus Gumbel noise is a draw from softmax(logits).
    noise = _rng(seed).gumbel(size=(*logits.shape[:-1], num_samples, logits.shape[-1]))
    out = np.argmax(logits[..., None, :] + noise, axis=-1)
    return out.astype(dtypes.to_numpy_dtype(dtype))


def bernoulli_keep(shape, keep_prob, seed):
    return _rng(seed).random(_shape(shape)) < keep_prob


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    return np.take(x, _rng(seed).permutation(x.shape[axis]), axis=axis)


def permutation(n, seed):
    if isinstance(n, (int, np.integer)):
        return _rng(seed).permutation(int(n)).astype(np.int32)
    return _rng(seed).permutation(np.asarray(n))


def gamma(shape, alpha, dtype=None, seed=None):
    return _floats(_rng(seed).gamma(alpha, 1.0, size=_shape(shape)), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    return _floats(_rng(seed).binomial(counts, probabilities, size=_shape(shape)), dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    return _floats(_rng(seed).beta(alpha, beta, size=_shape(shape)), dtype)
