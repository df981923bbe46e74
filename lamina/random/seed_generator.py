"""Seeds: SeedGenerator (a layer's own random stream) and the process-wide default stream."""

import random as python_random

import numpy as np

from lamina import backend
from lamina.backend.common.variables import auto_name

_GLOBAL = {"rng": np.random.default_rng()}


def set_random_seed(seed):
    """Seed Python's `random`, NumPy and lamina's default stream, for reproducible runs.

    Initializers without a seed, `SeedGenerator(seed=None)` and fit's shuffling draw from
    lamina's default stream, so one call makes a whole program repeatable.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"set_random_seed: `seed` must be a non-negative int. Received: {seed!r}")
    python_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _GLOBAL["rng"] = np.random.default_rng(int(seed))


def draw_int_seed():
    """An int seed from lamina's default stream."""
    return int(_GLOBAL["rng"].integers(0, 2**31 - 1))


def numpy_rng():
    """A NumPy Generator seeded from lamina's default stream (used for shuffling)."""
    return np.random.default_rng(draw_int_seed())


class SeedGenerator:
    """A stream of random keys whose state is a (non-trainable) Variable.

    Drawing a key assigns the next state, so inside a compiled step the stream advances through
    the stateless scope like any other layer state.

    Args:
        seed: Int seed; `None` draws one from the default stream (see `set_random_seed`).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = draw_int_seed()
        if not _is_int(seed):
            # ValueError, not TypeError, because that is what Keras 3 raises for a bad seed.
            raise ValueError(f"SeedGenerator: `seed` must be an int or None. Received: "
                             f"seed={seed!r} of type {type(seed).__name__}.")
        self.name = name or auto_name("seed_generator")
        self._initial_seed = int(seed)
        self.state = backend.Variable(np.array([int(seed) % 2**32, 0], dtype=np.uint32),
                                      dtype="uint32", trainable=False, name="seed_generator_state")

    def next(self, ordered=True):
        state = self.state.value
        self.state.assign(backend.random.next_state(state))
        return backend.random.key_from_state(state)

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def draw_seed(seed):
    """A raw key from `seed`: a SeedGenerator, an int, a key tensor, or None (default stream)."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        if backend.core.is_tracing():
            # A key drawn on the host now would be baked into the compiled program as a
            # constant: every call would repeat the same "random" numbers.
            raise ValueError(
                "Random ops inside a compiled or traced function (jit, a train step, a symbolic "
                "call) need an explicit seed: with seed=None every call of the compiled function "
                "would draw the same numbers. Create `self.seed_generator = "
                "lamina.random.SeedGenerator(seed)` in the layer's `__init__` and pass "
                "`seed=self.seed_generator`.")
        return backend.random.key_from_int(draw_int_seed())
    if _is_int(seed):
        return backend.random.key_from_int(int(seed))
    if backend.is_tensor(seed) or isinstance(seed, np.ndarray):
        key = backend.convert_to_tensor(seed)
        if tuple(key.shape) == (2,) and backend.standardize_dtype(key.dtype) == "uint32":
            return key
    # ValueError, not TypeError, because that is what Keras 3 raises for a bad seed.
    raise ValueError("`seed` must be an int, a `lamina.random.SeedGenerator` or None. "
                     f"Received: seed={seed!r} of type {type(seed).__name__}. For reproducible "
                     "draws pass an int such as seed=42, or a SeedGenerator that a layer owns.")
