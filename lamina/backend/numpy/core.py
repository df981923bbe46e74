"""NumPy tensors: conversion, casting, Variable storage and shape evaluation.

Tensors here are plain `np.ndarray`s (reductions may return NumPy scalars, which behave alike).
Nothing is traced: "abstract" evaluation runs the function on zeros of the requested shapes.
"""

import builtins
import contextlib

import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.common import variables as common_variables

SUPPORTS_SPARSE_TENSORS = False
IS_THREAD_SAFE = True


class Variable(common_variables.Variable):
    """A Variable whose value is a `np.ndarray`."""

    def _initialize(self, value):
        return self._convert(value)

    def _convert(self, value):
        if isinstance(value, common_variables.Variable):
            value = value.value
        # A copy: NumPy arrays are mutable, and a caller changing the array it passed in (or
        # one it got from `get_weights`) must not change the variable behind its back.
        return np.array(value, dtype=dtypes.to_numpy_dtype(self._dtype))


def is_tensor(x):
    return isinstance(x, (np.ndarray, np.generic))


def rows_to_device(x):
    """Data that loops gather batches from by row (`take_rows`): NumPy already holds it."""
    return convert_to_tensor(x)


def take_rows(x, indices):
    """Rows `indices` of `x`."""
    return x[indices]


def convert_to_tensor(x, dtype=None, sparse=None):
    """Convert `x` to a np.ndarray; Python floats become floatx and Python ints int32.

    NumPy float64 arrays become floatx and int64 arrays int32, as on the JAX backend, so a model
    computes in the same dtypes whichever backend runs it.
    """
    if isinstance(x, common_variables.Variable):
        x = x.value
    if dtype is not None:
        dtype = dtypes.standardize_dtype(dtype)
        if is_tensor(x) and x.dtype.name == dtype:
            return np.asarray(x)
        return np.asarray(x, dtype=dtypes.to_numpy_dtype(dtype))
    if isinstance(x, (bool, int, float)) or (isinstance(x, (list, tuple)) and _all_python(x)):
        return np.asarray(x, dtype=dtypes.to_numpy_dtype(_python_dtype(x)))
    if is_tensor(x) and x.dtype == np.float64:
        return np.asarray(x, dtype=dtypes.to_numpy_dtype(None))
    if is_tensor(x) and x.dtype == np.int64:
        return np.asarray(x, dtype=np.int32)
    if is_tensor(x):
        return np.asarray(x)
    x = np.asarray(x)
    if x.dtype == np.float64:
        return x.astype(dtypes.to_numpy_dtype(None))
    if x.dtype == np.int64:
        return x.astype(np.int32)
    return x


def _all_python(seq):
    return builtins.all(
        isinstance(v, (bool, int, float)) or (isinstance(v, (list, tuple)) and _all_python(v))
        for v in seq)


def _python_dtype(x):
    flat = np.ravel(np.asarray(x, dtype=object)).tolist() if isinstance(x, (list, tuple)) else [x]
    if not flat:
        return dtypes.standardize_dtype(None)
    if builtins.all(isinstance(v, bool) for v in flat):
        return "bool"
    if builtins.all(isinstance(v, int) for v in flat):
        return "int32"
    return dtypes.standardize_dtype(None)


def convert_to_numpy(x):
    if isinstance(x, common_variables.Variable):
        x = x.value
    return np.asarray(x)


def cast(x, dtype):
    dtype = dtypes.standardize_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype.name == dtype:
        return x
    return x.astype(dtypes.to_numpy_dtype(dtype))


def is_tracing():
    """Always False: NumPy runs every function eagerly, on real values."""
    return False


def _clamped_starts(shape, start_indices, sizes):
    # As `lax.dynamic_slice`: a start is clamped so the block stays inside the array.
    return [builtins.min(builtins.max(int(s), 0), dim - size)
            for s, dim, size in zip(start_indices, shape, sizes)]


