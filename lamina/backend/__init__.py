"""The backend chosen for this process, and the backend-neutral pieces (dtypes, Variable, scope).

Each backend package provides the same modules: core (tensors, Variable storage, eval_shape),
numpy, nn, math, linalg, image, random, transforms (jit, value_and_grad, scan, loops).
"jax" is the full backend; "numpy" runs inference only. Code outside this package asks
`supports(capability)`, never which backend runs.
"""

import sys
import types

from lamina.backend import config
from lamina.backend.common import dtypes, global_state
from lamina.backend.common.masking import get_keras_mask, set_keras_mask
from lamina.backend.common.stateless_scope import (
    StatelessScope,
    get_stateless_scope,
    in_stateless_scope,
)
from lamina.backend.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

if config.backend() == "numpy":
    from lamina.backend.numpy import (
        core,
        distribution,
        image,
        linalg,
        math,
        nn,
        numpy,
        random,
        transforms,
    )
else:
    from lamina.backend.jax import (
        core,
        distribution,
        image,
        linalg,
        math,
        nn,
        numpy,
        random,
        transforms,
    )

Variable = core.Variable
convert_to_tensor = core.convert_to_tensor
convert_to_numpy = core.convert_to_numpy
is_tensor = core.is_tensor
cast = core.cast
standardize_dtype = dtypes.standardize_dtype
result_type = dtypes.result_type


def _capabilities(name):
    if name == "numpy":
        # Nothing is compiled, so loops cost what their steps cost.
        return {"float64": True, "jit": False, "donation": False, "training": False,
                "fast_convolution_in_loops": True}
    return {"float64": False, "jit": True, "donation": True, "training": True}


_CAPABILITIES = {config.backend(): _capabilities(config.backend())}
_NUMPY_OPS = numpy


class _BackendNamespace(types.ModuleType):
    """The type of this module. Its `numpy` attribute stays the active backend's numpy-ops module:
    importing the numpy backend package (`lamina.backend.numpy`, say for a conformance test under
    jax) makes Python bind that package to the same attribute, and the setter ignores it."""

    @property
    def numpy(self):
        return _NUMPY_OPS

    @numpy.setter
    def numpy(self, value):
        pass


sys.modules[__name__].__class__ = _BackendNamespace


def clear_session(free_memory=True):
    """Reset generated layer names and uids; with `free_memory`, also collect garbage and drop
    compiled-function caches."""
    global_state.clear_session(free_memory, clear_caches=core.clear_caches)


def get_uid(prefix=""):
    """A per-prefix counter starting at 1 (`get_uid("dense")` -> 1, then 2, ...)."""
    return global_state.get_uid(prefix)


def is_float_dtype(dtype):
    """Whether `dtype` is a floating dtype: `is_float_dtype("bfloat16")` is True."""
    return dtypes.is_float(dtype)


def is_int_dtype(dtype):
    """Whether `dtype` is an integer dtype (bool is not): `is_int_dtype("uint8")` is True."""
    return dtypes.is_int(dtype)


def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor (from `Input` or a layer called on one)."""
    from lamina.ops.symbolic import KerasTensor  # ops sits above the backend
    return isinstance(x, KerasTensor)


def device(device_name):
    """Context manager placing new tensors on `device_name` ("cpu", "gpu:0", ...)."""
    return core.device_scope(device_name)


def list_devices(device_type=None):
    """The backend's devices as names like "cpu:0" or "gpu:1"."""
    return core.list_devices(device_type)


def remat(fn):
    """`fn` (a function or layer) with its activations recomputed in the backward pass instead
    of stored: less memory for more compute."""
    if not callable(fn):
        raise TypeError(f"remat: expected a function or layer. Received: {fn!r}")
    return transforms.remat(fn)


def supports(capability, kernel_shape=None, groups=1):
    """Whether the current backend supports a named capability: "float64", "jit", "donation",
    "training" (gradients and `fit`; the numpy backend runs inference only),
    "fast_convolution_in_loops" (XLA:CPU runs convolution gradients inside compiled loops
    several times slower than at top level, so a convnet's steps are better compiled one by
    one there; given a convolution's `kernel_shape` (spatial..., in, out) and `groups`, whether
    that convolution is lowered to a form that loops run well)."""
    if capability == "fast_convolution_in_loops" and config.backend() == "jax":
        # Asked lazily: querying the accelerator starts JAX's runtime, which must wait until
        # a multi-process run has called lamina.distribution.initialize().
        if core.accelerator() != "cpu":
            return True
        return kernel_shape is not None and nn._conv_uses_patches(tuple(kernel_shape), groups)
    return _CAPABILITIES[config.backend()].get(capability, False)


__all__ = ["StatelessScope", "Variable", "backend", "cast", "clear_session", "config",
           "convert_to_numpy", "convert_to_tensor", "core", "device", "distribution", "dtypes",
           "epsilon", "floatx", "get_keras_mask", "get_stateless_scope", "get_uid", "image",
           "image_data_format", "in_stateless_scope", "is_float_dtype", "is_int_dtype",
           "is_keras_tensor", "is_tensor", "linalg", "list_devices", "math", "nn", "numpy",
           "random", "remat", "result_type", "set_epsilon", "set_floatx", "set_image_data_format",
           "set_keras_mask", "standardize_dtype", "supports", "transforms"]
