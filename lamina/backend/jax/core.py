"""JAX tensors: conversion, casting, Variable storage and abstract shape evaluation."""

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.common import variables as common_variables
from lamina.backend.jax.host import SharedRows, host_to_device, share_rows

SUPPORTS_SPARSE_TENSORS = False
IS_THREAD_SAFE = True


class Variable(common_variables.Variable):
    """A Variable whose value is a `jax.Array`."""

    def _run_initializer(self, initializer):
        # A sublayer may be built while its parent is traced (for shapes, or inside a step):
        # its initial value is computed eagerly, never as a tracer.
        with jax.ensure_compile_time_eval():
            return initializer(self._shape, dtype=self._dtype)

    def _initialize(self, value):
        # Layers may build while a step is being traced; evaluating the initial value at compile
        # time keeps tracers out of variable storage.
        with jax.ensure_compile_time_eval():
            return self._convert(value)

    def _convert(self, value):
        if isinstance(value, common_variables.Variable):
            value = value.value
        dtype = dtypes.to_numpy_dtype(self._dtype)
        if isinstance(value, np.ndarray) and value.dtype != object:
            return host_to_device(value, dtype)
        if isinstance(value, jax.Array) and value.dtype == dtype:
            return value
        return jnp.asarray(value, dtype=dtype)

    def __jax_array__(self):
        return self.value


def _model_dtype(dtype):
    # NumPy's float64 and int64 defaults are not what the user meant for a model's inputs.
    return {np.dtype(np.float64): dtypes.to_numpy_dtype(None),
            np.dtype(np.int64): np.int32}.get(dtype, dtype)


def rows_to_device(x):
    """Training data for compiled loops that gather batches by row (`take_rows`).

    On a CPU a large NumPy array stays where it is and the device reads it in place
    (`host.SharedRows`): fitting on a 188 MB array no longer holds a second copy of it. Anything
    else is converted like `convert_to_tensor`.
    """
    if isinstance(x, np.ndarray) and x.dtype != object and accelerator() == "cpu":
        dtype = _model_dtype(x.dtype)
        shared = share_rows(x if x.dtype == dtype else x.astype(dtype))
        if shared is not None:
            return shared
    return convert_to_tensor(x)


def take_rows(x, indices):
    """Rows `indices` of `x` (from `rows_to_device`), in compiled code."""
    if isinstance(x, SharedRows):
        return x.take(indices)
    return x[indices]


def is_tensor(x):
    return isinstance(x, jax.Array)


def convert_to_tensor(x, dtype=None, sparse=None):
    """Convert `x` to a jax.Array; Python floats become floatx and Python ints int32."""
    if isinstance(x, common_variables.Variable):
        x = x.value
    if dtype is not None:
        dtype = dtypes.standardize_dtype(dtype)
        if is_tensor(x) and x.dtype.name == dtype:
            return x
        return jnp.asarray(x, dtype=dtypes.to_numpy_dtype(dtype))
    if is_tensor(x):
        return x
    if isinstance(x, (bool, int, float)) or (isinstance(x, (list, tuple)) and _all_python(x)):
        return jnp.asarray(x, dtype=dtypes.to_numpy_dtype(_python_dtype(x)))
    if isinstance(x, np.ndarray) and x.dtype != object:
        dtype = _model_dtype(x.dtype)
        # A private copy handed to device_put: jnp.asarray compiles a small copy program per
        # new shape (10-50 ms each on CPU), and device_put may read the buffer after returning.
        return host_to_device(x, dtype)
    return jnp.asarray(x)


def _all_python(seq):
    return all(isinstance(v, (bool, int, float)) or (isinstance(v, (list, tuple)) and _all_python(v))
               for v in seq)


def _python_dtype(x):
    flat = np.ravel(np.asarray(x, dtype=object)).tolist() if isinstance(x, (list, tuple)) else [x]
    if not flat:
        return dtypes.standardize_dtype(None)
    if all(isinstance(v, bool) for v in flat):
        return "bool"
    if all(isinstance(v, int) for v in flat):
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
    """Whether the caller runs inside a JAX transformation (jit, grad, scan, eval_shape)."""
    return isinstance(jnp.zeros(()), jax.core.Tracer)


