"""NumPy-like ops on NumPy. Binary ops promote with lamina's dtype rules before calling np.

Where NumPy's own result dtype differs from the JAX backend's (sums of int32 give int64, indices
are int64, float-valued ops of ints give float64), the result is cast to what JAX gives, so a
model computes in the same dtypes on both backends.
"""

import builtins

import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.numpy.core import cast, convert_to_tensor


def promote(*xs):
    """Convert the arguments to tensors of their common dtype (Python scalars are weak)."""
    xs = [x if isinstance(x, (bool, int, float)) else convert_to_tensor(x) for x in xs]
    target = dtypes.to_numpy_dtype(dtypes.result_type(
        *(x if isinstance(x, (bool, int, float)) else x.dtype for x in xs)))
    return [x if getattr(x, "dtype", None) == target else np.asarray(x, dtype=target) for x in xs]


def _is_inexact(dtype):
    # ml_dtypes' bfloat16 is no subtype of np.inexact, so ask by name.
    name = np.dtype(dtype).name
    return name in dtypes.FLOAT_TYPES or name.startswith("complex")


def _float_input(x):
    """Integers and bools are computed in floatx by float-valued ops (exp, sqrt, mean, ...)."""
    x = convert_to_tensor(x)
    if not _is_inexact(x.dtype):
        x = x.astype(dtypes.to_numpy_dtype(None))
    return x


def _reduction_dtype(dtype):
    """Sums and products of bools and narrow ints accumulate in 32 bits (JAX's default int)."""
    name = np.dtype(dtype).name
    if name in ("bool", "int8", "int16"):
        return np.dtype("int32")
    if name in ("uint8", "uint16"):
        return np.dtype("uint32")
    return np.dtype(dtype)


def _dtype_or_none(dtype):
    return None if dtype is None else dtypes.to_numpy_dtype(dtype)


# -- creation ---------------------------------------------------------------------------------
def zeros(shape, dtype=None):
    return np.zeros(shape, dtype=dtypes.to_numpy_dtype(dtype))


def ones(shape, dtype=None):
    return np.ones(shape, dtype=dtypes.to_numpy_dtype(dtype))


def full(shape, fill_value, dtype=None):
    # Keras 3 fills floatx when no dtype is given, whatever the fill value's type.
    return np.full(shape, fill_value, dtype=dtypes.to_numpy_dtype(dtype))


def zeros_like(x, dtype=None):
    return np.zeros_like(convert_to_tensor(x), dtype=_dtype_or_none(dtype))


def ones_like(x, dtype=None):
    return np.ones_like(convert_to_tensor(x), dtype=_dtype_or_none(dtype))


def full_like(x, fill_value, dtype=None):
    return np.full_like(convert_to_tensor(x), fill_value, dtype=_dtype_or_none(dtype))


def eye(N, M=None, k=0, dtype=None):
    return np.eye(N, M, k, dtype=dtypes.to_numpy_dtype(dtype))


def identity(n, dtype=None):
    return np.identity(n, dtype=dtypes.to_numpy_dtype(dtype))


def arange(start, stop=None, step=1, dtype=None):
    if dtype is None:
        dtype = dtypes.result_type(*(v for v in (start, stop, step) if v is not None))
    if stop is None:
        start, stop = 0, start
    return np.arange(start, stop, step, dtype=dtypes.to_numpy_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return np.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                       dtype=dtypes.to_numpy_dtype(dtype), axis=axis)


