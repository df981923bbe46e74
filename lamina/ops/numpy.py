"""NumPy-like ops. Each accepts tensors, arrays, Variables or symbolic tensors (which record a
graph node); examples print plain Python values."""

import builtins

import numpy as _np

from lamina import backend
from lamina.ops.dispatch import run
from lamina.ops.symbolic import KerasTensor, record_node


def zeros(shape, dtype=None):
    """Tensor of zeros: `zeros((2,)).tolist() == [0.0, 0.0]`."""
    return run(zeros, backend.numpy.zeros, shape, dtype=dtype)


def ones(shape, dtype=None):
    """Tensor of ones: `ones((2,)).tolist() == [1.0, 1.0]`."""
    return run(ones, backend.numpy.ones, shape, dtype=dtype)


def full(shape, fill_value, dtype=None):
    """Tensor filled with `fill_value`."""
    return run(full, backend.numpy.full, shape, fill_value, dtype=dtype)


def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype unless given) of `x`."""
    return run(zeros_like, backend.numpy.zeros_like, x, dtype=dtype)


def ones_like(x, dtype=None):
    """Ones with the shape (and dtype unless given) of `x`."""
    return run(ones_like, backend.numpy.ones_like, x, dtype=dtype)


def full_like(x, fill_value, dtype=None):
    """`fill_value` with the shape of `x`."""
    return run(full_like, backend.numpy.full_like, x, fill_value, dtype=dtype)


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the k-th diagonal."""
    return run(eye, backend.numpy.eye, N, M=M, k=k, dtype=dtype)


def identity(n, dtype=None):
    """Square identity matrix."""
    return run(identity, backend.numpy.identity, n, dtype=dtype)


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values: `arange(3).tolist() == [0, 1, 2]`; `step` defaults to 1."""
    step = 1 if step is None else step
    return run(arange, backend.numpy.arange, start, stop=stop, step=step, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced samples over [start, stop]."""
    return run(linspace, backend.numpy.linspace, start, stop, num=num, endpoint=endpoint, retstep=retstep, dtype=dtype, axis=axis)


