"""Core ops: conversion, casting, shapes, gradient stops, control flow, indexing, scatter,
function transforms (map, vectorized_map, associative_scan, switch, custom_gradient), and
einops-style `rearrange`."""

import numbers
import re

from lamina import backend
from lamina.ops.dispatch import run
from lamina.ops.symbolic import KerasTensor, symbolic_call
from lamina.utils import tree


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


def _symbolic(*structures):
    return any(isinstance(x, KerasTensor) for x in tree.flatten(structures))


def _check_callable(op, name, fn):
    if not callable(fn):
        raise TypeError(f"{op}: `{name}` must be callable. Received: {name}={fn!r}")


def map(f, xs):
    """`f` applied to each slice of `xs` along its leading axis, results stacked (a compiled
    loop, one slice at a time; see `vectorized_map` for the batched version).

    Args:
        f: Function of one slice (a tensor or a pytree of tensors).
        xs: Tensor or pytree of tensors with a common leading axis.

    Returns:
        The stacked outputs of `f`.

    >>> map(lambda x: x * 2, lamina.ops.arange(3)).tolist()
    [0, 2, 4]
    """
    _check_callable("map", "f", f)
    if _symbolic(xs):
        return symbolic_call(map, f, xs)
    return backend.transforms.map(f, tree.map_structure(backend.convert_to_tensor, xs))


def vectorized_map(function, elements):
    """`function` applied to every slice of `elements` along axis 0 at once (vectorized).

    Args:
        function: Function of one slice (a tensor or a pytree of tensors).
        elements: Tensor or pytree of tensors with a common leading axis.

    Returns:
        The outputs of `function`, stacked along a new leading axis.

    >>> vectorized_map(lambda x: lamina.ops.sum(x), lamina.ops.ones((2, 3))).tolist()
    [3.0, 3.0]
    """
    _check_callable("vectorized_map", "function", function)
    if _symbolic(elements):
        return symbolic_call(vectorized_map, function, elements)
    return backend.transforms.vectorized_map(
        function, tree.map_structure(backend.convert_to_tensor, elements))


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan with an associative binary function, computed in parallel (log depth).

    Args:
        f: Associative function `f(a, b)` of two elements (tensors or pytrees), vectorized
            over the scanned axis.
        elems: Tensor or pytree of tensors with the same length along `axis`.
        reverse: Whether to scan from the end.
        axis: Int, the scanned axis.

    Returns:
        Like `elems`: `out[i] = f(...f(f(elems[0], elems[1]), elems[2])..., elems[i])`.

    >>> associative_scan(lambda a, b: a + b, lamina.ops.arange(1, 5)).tolist()
    [1, 3, 6, 10]
    """
    _check_callable("associative_scan", "f", f)
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"associative_scan: `axis` must be an int. Received: axis={axis!r}")
    leaves = tree.flatten(elems)
    lengths, ranks = set(), set()
    for leaf in leaves:
        shape = tuple(leaf.shape) if hasattr(leaf, "shape") else \
            tuple(backend.convert_to_tensor(leaf).shape)
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"associative_scan: `axis` {axis} is out of range for an element "
                             f"of shape {shape}.")
        lengths.add(shape[axis])
        ranks.add(len(shape))
    if len(lengths) > 1:
        raise ValueError("associative_scan: every element of `elems` must have the same length "
                         f"along axis {axis}. Received lengths {sorted(lengths, key=str)}.")
    if _symbolic(elems):
        return symbolic_call(associative_scan, f, elems, reverse=reverse, axis=axis)
    return backend.transforms.associative_scan(
        f, tree.map_structure(backend.convert_to_tensor, elems), reverse=bool(reverse),
        axis=int(axis) % min(ranks))


def switch(index, branches, *operands):
    """`branches[index](*operands)`, traceable; `index` is clamped to `[0, len(branches) - 1]`.

    Args:
        index: Integer scalar (Python int or tensor).
        branches: Sequence of functions, each taking `*operands` and returning outputs of the
            same structure, shapes and dtypes.
        *operands: Inputs of the chosen branch.

    Returns:
        The outputs of the chosen branch.

    >>> float(switch(1, [lambda x: x + 1, lambda x: x * 10], 2.0))
    20.0
    """
    if not isinstance(branches, (list, tuple)) or not branches or \
            not all(callable(b) for b in branches):
        raise TypeError("switch: `branches` must be a non-empty list of functions. Received: "
                        f"branches={branches!r}")
    if _symbolic(index, operands):
        return symbolic_call(switch, index, branches, *operands)
    return backend.transforms.switch(backend.convert_to_tensor(index), list(branches),
                                     *operands)


def custom_gradient(f):
    """Decorator giving `f` a hand-written gradient.

    `f(*args)` returns `(outputs, grad_fn)`; `grad_fn(upstream)` returns the gradient with
    respect to each argument (a tuple when `f` has several), given the upstream gradient.

    Args:
        f: Function of tensors returning `(outputs, grad_fn)`.

    Returns:
        A function of the same arguments returning only `outputs`, whose gradient is `grad_fn`.

    >>> @custom_gradient
    ... def clipped_identity(x):
    ...     return x, lambda upstream: lamina.ops.clip(upstream, -1.0, 1.0)
    >>> float(clipped_identity(3.0))
    3.0
    """
    _check_callable("custom_gradient", "f", f)
    wrapped = backend.transforms.custom_gradient(f)

    def call(*args, **kwargs):
        args, kwargs = tree.map_structure(
            lambda x: x.value if isinstance(x, backend.Variable) else x, (args, kwargs))
        if _symbolic(args, kwargs):
            return symbolic_call(call, *args, **kwargs)
        return wrapped(*args, **kwargs)

    return call


def saturate_cast(x, dtype):
    """`x` cast to `dtype`, values first clipped to what `dtype` can hold (no wrap-around).

    Args:
        x: Tensor.
        dtype: Target dtype name.

    Returns:
        Tensor of `dtype`; out-of-range values (and infinities) become the dtype's limits.

    >>> saturate_cast([-1.0, 300.0, 2.7], "uint8").tolist()
    [0, 255, 2]
    """
    try:
        dtype = backend.standardize_dtype(dtype)
    except ValueError:
        raise ValueError(f"saturate_cast: unknown dtype {dtype!r}.") from None
    return run(saturate_cast, backend.core.saturate_cast, x, dtype)


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(backend.convert_to_tensor(x).shape)


def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices` (repeated indices sum).

    Args:
        indices: Integers `(num_updates, k)`, each row the first `k` coordinates of a slice.
        values: Tensor `(num_updates, *shape[k:])`.
        shape: Tuple of ints, the output shape.

    Returns:
        Tensor of `shape` with the dtype of `values`.

    >>> scatter([[0, 1], [1, 0], [0, 1]], [1.0, 2.0, 3.0], (2, 2)).tolist()
    [[0.0, 4.0], [2.0, 0.0]]
    """
    shape = tuple(shape)
    i_shape, v_shape = _shape_of(indices), _shape_of(values)
    if len(i_shape) < 1 or i_shape[-1] is None or i_shape[-1] > len(shape) or \
            v_shape != i_shape[:-1] + shape[i_shape[-1]:]:
        raise ValueError("scatter: expected `indices` (..., k) with k <= len(shape) and "
                         "`values` of shape indices.shape[:-1] + shape[k:]. Received: "
                         f"indices.shape={i_shape}, values.shape={v_shape}, shape={shape}")
    return run(scatter, backend.core.scatter, indices, values, shape)


