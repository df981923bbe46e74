"""Moving NumPy values onto the device without compiling anything, for eager code.

`jnp.asarray(numpy_array)` and `jnp.zeros(shape)` outside a trace each compile a small XLA program
per new shape (10-50 ms on a CPU, paid again in every fresh process): a model's first build and
fit ran ten of them. Values computed on the host and handed over with `device_put` compile none.
"""

import math

import jax
import jax.numpy as jnp
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

# Training arrays at least this large are read in place (see `share_rows`); smaller ones are
# copied, which costs next to nothing.
SHARE_FROM_BYTES = 1 << 20


@jax.tree_util.register_pytree_node_class
class SharedRows:
    """The rows of a NumPy array that the device reads where they lie, for compiled loops that
    gather batches by row (`take`); made by `share_rows`.

    XLA:CPU adopts a host buffer without copying only at a 64-byte aligned address, and NumPy's
    large arrays start 16 bytes past one (glibc's allocation header). So the device holds a flat
    `window` as long as the array that starts at the aligned address just below its first
    element, `offset` elements early (those bytes lie in the same memory page and are never
    gathered); the array's last `offset` elements fall past the window's end, so its last rows
    come from a small copy, `last_rows`. No shape depends on the alignment, so arrays aligned
    differently run the same compiled program.

    Attributes:
        window: A 1-D `jax.Array` of `prod(shape)` elements (or a tracer in compiled code).
        offset: A scalar int32 array: where the array's first element sits in `window`.
        last_rows: A copy of the array's last rows, enough to cover a window's shortfall.
        shape: The array's shape.
    """

    def __init__(self, window, offset, last_rows, shape):
        self.window = window
        self.offset = offset
        self.last_rows = last_rows
        self.shape = tuple(shape)

    @property
    def dtype(self):
        return self.window.dtype

    @property
    def ndim(self):
        return len(self.shape)

    def take(self, indices):
        """Rows `indices` (a vector of in-range ints), shaped `indices.shape + shape[1:]`."""
        row = math.prod(self.shape[1:])
        first_copied = self.shape[0] - self.last_rows.shape[0]
        indices = indices.astype(np.int32)
        # Rows the window holds whole; the others are gathered at a valid place, then replaced.
        starts = jnp.minimum(indices, first_copied - 1) * row + self.offset
        dims = jax.lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(),
                                              start_index_map=(0,))
        rows = jax.lax.gather(self.window, starts[:, None], dims, (row,),
                              mode=jax.lax.GatherScatterMode.PROMISE_IN_BOUNDS)
        copied = self.last_rows.reshape(-1, row)[jnp.maximum(indices - first_copied, 0)]
        rows = jnp.where((indices >= first_copied)[:, None], copied, rows)
        return rows.reshape(indices.shape + self.shape[1:])

    def tree_flatten(self):
        return (self.window, self.offset, self.last_rows), self.shape

    @classmethod
    def tree_unflatten(cls, shape, children):
        return cls(*children, shape)

    def __repr__(self):
        return f"SharedRows(shape={self.shape}, dtype={self.dtype})"


class _Window:
    """A NumPy-readable view of `count` elements at address `start` that keeps `owner` (the
    array whose memory it covers) alive as long as anything holds the view."""

    def __init__(self, owner, start, count):
        self.owner = owner
        self.__array_interface__ = {"shape": (count,), "typestr": owner.dtype.str,
                                    "data": (start, True), "version": 3}


def share_rows(value):
    """`SharedRows` over a NumPy array without copying it, or None where that does not apply
    (arrays under `SHARE_FROM_BYTES`, not C-contiguous, of a non-numeric or foreign-byte-order
    dtype, misaligned for their item size, too long for int32 element offsets, or with fewer
    rows than the copied tail).

    The device then reads the array's own memory, so it must not change while a computation
    reads it: the trainer drops its reference before returning from `fit`/`evaluate`, after
    the last computation that reads it has finished.
    """
    row = math.prod(value.shape[1:])
    if (value.ndim < 1 or not row or value.nbytes < SHARE_FROM_BYTES
            or not value.flags.c_contiguous or value.dtype.kind not in "biuf"
            or not value.dtype.isnative):
        return None
    start = value.ctypes.data
    lead = start % _ALIGNMENT
    # Rows that can reach past the window's end, whatever the alignment: a fixed count.
    copied = -(-(_ALIGNMENT // value.itemsize) // row)
    if lead % value.itemsize or value.size >= 2 ** 31 or value.shape[0] <= copied:
        return None
    window = np.asarray(_Window(value, start - lead, value.size))
    return SharedRows(jax.device_put(window), host_to_device(np.int32(lead // value.itemsize)),
                      host_to_device(value[-copied:]), value.shape)


def is_eager():
    """Whether code runs outside any JAX trace, where NumPy may compute constants."""
    try:
        from jax._src import core as jax_core
        return jax_core.trace_state_clean()
    except (ImportError, AttributeError):  # a JAX without it: the path that is safe when traced
        return False