def slice(inputs, start_indices, shape):
    """Block of `inputs` of size `shape` (-1: the rest of that axis) at `start_indices`.

    As in `lax.dynamic_slice`, starts are clamped so the block stays inside `inputs`.
    """
    inputs = convert_to_tensor(inputs)
    starts = [int(s) for s in np.asarray(start_indices).reshape(-1)]
    sizes = tuple(inputs.shape[i] - starts[i] if s == -1 else s for i, s in enumerate(shape))
    starts = _clamped_starts(inputs.shape, starts, sizes)
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))
    return inputs[index]


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates` (a new array)."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, dtype=inputs.dtype.name)
    starts = [int(s) for s in np.asarray(start_indices).reshape(-1)]
    starts = _clamped_starts(inputs.shape, starts, updates.shape)
    out = np.array(inputs, copy=True)
    out[tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))] = updates
    return out


def standardize_dtype_of(x):
    """Dtype name of a tensor, array, Variable or Python scalar."""
    if isinstance(x, (bool, int, float)):
        return dtypes.result_type(x)
    return dtypes.standardize_dtype(x.dtype)


def shape(x):
    return tuple(x.shape)


def eval_shape(fn, arg_specs):
    """Shapes and dtypes of `fn(*args)`, found by running it on zeros of the specs' shapes.

    `arg_specs` is a pytree whose leaves are `Spec`s. Returns a pytree of `Spec`s. NumPy has no
    abstract evaluation; zeros are a safe input for every op, and warnings they cause (0 / 0 in
    a normalization, say) mean nothing here.
    """
    from lamina.backend.numpy import transforms  # transforms imports this module

    def zeros(spec):
        return np.zeros(spec.shape, dtype=dtypes.to_numpy_dtype(spec.dtype))

    args = transforms._tree_map(zeros, arg_specs, is_leaf=lambda s: isinstance(s, Spec))
    with np.errstate(all="ignore"):
        out = fn(*args)
    return transforms.tree_map(lambda t: Spec(np.shape(t), standardize_dtype_of(t)), out)


class Spec:
    """Shape and dtype of a tensor, used for shape evaluation."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = dtype

    def __repr__(self):
        return f"Spec({self.shape}, {self.dtype})"


def accelerator():
    """The platform NumPy computes on: always "cpu"."""
    return "cpu"


def enable_float64():
    """Context manager for float64 computation; NumPy always has float64, so it does nothing."""
    return contextlib.nullcontext()


def device_put(x):
    return np.asarray(x)


def block_until_ready(x):
    return x


def saturate_cast(x, dtype):
    """`x` clipped to the range of `dtype` (and of its own dtype), then cast."""
    dtype = dtypes.standardize_dtype(dtype)
    x = convert_to_tensor(x)
    low, high = _dtype_range(x.dtype.name), _dtype_range(dtype)
    in_dtype = x.dtype
    lowest = np.asarray(builtins.max(low[0], high[0])).astype(in_dtype)
    highest = np.asarray(builtins.min(low[1], high[1])).astype(in_dtype)
    # A bound that rounded outside the target range in the input dtype (float32 cannot hold
    # 2**31 - 1) moves one step towards zero, so the cast below never overflows.
    if lowest < high[0]:
        lowest = np.nextafter(lowest, np.zeros((), in_dtype))
    if highest > high[1]:
        highest = np.nextafter(highest, np.zeros((), in_dtype))
    return cast(np.clip(x, lowest, highest), dtype)


def _dtype_range(name):
    if name == "bool":
        return 0, 1
    import ml_dtypes

    info = ml_dtypes.iinfo(name) if "int" in name else ml_dtypes.finfo(name)
    return info.min, info.max


def scatter(indices, values, shape):
    values = convert_to_tensor(values)
    indices = convert_to_tensor(indices)
    out = np.zeros(shape, values.dtype)
    np.add.at(out, tuple(np.moveaxis(indices, -1, 0)), values)
    return out


_SCATTER_REDUCTIONS = {"add": np.add, "max": np.maximum, "min": np.minimum, "mul": np.multiply}


def scatter_update(inputs, indices, updates, reduction=None):
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates).astype(inputs.dtype)
    key = tuple(np.moveaxis(indices, -1, 0))
    out = np.array(inputs, copy=True)
    if reduction is None:
        out[key] = updates
    else:
        _SCATTER_REDUCTIONS[reduction].at(out, key, updates)
    return out


def unstack(x, num=None, axis=0):
    x = convert_to_tensor(x)
    return [np.take(x, i, axis=axis) for i in range(x.shape[axis])]


def clear_caches():
    """Nothing is compiled on the NumPy backend, so there is nothing to drop."""


def list_devices(device_type=None):
    """The NumPy backend computes on the host CPU only."""
    return ["cpu:0"] if device_type in (None, "cpu", "CPU") else []


def device_scope(device_name):
    """Only "cpu" / "cpu:0" exist on the NumPy backend; the scope changes nothing else."""
    if str(device_name).lower() not in ("cpu", "cpu:0"):
        raise ValueError(f"device: no device named {device_name!r}. Available devices: "
                         "['cpu:0'] (the NumPy backend runs on the host).")
    return contextlib.nullcontext()


_PROFILER_ERROR = ("The numpy backend has no profiler: profiles record compiled XLA programs, "
                   "which need the jax backend (LAMINA_BACKEND=jax).")


def start_profiler_trace(log_dir):
    """Raises NotImplementedError (see `_PROFILER_ERROR`)."""
    raise NotImplementedError(f"start_profiler_trace: {_PROFILER_ERROR}")


def stop_profiler_trace():
    """Raises NotImplementedError (see `_PROFILER_ERROR`)."""
    raise NotImplementedError(f"stop_profiler_trace: {_PROFILER_ERROR}")


def profiler_annotation(name):
    """Nothing to annotate without a profiler: a context manager that does nothing."""
    return contextlib.nullcontext()
