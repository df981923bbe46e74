"""Core ops: conversion, casting, shapes, gradients stops, control flow, indexing."""

from lamina import backend
from lamina.ops.dispatch import run
from lamina.ops.symbolic import KerasTensor, symbolic_call


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
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
    """Dtype name of `x`; array-likes without a dtype follow `convert_to_tensor` (1.0: floatx)."""
    if not hasattr(x, "dtype"):
        x = backend.convert_to_tensor(x)
    return backend.standardize_dtype(x.dtype)


def shape(x):
    """Shape of `x` as a tuple (None for unknown axes of symbolic tensors)."""
    if isinstance(x, KerasTensor):
        return x.shape
    if not hasattr(x, "shape"):
        x = backend.convert_to_tensor(x)
    return tuple(x.shape)


def stop_gradient(variable):
    """`variable` (a tensor or Variable), treated as a constant by differentiation."""
    return run(stop_gradient, backend.transforms.stop_gradient, variable)


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


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """`while cond(*vars): vars = body(*vars)`, traceable.

    A tuple or list of `loop_vars` is unpacked into the arguments of `cond` and `body`; a single
    tensor is passed as is. `maximum_iterations` stops the loop after that many steps.

    >>> int(while_loop(lambda i: i < 10, lambda i: i * 2, 1))
    16
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = tuple(loop_vars) if is_tuple else (loop_vars,)
    if maximum_iterations is not None:
        if not isinstance(maximum_iterations, int) or maximum_iterations < 0:
            raise ValueError("while_loop: `maximum_iterations` must be a non-negative int or "
                             f"None. Received: maximum_iterations={maximum_iterations!r}")
        loop_vars = (*loop_vars, 0)

    def run_cond(state):
        if maximum_iterations is None:
            return cond(*state)
        return backend.numpy.logical_and(cond(*state[:-1]), state[-1] < maximum_iterations)

    def run_body(state):
        args = state if maximum_iterations is None else state[:-1]
        outputs = body(*args)
        outputs = tuple(outputs) if is_tuple else (outputs,)
        if len(outputs) != len(args):
            raise ValueError(f"while_loop: `body` must return {len(args)} loop variables, like "
                             f"`loop_vars`. It returned {len(outputs)}.")
        return outputs if maximum_iterations is None else (*outputs, state[-1] + 1)

    outputs = backend.transforms.while_loop(run_cond, run_body, loop_vars)
    if maximum_iterations is not None:
        outputs = outputs[:-1]
    return tuple(outputs) if is_tuple else outputs[0]


def slice(inputs, start_indices, shape):
    """A block of `inputs` starting at `start_indices` with the given `shape`.

    A size of -1 takes the rest of that axis. `start_indices` may be a tensor (traceable); starts
    are then clamped so that the block stays inside `inputs`.

    >>> slice([[0, 1, 2], [3, 4, 5]], (0, 1), (2, 2)).tolist()
    [[1, 2], [4, 5]]
    """
    if not isinstance(inputs, KerasTensor):
        inputs = backend.convert_to_tensor(inputs)
    shape = tuple(shape)
    if len(shape) != len(inputs.shape):
        raise ValueError("slice: `shape` must give one size per axis of `inputs`. Received: "
                         f"shape={shape} for inputs of shape {tuple(inputs.shape)}")
    return run(slice, backend.core.slice, inputs, start_indices, shape)


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block starting at `start_indices` replaced by `updates`.

    >>> slice_update([0, 0, 0, 0], (1,), [7, 8]).tolist()
    [0, 7, 8, 0]
    """
    return run(slice_update, backend.core.slice_update, inputs, start_indices, updates)


__all__ = ["cast", "cond", "convert_to_numpy", "convert_to_tensor", "dtype", "fori_loop", "getitem", "is_tensor", "scan", "shape", "slice", "slice_update", "stop_gradient", "while_loop"]
