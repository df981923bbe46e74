"""NumPy-like ops. Each accepts tensors, arrays, Variables or symbolic tensors (which record a
graph node); examples print plain Python values."""

from lamina import backend
from lamina.ops.dispatch import run


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


__all__ = ["abs", "absolute", "add", "all", "amax", "amin", "any", "arange", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "argmax", "argmin", "argsort", "array", "average", "bincount", "broadcast_to", "cbrt", "ceil", "clip", "concatenate", "copy", "cos", "cosh", "count_nonzero", "cumprod", "cumsum", "diag", "diagonal", "divide", "divide_no_nan", "dot", "einsum", "equal", "exp", "exp2", "expand_dims", "expm1", "eye", "flip", "floor", "floor_divide", "full", "full_like", "greater", "greater_equal", "hstack", "identity", "isclose", "isfinite", "isinf", "isnan", "less", "less_equal", "linspace", "log", "log1p", "log2", "log10", "logaddexp", "logical_and", "logical_not", "logical_or", "logical_xor", "matmul", "max", "maximum", "mean", "meshgrid", "min", "minimum", "mod", "moveaxis", "multiply", "nan_to_num", "ndim", "negative", "not_equal", "ones", "ones_like", "outer", "pad", "power", "prod", "ravel", "reciprocal", "repeat", "reshape", "roll", "round", "searchsorted", "sign", "sin", "sinh", "size", "sort", "split", "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "take", "take_along_axis", "tan", "tanh", "tensordot", "tile", "trace", "transpose", "tri", "tril", "triu", "true_divide", "var", "vstack", "where", "zeros", "zeros_like"]