_REDUCTIONS = (None, "add", "max", "min", "mul")


def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with the slices at `indices` replaced by (or combined with) `updates`.

    Args:
        inputs: Tensor.
        indices: Integers `(num_updates, k)`, each row the first `k` coordinates of a slice.
        updates: Tensor `(num_updates, *inputs.shape[k:])`.
        reduction: None (replace), "add", "max", "min" or "mul".

    Returns:
        Tensor shaped like `inputs`.

    >>> scatter_update([0, 0, 0], [[2]], [5]).tolist()
    [0, 0, 5]
    """
    if reduction not in _REDUCTIONS:
        raise ValueError("scatter_update: `reduction` must be one of None, 'add', 'max', 'min', "
                         f"'mul'. Received: reduction={reduction!r}")
    x_shape, i_shape, u_shape = _shape_of(inputs), _shape_of(indices), _shape_of(updates)
    if len(i_shape) < 1 or i_shape[-1] is None or i_shape[-1] > len(x_shape) or \
            u_shape != i_shape[:-1] + x_shape[i_shape[-1]:]:
        raise ValueError("scatter_update: expected `indices` (..., k) with k <= inputs' rank "
                         "and `updates` of shape indices.shape[:-1] + inputs.shape[k:]. "
                         f"Received: inputs.shape={x_shape}, indices.shape={i_shape}, "
                         f"updates.shape={u_shape}")
    return run(scatter_update, backend.core.scatter_update, inputs, indices, updates,
               reduction=reduction)


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list.

    Args:
        x: Tensor.
        num: Optional int, the expected length of `axis` (checked).
        axis: Int, the axis to split.

    Returns:
        List of `x.shape[axis]` tensors of rank `x.ndim - 1`.

    >>> [t.tolist() for t in unstack([[1, 2], [3, 4]], axis=1)]
    [[1, 3], [2, 4]]
    """
    shape = _shape_of(x)
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or \
            not -len(shape) <= axis < len(shape):
        raise ValueError(f"unstack: `axis` must be an int in [-{len(shape)}, {len(shape)}) for "
                         f"x.shape={shape}. Received: axis={axis!r}")
    if shape[axis] is None:
        raise ValueError(f"unstack: the length of axis {axis} of x.shape={shape} must be known.")
    if num is not None and num != shape[axis]:
        raise ValueError(f"unstack: `num` ({num}) must equal x.shape[{axis}] ({shape[axis]}).")
    return run(unstack, backend.core.unstack, x, axis=int(axis))


