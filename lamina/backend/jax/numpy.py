"""NumPy-like ops on JAX. Binary ops promote with lamina's dtype rules before calling jnp."""

import builtins
import math

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.jax import host
from lamina.backend.jax.core import cast, convert_to_tensor


def promote(*xs):
    """Convert the arguments to tensors of their common dtype (Python scalars are weak)."""
    xs = [x if isinstance(x, (bool, int, float)) else convert_to_tensor(x) for x in xs]
    target = dtypes.to_numpy_dtype(dtypes.result_type(
        *(x if isinstance(x, (bool, int, float)) else x.dtype for x in xs)))
    return [x if getattr(x, "dtype", None) == target else jnp.asarray(x, dtype=target) for x in xs]


def _float_input(x):
    """Integers and bools are computed in floatx by float-valued ops (exp, sqrt, mean, ...)."""
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(dtypes.to_numpy_dtype(None))
    return x


# -- creation ---------------------------------------------------------------------------------
def zeros(shape, dtype=None):
    if host.is_eager():  # filled on the host: jnp.zeros compiles a program per shape
        return host.host_to_device(np.zeros(shape, dtype=dtypes.to_numpy_dtype(dtype)))
    return jnp.zeros(shape, dtype=dtypes.to_numpy_dtype(dtype))


def ones(shape, dtype=None):
    if host.is_eager():
        return host.host_to_device(np.ones(shape, dtype=dtypes.to_numpy_dtype(dtype)))
    return jnp.ones(shape, dtype=dtypes.to_numpy_dtype(dtype))


def full(shape, fill_value, dtype=None):
    # Keras 3 fills floatx when no dtype is given, whatever the fill value's type.
    return jnp.full(shape, fill_value, dtype=dtypes.to_numpy_dtype(dtype))


def zeros_like(x, dtype=None):
    return jnp.zeros_like(x, dtype=None if dtype is None else dtypes.to_numpy_dtype(dtype))