def array(x, dtype=None):
    """Tensor from array-like `x`."""
    return run(array, backend.numpy.array, x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the k-th diagonal."""
    return run(tri, backend.numpy.tri, N, M=M, k=k, dtype=dtype)


def add(x1, x2):
    """Element-wise sum with broadcasting: `add([1, 4], [5, 6]).tolist() == [6, 10]`."""
    return run(add, backend.numpy.add, x1, x2)


def subtract(x1, x2):
    """Element-wise difference."""
    return run(subtract, backend.numpy.subtract, x1, x2)


def multiply(x1, x2):
    """Element-wise product."""
    return run(multiply, backend.numpy.multiply, x1, x2)


def divide(x1, x2):
    """Element-wise true division; integer inputs give floats."""
    return run(divide, backend.numpy.divide, x1, x2)


def true_divide(x1, x2):
    """Alias of `divide`."""
    return run(true_divide, backend.numpy.true_divide, x1, x2)


def divide_no_nan(x1, x2):
    """Division that returns 0 where the denominator is 0."""
    return run(divide_no_nan, backend.numpy.divide_no_nan, x1, x2)


def floor_divide(x1, x2):
    """Element-wise floor division."""
    return run(floor_divide, backend.numpy.floor_divide, x1, x2)


def mod(x1, x2):
    """Element-wise remainder, sign of the divisor."""
    return run(mod, backend.numpy.mod, x1, x2)


def power(x1, x2):
    """Element-wise `x1 ** x2`."""
    return run(power, backend.numpy.power, x1, x2)


def maximum(x1, x2):
    """Element-wise maximum."""
    return run(maximum, backend.numpy.maximum, x1, x2)


def minimum(x1, x2):
    """Element-wise minimum."""
    return run(minimum, backend.numpy.minimum, x1, x2)


def matmul(x1, x2):
    """Matrix product with batch broadcasting."""
    return run(matmul, backend.numpy.matmul, x1, x2)


def dot(x1, x2):
    """Dot product (NumPy semantics)."""
    return run(dot, backend.numpy.dot, x1, x2)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation: `einsum("ij,jk->ik", a, b)` is `matmul(a, b)`."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum: the first argument must be the subscripts string, such as "
                        f"'ij,jk->ik'. Received: {subscripts!r}")
    return run(einsum, backend.numpy.einsum, subscripts, *operands, **kwargs)


def outer(x1, x2):
    """Outer product of two vectors."""
    return run(outer, backend.numpy.outer, x1, x2)


def tensordot(x1, x2, axes=2):
    """Tensor contraction over `axes`."""
    return run(tensordot, backend.numpy.tensordot, x1, x2, axes=axes)


def logaddexp(x1, x2):
    """`log(exp(x1) + exp(x2))`, computed stably."""
    return run(logaddexp, backend.numpy.logaddexp, x1, x2)


def arctan2(x1, x2):
    """Element-wise arc tangent of x1/x2 choosing the quadrant."""
    return run(arctan2, backend.numpy.arctan2, x1, x2)


def equal(x1, x2):
    """Element-wise `x1 == x2`."""
    return run(equal, backend.numpy.equal, x1, x2)


def not_equal(x1, x2):
    """Element-wise `x1 != x2`."""
    return run(not_equal, backend.numpy.not_equal, x1, x2)


def greater(x1, x2):
    """Element-wise `x1 > x2`."""
    return run(greater, backend.numpy.greater, x1, x2)


def greater_equal(x1, x2):
    """Element-wise `x1 >= x2`."""
    return run(greater_equal, backend.numpy.greater_equal, x1, x2)


def less(x1, x2):
    """Element-wise `x1 < x2`."""
    return run(less, backend.numpy.less, x1, x2)


def less_equal(x1, x2):
    """Element-wise `x1 <= x2`."""
    return run(less_equal, backend.numpy.less_equal, x1, x2)


def logical_and(x1, x2):
    """Element-wise logical and."""
    return run(logical_and, backend.numpy.logical_and, x1, x2)


def logical_or(x1, x2):
    """Element-wise logical or."""
    return run(logical_or, backend.numpy.logical_or, x1, x2)


def logical_xor(x1, x2):
    """Element-wise logical xor."""
    return run(logical_xor, backend.numpy.logical_xor, x1, x2)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Element-wise closeness test."""
    return run(isclose, backend.numpy.isclose, x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def where(condition, x1=None, x2=None):
    """Pick `x1` where `condition` holds, else `x2`; with neither, the indices where it holds."""
    if (x1 is None) != (x2 is None):
        raise ValueError("where: pass both `x1` and `x2`, or neither (for the indices where "
                         f"`condition` holds). Received x1={'None' if x1 is None else '...'}, "
                         f"x2={'None' if x2 is None else '...'}.")
    return run(where, backend.numpy.where, condition, x1=x1, x2=x2)


def clip(x, x_min, x_max):
    """Limit values to [x_min, x_max]."""
    return run(clip, backend.numpy.clip, x, x_min, x_max)


def abs(x):
    """Element-wise absolute value."""
    return run(abs, backend.numpy.abs, x)


def absolute(x):
    """Alias of `abs`."""
    return run(absolute, backend.numpy.absolute, x)


def negative(x):
    """Element-wise negation."""
    return run(negative, backend.numpy.negative, x)


def sign(x):
    """Element-wise sign (-1, 0 or 1)."""
    return run(sign, backend.numpy.sign, x)


def square(x):
    """Element-wise square."""
    return run(square, backend.numpy.square, x)


def reciprocal(x):
    """Element-wise `1 / x`."""
    return run(reciprocal, backend.numpy.reciprocal, x)


def sqrt(x):
    """Element-wise square root."""
    return run(sqrt, backend.numpy.sqrt, x)


def cbrt(x):
    """Element-wise cube root."""
    return run(cbrt, backend.numpy.cbrt, x)


def exp(x):
    """Element-wise exponential."""
    return run(exp, backend.numpy.exp, x)


def exp2(x):
    """Element-wise `2 ** x`."""
    return run(exp2, backend.numpy.exp2, x)


def expm1(x):
    """`exp(x) - 1`, accurate near 0."""
    return run(expm1, backend.numpy.expm1, x)


def log(x):
    """Element-wise natural logarithm."""
    return run(log, backend.numpy.log, x)


def log2(x):
    """Element-wise base-2 logarithm."""
    return run(log2, backend.numpy.log2, x)


def log10(x):
    """Element-wise base-10 logarithm."""
    return run(log10, backend.numpy.log10, x)


def log1p(x):
    """`log(1 + x)`, accurate near 0."""
    return run(log1p, backend.numpy.log1p, x)


def sin(x):
    """Element-wise sine."""
    return run(sin, backend.numpy.sin, x)


def cos(x):
    """Element-wise cosine."""
    return run(cos, backend.numpy.cos, x)


def tan(x):
    """Element-wise tangent."""
    return run(tan, backend.numpy.tan, x)


def arcsin(x):
    """Element-wise inverse sine."""
    return run(arcsin, backend.numpy.arcsin, x)


def arccos(x):
    """Element-wise inverse cosine."""
    return run(arccos, backend.numpy.arccos, x)


def arctan(x):
    """Element-wise inverse tangent."""
    return run(arctan, backend.numpy.arctan, x)


def sinh(x):
    """Element-wise hyperbolic sine."""
    return run(sinh, backend.numpy.sinh, x)


def cosh(x):
    """Element-wise hyperbolic cosine."""
    return run(cosh, backend.numpy.cosh, x)


def tanh(x):
    """Element-wise hyperbolic tangent."""
    return run(tanh, backend.numpy.tanh, x)


def arcsinh(x):
    """Element-wise inverse hyperbolic sine."""
    return run(arcsinh, backend.numpy.arcsinh, x)


def arccosh(x):
    """Element-wise inverse hyperbolic cosine."""
    return run(arccosh, backend.numpy.arccosh, x)


def arctanh(x):
    """Element-wise inverse hyperbolic tangent."""
    return run(arctanh, backend.numpy.arctanh, x)


def floor(x):
    """Element-wise floor."""
    return run(floor, backend.numpy.floor, x)


def ceil(x):
    """Element-wise ceiling."""
    return run(ceil, backend.numpy.ceil, x)


def round(x, decimals=0):
    """Round half to even."""
    return run(round, backend.numpy.round, x, decimals=decimals)


def isnan(x):
    """Element-wise NaN test."""
    return run(isnan, backend.numpy.isnan, x)


def isinf(x):
    """Element-wise infinity test."""
    return run(isinf, backend.numpy.isinf, x)


def isfinite(x):
    """Element-wise finiteness test."""
    return run(isfinite, backend.numpy.isfinite, x)


def logical_not(x):
    """Element-wise logical not."""
    return run(logical_not, backend.numpy.logical_not, x)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN and infinities with finite numbers."""
    return run(nan_to_num, backend.numpy.nan_to_num, x, nan=nan, posinf=posinf, neginf=neginf)


def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (all axes when None)."""
    return run(sum, backend.numpy.sum, x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`."""
    return run(prod, backend.numpy.prod, x, axis=axis, keepdims=keepdims, dtype=dtype)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis`; integers give floats."""
    return run(mean, backend.numpy.mean, x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over `axis`."""
    return run(var, backend.numpy.var, x, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over `axis`."""
    return run(std, backend.numpy.std, x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis`."""
    return run(max, backend.numpy.max, x, axis=axis, keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis`."""
    return run(min, backend.numpy.min, x, axis=axis, keepdims=keepdims, initial=initial)


def amax(x, axis=None, keepdims=False, initial=None):
    """Alias of `max`."""
    return run(amax, backend.numpy.amax, x, axis=axis, keepdims=keepdims, initial=initial)


def amin(x, axis=None, keepdims=False, initial=None):
    """Alias of `min`."""
    return run(amin, backend.numpy.amin, x, axis=axis, keepdims=keepdims, initial=initial)


def all(x, axis=None, keepdims=False):
    """Whether all elements are true."""
    return run(all, backend.numpy.all, x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    """Whether any element is true."""
    return run(any, backend.numpy.any, x, axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Indices of maxima (int32)."""
    return run(argmax, backend.numpy.argmax, x, axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims=False):
    """Indices of minima (int32)."""
    return run(argmin, backend.numpy.argmin, x, axis=axis, keepdims=keepdims)


def argsort(x, axis=-1):
    """Indices that sort `x` along `axis`."""
    return run(argsort, backend.numpy.argsort, x, axis=axis)


def sort(x, axis=-1):
    """Sorted copy along `axis`."""
    return run(sort, backend.numpy.sort, x, axis=axis)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum."""
    return run(cumsum, backend.numpy.cumsum, x, axis=axis, dtype=dtype)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product."""
    return run(cumprod, backend.numpy.cumprod, x, axis=axis, dtype=dtype)


def count_nonzero(x, axis=None):
    """Number of non-zero elements."""
    return run(count_nonzero, backend.numpy.count_nonzero, x, axis=axis)


def average(x, axis=None, weights=None):
    """Weighted average over `axis`."""
    return run(average, backend.numpy.average, x, axis=axis, weights=weights)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal."""
    return run(trace, backend.numpy.trace, x, offset=offset, axis1=axis1, axis2=axis2)


def reshape(x, newshape):
    """Same data with a new shape (one axis may be -1)."""
    return run(reshape, backend.numpy.reshape, x, newshape)


def transpose(x, axes=None):
    """Permute axes (reverse them when `axes` is None)."""
    return run(transpose, backend.numpy.transpose, x, axes=axes)


def expand_dims(x, axis):
    """Insert an axis of length 1."""
    return run(expand_dims, backend.numpy.expand_dims, x, axis)


def squeeze(x, axis=None):
    """Remove axes of length 1."""
    return run(squeeze, backend.numpy.squeeze, x, axis=axis)


def ravel(x):
    """Flatten to 1-D."""
    return run(ravel, backend.numpy.ravel, x)


def broadcast_to(x, shape):
    """Broadcast `x` to `shape`."""
    return run(broadcast_to, backend.numpy.broadcast_to, x, shape)


def moveaxis(x, source, destination):
    """Move axes to new positions."""
    return run(moveaxis, backend.numpy.moveaxis, x, source, destination)


def swapaxes(x, axis1, axis2):
    """Swap two axes."""
    return run(swapaxes, backend.numpy.swapaxes, x, axis1, axis2)


def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    return run(concatenate, backend.numpy.concatenate, xs, axis=axis)


def stack(x, axis=0):
    """Join tensors along a new axis."""
    return run(stack, backend.numpy.stack, x, axis=axis)


def hstack(xs):
    """Stack horizontally."""
    return run(hstack, backend.numpy.hstack, xs)


def vstack(xs):
    """Stack vertically."""
    return run(vstack, backend.numpy.vstack, xs)


def split(x, indices_or_sections, axis=0):
    """Split into several tensors."""
    return run(split, backend.numpy.split, x, indices_or_sections, axis=axis)


def tile(x, repeats):
    """Repeat the whole tensor along each axis."""
    return run(tile, backend.numpy.tile, x, repeats)


def repeat(x, repeats, axis=None):
    """Repeat each element."""
    return run(repeat, backend.numpy.repeat, x, repeats, axis=axis)


def flip(x, axis=None):
    """Reverse the order of elements along `axis`."""
    return run(flip, backend.numpy.flip, x, axis=axis)


def roll(x, shift, axis=None):
    """Roll elements along `axis`."""
    return run(roll, backend.numpy.roll, x, shift, axis=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad a tensor."""
    return run(pad, backend.numpy.pad, x, pad_width, mode=mode, constant_values=constant_values)


def take(x, indices, axis=None):
    """Elements at `indices` along `axis`."""
    return run(take, backend.numpy.take, x, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    """Gather with index tensors matching along `axis`."""
    return run(take_along_axis, backend.numpy.take_along_axis, x, indices, axis=axis)


def diag(x, k=0):
    """Extract a diagonal or build a diagonal matrix."""
    return run(diag, backend.numpy.diag, x, k=k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """Diagonals of `x`."""
    return run(diagonal, backend.numpy.diagonal, x, offset=offset, axis1=axis1, axis2=axis2)


def tril(x, k=0):
    """Lower triangle."""
    return run(tril, backend.numpy.tril, x, k=k)


def triu(x, k=0):
    """Upper triangle."""
    return run(triu, backend.numpy.triu, x, k=k)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors; `indexing` is "xy" (Cartesian) or "ij"."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: `indexing` must be 'xy' or 'ij'. Received: {indexing!r}")
    return run(meshgrid, backend.numpy.meshgrid, *x, indexing=indexing)


def bincount(x, weights=None, minlength=0, sparse=False):
    """Count of each value in non-negative int vector `x` (summed `weights` when given).

    >>> bincount([0, 2, 2]).tolist()
    [1, 0, 2]
    """
    if sparse:
        raise ValueError("bincount: sparse outputs are not supported by lamina. Received: "
                         f"sparse={sparse!r}; pass sparse=False.")
    shape = x.shape if hasattr(x, "shape") else backend.convert_to_tensor(x).shape
    if len(shape) != 1:
        raise ValueError("bincount: `x` must be a 1-D tensor of non-negative ints. Received "
                         f"shape {tuple(shape)}; count each row separately for batched input.")
    return run(bincount, backend.numpy.bincount, x, weights=weights, minlength=minlength)


def ndim(x):
    """Number of axes of `x`."""
    return len(x.shape) if hasattr(x, "shape") else backend.numpy.ndim(x)


def size(x):
    """Number of elements of `x`."""
    return run(size, backend.numpy.size, x)


def copy(x):
    """A copy of `x`."""
    return run(copy, backend.numpy.copy, x)


def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices that keep the order."""
    return run(searchsorted, backend.numpy.searchsorted, sorted_sequence, values, side=side)


# --- checks shared by the ops below ---------------------------------------------------------------
def _shape_of(x):
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return tuple(_np.shape(x))


def _dtype_of(x):
    if isinstance(x, (bool, int, float)):
        return backend.result_type(x)
    if hasattr(x, "dtype"):
        return backend.standardize_dtype(x.dtype)
    return backend.standardize_dtype(backend.convert_to_tensor(x).dtype)


def _check_axis(op, x, axis, name="axis"):
    """Raise unless each entry of `axis` (an int, a sequence of ints or None) fits x's rank."""
    if axis is None:
        return None
    shape = _shape_of(x)
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, _np.integer)):
            raise TypeError(f"{op}: `{name}` must be an int (or a tuple of ints, or None). "
                            f"Received: {name}={axis!r}")
        if not -len(shape) <= a < len(shape):
            raise ValueError(f"{op}: `{name}`={a} is out of range for an input of rank "
                             f"{len(shape)} (shape {shape}). Use an axis in "
                             f"[{-len(shape)}, {len(shape) - 1}].")
    return tuple(axis) if isinstance(axis, list) else axis


def _check_broadcast(op, *xs):
    shapes = [_shape_of(x) for x in xs]
    ndim = builtins.max(len(s) for s in shapes)
    for i in range(1, ndim + 1):
        sizes = {s[-i] for s in shapes if len(s) >= i and s[-i] not in (None, 1)}
        if len(sizes) > 1:
            raise ValueError(f"{op}: the input shapes {', '.join(str(s) for s in shapes)} do not "
                             "broadcast together: along each axis (counted from the last) the "
                             "sizes must be equal or 1. Reshape or expand_dims one input.")


def _check_int_dtype(op, xs, allow_bool=False):
    """Raise unless the common dtype of `xs` is an integer (or, if allowed, bool) dtype."""
    dtype = backend.result_type(*(_dtype_of(x) if not isinstance(x, (bool, int, float)) else x
                                  for x in xs))
    if not (dtype.startswith(("int", "uint")) or (allow_bool and dtype == "bool")):
        names = " or bool" if allow_bool else ""
        raise TypeError(f"{op}: expected integer{names} inputs, received dtypes "
                        f"{[_dtype_of(x) for x in xs]}. Cast with `ops.cast(x, 'int32')`.")


def _check_not_bool(op, *xs):
    if builtins.all(_dtype_of(x) == "bool" for x in xs):
        raise TypeError(f"{op}: bool inputs are not supported (the op subtracts or multiplies "
                        "values). Cast them with `ops.cast(x, 'int32')` first.")


def _check_choice(op, name, value, choices):
    if value not in choices:
        raise ValueError(f"{op}: unknown `{name}` {value!r}. Expected one of {list(choices)}.")


def _check_int_arg(op, name, value, minimum=0, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, _np.integer)) or value < minimum:
        raise ValueError(f"{op}: `{name}` must be an int >= {minimum}. Received: "
                         f"{name}={value!r}")


def _check_rank(op, name, x, ndim=None, min_ndim=None):
    shape = _shape_of(x)
    if (ndim is not None and len(shape) != ndim) or (min_ndim is not None and
                                                       len(shape) < min_ndim):
        want = f"exactly {ndim}" if ndim is not None else f"at least {min_ndim}"
        raise ValueError(f"{op}: `{name}` must have {want} dimensions. Received shape {shape}.")


def _check_sections(op, x, indices_or_sections, axis):
    if isinstance(indices_or_sections, (int, _np.integer)):
        size = _shape_of(x)[axis]
        if indices_or_sections <= 0 or (size is not None and size % indices_or_sections):
            raise ValueError(f"{op}: cannot split an axis of size {size} into "
                             f"{indices_or_sections} equal sections. Use `array_split` for "
                             "unequal sections, or pass split indices.")


def _window_length(op, x):
    if isinstance(x, KerasTensor):
        raise TypeError(f"{op}: the window length sets the output's shape, so it must be a "
                        f"Python int, not a symbolic tensor. Received: {x!r}")
    if hasattr(x, "shape"):
        x = _np.asarray(backend.convert_to_numpy(x)).item()
    _check_int_arg(op, "x", x)
    return int(x)


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_quantile_args(op, x, q, axis, method, high):
    _check_choice(op, "method", method, _QUANTILE_METHODS)
    if isinstance(q, (int, float, list, tuple)):
        values = _np.asarray(q, dtype="float64")
        if values.size and (values.min() < 0 or values.max() > high):
            raise ValueError(f"{op}: `q` must lie in [0, {high}]. Received: q={q!r}")
    return _check_axis(op, x, axis)


# --- more creation --------------------------------------------------------------------------------
def empty(shape, dtype=None):
    """Uninitialized tensor (lamina fills zeros): `empty((2,)).shape == (2,)`."""
    return run(empty, backend.numpy.empty, shape, dtype=dtype)


def empty_like(x, dtype=None):
    """Uninitialized tensor with the shape (and dtype unless given) of `x`."""
    return run(empty_like, backend.numpy.empty_like, x, dtype=dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` samples spaced evenly on a log scale: `geomspace(1, 100, 3).tolist() == [1, 10, 100]`.

    `start` and `stop` must be non-zero (they are logged); the result is floatx unless `dtype`.
    """
    _check_int_arg("geomspace", "num", num)
    if builtins.any(isinstance(v, (int, float)) and v == 0 for v in (start, stop)):
        raise ValueError(f"geomspace: `start` and `stop` must be non-zero. Received: "
                         f"start={start!r}, stop={stop!r}")
    return run(geomspace, backend.numpy.geomspace, start, stop, num=num, endpoint=endpoint,
               dtype=dtype, axis=axis)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`base ** linspace(start, stop, num)`: `logspace(0, 2, 3).tolist() == [1, 10, 100]`."""
    _check_int_arg("logspace", "num", num)
    return run(logspace, backend.numpy.logspace, start, stop, num=num, endpoint=endpoint,
               base=base, dtype=dtype, axis=axis)


def bartlett(x):
    """Bartlett (triangular) window of length `x`: `bartlett(3).tolist() == [0, 1, 0]`."""
    return backend.numpy.bartlett(_window_length("bartlett", x))


def blackman(x):
    """Blackman window of length `x` (a Python int)."""
    return backend.numpy.blackman(_window_length("blackman", x))


def hamming(x):
    """Hamming window of length `x`: `hamming(3)` is `[0.08, 1.0, 0.08]` in float32."""
    return backend.numpy.hamming(_window_length("hamming", x))


def hanning(x):
    """Hann window of length `x`: `hanning(3).tolist() == [0, 1, 0]`."""
    return backend.numpy.hanning(_window_length("hanning", x))


def kaiser(x, beta):
    """Kaiser window of length `x` with shape parameter `beta` (0 gives a rectangle)."""
    if isinstance(beta, bool) or not isinstance(beta, (int, float)):
        raise TypeError(f"kaiser: `beta` must be a Python number. Received: beta={beta!r}")
    return backend.numpy.kaiser(_window_length("kaiser", x), beta)


def vander(x, N=None, increasing=False):
    """Vandermonde matrix of 1-D `x`: `vander([2, 3], 2).tolist() == [[2, 1], [3, 1]]`."""
    _check_rank("vander", "x", x, ndim=1)
    _check_int_arg("vander", "N", N, allow_none=True)
    _check_not_bool("vander", x)
    return run(vander, backend.numpy.vander, x, N=N, increasing=increasing)


# --- more element-wise unary ----------------------------------------------------------------------
def angle(x):
    """Argument of each (real) value: `angle([-1.0, 2.0]).tolist() == [pi, 0.0]`."""
    return run(angle, backend.numpy.angle, x)


def conjugate(x):
    """Complex conjugate; real tensors are returned unchanged."""
    return run(conjugate, backend.numpy.conjugate, x)


def conj(x):
    """Alias of `conjugate`."""
    return run(conj, backend.numpy.conj, x)


def real(x):
    """Real part; real tensors are returned unchanged."""
    return run(real, backend.numpy.real, x)


def imag(x):
    """Imaginary part; zeros of the same dtype for real tensors."""
    return run(imag, backend.numpy.imag, x)


def deg2rad(x):
    """Degrees to radians: `deg2rad([180.0]).tolist() == [pi]`."""
    return run(deg2rad, backend.numpy.deg2rad, x)


def rad2deg(x):
    """Radians to degrees: `rad2deg([pi]).tolist() == [180.0]`."""
    return run(rad2deg, backend.numpy.rad2deg, x)


def fabs(x):
    """Absolute value as floats: `fabs([-2]).tolist() == [2.0]`."""
    return run(fabs, backend.numpy.fabs, x)


def i0(x):
    """Modified Bessel function of the first kind, order 0: `i0([0.0]).tolist() == [1.0]`."""
    return run(i0, backend.numpy.i0, x)


def sinc(x):
    """Normalized sinc `sin(pi x) / (pi x)` with `sinc(0) == 1`."""
    return run(sinc, backend.numpy.sinc, x)


def trunc(x):
    """Round toward zero, keeping the dtype: `trunc([-1.7, 1.7]).tolist() == [-1.0, 1.0]`."""
    return run(trunc, backend.numpy.trunc, x)


def signbit(x):
    """Whether the sign bit is set: `signbit([-0.0, 1.0]).tolist() == [True, False]`."""
    return run(signbit, backend.numpy.signbit, x)


def isneginf(x):
    """Element-wise test for negative infinity."""
    return run(isneginf, backend.numpy.isneginf, x)


def isposinf(x):
    """Element-wise test for positive infinity."""
    return run(isposinf, backend.numpy.isposinf, x)


def isreal(x):
    """Whether each imaginary part is zero (always true for real tensors)."""
    return run(isreal, backend.numpy.isreal, x)


def bitwise_invert(x):
    """Bit-wise NOT of an integer or bool tensor: `bitwise_invert([0]).tolist() == [-1]`."""
    _check_int_dtype("bitwise_invert", [x], allow_bool=True)
    return run(bitwise_invert, backend.numpy.bitwise_invert, x)


def bitwise_not(x):
    """Alias of `bitwise_invert`."""
    _check_int_dtype("bitwise_not", [x], allow_bool=True)
    return run(bitwise_not, backend.numpy.bitwise_not, x)


# --- more element-wise binary ---------------------------------------------------------------------
def fmax(x1, x2):
    """Element-wise maximum that ignores NaN: `fmax([nan, 1.0], 0.0).tolist() == [0.0, 1.0]`."""
    _check_broadcast("fmax", x1, x2)
    return run(fmax, backend.numpy.fmax, x1, x2)


def fmin(x1, x2):
    """Element-wise minimum that ignores NaN."""
    _check_broadcast("fmin", x1, x2)
    return run(fmin, backend.numpy.fmin, x1, x2)


def fmod(x1, x2):
    """Remainder with the sign of the dividend (C's fmod): `fmod([-5], 3).tolist() == [-2]`."""
    _check_broadcast("fmod", x1, x2)
    return run(fmod, backend.numpy.fmod, x1, x2)


def gcd(x1, x2):
    """Greatest common divisor of integers: `gcd([12], [18]).tolist() == [6]`."""
    _check_broadcast("gcd", x1, x2)
    _check_int_dtype("gcd", [x1, x2])
    return run(gcd, backend.numpy.gcd, x1, x2)


def lcm(x1, x2):
    """Least common multiple of integers: `lcm([4], [6]).tolist() == [12]`."""
    _check_broadcast("lcm", x1, x2)
    _check_int_dtype("lcm", [x1, x2])
    return run(lcm, backend.numpy.lcm, x1, x2)


def heaviside(x1, x2):
    """Step function: 0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0."""
    _check_broadcast("heaviside", x1, x2)
    return run(heaviside, backend.numpy.heaviside, x1, x2)


def hypot(x1, x2):
    """`sqrt(x1**2 + x2**2)` without overflow: `hypot([3], [4]).tolist() == [5.0]`."""
    _check_broadcast("hypot", x1, x2)
    return run(hypot, backend.numpy.hypot, x1, x2)


def logaddexp2(x1, x2):
    """`log2(2**x1 + 2**x2)`, computed stably: `logaddexp2([1.0], [1.0]).tolist() == [2.0]`."""
    _check_broadcast("logaddexp2", x1, x2)
    return run(logaddexp2, backend.numpy.logaddexp2, x1, x2)


def nextafter(x1, x2):
    """The next representable float after x1 in the direction of x2."""
    _check_broadcast("nextafter", x1, x2)
    return run(nextafter, backend.numpy.nextafter, x1, x2)


def ldexp(x1, x2):
    """`x1 * 2**x2` for integer exponents `x2`: `ldexp([1.5], [2]).tolist() == [6.0]`."""
    _check_broadcast("ldexp", x1, x2)
    if not _dtype_of(x2).startswith(("int", "uint")):
        raise TypeError(f"ldexp: the exponent `x2` must be an integer tensor. Received dtype "
                        f"{_dtype_of(x2)}. Cast it with `ops.cast(x2, 'int32')`.")
    return run(ldexp, backend.numpy.ldexp, x1, x2)


def bitwise_and(x, y):
    """Bit-wise AND of integer or bool tensors: `bitwise_and([12], [10]).tolist() == [8]`."""
    _check_broadcast("bitwise_and", x, y)
    _check_int_dtype("bitwise_and", [x, y], allow_bool=True)
    return run(bitwise_and, backend.numpy.bitwise_and, x, y)


def bitwise_or(x, y):
    """Bit-wise OR of integer or bool tensors: `bitwise_or([12], [10]).tolist() == [14]`."""
    _check_broadcast("bitwise_or", x, y)
    _check_int_dtype("bitwise_or", [x, y], allow_bool=True)
    return run(bitwise_or, backend.numpy.bitwise_or, x, y)


def bitwise_xor(x, y):
    """Bit-wise XOR of integer or bool tensors: `bitwise_xor([12], [10]).tolist() == [6]`."""
    _check_broadcast("bitwise_xor", x, y)
    _check_int_dtype("bitwise_xor", [x, y], allow_bool=True)
    return run(bitwise_xor, backend.numpy.bitwise_xor, x, y)


def bitwise_left_shift(x, y):
    """`x << y` for ints (bools count as int32): `bitwise_left_shift([1], 3).tolist() == [8]`."""
    _check_broadcast("bitwise_left_shift", x, y)
    _check_int_dtype("bitwise_left_shift", [x, y], allow_bool=True)
    return run(bitwise_left_shift, backend.numpy.bitwise_left_shift, x, y)


def bitwise_right_shift(x, y):
    """`x >> y`, arithmetic for signed ints: `bitwise_right_shift([-8], 1).tolist() == [-4]`."""
    _check_broadcast("bitwise_right_shift", x, y)
    _check_int_dtype("bitwise_right_shift", [x, y], allow_bool=True)
    return run(bitwise_right_shift, backend.numpy.bitwise_right_shift, x, y)


def left_shift(x, y):
    """Alias of `bitwise_left_shift`."""
    _check_broadcast("left_shift", x, y)
    _check_int_dtype("left_shift", [x, y], allow_bool=True)
    return run(left_shift, backend.numpy.left_shift, x, y)


def right_shift(x, y):
    """Alias of `bitwise_right_shift`."""
    _check_broadcast("right_shift", x, y)
    _check_int_dtype("right_shift", [x, y], allow_bool=True)
    return run(right_shift, backend.numpy.right_shift, x, y)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether all of `abs(x1 - x2) <= atol + rtol * abs(x2)` hold (a bool scalar)."""
    _check_broadcast("allclose", x1, x2)
    return run(allclose, backend.numpy.allclose, x1, x2, rtol=rtol, atol=atol,
               equal_nan=equal_nan)


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of `x1` is in `x2`: `isin([1, 5], [5, 7]).tolist() == [False, True]`."""
    return run(isin, backend.numpy.isin, x1, x2, assume_unique=assume_unique, invert=invert)


# --- products -------------------------------------------------------------------------------------
def inner(x1, x2):
    """Inner product over the last axes (scalars multiply): `inner([1, 2], [3, 4]) == 11`."""
    s1, s2 = _shape_of(x1), _shape_of(x2)
    if s1 and s2 and None not in (s1[-1], s2[-1]) and s1[-1] != s2[-1]:
        raise ValueError(f"inner: the last axes must have the same size. Received shapes {s1} "
                         f"and {s2}.")
    return run(inner, backend.numpy.inner, x1, x2)


def vdot(x1, x2):
    """Dot product of the flattened inputs: `vdot([[1, 2]], [3, 4]) == 11`."""
    s1, s2 = _shape_of(x1), _shape_of(x2)
    if None not in s1 + s2 and _np.prod(s1, dtype=int) != _np.prod(s2, dtype=int):
        raise ValueError(f"vdot: the inputs must have the same number of elements. Received "
                         f"shapes {s1} and {s2}.")
    return run(vdot, backend.numpy.vdot, x1, x2)


def kron(x1, x2):
    """Kronecker product: `kron([1, 2], [1, 10]).tolist() == [1, 10, 2, 20]`."""
    _check_not_bool("kron", x1, x2)
    return run(kron, backend.numpy.kron, x1, x2)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 2- or 3-vectors along the given axes (`axis` overrides all three).

    >>> cross([1, 0, 0], [0, 1, 0]).tolist()
    [0, 0, 1]
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    for name, x, a in (("axisa", x1, axisa), ("axisb", x2, axisb)):
        _check_axis("cross", x, a, name)
        if _shape_of(x)[a] not in (2, 3, None):
            raise ValueError(f"cross: the vectors along `{name}`={a} must have 2 or 3 "
                             f"components. Received shape {_shape_of(x)}.")
    _check_not_bool("cross", x1, x2)
    return run(cross, backend.numpy.cross, x1, x2, axisa=axisa, axisb=axisb, axisc=axisc,
               axis=axis)


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors; `mode` is "valid", "same" or "full".

    >>> correlate([1, 2, 3], [0, 1]).tolist()
    [2.0, 3.0]
    """
    _check_choice("correlate", "mode", mode, ("valid", "same", "full"))
    _check_rank("correlate", "x1", x1, ndim=1)
    _check_rank("correlate", "x2", x2, ndim=1)
    return run(correlate, backend.numpy.correlate, x1, x2, mode=mode)


def slogdet(x):
    """Sign and log of the absolute determinant of square matrices `(..., n, n)`.

    Returns:
        `(sign, logabsdet)` with `det = sign * exp(logabsdet)`.
    """
    shape = _shape_of(x)
    if len(shape) < 2 or (None not in shape[-2:] and shape[-1] != shape[-2]):
        raise ValueError(f"slogdet: `x` must be a (batch of) square matrices (..., n, n). "
                         f"Received shape {shape}.")
    return run(slogdet, backend.numpy.slogdet, x)


# --- more reductions ------------------------------------------------------------------------------
def nansum(x, axis=None, keepdims=False):
    """Sum ignoring NaN: `nansum([1.0, nan, 2.0]) == 3.0`."""
    axis = _check_axis("nansum", x, axis)
    return run(nansum, backend.numpy.nansum, x, axis=axis, keepdims=keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product ignoring NaN (treated as 1)."""
    axis = _check_axis("nanprod", x, axis)
    return run(nanprod, backend.numpy.nanprod, x, axis=axis, keepdims=keepdims)


def nanmax(x, axis=None, keepdims=False):
    """Maximum ignoring NaN (NaN where all are NaN)."""
    axis = _check_axis("nanmax", x, axis)
    return run(nanmax, backend.numpy.nanmax, x, axis=axis, keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    """Minimum ignoring NaN (NaN where all are NaN)."""
    axis = _check_axis("nanmin", x, axis)
    return run(nanmin, backend.numpy.nanmin, x, axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean ignoring NaN: `nanmean([1.0, nan, 3.0]) == 2.0`."""
    axis = _check_axis("nanmean", x, axis)
    return run(nanmean, backend.numpy.nanmean, x, axis=axis, keepdims=keepdims)


def nanvar(x, axis=None, keepdims=False):
    """Population variance ignoring NaN."""
    axis = _check_axis("nanvar", x, axis)
    return run(nanvar, backend.numpy.nanvar, x, axis=axis, keepdims=keepdims)


def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation ignoring NaN."""
    axis = _check_axis("nanstd", x, axis)
    return run(nanstd, backend.numpy.nanstd, x, axis=axis, keepdims=keepdims)


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum ignoring NaN (int32; -1 where all are NaN)."""
    _check_axis("nanargmax", x, axis)
    return run(nanargmax, backend.numpy.nanargmax, x, axis=axis, keepdims=keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum ignoring NaN (int32; -1 where all are NaN)."""
    _check_axis("nanargmin", x, axis)
    return run(nanargmin, backend.numpy.nanargmin, x, axis=axis, keepdims=keepdims)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum treating NaN as 0 (flattened when `axis` is None)."""
    _check_axis("nancumsum", x, axis)
    return run(nancumsum, backend.numpy.nancumsum, x, axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product treating NaN as 1 (flattened when `axis` is None)."""
    _check_axis("nancumprod", x, axis)
    return run(nancumprod, backend.numpy.nancumprod, x, axis=axis, dtype=dtype)


def ptp(x, axis=None, keepdims=False):
    """Range `max - min` over `axis`: `ptp([1, 5, 2]) == 4`."""
    axis = _check_axis("ptp", x, axis)
    _check_not_bool("ptp", x)
    return run(ptp, backend.numpy.ptp, x, axis=axis, keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    """Median over `axis` (floats): `median([1, 3, 2, 4]) == 2.5`."""
    axis = _check_axis("median", x, axis)
    return run(median, backend.numpy.median, x, axis=axis, keepdims=keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """Median ignoring NaN (NaN where all are NaN)."""
    axis = _check_axis("nanmedian", x, axis)
    return run(nanmedian, backend.numpy.nanmedian, x, axis=axis, keepdims=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """`q`-th quantiles (q in [0, 1]); a 1-D `q` adds a leading axis to the result.

    `method` is one of "linear", "lower", "higher", "midpoint", "nearest".

    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5).tolist()
    2.5
    """
    axis = _check_quantile_args("quantile", x, q, axis, method, 1)
    return run(quantile, backend.numpy.quantile, x, q, axis=axis, method=method,
               keepdims=keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """`quantile` ignoring NaN."""
    axis = _check_quantile_args("nanquantile", x, q, axis, method, 1)
    return run(nanquantile, backend.numpy.nanquantile, x, q, axis=axis, method=method,
               keepdims=keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """`q`-th percentiles (q in [0, 100]): `percentile([1.0, 2.0, 3.0], 50) == 2.0`."""
    axis = _check_quantile_args("percentile", x, q, axis, method, 100)
    return run(percentile, backend.numpy.percentile, x, q, axis=axis, method=method,
               keepdims=keepdims)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """`percentile` ignoring NaN."""
    axis = _check_quantile_args("nanpercentile", x, q, axis, method, 100)
    return run(nanpercentile, backend.numpy.nanpercentile, x, q, axis=axis, method=method,
               keepdims=keepdims)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of `y` along `axis` by the trapezoidal rule, at points `x` or spacing `dx`.

    >>> trapezoid([1.0, 2.0, 3.0]).tolist()
    4.0
    """
    _check_axis("trapezoid", y, axis)
    if x is not None:
        ys, xs = _shape_of(y), _shape_of(x)
        n = ys[axis]
        m = xs[-1] if len(xs) == 1 else xs[axis] if len(xs) == len(ys) else -1
        if n is not None and m is not None and m != n:
            raise ValueError(f"trapezoid: the sample points `x` (shape {xs}) must be 1-D with "
                             f"{n} entries, or have y's shape {ys}.")
    return run(trapezoid, backend.numpy.trapezoid, y, x=x, dx=dx, axis=axis)


def corrcoef(x):
    """Pearson correlation coefficients between the rows of `x` (one variable per row)."""
    _check_rank("corrcoef", "x", x, min_ndim=1)
    if len(_shape_of(x)) > 2:
        raise ValueError(f"corrcoef: `x` must be 1-D or 2-D (variables by observations). "
                         f"Received shape {_shape_of(x)}.")
    return run(corrcoef, backend.numpy.corrcoef, x)


def histogram(x, bins=10, range=None):
    """Counts of the values of 1-D `x` in `bins` equal-width bins over `range` (min, max).

    Returns:
        `(counts, bin_edges)`, both floats, of shapes `(bins,)` and `(bins + 1,)`.

    >>> histogram([0.0, 1.0, 1.0, 3.0], bins=3)[0].tolist()
    [1.0, 2.0, 1.0]
    """
    _check_rank("histogram", "x", x, ndim=1)
    _check_int_arg("histogram", "bins", bins, minimum=1)
    if range is not None and (len(range) != 2 or range[0] > range[1]):
        raise ValueError(f"histogram: `range` must be a pair (min, max) with min <= max. "
                         f"Received: range={range!r}")
    return run(histogram, backend.numpy.histogram, x, bins=bins, range=range)


# --- more shape manipulation and indexing ---------------------------------------------------------
def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when None)."""
    _check_axis("append", x1, axis)
    return run(append, backend.numpy.append, x1, x2, axis=axis)


def array_split(x, indices_or_sections, axis=0):
    """Split into `indices_or_sections` nearly equal parts (the first ones one longer).

    >>> [t.tolist() for t in array_split([1, 2, 3], 2)]
    [[1, 2], [3]]
    """
    _check_axis("array_split", x, axis)
    if isinstance(indices_or_sections, (int, _np.integer)):
        _check_int_arg("array_split", "indices_or_sections", indices_or_sections, minimum=1)
    return run(array_split, backend.numpy.array_split, x, indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D tensors)."""
    _check_rank("hsplit", "x", x, min_ndim=1)
    _check_sections("hsplit", x, indices_or_sections, 1 if len(_shape_of(x)) > 1 else 0)
    return run(hsplit, backend.numpy.hsplit, x, indices_or_sections)


def vsplit(x, indices_or_sections):
    """Split along axis 0 of a tensor with at least 2 dimensions."""
    _check_rank("vsplit", "x", x, min_ndim=2)
    _check_sections("vsplit", x, indices_or_sections, 0)
    return run(vsplit, backend.numpy.vsplit, x, indices_or_sections)


def dsplit(x, indices_or_sections):
    """Split along axis 2 of a tensor with at least 3 dimensions."""
    _check_rank("dsplit", "x", x, min_ndim=3)
    _check_sections("dsplit", x, indices_or_sections, 2)
    return run(dsplit, backend.numpy.dsplit, x, indices_or_sections)


def dstack(xs):
    """Stack along axis 2 (1-D and 2-D inputs become `(1, n, 1)` and `(m, n, 1)` first)."""
    return run(dstack, backend.numpy.dstack, xs)


def diagflat(x, k=0):
    """2-D tensor with the flattened `x` on the k-th diagonal."""
    return run(diagflat, backend.numpy.diagflat, x, k=k)


def diff(a, n=1, axis=-1):
    """n-th discrete difference along `axis`: `diff([1, 4, 9]).tolist() == [3, 5]`."""
    _check_int_arg("diff", "n", n)
    _check_axis("diff", a, axis)
    return run(diff, backend.numpy.diff, a, n=n, axis=axis)


def fliplr(x):
    """Reverse axis 1 of a tensor with at least 2 dimensions."""
    _check_rank("fliplr", "x", x, min_ndim=2)
    return run(fliplr, backend.numpy.fliplr, x)


def flipud(x):
    """Reverse axis 0."""
    _check_rank("flipud", "x", x, min_ndim=1)
    return run(flipud, backend.numpy.flipud, x)


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `axes`, from the first toward the second.

    >>> rot90([[1, 2], [3, 4]]).tolist()
    [[2, 4], [1, 3]]
    """
    _check_rank("rot90", "array", array, min_ndim=2)
    if len(axes) != 2:
        raise ValueError(f"rot90: `axes` must be two distinct axes. Received: axes={axes!r}")
    for a in axes:
        _check_axis("rot90", array, a, "axes")
    ndim = len(_shape_of(array))
    if axes[0] % ndim == axes[1] % ndim:
        raise ValueError(f"rot90: `axes` must be two distinct axes. Received: axes={axes!r}")
    if isinstance(k, bool) or not isinstance(k, (int, _np.integer)):
        raise TypeError(f"rot90: `k` must be an int. Received: k={k!r}")
    return run(rot90, backend.numpy.rot90, array, k=k, axes=tuple(axes))


def argpartition(x, kth, axis=-1):
    """Indices that partition `x` along `axis` around its `kth` smallest element (int32).

    The element at position `kth` is where a sort would put it; smaller ones come before it.
    """
    _check_axis("argpartition", x, axis)
    shape = _shape_of(x)
    size = (_np.prod(shape) if None not in shape else None) if axis is None else shape[axis]
    if isinstance(kth, bool) or not isinstance(kth, (int, _np.integer)) or (
            size is not None and not -size <= kth < size):
        raise ValueError(f"argpartition: `kth` must be an int index along the partitioned axis "
                         f"(size {size}). Received: kth={kth!r}")
    _check_not_bool("argpartition", x)
    return run(argpartition, backend.numpy.argpartition, x, kth, axis=axis)


def digitize(x, bins):
    """Index of the bin of each value of `x` for 1-D monotonic `bins` (int32).

    >>> digitize([0.5, 1.5, 3.0], [1.0, 2.0]).tolist()
    [0, 1, 2]
    """
    _check_rank("digitize", "bins", bins, ndim=1)
    return run(digitize, backend.numpy.digitize, x, bins)


def get_item(x, key):
    """`x[key]` with NumPy indexing: `get_item([[1, 2], [3, 4]], 1).tolist() == [3, 4]`."""
    return run(get_item, backend.numpy.get_item, x, key)


def nonzero(x):
    """Indices of the non-zero elements, one int32 tensor per axis.

    The number of indices depends on the values, so on a symbolic tensor each output has shape
    `(None,)`, and the op cannot run inside `jit`.

    >>> [t.tolist() for t in nonzero([0, 3, 0, 1])]
    [[1, 3]]
    """
    if isinstance(x, KerasTensor):
        outputs = tuple(KerasTensor((None,), "int32") for _ in x.shape)
        return record_node(nonzero, (x,), {}, outputs)
    return run(nonzero, backend.numpy.nonzero, x)


def select(condlist, choicelist, default=0):
    """`choicelist[i]` where `condlist[i]` is the first true condition, else `default`.

    >>> select([[True, False], [True, True]], [[1, 2], [3, 4]], default=9).tolist()
    [1, 4]
    """
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise TypeError("select: `condlist` and `choicelist` must be lists of tensors. Received: "
                        f"{type(condlist).__name__} and {type(choicelist).__name__}.")
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError(f"select: `condlist` and `choicelist` must be non-empty and of equal "
                         f"length. Received lengths {len(condlist)} and {len(choicelist)}.")
    _check_broadcast("select", *condlist, *choicelist, default)
    return run(select, backend.numpy.select, list(condlist), list(choicelist), default=default)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """Unique elements of `x` (or unique slices along `axis`), sorted.

    Returns:
        The unique values, followed by the int32 first-occurrence indices, inverse indices and
        counts for each `return_*` flag set. Without a static `size`, the number of outputs
        depends on the values: symbolic inputs then give `None` for that axis, and the op cannot
        run inside `jit`. With `size`, the result is padded with `fill_value` (default: the
        smallest unique value) or truncated to `size`.

    >>> unique([3, 1, 3]).tolist()
    [1, 3]
    """
    _check_axis("unique", x, axis)
    _check_int_arg("unique", "size", size, minimum=1, allow_none=True)
    if isinstance(x, KerasTensor) and size is None:
        shape = x.shape
        n = (None,) if axis is None else (*shape[:axis % len(shape)], None,
                                          *shape[axis % len(shape) + 1:])
        outputs = [KerasTensor(n, x.dtype)]
        if return_index:
            outputs.append(KerasTensor((None,), "int32"))
        if return_inverse:
            inverse = shape if axis is None else (shape[axis],)
            outputs.append(KerasTensor(inverse, "int32"))
        if return_counts:
            outputs.append(KerasTensor((None,), "int32"))
        outputs = outputs[0] if len(outputs) == 1 else tuple(outputs)
        kwargs = {"sorted": sorted, "return_index": return_index,
                  "return_inverse": return_inverse, "return_counts": return_counts, "axis": axis}
        return record_node(unique, (x,), kwargs, outputs)
    return run(unique, backend.numpy.unique, x, sorted=sorted, return_index=return_index,
               return_inverse=return_inverse, return_counts=return_counts, axis=axis,
               size=size, fill_value=fill_value)


def unravel_index(indices, shape):
    """Coordinates of flat `indices` in an array of `shape`, one tensor per axis.

    >>> [t.tolist() for t in unravel_index([5], (2, 3))]
    [[1], [2]]
    """
    if not isinstance(shape, (list, tuple)) or not builtins.all(
            isinstance(d, (int, _np.integer)) and d > 0 for d in shape):
        raise ValueError(f"unravel_index: `shape` must be a tuple of positive ints. Received: "
                         f"shape={shape!r}")
    dtype = _dtype_of(indices)
    if dtype != "bool" and not dtype.startswith(("int", "uint")):
        raise TypeError(f"unravel_index: `indices` must be integers. Received dtype {dtype}. "
                        "Cast them with `ops.cast(indices, 'int32')`.")
    return run(unravel_index, backend.numpy.unravel_index, indices, tuple(shape))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` turned into a function that maps over the leading axes of its tensor arguments.

    `signature` (such as "(n),(n)->()") names the core axes each call sees whole.

    >>> vectorize(lambda a, b: a + b)([1, 2], 10).tolist()
    [11, 12]
    """
    if not callable(pyfunc):
        raise TypeError(f"vectorize: `pyfunc` must be callable. Received: {pyfunc!r}")
    vectorized = backend.numpy.vectorize(pyfunc, excluded=excluded, signature=signature)

    def wrapped(*args, **kwargs):
        return run(wrapped, vectorized, *args, **kwargs)

    return wrapped


def view(x, dtype=None):
    """The same bits read as `dtype`; the last axis scales by the ratio of the item sizes.

    >>> view(ops.array([1.0], "float32"), "int32").tolist()
    [1065353216]
    """
    if dtype is not None:
        old = _np.dtype("int8" if _dtype_of(x) == "bool" else
                        backend.dtypes.to_numpy_dtype(_dtype_of(x))).itemsize
        new = backend.dtypes.to_numpy_dtype(dtype).itemsize
        shape = _shape_of(x)
        if old != new and (not shape or (shape[-1] is not None and shape[-1] * old % new)):
            raise ValueError(f"view: cannot view a tensor of dtype {_dtype_of(x)} and shape "
                             f"{shape} as {backend.standardize_dtype(dtype)}: the last axis' "
                             "bytes must divide into whole items of the new dtype.")
    return run(view, backend.numpy.view, x, dtype=dtype)


__all__ = ["abs", "absolute", "add", "all", "allclose", "amax", "amin", "angle", "any", "append",
           "arange", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
           "argmax", "argmin", "argpartition", "argsort", "array", "array_split", "average",
           "bartlett", "bincount", "bitwise_and", "bitwise_invert", "bitwise_left_shift",
           "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "blackman",
           "broadcast_to", "cbrt", "ceil", "clip", "concatenate", "conj", "conjugate", "copy",
           "corrcoef", "correlate", "cos", "cosh", "count_nonzero", "cross", "cumprod", "cumsum",
           "deg2rad", "diag", "diagflat", "diagonal", "diff", "digitize", "divide",
           "divide_no_nan", "dot", "dsplit", "dstack", "einsum", "empty", "empty_like", "equal",
           "exp", "exp2", "expand_dims", "expm1", "eye", "fabs", "flip", "fliplr", "flipud",
           "floor", "floor_divide", "fmax", "fmin", "fmod", "full", "full_like", "gcd",
           "geomspace", "get_item", "greater", "greater_equal", "hamming", "hanning", "heaviside",
           "histogram", "hsplit", "hstack", "hypot", "i0", "identity", "imag", "inner", "isclose",
           "isfinite", "isin", "isinf", "isnan", "isneginf", "isposinf", "isreal", "kaiser",
           "kron", "lcm", "ldexp", "left_shift", "less", "less_equal", "linspace", "log", "log1p",
           "log2", "log10", "logaddexp", "logaddexp2", "logical_and", "logical_not", "logical_or",
           "logical_xor", "logspace", "matmul", "max", "maximum", "mean", "median", "meshgrid",
           "min", "minimum", "mod", "moveaxis", "multiply", "nan_to_num", "nanargmax", "nanargmin",
           "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin", "nanpercentile",
           "nanprod", "nanquantile", "nanstd", "nansum", "nanvar", "ndim", "negative", "nextafter",
           "nonzero", "not_equal", "ones", "ones_like", "outer", "pad", "percentile", "power",
           "prod", "ptp", "quantile", "rad2deg", "ravel", "real", "reciprocal", "repeat",
           "reshape", "right_shift", "roll", "rot90", "round", "searchsorted", "select", "sign",
           "signbit", "sin", "sinc", "sinh", "size", "slogdet", "sort", "split", "sqrt", "square",
           "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "take", "take_along_axis",
           "tan", "tanh", "tensordot", "tile", "trace", "transpose", "trapezoid", "tri", "tril",
           "triu", "true_divide", "trunc", "unique", "unravel_index", "vander", "var", "vdot",
           "vectorize", "view", "vsplit", "vstack", "where", "zeros", "zeros_like"]
