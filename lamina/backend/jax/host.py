"""Moving NumPy values onto the device without compiling anything, for eager code.

`jnp.asarray(numpy_array)` and `jnp.zeros(shape)` outside a trace each compile a small XLA program
per new shape (10-50 ms on a CPU, paid again in every fresh process): a model's first build and
fit ran ten of them. Values computed on the host and handed over with `device_put` compile none.
"""

import jax
import numpy as np


def host_to_device(value, dtype=None):
    """A jax.Array holding a private copy of the NumPy value.

    On a CPU, `device_put` shares a suitably aligned NumPy buffer instead of copying it, and
    may read its argument after returning: so the caller's buffer is never the one handed over.
    The copy is 64-byte aligned, which lets `device_put` adopt it without copying again (for
    60000x784 float32 data: 0.04 s, against 0.27 s for `jnp.asarray`).
    """
    value = np.asarray(value, dtype=dtype)
    buffer = np.empty(value.nbytes + _ALIGNMENT, dtype=np.uint8)
    offset = -buffer.ctypes.data % _ALIGNMENT
    copy = buffer[offset:offset + value.nbytes].view(value.dtype).reshape(value.shape)
    np.copyto(copy, value)
    return jax.device_put(copy)


_ALIGNMENT = 64


def is_eager():
    """Whether code runs outside any JAX trace, where NumPy may compute constants."""
    try:
        from jax._src import core as jax_core
        return jax_core.trace_state_clean()
    except (ImportError, AttributeError):  # a JAX without it: the path that is safe when traced
        return False