_PATTERN_ITEM = re.compile(r"\(([^()]*)\)|([A-Za-z_]\w*)|(\S)")


def _parse_side(pattern, side):
    """Groups of axis names of one side of a rearrange pattern: "b (h w) c" -> [[b], [h, w],
    [c]]."""
    groups = []
    for group, name, other in _PATTERN_ITEM.findall(side):
        if other:
            raise ValueError(f"rearrange: unexpected {other!r} in pattern {pattern!r}. Axis "
                             "names are identifiers; parentheses group axes.")
        names = group.split() if group or not name else [name]
        for n in names:
            if not re.fullmatch(r"[A-Za-z_]\w*", n):
                raise ValueError(f"rearrange: {n!r} is not an axis name in pattern {pattern!r}.")
        groups.append(names)
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, merge and split axes with an einops-style pattern.

    Args:
        tensor: Input tensor.
        pattern: `"<input axes> -> <output axes>"`: one name per input axis, parentheses to
            merge axes (`"b h w c -> b (h w) c"`) or, on the left, to split one
            (`"b (h h2) w c -> b h h2 w c"`, with `h2=2`).
        **axes_lengths: Sizes of split axes; one axis per group may be left to infer.

    Returns:
        The rearranged tensor.

    >>> tuple(rearrange(lamina.ops.ones((2, 3, 4)), "b h w -> b (w h)").shape)
    (2, 12)
    """
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError("rearrange: `pattern` must be a string '<input axes> -> <output axes>'"
                         f". Received: pattern={pattern!r}")
    if isinstance(tensor, KerasTensor):
        return symbolic_call(rearrange, tensor, pattern, **axes_lengths)
    left, right = pattern.split("->")
    inputs, outputs = _parse_side(pattern, left), _parse_side(pattern, right)
    in_names = [n for g in inputs for n in g]
    out_names = [n for g in outputs for n in g]
    if len(set(in_names)) != len(in_names) or sorted(in_names) != sorted(out_names):
        raise ValueError("rearrange: each axis must appear once on each side of the pattern. "
                         f"Received: pattern={pattern!r}")
    unknown = sorted(set(axes_lengths) - set(in_names))
    if unknown:
        raise ValueError(f"rearrange: axes_lengths names axes {unknown} that the pattern "
                         f"{pattern!r} does not have.")
    shape = _shape_of(tensor)
    if len(inputs) != len(shape):
        raise ValueError(f"rearrange: the pattern's input side has {len(inputs)} axes but the "
                         f"tensor has rank {len(shape)} (shape {shape}). Pattern: {pattern!r}")
    sizes = dict(axes_lengths)
    for group, size in zip(inputs, shape):
        missing = [n for n in group if n not in sizes]
        if len(missing) > 1:
            raise ValueError(f"rearrange: give the lengths of all but one of the axes {group} "
                             f"(axis of size {size}). Received: axes_lengths={axes_lengths}")
        known = 1
        for n in group:
            known *= sizes.get(n, 1)
        if missing:
            sizes[missing[0]] = size // known if known else 0
            known *= sizes[missing[0]]
        if known != size:
            raise ValueError(f"rearrange: axes {group} of lengths {[sizes[n] for n in group]} "
                             f"cannot make an axis of size {size} (tensor shape {shape}).")
    from lamina.ops import numpy as np_ops

    x = np_ops.reshape(tensor, tuple(sizes[n] for n in in_names))
    x = np_ops.transpose(x, tuple(in_names.index(n) for n in out_names))
    out_shape = []
    for group in outputs:
        size = 1
        for n in group:
            size *= sizes[n]
        out_shape.append(size)
    return np_ops.reshape(x, tuple(out_shape))


__all__ = ["associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor",
           "custom_gradient", "dtype", "fori_loop", "getitem", "is_tensor", "map", "rearrange",
           "saturate_cast", "scan", "scatter", "scatter_update", "shape", "slice",
           "slice_update", "stop_gradient", "switch", "unstack", "vectorized_map",
           "while_loop"]