def array(x, dtype=None):
    return convert_to_tensor(x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    return np.tri(N, M, k, dtype=dtypes.to_numpy_dtype(dtype))


# -- element-wise binary ------------------------------------------------------------------------
def add(x1, x2):
    return np.add(*promote(x1, x2))


def subtract(x1, x2):
    return np.subtract(*promote(x1, x2))


def multiply(x1, x2):
    return np.multiply(*promote(x1, x2))


def divide(x1, x2):
    x1, x2 = promote(x1, x2)
    if not _is_inexact(x1.dtype):
        x1, x2 = _float_input(x1), _float_input(x2)
    return np.divide(x1, x2)


true_divide = divide


def divide_no_nan(x1, x2):
    x1, x2 = promote(x1, x2)
    if not _is_inexact(x1.dtype):
        x1, x2 = _float_input(x1), _float_input(x2)
    safe = np.where(x2 == 0, np.ones_like(x2), x2)
    quotient = np.divide(x1, safe)
    return np.where(x2 == 0, np.zeros_like(quotient), quotient)


def floor_divide(x1, x2):
    return np.floor_divide(*promote(x1, x2))


def mod(x1, x2):
    return np.mod(*promote(x1, x2))


def power(x1, x2):
    return np.power(*promote(x1, x2))


def maximum(x1, x2):
    return np.maximum(*promote(x1, x2))


def minimum(x1, x2):
    return np.minimum(*promote(x1, x2))


def matmul(x1, x2):
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    if x1.dtype == np.int8 and x2.dtype == np.int8:
        # int8 products accumulate in int32, as on the JAX backend (and int8 matmul hardware).
        return np.matmul(x1.astype(np.int32), x2.astype(np.int32))
    return np.matmul(*promote(x1, x2))


def dot(x1, x2):
    return np.dot(*promote(x1, x2))


def outer(x1, x2):
    return np.outer(*promote(x1, x2))


def tensordot(x1, x2, axes=2):
    return np.tensordot(*promote(x1, x2), axes=axes)


def einsum(subscripts, *operands):
    return np.einsum(subscripts, *promote(*operands), optimize=True)


def logaddexp(x1, x2):
    x1, x2 = promote(x1, x2)
    return np.logaddexp(_float_input(x1), _float_input(x2))


def arctan2(x1, x2):
    x1, x2 = promote(x1, x2)
    return np.arctan2(_float_input(x1), _float_input(x2))


def equal(x1, x2):
    return np.equal(*promote(x1, x2))


def not_equal(x1, x2):
    return np.not_equal(*promote(x1, x2))


def greater(x1, x2):
    return np.greater(*promote(x1, x2))


def greater_equal(x1, x2):
    return np.greater_equal(*promote(x1, x2))


def less(x1, x2):
    return np.less(*promote(x1, x2))


def less_equal(x1, x2):
    return np.less_equal(*promote(x1, x2))


def logical_and(x1, x2):
    return np.logical_and(*promote(x1, x2))


def logical_or(x1, x2):
    return np.logical_or(*promote(x1, x2))


def logical_xor(x1, x2):
    return np.logical_xor(*promote(x1, x2))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return np.isclose(*promote(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return tuple(i.astype(np.int32) for i in np.nonzero(convert_to_tensor(condition)))
    x1, x2 = promote(x1, x2)
    return np.where(convert_to_tensor(condition), x1, x2)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
    # The bounds take part in promotion: clipping int32 to (-1.5, 1.5) gives float32.
    x, x_min, x_max = promote(x, x_min, x_max)
    return np.clip(x, x_min, x_max)


# -- element-wise unary ---------------------------------------------------------------------------
def abs(x):
    return np.abs(convert_to_tensor(x))


absolute = abs


def negative(x):
    return np.negative(convert_to_tensor(x))


def sign(x):
    return np.sign(convert_to_tensor(x))


def square(x):
    return np.square(convert_to_tensor(x))


def reciprocal(x):
    return np.reciprocal(_float_input(x))


def sqrt(x):
    return np.sqrt(_float_input(x))


def cbrt(x):
    return np.cbrt(_float_input(x))


def exp(x):
    return np.exp(_float_input(x))


def exp2(x):
    return np.exp2(_float_input(x))


def expm1(x):
    return np.expm1(_float_input(x))


def log(x):
    return np.log(_float_input(x))


def log2(x):
    return np.log2(_float_input(x))


def log10(x):
    return np.log10(_float_input(x))


def log1p(x):
    return np.log1p(_float_input(x))


def sin(x):
    return np.sin(_float_input(x))


def cos(x):
    return np.cos(_float_input(x))


def tan(x):
    return np.tan(_float_input(x))


def arcsin(x):
    return np.arcsin(_float_input(x))


def arccos(x):
    return np.arccos(_float_input(x))


def arctan(x):
    return np.arctan(_float_input(x))


def sinh(x):
    return np.sinh(_float_input(x))


def cosh(x):
    return np.cosh(_float_input(x))


def tanh(x):
    return np.tanh(_float_input(x))


def arcsinh(x):
    return np.arcsinh(_float_input(x))


def arccosh(x):
    return np.arccosh(_float_input(x))


def arctanh(x):
    return np.arctanh(_float_input(x))


def floor(x):
    return np.floor(_float_input(x))


def ceil(x):
    return np.ceil(_float_input(x))


def round(x, decimals=0):
    return np.round(convert_to_tensor(x), decimals)


def isnan(x):
    return np.isnan(convert_to_tensor(x))


def isinf(x):
    return np.isinf(convert_to_tensor(x))


def isfinite(x):
    return np.isfinite(convert_to_tensor(x))


def logical_not(x):
    return np.logical_not(convert_to_tensor(x))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return np.nan_to_num(convert_to_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


# -- reductions ---------------------------------------------------------------------------------
def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return np.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=_reduction_dtype(x.dtype))


def prod(x, axis=None, keepdims=False, dtype=None):
    x = convert_to_tensor(x)
    dtype = _reduction_dtype(x.dtype) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return np.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


def mean(x, axis=None, keepdims=False):
    return np.mean(_float_input(x), axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return np.var(_float_input(x), axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return np.std(_float_input(x), axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    kwargs = {} if initial is None else {"initial": initial}
    return np.max(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims, **kwargs)


def min(x, axis=None, keepdims=False, initial=None):
    kwargs = {} if initial is None else {"initial": initial}
    return np.min(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims, **kwargs)


amax = max
amin = min


def all(x, axis=None, keepdims=False):
    return np.all(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return np.any(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    return np.asarray(np.argmax(convert_to_tensor(x), axis=axis, keepdims=keepdims), np.int32)


def argmin(x, axis=None, keepdims=False):
    return np.asarray(np.argmin(convert_to_tensor(x), axis=axis, keepdims=keepdims), np.int32)


def argsort(x, axis=-1):
    # Stable, as jnp.argsort: equal values keep their order.
    return np.argsort(convert_to_tensor(x), axis=axis, kind="stable").astype(np.int32)


def sort(x, axis=-1):
    return np.sort(convert_to_tensor(x), axis=axis)


def _cumulative_dtype(x, dtype):
    if dtype is not None:
        return dtypes.to_numpy_dtype(dtype)
    # JAX keeps the input's integer type here, but counts bools in int32.
    return np.dtype("int32") if x.dtype == np.bool_ else x.dtype


def cumsum(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    return np.cumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    return np.cumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


def count_nonzero(x, axis=None):
    return np.asarray(np.count_nonzero(convert_to_tensor(x), axis=_axis(axis)), dtype=np.int32)


def average(x, axis=None, weights=None):
    x = _float_input(x)
    if weights is None:
        return np.mean(x, axis=_axis(axis))
    x, weights = promote(x, weights)
    return np.average(x, axis=_axis(axis), weights=weights)


def trace(x, offset=0, axis1=0, axis2=1):
    x = convert_to_tensor(x)
    return np.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=_reduction_dtype(x.dtype))


# -- shape manipulation ---------------------------------------------------------------------------
def reshape(x, newshape):
    return np.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    return np.transpose(convert_to_tensor(x), axes)


def expand_dims(x, axis):
    return np.expand_dims(convert_to_tensor(x), _axis(axis))


def squeeze(x, axis=None):
    return np.squeeze(convert_to_tensor(x), _axis(axis))


def ravel(x):
    return np.ravel(convert_to_tensor(x))


def broadcast_to(x, shape):
    return np.broadcast_to(convert_to_tensor(x), shape)


def moveaxis(x, source, destination):
    return np.moveaxis(convert_to_tensor(x), source, destination)


def swapaxes(x, axis1, axis2):
    return np.swapaxes(convert_to_tensor(x), axis1, axis2)


def concatenate(xs, axis=0):
    return np.concatenate(promote(*xs), axis=axis)


def stack(x, axis=0):
    return np.stack(promote(*x), axis=axis)


def hstack(xs):
    return np.hstack(promote(*xs))


def vstack(xs):
    return np.vstack(promote(*xs))


def split(x, indices_or_sections, axis=0):
    return np.split(convert_to_tensor(x), indices_or_sections, axis=axis)


def tile(x, repeats):
    return np.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    return np.repeat(convert_to_tensor(x), repeats, axis=axis)


def flip(x, axis=None):
    return np.flip(convert_to_tensor(x), axis=_axis(axis))


def roll(x, shift, axis=None):
    return np.roll(convert_to_tensor(x), shift, axis=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    kwargs = {} if constant_values is None else {"constant_values": constant_values}
    return np.pad(convert_to_tensor(x), pad_width, mode=mode, **kwargs)


def take(x, indices, axis=None):
    x, indices = convert_to_tensor(x), convert_to_tensor(indices)
    size = x.size if axis is None else x.shape[axis]
    # As jnp.take: negative indices count from the end, and indices past either end give NaN
    # for floats (the lowest value for ints) instead of raising.
    inside = (indices >= -size) & (indices < size)
    out = np.take(x, np.where(inside, indices, 0), axis=axis)
    if builtins.all(np.ravel(inside)):
        return out
    fill = np.nan if _is_inexact(x.dtype) else (True if x.dtype == np.bool_
                                                 else np.iinfo(x.dtype).min)
    axis_index = 0 if axis is None else axis % x.ndim
    mask_shape = [1] * out.ndim
    mask_shape[axis_index:axis_index + indices.ndim] = indices.shape
    return np.where(inside.reshape(mask_shape), out, np.asarray(fill, dtype=x.dtype))


def take_along_axis(x, indices, axis=None):
    return np.take_along_axis(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def diag(x, k=0):
    return np.diag(convert_to_tensor(x), k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return np.diagonal(convert_to_tensor(x), offset, axis1, axis2)


def tril(x, k=0):
    return np.tril(convert_to_tensor(x), k)


def triu(x, k=0):
    return np.triu(convert_to_tensor(x), k)


def meshgrid(*xs, indexing="xy"):
    return np.meshgrid(*(convert_to_tensor(x) for x in xs), indexing=indexing)


def size(x):
    return int(np.prod(np.shape(x)))


def ndim(x):
    return np.ndim(x)


def copy(x):
    return np.array(convert_to_tensor(x), copy=True)


def astype(x, dtype):
    return cast(x, dtype)


def searchsorted(sorted_sequence, values, side="left"):
    return np.searchsorted(convert_to_tensor(sorted_sequence), convert_to_tensor(values),
                           side=side).astype(np.int32)


def bincount(x, weights=None, minlength=0):
    x = convert_to_tensor(x)
    if weights is None:
        return np.bincount(x, minlength=minlength).astype(np.int32)
    weights = convert_to_tensor(weights)
    # NumPy sums weights in float64; JAX keeps the weights' dtype.
    return np.bincount(x, weights=weights, minlength=minlength).astype(weights.dtype)


# -- helpers for the ops below ------------------------------------------------------------------
def _common_dtype(*xs):
    """Lamina's result dtype of the arguments (Python scalars are weak)."""
    return dtypes.result_type(*(x if isinstance(x, (bool, int, float)) else
                                convert_to_tensor(x).dtype for x in xs))


def _promote_float(*xs):
    """Tensors of the common dtype, or of floatx when that dtype is not a float."""
    dtype = _common_dtype(*xs)
    if not dtypes.is_float(dtype):
        dtype = dtypes.standardize_dtype(None)
    return [convert_to_tensor(x, dtype=dtype) for x in xs]


def _floatx():
    return dtypes.to_numpy_dtype(None)


# -- more creation ----------------------------------------------------------------------------------
def empty(shape, dtype=None):
    return np.empty(shape, dtype=dtypes.to_numpy_dtype(dtype))


def empty_like(x, dtype=None):
    x = convert_to_tensor(x)
    return np.empty_like(x, dtype=x.dtype if dtype is None else dtypes.to_numpy_dtype(dtype))


def _spaced(fn, start, stop, dtype, **kwargs):
    start, stop = _promote_float(start, stop)
    out = fn(start, stop, **kwargs)
    return out.astype(dtypes.to_numpy_dtype(start.dtype if dtype is None else dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return _spaced(np.geomspace, start, stop, dtype, num=num, endpoint=endpoint, axis=axis)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return _spaced(np.logspace, start, stop, dtype, num=num, endpoint=endpoint, base=base,
                   axis=axis)


def bartlett(x):
    return np.bartlett(x).astype(_floatx())


def blackman(x):
    return np.blackman(x).astype(_floatx())


def hamming(x):
    return np.hamming(x).astype(_floatx())


def hanning(x):
    return np.hanning(x).astype(_floatx())


def kaiser(x, beta):
    return np.kaiser(x, beta).astype(_floatx())


def vander(x, N=None, increasing=False):
    x = convert_to_tensor(x)
    return np.vander(x, N=N, increasing=increasing).astype(x.dtype)


# -- more element-wise unary ------------------------------------------------------------------------
def angle(x):
    x = _float_input(x)
    return np.angle(x).astype(np.real(x).dtype)


def conjugate(x):
    return np.conjugate(convert_to_tensor(x))


conj = conjugate


def real(x):
    return np.real(convert_to_tensor(x))


def imag(x):
    return np.imag(convert_to_tensor(x))


def deg2rad(x):
    return np.deg2rad(_float_input(x))


def rad2deg(x):
    return np.rad2deg(_float_input(x))


def fabs(x):
    return np.abs(_float_input(x))


def i0(x):
    x = _float_input(x)
    return np.i0(x).astype(x.dtype)


def sinc(x):
    x = _float_input(x)
    return np.sinc(x).astype(x.dtype)


def trunc(x):
    x = convert_to_tensor(x)
    return np.trunc(x).astype(x.dtype)


def signbit(x):
    return np.signbit(convert_to_tensor(x))


def isneginf(x):
    return np.isneginf(convert_to_tensor(x))


def isposinf(x):
    return np.isposinf(convert_to_tensor(x))


def isreal(x):
    return np.isreal(convert_to_tensor(x))


def bitwise_invert(x):
    return np.invert(convert_to_tensor(x))


bitwise_not = bitwise_invert


# -- more element-wise binary -----------------------------------------------------------------------
def fmax(x1, x2):
    return np.fmax(*promote(x1, x2))


def fmin(x1, x2):
    return np.fmin(*promote(x1, x2))


def fmod(x1, x2):
    dtype = _common_dtype(x1, x2)
    dtype = "int32" if dtype == "bool" else dtype
    return np.fmod(convert_to_tensor(x1, dtype=dtype), convert_to_tensor(x2, dtype=dtype))


def gcd(x1, x2):
    return np.gcd(*promote(x1, x2))


def lcm(x1, x2):
    return np.lcm(*promote(x1, x2))


def heaviside(x1, x2):
    return np.heaviside(*_promote_float(x1, x2))


def hypot(x1, x2):
    return np.hypot(*_promote_float(x1, x2))


def logaddexp2(x1, x2):
    return np.logaddexp2(*_promote_float(x1, x2))


def nextafter(x1, x2):
    return np.nextafter(*_promote_float(x1, x2))


def ldexp(x1, x2):
    x1 = _float_input(x1)
    return np.ldexp(x1, convert_to_tensor(x2)).astype(x1.dtype)


def bitwise_and(x, y):
    return np.bitwise_and(*promote(x, y))


def bitwise_or(x, y):
    return np.bitwise_or(*promote(x, y))


def bitwise_xor(x, y):
    return np.bitwise_xor(*promote(x, y))


def _shift_operands(x, y):
    dtype = _common_dtype(x, y)
    dtype = "int32" if dtype == "bool" else dtype
    return convert_to_tensor(x, dtype=dtype), convert_to_tensor(y, dtype=dtype)


def bitwise_left_shift(x, y):
    return np.left_shift(*_shift_operands(x, y))


def bitwise_right_shift(x, y):
    # Signed integers shift arithmetically (the sign is kept).
    return np.right_shift(*_shift_operands(x, y))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return np.asarray(np.allclose(*promote(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = promote(convert_to_tensor(x1), convert_to_tensor(x2))
    return np.isin(x1, x2, assume_unique=assume_unique, invert=invert)


# -- products -----------------------------------------------------------------------------------
def inner(x1, x2):
    return np.inner(*promote(x1, x2))


def vdot(x1, x2):
    return np.asarray(np.vdot(*promote(x1, x2)))


def kron(x1, x2):
    return np.kron(*promote(x1, x2))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    x1, x2 = promote(x1, x2)
    return np.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


def correlate(x1, x2, mode="valid"):
    return np.correlate(*_promote_float(x1, x2), mode=mode)


def slogdet(x):
    sign, logabsdet = np.linalg.slogdet(_float_input(x))
    return sign, logabsdet


# -- more reductions --------------------------------------------------------------------------------
def nansum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return np.nansum(x, axis=_axis(axis), keepdims=keepdims, dtype=_reduction_dtype(x.dtype))


def nanprod(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return np.nanprod(x, axis=_axis(axis), keepdims=keepdims, dtype=_reduction_dtype(x.dtype))


def nanmax(x, axis=None, keepdims=False):
    with np.errstate(invalid="ignore"):
        return np.nanmax(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    return np.nanmin(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    return np.nanmean(_float_input(x), axis=_axis(axis), keepdims=keepdims)


def nanvar(x, axis=None, keepdims=False):
    return np.nanvar(_float_input(x), axis=_axis(axis), keepdims=keepdims)


def nanstd(x, axis=None, keepdims=False):
    return np.nanstd(_float_input(x), axis=_axis(axis), keepdims=keepdims)


def _nan_arg(fn, x, axis, keepdims):
    x = convert_to_tensor(x)
    if not _is_inexact(x.dtype):
        return np.asarray(fn(x, axis=axis, keepdims=keepdims), np.int32)
    nan = np.isnan(x)
    # As in JAX, an all-NaN slice gives -1 instead of raising.
    all_nan = np.all(nan, axis=axis, keepdims=keepdims)
    fill = -np.inf if fn is np.argmax else np.inf
    index = fn(np.where(nan, fill, x), axis=axis, keepdims=keepdims)
    return np.asarray(np.where(all_nan, -1, index), np.int32)


def nanargmax(x, axis=None, keepdims=False):
    return _nan_arg(np.argmax, x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return _nan_arg(np.argmin, x, axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    return np.nancumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


def nancumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    return np.nancumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


def ptp(x, axis=None, keepdims=False):
    return np.ptp(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    x = _float_input(x)
    return np.asarray(np.median(x, axis=_axis(axis), keepdims=keepdims), x.dtype)


def nanmedian(x, axis=None, keepdims=False):
    x = _float_input(x)
    return np.asarray(np.nanmedian(x, axis=_axis(axis), keepdims=keepdims), x.dtype)


def _quantile_fn(fn, x, q, axis, method, keepdims, scale=1.0, skip_nan=False):
    x = _float_input(x)
    q = convert_to_tensor(q, dtype=x.dtype.name)
    axis = _axis(axis)
    if method != "nearest":
        return np.asarray(fn(x, q, axis=axis, method=method, keepdims=keepdims), x.dtype)
    # NumPy rounds a position halfway between two samples to the even one; JAX takes the lower.
    lower = fn(x, q, axis=axis, method="lower", keepdims=keepdims)
    higher = fn(x, q, axis=axis, method="higher", keepdims=keepdims)
    present = ~np.isnan(x) if skip_nan else np.ones(x.shape, bool)
    count = np.sum(present, axis=axis, keepdims=keepdims)
    position = np.reshape(q / scale, q.shape + (1,) * np.ndim(count)) * (count - 1)
    use_lower = position - np.floor(position) <= 0.5
    return np.asarray(np.where(use_lower, lower, higher), x.dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile_fn(np.quantile, x, q, axis, method, keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile_fn(np.nanquantile, x, q, axis, method, keepdims, skip_nan=True)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile_fn(np.percentile, x, q, axis, method, keepdims, scale=100.0)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile_fn(np.nanpercentile, x, q, axis, method, keepdims, scale=100.0,
                        skip_nan=True)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        y = _float_input(y)
    else:
        y, x = _promote_float(y, x)
    return np.asarray(np.trapezoid(y, x, dx=dx, axis=axis), y.dtype)


def corrcoef(x):
    x = _float_input(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.corrcoef(x), x.dtype)


def histogram(x, bins=10, range=None):
    x = _float_input(x)
    counts, edges = np.histogram(x, bins=bins, range=range)
    return counts.astype(x.dtype), edges.astype(x.dtype)


# -- more shape manipulation and indexing -------------------------------------------------------------
def append(x1, x2, axis=None):
    return np.append(*promote(x1, x2), axis=axis)


def array_split(x, indices_or_sections, axis=0):
    return np.array_split(convert_to_tensor(x), indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    return np.hsplit(convert_to_tensor(x), indices_or_sections)


def vsplit(x, indices_or_sections):
    return np.vsplit(convert_to_tensor(x), indices_or_sections)


def dsplit(x, indices_or_sections):
    return np.dsplit(convert_to_tensor(x), indices_or_sections)


def dstack(xs):
    return np.dstack(promote(*xs))


def diagflat(x, k=0):
    return np.diagflat(convert_to_tensor(x), k=k)


def diff(a, n=1, axis=-1):
    return np.diff(convert_to_tensor(a), n=n, axis=axis)


def fliplr(x):
    return np.fliplr(convert_to_tensor(x))


def flipud(x):
    return np.flipud(convert_to_tensor(x))


def rot90(array, k=1, axes=(0, 1)):
    return np.rot90(convert_to_tensor(array), k=k, axes=tuple(axes))


def argpartition(x, kth, axis=-1):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = np.ravel(x), 0
    return np.argpartition(x, kth, axis=axis).astype(np.int32)


def digitize(x, bins):
    x, bins = promote(x, bins)
    return np.digitize(x, bins).astype(np.int32)


def get_item(x, key):
    return convert_to_tensor(x)[key]


def nonzero(x):
    return tuple(i.astype(np.int32) for i in np.nonzero(convert_to_tensor(x)))


def select(condlist, choicelist, default=0):
    dtype = _common_dtype(*choicelist, default)
    conditions = [convert_to_tensor(c).astype(np.bool_) for c in condlist]
    choices = [convert_to_tensor(c, dtype=dtype) for c in choicelist]
    return np.select(conditions, choices, default=convert_to_tensor(default, dtype=dtype))


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    x = convert_to_tensor(x)
    out = np.unique(x, return_index=return_index, return_inverse=return_inverse,
                    return_counts=return_counts, axis=axis, equal_nan=False)
    out = list(out) if isinstance(out, tuple) else [out]
    if size is not None:
        out = _unique_to_size(out, size, fill_value, return_index, return_inverse, axis)
    out = [out[0], *(np.asarray(i, np.int32) for i in out[1:])]
    return tuple(out) if len(out) > 1 else out[0]


def _unique_to_size(out, size, fill_value, return_index, return_inverse, axis):
    """Cut or pad the unique values (and their indices and counts) to `size`, as jnp.unique.

    Values are padded with `fill_value` (default: the smallest value), first indices with the
    smallest value's index, counts with 0; the inverse indices keep their shape.
    """
    axis = 0 if axis is None else axis
    values = out[0]
    n = values.shape[axis]

    def fit(a, pad_with, along=0):
        a = np.take(a, np.arange(builtins.min(n, size)), axis=along)
        if n >= size:
            return a
        pad_shape = list(a.shape)
        pad_shape[along] = size - n
        return np.concatenate([a, np.broadcast_to(np.asarray(pad_with, a.dtype), pad_shape)],
                              axis=along)

    first = np.take(values, [0], axis=axis) if n else np.zeros((), values.dtype)
    fitted = [fit(values, first if fill_value is None else fill_value, axis)]
    position = 1
    if return_index:
        fitted.append(fit(out[position], out[position][0] if n else 0))
        position += 1
    if return_inverse:
        fitted.append(out[position])
        position += 1
    if position < len(out):  # the counts
        fitted.append(fit(out[position], 0))
    return fitted


def unravel_index(indices, shape):
    indices = convert_to_tensor(indices)
    if indices.dtype == np.bool_:
        indices = indices.astype(np.int32)
    return tuple(i.astype(indices.dtype) for i in np.unravel_index(indices, tuple(shape)))


def vectorize(pyfunc, *, excluded=None, signature=None):
    excluded = set() if excluded is None else set(excluded)
    vectorized = np.vectorize(pyfunc, excluded=excluded, signature=signature)

    def call(*args, **kwargs):
        # Arguments convert as everywhere (a Python float is floatx, not float64).
        args = [a if i in excluded else convert_to_tensor(a) for i, a in enumerate(args)]
        kwargs = {k: v if k in excluded else convert_to_tensor(v) for k, v in kwargs.items()}
        return vectorized(*args, **kwargs)

    return call


def view(x, dtype=None):
    x = convert_to_tensor(x)
    return x if dtype is None else x.view(dtypes.to_numpy_dtype(dtype))