def ones_like(x, dtype=None):
    return jnp.ones_like(x, dtype=None if dtype is None else dtypes.to_numpy_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    return jnp.full_like(x, fill_value, dtype=None if dtype is None else dtypes.to_numpy_dtype(dtype))


def eye(N, M=None, k=0, dtype=None):
    return jnp.eye(N, M, k, dtype=dtypes.to_numpy_dtype(dtype))


def identity(n, dtype=None):
    return jnp.identity(n, dtype=dtypes.to_numpy_dtype(dtype))


def arange(start, stop=None, step=1, dtype=None):
    if dtype is None:
        dtype = dtypes.result_type(*(v for v in (start, stop, step) if v is not None))
    return jnp.arange(start, stop, step, dtype=dtypes.to_numpy_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return jnp.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                        dtype=dtypes.to_numpy_dtype(dtype), axis=axis)


def array(x, dtype=None):
    return convert_to_tensor(x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    return jnp.tri(N, M, k, dtype=dtypes.to_numpy_dtype(dtype))


# -- element-wise binary ------------------------------------------------------------------------
def _lax_operands(x1, x2):
    """Two promoted operands broadcast for a lax op, or None where jnp must handle them (Python
    scalars, mixed dtypes, shapes that do not broadcast). jnp's functions are nested jitted
    calls, each traced on first use with new shapes and lowered as a function of its own: most
    of a small model's first-fit tracing (W1: 84 -> 50 ms)."""
    if (not (isinstance(x1, jax.Array) and isinstance(x2, jax.Array)) or x1.dtype != x2.dtype
            or x1.dtype == np.bool_  # jnp turns bool arithmetic into logic
            or host.is_eager()):  # run op by op, jnp's one compiled function is cheaper
        return None
    if x1.shape == x2.shape:
        return x1, x2
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        return None  # jnp raises the error
    return _broadcast_to(x1, shape), _broadcast_to(x2, shape)


def _broadcast_to(x, shape):
    if x.shape == shape:
        return x
    return jax.lax.broadcast_in_dim(x, shape, tuple(range(len(shape) - x.ndim, len(shape))))


def _binary(lax_op, jnp_op):
    def op(x1, x2):
        x1, x2 = promote(x1, x2)
        operands = _lax_operands(x1, x2)
        return jnp_op(x1, x2) if operands is None else lax_op(*operands)
    op.__name__ = jnp_op.__name__
    return op


add = _binary(jax.lax.add, jnp.add)
subtract = _binary(jax.lax.sub, jnp.subtract)
multiply = _binary(jax.lax.mul, jnp.multiply)


def divide(x1, x2):
    x1, x2 = promote(x1, x2)
    if not jnp.issubdtype(x1.dtype, jnp.inexact):
        x1, x2 = _float_input(x1), _float_input(x2)
    operands = _lax_operands(x1, x2)
    return jnp.divide(x1, x2) if operands is None else jax.lax.div(*operands)


true_divide = divide


def divide_no_nan(x1, x2):
    x1, x2 = promote(x1, x2)
    operands = _lax_operands(x1, x2)
    if operands is None or not jnp.issubdtype(x1.dtype, jnp.inexact):
        safe = jnp.where(x2 == 0, 1, x2)
        return jnp.where(x2 == 0, 0, jnp.divide(x1, safe))
    x1, x2 = operands
    zero = jax.lax.full_like(x2, 0)
    is_zero = jax.lax.eq(x2, zero)
    return jax.lax.select(is_zero, zero, jax.lax.div(x1, jax.lax.select(
        is_zero, jax.lax.full_like(x2, 1), x2)))


def floor_divide(x1, x2):
    return jnp.floor_divide(*promote(x1, x2))


def mod(x1, x2):
    return jnp.mod(*promote(x1, x2))


def power(x1, x2):
    return jnp.power(*promote(x1, x2))


def maximum(x1, x2):
    return jnp.maximum(*promote(x1, x2))


def minimum(x1, x2):
    return jnp.minimum(*promote(x1, x2))


def matmul(x1, x2):
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    both_int8 = x1.dtype == jnp.int8 and x2.dtype == jnp.int8
    x1, x2 = promote(x1, x2)
    if both_int8:
        # int8 products accumulate in int32, which is also what int8 matmul hardware produces.
        return jnp.matmul(x1, x2, preferred_element_type=jnp.int32)
    if x1.ndim >= 2 and x2.ndim == 2 and x1.shape[-1] == x2.shape[0]:
        # Leading axes folded into one: the same products, and the kernel's gradient becomes a
        # single-axis contraction, which XLA:CPU runs without first transposing the incoming
        # gradient (a sequence model's (batch, time, units) projections).
        flat = x1 if x1.ndim == 2 else jnp.reshape(x1, (math.prod(x1.shape[:-1]), x1.shape[-1]))
        out = jax.lax.dot_general(flat, x2, (((1,), (0,)), ((), ())))  # jnp.matmul's own dot
        return out if x1.ndim == 2 else jnp.reshape(out, (*x1.shape[:-1], x2.shape[1]))
    return jnp.matmul(x1, x2)


def dot(x1, x2):
    return jnp.dot(*promote(x1, x2))


def outer(x1, x2):
    return jnp.outer(*promote(x1, x2))


def tensordot(x1, x2, axes=2):
    return jnp.tensordot(*promote(x1, x2), axes=axes)


def einsum(subscripts, *operands):
    return jnp.einsum(subscripts, *promote(*operands))


def logaddexp(x1, x2):
    x1, x2 = promote(x1, x2)
    return jnp.logaddexp(_float_input(x1), _float_input(x2))


def arctan2(x1, x2):
    x1, x2 = promote(x1, x2)
    return jnp.arctan2(_float_input(x1), _float_input(x2))


def equal(x1, x2):
    return jnp.equal(*promote(x1, x2))


def not_equal(x1, x2):
    return jnp.not_equal(*promote(x1, x2))


def greater(x1, x2):
    return jnp.greater(*promote(x1, x2))


def greater_equal(x1, x2):
    return jnp.greater_equal(*promote(x1, x2))


def less(x1, x2):
    return jnp.less(*promote(x1, x2))


def less_equal(x1, x2):
    return jnp.less_equal(*promote(x1, x2))


def logical_and(x1, x2):
    return jnp.logical_and(*promote(x1, x2))


def logical_or(x1, x2):
    return jnp.logical_or(*promote(x1, x2))


def logical_xor(x1, x2):
    return jnp.logical_xor(*promote(x1, x2))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return jnp.isclose(*promote(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return jnp.nonzero(condition)
    x1, x2 = promote(x1, x2)
    return jnp.where(condition, x1, x2)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int32)
    # The bounds take part in promotion: clipping int32 to (-1.5, 1.5) gives float32.
    x, x_min, x_max = promote(x, x_min, x_max)
    return jnp.clip(x, x_min, x_max)


# -- element-wise unary ---------------------------------------------------------------------------
def abs(x):
    return jnp.abs(convert_to_tensor(x))


absolute = abs


def negative(x):
    return jnp.negative(convert_to_tensor(x))


def sign(x):
    return jnp.sign(convert_to_tensor(x))


def square(x):
    x = convert_to_tensor(x)
    return jax.lax.square(x) if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.square(x)


def reciprocal(x):
    return jnp.reciprocal(_float_input(x))


def sqrt(x):
    return jnp.sqrt(_float_input(x))


def cbrt(x):
    return jnp.cbrt(_float_input(x))


def exp(x):
    return jnp.exp(_float_input(x))


def exp2(x):
    return jnp.exp2(_float_input(x))


def expm1(x):
    return jnp.expm1(_float_input(x))


def log(x):
    return jnp.log(_float_input(x))


def log2(x):
    return jnp.log2(_float_input(x))


def log10(x):
    return jnp.log10(_float_input(x))


def log1p(x):
    return jnp.log1p(_float_input(x))


def sin(x):
    return jnp.sin(_float_input(x))


def cos(x):
    return jnp.cos(_float_input(x))


def tan(x):
    return jnp.tan(_float_input(x))


def arcsin(x):
    return jnp.arcsin(_float_input(x))


def arccos(x):
    return jnp.arccos(_float_input(x))


def arctan(x):
    return jnp.arctan(_float_input(x))


def sinh(x):
    return jnp.sinh(_float_input(x))


def cosh(x):
    return jnp.cosh(_float_input(x))


def tanh(x):
    return jnp.tanh(_float_input(x))


def arcsinh(x):
    return jnp.arcsinh(_float_input(x))


def arccosh(x):
    return jnp.arccosh(_float_input(x))


def arctanh(x):
    return jnp.arctanh(_float_input(x))


def floor(x):
    return jnp.floor(_float_input(x))


def ceil(x):
    return jnp.ceil(_float_input(x))


def round(x, decimals=0):
    return jnp.round(convert_to_tensor(x), decimals)


def isnan(x):
    return jnp.isnan(convert_to_tensor(x))


def isinf(x):
    return jnp.isinf(convert_to_tensor(x))


def isfinite(x):
    return jnp.isfinite(convert_to_tensor(x))


def logical_not(x):
    return jnp.logical_not(convert_to_tensor(x))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return jnp.nan_to_num(convert_to_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


# -- reductions ---------------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    axes = _float_reduction_axes(x, axis)
    if axes is None:
        return jnp.sum(x, axis=axis, keepdims=keepdims)
    return _keep_dims(jax.lax.reduce_sum(x, axes), x.shape, axes, keepdims)


def _float_reduction_axes(x, axis):
    """Sorted non-negative axes for a lax reduction over a float32/float64 array (whose jnp
    reductions add nothing but a nested jitted call), or None for jnp to handle (and to raise
    for bad axes)."""
    if x.dtype not in (np.float32, np.float64) or host.is_eager():
        return None
    if axis is None:
        return tuple(range(x.ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not builtins.all(isinstance(a, (int, np.integer)) and -x.ndim <= a < x.ndim
                        for a in axes):
        return None
    normalized = sorted({int(a) % x.ndim for a in axes})
    return tuple(normalized) if len(normalized) == len(axes) else None


def _keep_dims(reduced, shape, axes, keepdims):
    if not keepdims:
        return reduced
    return jax.lax.reshape(reduced, tuple(1 if i in axes else d for i, d in enumerate(shape)))


def prod(x, axis=None, keepdims=False, dtype=None):
    return jnp.prod(convert_to_tensor(x), axis=axis, keepdims=keepdims,
                    dtype=None if dtype is None else dtypes.to_numpy_dtype(dtype))


def mean(x, axis=None, keepdims=False):
    x = _float_input(x)
    axes = _float_reduction_axes(x, axis)
    if axes is None:
        return jnp.mean(x, axis=axis, keepdims=keepdims)
    count = math.prod(x.shape[a] for a in axes)
    total = _keep_dims(jax.lax.reduce_sum(x, axes), x.shape, axes, keepdims)
    return jax.lax.div(total, jax.lax.full_like(total, count))  # jnp.mean's own division


def var(x, axis=None, keepdims=False):
    return jnp.var(_float_input(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return jnp.std(_float_input(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    return jnp.max(convert_to_tensor(x), axis=axis, keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    return jnp.min(convert_to_tensor(x), axis=axis, keepdims=keepdims, initial=initial)


amax = max
amin = min


def all(x, axis=None, keepdims=False):
    return jnp.all(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return jnp.any(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    return jnp.argmax(convert_to_tensor(x), axis=axis, keepdims=keepdims).astype(jnp.int32)


def argmin(x, axis=None, keepdims=False):
    return jnp.argmin(convert_to_tensor(x), axis=axis, keepdims=keepdims).astype(jnp.int32)


def argsort(x, axis=-1):
    return jnp.argsort(convert_to_tensor(x), axis=axis).astype(jnp.int32)


def sort(x, axis=-1):
    return jnp.sort(convert_to_tensor(x), axis=axis)


def cumsum(x, axis=None, dtype=None):
    return jnp.cumsum(convert_to_tensor(x), axis=axis,
                      dtype=None if dtype is None else dtypes.to_numpy_dtype(dtype))


def cumprod(x, axis=None, dtype=None):
    return jnp.cumprod(convert_to_tensor(x), axis=axis,
                       dtype=None if dtype is None else dtypes.to_numpy_dtype(dtype))


def count_nonzero(x, axis=None):
    return jnp.count_nonzero(convert_to_tensor(x), axis=axis).astype(jnp.int32)


def average(x, axis=None, weights=None):
    x = _float_input(x)
    if weights is None:
        return jnp.mean(x, axis=axis)
    x, weights = promote(x, weights)
    return jnp.average(x, axis=axis, weights=weights)


def trace(x, offset=0, axis1=0, axis2=1):
    return jnp.trace(convert_to_tensor(x), offset=offset, axis1=axis1, axis2=axis2)


# -- shape manipulation ---------------------------------------------------------------------------
def reshape(x, newshape):
    return jnp.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    return jnp.transpose(convert_to_tensor(x), axes)


def expand_dims(x, axis):
    return jnp.expand_dims(convert_to_tensor(x), axis)


def squeeze(x, axis=None):
    return jnp.squeeze(convert_to_tensor(x), axis)


def ravel(x):
    return jnp.ravel(convert_to_tensor(x))


def broadcast_to(x, shape):
    return jnp.broadcast_to(convert_to_tensor(x), shape)


def moveaxis(x, source, destination):
    return jnp.moveaxis(convert_to_tensor(x), source, destination)


def swapaxes(x, axis1, axis2):
    return jnp.swapaxes(convert_to_tensor(x), axis1, axis2)


def concatenate(xs, axis=0):
    return jnp.concatenate(promote(*xs), axis=axis)


def stack(x, axis=0):
    return jnp.stack(promote(*x), axis=axis)


def hstack(xs):
    return jnp.hstack(promote(*xs))


def vstack(xs):
    return jnp.vstack(promote(*xs))


def split(x, indices_or_sections, axis=0):
    return jnp.split(convert_to_tensor(x), indices_or_sections, axis=axis)


def tile(x, repeats):
    return jnp.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    return jnp.repeat(convert_to_tensor(x), repeats, axis=axis)


def flip(x, axis=None):
    return jnp.flip(convert_to_tensor(x), axis=axis)


def roll(x, shift, axis=None):
    return jnp.roll(convert_to_tensor(x), shift, axis=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    kwargs = {} if constant_values is None else {"constant_values": constant_values}
    return jnp.pad(convert_to_tensor(x), pad_width, mode=mode, **kwargs)


def take(x, indices, axis=None):
    return jnp.take(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def take_along_axis(x, indices, axis=None):
    return jnp.take_along_axis(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def diag(x, k=0):
    return jnp.diag(convert_to_tensor(x), k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return jnp.diagonal(convert_to_tensor(x), offset, axis1, axis2)


def tril(x, k=0):
    return jnp.tril(convert_to_tensor(x), k)


def triu(x, k=0):
    return jnp.triu(convert_to_tensor(x), k)


def meshgrid(*xs, indexing="xy"):
    return jnp.meshgrid(*xs, indexing=indexing)


def size(x):
    return int(np.prod(jnp.shape(x)))


def ndim(x):
    return jnp.ndim(x)


def copy(x):
    return jnp.array(convert_to_tensor(x), copy=True)


def astype(x, dtype):
    return cast(x, dtype)


def searchsorted(sorted_sequence, values, side="left"):
    return jnp.searchsorted(sorted_sequence, values, side=side).astype(jnp.int32)


def bincount(x, weights=None, minlength=0):
    return jnp.bincount(convert_to_tensor(x), weights=weights, minlength=minlength, length=None)



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


def _accumulate_dtype(dtype):
    """Sums and products of bools and small ints accumulate in 32 bits, as in Keras on JAX."""
    name = dtypes.standardize_dtype(dtype)
    if name in ("bool", "int8", "int16"):
        return np.dtype("int32")
    if name in ("uint8", "uint16"):
        return np.dtype("uint32")
    return dtypes.to_numpy_dtype(name)


# -- more creation ----------------------------------------------------------------------------------
def empty(shape, dtype=None):
    return jnp.empty(shape, dtype=dtypes.to_numpy_dtype(dtype))


def empty_like(x, dtype=None):
    x = convert_to_tensor(x)
    return jnp.empty_like(x, dtype=x.dtype if dtype is None else dtypes.to_numpy_dtype(dtype))


def _spaced(fn, start, stop, dtype, **kwargs):
    start, stop = _promote_float(start, stop)
    out = fn(start, stop, **kwargs)
    return out.astype(dtypes.to_numpy_dtype(start.dtype if dtype is None else dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return _spaced(jnp.geomspace, start, stop, dtype, num=num, endpoint=endpoint, axis=axis)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return _spaced(jnp.logspace, start, stop, dtype, num=num, endpoint=endpoint, base=base,
                   axis=axis)


def bartlett(x):
    return jnp.bartlett(x).astype(dtypes.to_numpy_dtype(None))


def blackman(x):
    return jnp.blackman(x).astype(dtypes.to_numpy_dtype(None))


def hamming(x):
    return jnp.hamming(x).astype(dtypes.to_numpy_dtype(None))


def hanning(x):
    return jnp.hanning(x).astype(dtypes.to_numpy_dtype(None))


def kaiser(x, beta):
    return jnp.kaiser(x, beta).astype(dtypes.to_numpy_dtype(None))


def vander(x, N=None, increasing=False):
    return jnp.vander(convert_to_tensor(x), N=N, increasing=increasing)


# -- more element-wise unary ------------------------------------------------------------------------
def angle(x):
    return jnp.angle(_float_input(x))


def conjugate(x):
    return jnp.conjugate(convert_to_tensor(x))


conj = conjugate


def real(x):
    return jnp.real(convert_to_tensor(x))


def imag(x):
    return jnp.imag(convert_to_tensor(x))


def deg2rad(x):
    return jnp.deg2rad(_float_input(x))


def rad2deg(x):
    return jnp.rad2deg(_float_input(x))


def fabs(x):
    return jnp.abs(_float_input(x))


def i0(x):
    return jnp.i0(_float_input(x))


def sinc(x):
    return jnp.sinc(_float_input(x))


def trunc(x):
    return jnp.trunc(convert_to_tensor(x))


def signbit(x):
    return jnp.signbit(convert_to_tensor(x))


def isneginf(x):
    return jnp.isneginf(convert_to_tensor(x))


def isposinf(x):
    return jnp.isposinf(convert_to_tensor(x))


def isreal(x):
    return jnp.isreal(convert_to_tensor(x))


def bitwise_invert(x):
    return jnp.invert(convert_to_tensor(x))


bitwise_not = bitwise_invert


# -- more element-wise binary -----------------------------------------------------------------------
def fmax(x1, x2):
    return jnp.fmax(*promote(x1, x2))


def fmin(x1, x2):
    return jnp.fmin(*promote(x1, x2))


def fmod(x1, x2):
    dtype = _common_dtype(x1, x2)
    dtype = "int32" if dtype == "bool" else dtype
    return jnp.fmod(convert_to_tensor(x1, dtype=dtype), convert_to_tensor(x2, dtype=dtype))


def gcd(x1, x2):
    return jnp.gcd(*promote(x1, x2))


def lcm(x1, x2):
    return jnp.lcm(*promote(x1, x2))


def heaviside(x1, x2):
    return jnp.heaviside(*_promote_float(x1, x2))


def hypot(x1, x2):
    return jnp.hypot(*_promote_float(x1, x2))


def logaddexp2(x1, x2):
    return jnp.logaddexp2(*_promote_float(x1, x2))


def nextafter(x1, x2):
    return jnp.nextafter(*_promote_float(x1, x2))


def ldexp(x1, x2):
    return jnp.ldexp(_float_input(x1), convert_to_tensor(x2))


def bitwise_and(x, y):
    return jnp.bitwise_and(*promote(x, y))


def bitwise_or(x, y):
    return jnp.bitwise_or(*promote(x, y))


def bitwise_xor(x, y):
    return jnp.bitwise_xor(*promote(x, y))


def _shift_operands(x, y):
    dtype = _common_dtype(x, y)
    dtype = "int32" if dtype == "bool" else dtype
    return convert_to_tensor(x, dtype=dtype), convert_to_tensor(y, dtype=dtype)


def bitwise_left_shift(x, y):
    return jnp.left_shift(*_shift_operands(x, y))


def bitwise_right_shift(x, y):
    # Signed integers shift arithmetically (the sign is kept), as in NumPy.
    return jnp.right_shift(*_shift_operands(x, y))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return jnp.allclose(*promote(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = promote(convert_to_tensor(x1), convert_to_tensor(x2))
    return jnp.isin(x1, x2, assume_unique=assume_unique, invert=invert)


# -- products -----------------------------------------------------------------------------------
def inner(x1, x2):
    return jnp.inner(*promote(convert_to_tensor(x1), convert_to_tensor(x2)))


def vdot(x1, x2):
    return jnp.vdot(*promote(convert_to_tensor(x1), convert_to_tensor(x2)))


def kron(x1, x2):
    return jnp.kron(*promote(convert_to_tensor(x1), convert_to_tensor(x2)))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    x1, x2 = promote(convert_to_tensor(x1), convert_to_tensor(x2))
    return jnp.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


def correlate(x1, x2, mode="valid"):
    return jnp.correlate(*_promote_float(x1, x2), mode=mode)


def slogdet(x):
    sign, logabsdet = jnp.linalg.slogdet(_float_input(x))
    return sign, logabsdet


# -- more reductions --------------------------------------------------------------------------------
def nansum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return jnp.nansum(x, axis=axis, keepdims=keepdims, dtype=_accumulate_dtype(x.dtype))


def nanprod(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return jnp.nanprod(x, axis=axis, keepdims=keepdims, dtype=_accumulate_dtype(x.dtype))


def nanmax(x, axis=None, keepdims=False):
    return jnp.nanmax(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    return jnp.nanmin(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    return jnp.nanmean(_float_input(x), axis=axis, keepdims=keepdims)


def nanvar(x, axis=None, keepdims=False):
    return jnp.nanvar(_float_input(x), axis=axis, keepdims=keepdims)


def nanstd(x, axis=None, keepdims=False):
    return jnp.nanstd(_float_input(x), axis=axis, keepdims=keepdims)


def nanargmax(x, axis=None, keepdims=False):
    return jnp.nanargmax(convert_to_tensor(x), axis=axis, keepdims=keepdims).astype(jnp.int32)


def nanargmin(x, axis=None, keepdims=False):
    return jnp.nanargmin(convert_to_tensor(x), axis=axis, keepdims=keepdims).astype(jnp.int32)


def _cumulative_dtype(x, dtype):
    if dtype is not None:
        return dtypes.to_numpy_dtype(dtype)
    return np.dtype("int32") if x.dtype == jnp.bool_ else x.dtype


def nancumsum(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    return jnp.nancumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


def nancumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    return jnp.nancumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


def ptp(x, axis=None, keepdims=False):
    return jnp.ptp(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    return jnp.median(_float_input(x), axis=axis, keepdims=keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return jnp.nanmedian(_float_input(x), axis=axis, keepdims=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    x = _float_input(x)
    q = convert_to_tensor(q, dtype=x.dtype.name)
    return jnp.quantile(x, q, axis=axis, method=method, keepdims=keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    x = _float_input(x)
    q = convert_to_tensor(q, dtype=x.dtype.name)
    return jnp.nanquantile(x, q, axis=axis, method=method, keepdims=keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    x = _float_input(x)
    q = convert_to_tensor(q, dtype=x.dtype.name)
    return jnp.percentile(x, q, axis=axis, method=method, keepdims=keepdims)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    x = _float_input(x)
    q = convert_to_tensor(q, dtype=x.dtype.name)
    return jnp.nanpercentile(x, q, axis=axis, method=method, keepdims=keepdims)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        y = _float_input(y)
    else:
        y, x = _promote_float(y, x)
    return jnp.trapezoid(y, x, dx=dx, axis=axis)


def corrcoef(x):
    return jnp.corrcoef(_float_input(x))


def histogram(x, bins=10, range=None):
    x = _float_input(x)
    counts, edges = jnp.histogram(x, bins=bins, range=range)
    return counts.astype(x.dtype), edges.astype(x.dtype)


# -- more shape manipulation and indexing -------------------------------------------------------------
def append(x1, x2, axis=None):
    return jnp.append(*promote(convert_to_tensor(x1), convert_to_tensor(x2)), axis=axis)


def array_split(x, indices_or_sections, axis=0):
    return jnp.array_split(convert_to_tensor(x), indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    return jnp.hsplit(convert_to_tensor(x), indices_or_sections)


def vsplit(x, indices_or_sections):
    return jnp.vsplit(convert_to_tensor(x), indices_or_sections)


def dsplit(x, indices_or_sections):
    return jnp.dsplit(convert_to_tensor(x), indices_or_sections)


def dstack(xs):
    return jnp.dstack(promote(*xs))


def diagflat(x, k=0):
    return jnp.diagflat(convert_to_tensor(x), k=k)


def diff(a, n=1, axis=-1):
    return jnp.diff(convert_to_tensor(a), n=n, axis=axis)


def fliplr(x):
    return jnp.fliplr(convert_to_tensor(x))


def flipud(x):
    return jnp.flipud(convert_to_tensor(x))


def rot90(array, k=1, axes=(0, 1)):
    return jnp.rot90(convert_to_tensor(array), k=k, axes=tuple(axes))


def argpartition(x, kth, axis=-1):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = jnp.ravel(x), 0
    return jnp.argpartition(x, kth, axis=axis).astype(jnp.int32)


def digitize(x, bins):
    x, bins = promote(convert_to_tensor(x), convert_to_tensor(bins))
    return jnp.digitize(x, bins).astype(jnp.int32)


def get_item(x, key):
    return convert_to_tensor(x)[key]


def nonzero(x):
    return tuple(i.astype(jnp.int32) for i in jnp.nonzero(convert_to_tensor(x)))


def select(condlist, choicelist, default=0):
    dtype = _common_dtype(*choicelist, default)
    conditions = [convert_to_tensor(c).astype(jnp.bool_) for c in condlist]
    choices = [convert_to_tensor(c, dtype=dtype) for c in choicelist]
    return jnp.select(conditions, choices, default=convert_to_tensor(default, dtype=dtype))


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    out = jnp.unique(convert_to_tensor(x), return_index=return_index,
                     return_inverse=return_inverse, return_counts=return_counts, axis=axis,
                     equal_nan=False, size=size, fill_value=fill_value, sorted=sorted)
    if not isinstance(out, tuple):
        return out
    return (out[0], *(i.astype(jnp.int32) for i in out[1:]))


def unravel_index(indices, shape):
    indices = convert_to_tensor(indices)
    if indices.dtype == jnp.bool_:
        indices = indices.astype(jnp.int32)
    return tuple(jnp.unravel_index(indices, tuple(shape)))


def vectorize(pyfunc, *, excluded=None, signature=None):
    return jnp.vectorize(pyfunc, excluded=set() if excluded is None else excluded,
                         signature=signature)


def view(x, dtype=None):
    x = convert_to_tensor(x)
    return x if dtype is None else x.view(dtypes.to_numpy_dtype(dtype))