def slice(inputs, start_indices, shape):
    """Block of `inputs` of size `shape` (-1: the rest of that axis) at traceable `start_indices`.

    As in `lax.dynamic_slice`, starts are clamped so the block stays inside `inputs`.
    """
    inputs = convert_to_tensor(inputs)
    sizes = tuple(inputs.shape[i] - int(start_indices[i]) if s == -1 else s
                  for i, s in enumerate(shape))
    return jax.lax.dynamic_slice(inputs, start_indices, sizes)


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates`."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, dtype=inputs.dtype.name)
    return jax.lax.dynamic_update_slice(inputs, updates, start_indices)


def standardize_dtype_of(x):
    """Dtype name of a tensor, array, Variable or Python scalar."""
    if isinstance(x, (bool, int, float)):
        return dtypes.result_type(x)
    return dtypes.standardize_dtype(x.dtype)


def shape(x):
    return tuple(x.shape)


def eval_shape(fn, arg_specs):
    """Evaluate `fn(*args)` abstractly; `arg_specs` is a pytree whose leaves are `(shape, dtype)`
    pairs wrapped in `Spec`. Returns a pytree of `(shape, dtype_name)` tuples."""
    def to_struct(spec):
        return jax.ShapeDtypeStruct(spec.shape, dtypes.to_numpy_dtype(spec.dtype))

    structs = jax.tree_util.tree_map(to_struct, arg_specs, is_leaf=lambda s: isinstance(s, Spec))
    out = jax.eval_shape(fn, *structs)
    return jax.tree_util.tree_map(lambda s: Spec(tuple(s.shape), s.dtype.name), out)


class Spec:
    """Shape and dtype of a tensor, used for abstract evaluation."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = dtype

    def __repr__(self):
        return f"Spec({self.shape}, {self.dtype})"


def accelerator():
    """The platform JAX computes on: "cpu", "gpu" or "tpu"."""
    return jax.default_backend()


def enable_float64():
    """Context manager in which float64 tensors are real float64 (JAX disables them by default)."""
    return jax.enable_x64(True)


def device_put(x):
    return jax.device_put(x)


def block_until_ready(x):
    return jax.block_until_ready(x)


def saturate_cast(x, dtype):
    """`x` clipped to the range of `dtype` (and of its own dtype), then cast."""
    dtype = dtypes.standardize_dtype(dtype)
    x = convert_to_tensor(x)
    low, high = _dtype_range(x.dtype.name), _dtype_range(dtype)
    # Bounds are rounded to the input dtype: float32 holds 2**31 - 1 as 2**31, and XLA's
    # float-to-int conversion saturates that to the int32 maximum (as Keras gets on JAX).
    lowest = np.asarray(max(low[0], high[0])).astype(x.dtype)
    highest = np.asarray(min(low[1], high[1])).astype(x.dtype)
    return cast(jnp.clip(x, lowest, highest), dtype)


def _dtype_range(name):
    if name == "bool":
        return 0, 1
    import ml_dtypes

    info = ml_dtypes.iinfo(name) if "int" in name else ml_dtypes.finfo(name)
    return info.min, info.max


def scatter(indices, values, shape):
    values = convert_to_tensor(values)
    indices = convert_to_tensor(indices)
    key = tuple(jnp.moveaxis(indices, -1, 0))
    return jnp.zeros(shape, values.dtype).at[key].add(values)


def scatter_update(inputs, indices, updates, reduction=None):
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates).astype(inputs.dtype)
    at = inputs.at[tuple(jnp.moveaxis(indices, -1, 0))]
    if reduction is None:
        return at.set(updates)
    return {"add": at.add, "max": at.max, "min": at.min, "mul": at.multiply}[reduction](updates)


def unstack(x, num=None, axis=0):
    x = convert_to_tensor(x)
    return [jnp.take(x, i, axis=axis) for i in range(x.shape[axis])]


def clear_caches():
    """Drop JAX's in-memory caches of traced and compiled functions."""
    jax.clear_caches()


def list_devices(device_type=None):
    """Device names such as "cpu:0" or "gpu:1" (of `device_type` when given)."""
    devices = jax.devices(device_type) if device_type else jax.devices()
    return [f"{d.platform}:{d.id}" for d in devices]


def device_scope(device_name):
    """Context manager placing new arrays on `device_name` ("cpu", "gpu:1", ...)."""
    kind, _, index = str(device_name).lower().partition(":")
    try:
        devices = jax.devices(kind)
    except RuntimeError:
        devices = []
    position = int(index) if index.isdigit() else 0
    if not devices or position >= len(devices):
        raise ValueError(f"device: no device named {device_name!r}. Available devices: "
                         f"{list_devices()}.")
    return jax.default_device(devices[position])


def start_profiler_trace(log_dir):
    """Start recording a profile (XLA's ops and host activity) for `log_dir`; the files,
    `plugins/profile/<run>/*.xplane.pb`, are what TensorBoard's Profile tab reads. Raises
    RuntimeError when a trace is already being recorded."""
    jax.profiler.start_trace(log_dir)


def stop_profiler_trace():
    """Stop the trace `start_profiler_trace` started and write its files."""
    jax.profiler.stop_trace()


def profiler_annotation(name):
    """A context manager marking a span named `name` in the recorded trace."""
    return jax.profiler.TraceAnnotation(name)
