"""Core ops: conversion, casting, shapes, gradients stops, control flow, indexing."""

import builtins

from lamina import backend
from lamina.ops.dispatch import run
from lamina.ops.symbolic import KerasTensor, any_symbolic, symbolic_call


def convert_to_tensor(x, dtype=None, sparse=None):
    """Tensor from array-like `x`; Python floats become floatx, Python ints int32."""
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    return backend.convert_to_tensor(x, dtype=dtype)


def convert_to_numpy(x):
    """NumPy array with the values of `x`."""
    if isinstance(x, KerasTensor):
        x.__array__()
    return backend.convert_to_numpy(x)


def is_tensor(x):
    """Whether `x` is a backend tensor (not a NumPy array, Variable or symbolic tensor)."""
    return backend.is_tensor(x)


def cast(x, dtype):
    """`x` converted to `dtype`: `cast([1.7], "int32").tolist() == [1]`."""
    return run(cast, backend.core.cast, x, dtype)


def dtype(x):
    """Dtype name of `x`."""
    return backend.standardize_dtype(x.dtype)


def shape(x):
    """Shape of `x` as a tuple (None for unknown axes of symbolic tensors)."""
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(x.shape)


def stop_gradient(x):
    """`x`, treated as a constant by differentiation."""
    return run(stop_gradient, backend.transforms.stop_gradient, x)


def getitem(x, key):
    """`x[key]` with NumPy basic indexing."""
    if isinstance(x, KerasTensor):
        return symbolic_call(getitem, x, key)
    return backend.convert_to_tensor(x)[key]


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`, traceable when `pred` is a tensor."""
    if isinstance(pred, bool):
        return true_fn() if pred else false_fn()
    return backend.transforms.cond(pred, lambda _: true_fn(), lambda _: false_fn(), None)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop `carry, y = f(carry, x)` over the leading axis of `xs`; returns `(carry, stacked ys)`."""
    return backend.transforms.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)


def fori_loop(lower, upper, body_fun, init_val):
    """`for i in range(lower, upper): val = body_fun(i, val)`, traceable."""
    return backend.transforms.fori_loop(lower, upper, body_fun, init_val)


def while_loop(cond, body, loop_vars):
    """`while cond(vars): vars = body(vars)`, traceable."""
    return backend.transforms.while_loop(cond, body, loop_vars)


def slice(inputs, start_indices, shape):
    """A block of `inputs` starting at `start_indices` with the given `shape`."""
    if any_symbolic(inputs):
        return symbolic_call(slice, inputs, start_indices, shape)
    x = backend.convert_to_tensor(inputs)
    return x[tuple(builtins.slice(s, s + n) for s, n in zip(start_indices, shape))]


__all__ = ["cast", "cond", "convert_to_numpy", "convert_to_tensor", "dtype", "fori_loop", "getitem", "is_tensor", "scan", "shape", "slice", "stop_gradient", "while_loop"]
