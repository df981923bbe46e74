"""Neural-network ops on NumPy: activations, softmax family, cross-entropies, pooling,
normalization and convolutions (windows gathered with `sliding_window_view`, then one einsum)."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lamina.backend import config
from lamina.backend.common import conv_shapes, dtypes
from lamina.backend.numpy.core import convert_to_tensor
from lamina.backend.numpy.math import erf
from lamina.backend.numpy.numpy import _float_input, _is_inexact


def _keep_int(x):
    """Piecewise-linear activations keep integer inputs integer (bool becomes int32), as Keras."""
    x = convert_to_tensor(x)
    return x.astype(np.int32) if x.dtype == np.bool_ else x


def _zero(x):
    return np.zeros((), dtype=x.dtype)


def relu(x):
    x = _keep_int(x)
    return np.maximum(x, _zero(x))


def relu6(x):
    x = _float_input(x)
    return np.minimum(np.maximum(x, _zero(x)), np.asarray(6, x.dtype))


def sigmoid(x):
    x = _float_input(x)
    # exp of a negative number only: no overflow on either side.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def softplus(x):
    x = _float_input(x)
    return np.logaddexp(x, _zero(x))


def softsign(x):
    x = _float_input(x)
    return x / (np.abs(x) + 1)


def silu(x):
    x = _float_input(x)
    return x * sigmoid(x)


def log_sigmoid(x):
    x = _float_input(x)
    return -softplus(-x)


def leaky_relu(x, negative_slope=0.2):
    x = _float_input(x)
    return np.where(x >= 0, x, negative_slope * x).astype(x.dtype)


def hard_sigmoid(x):
    x = _float_input(x)
    return relu6(x + 3) / np.asarray(6, x.dtype)


def hard_silu(x):
    x = _float_input(x)
    return x * hard_sigmoid(x)


def elu(x, alpha=1.0):
    x = _float_input(x)
    negative = np.where(x > 0, _zero(x), x)
    return np.where(x > 0, x, alpha * np.expm1(negative)).astype(x.dtype)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    x = _float_input(x)
    return (_SELU_SCALE * elu(x, _SELU_ALPHA)).astype(x.dtype)


def celu(x, alpha=1.0):
    x = _float_input(x)
    negative = np.where(x > 0, _zero(x), x)
    return np.where(x > 0, x, alpha * np.expm1(negative / alpha)).astype(x.dtype)


def gelu(x, approximate=True):
    x = _float_input(x)
    if approximate:
        inner = np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)
        return (0.5 * x * (1 + np.tanh(inner))).astype(x.dtype)
    return (x * (erf(x / np.sqrt(2)) + 1) / 2).astype(x.dtype)


def glu(x, axis=-1):
    x = _float_input(x)
    a, b = np.split(x, 2, axis=axis)
    return a * sigmoid(b)


def tanh_shrink(x):
    x = _float_input(x)
    return x - np.tanh(x)


def hard_tanh(x):
    x = _keep_int(x)
    return np.clip(x, np.asarray(-1, x.dtype), np.asarray(1, x.dtype))


def hard_shrink(x, threshold=0.5):
    x = _float_input(x)
    return np.where(np.abs(x) > threshold, x, np.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    x = _float_input(x)
    return np.where(x > threshold, x - threshold,
                    np.where(x < -threshold, x + threshold, np.zeros_like(x))).astype(x.dtype)


def threshold(x, threshold, default_value):
    x = _float_input(x)
    return np.where(x > threshold, x, np.asarray(default_value, dtype=x.dtype))


def squareplus(x, b=4):
    x = _float_input(x)
    # For x < 0, (x + sqrt(x^2 + b)) / 2 cancels; the equal b / (2 (sqrt(x^2 + b) - x)) does not.
    pos, neg = np.maximum(x, _zero(x)), np.minimum(x, _zero(x))
    return np.where(x >= 0, (pos + np.sqrt(np.square(pos) + b)) / 2,
                    b / (2 * (np.sqrt(np.square(neg) + b) - neg))).astype(x.dtype)


def sparse_plus(x):
    x = _float_input(x)
    return np.where(x <= -1, np.zeros_like(x),
                    np.where(x < 1, np.square(x + 1) / 4, x)).astype(x.dtype)


def sparse_sigmoid(x):
    x = _float_input(x)
    return np.where(x <= -1, np.zeros_like(x),
                    np.where(x >= 1, np.ones_like(x), (x + 1) / 2)).astype(x.dtype)


def mish(x):
    x = _float_input(x)
    return x * np.tanh(softplus(x))


def softmax(x, axis=-1):
    x = _float_input(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = _float_input(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def sparsemax(x, axis=-1):
    x = _float_input(x)
    z = np.moveaxis(x, axis, -1)
    z_sorted = np.flip(np.sort(z, axis=-1), axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cumsum = np.cumsum(z_sorted, axis=-1)
    support = (1 + k * z_sorted) > cumsum
    k_z = np.sum(support, axis=-1, keepdims=True).astype(z.dtype)
    tau = (np.take_along_axis(cumsum, k_z.astype(np.int32) - 1, axis=-1) - 1) / k_z
    return np.moveaxis(np.maximum(z - tau, _zero(z)), -1, axis)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = convert_to_tensor(x)
    # Negative or too-large indices give an all-zero row, as in JAX.
    hot = x[..., None] == np.arange(num_classes)
    return np.moveaxis(hot, -1, axis).astype(dtypes.to_numpy_dtype(dtype))


def multi_hot(x, num_classes, axis=-1, dtype=None):
    hot = one_hot(x, num_classes, axis=axis, dtype=dtype)
    reduce_axis = -2 if axis == -1 else axis + 1 if axis >= 0 else axis - 1
    return np.max(hot, axis=reduce_axis)


def _clip_probs(output):
    eps = config.epsilon()
    return np.clip(output, np.asarray(eps, output.dtype), np.asarray(1.0 - eps, output.dtype))


def binary_crossentropy(target, output, from_logits=False):
    target, output = convert_to_tensor(target), _float_input(output)
    target = target.astype(output.dtype)
    if from_logits:
        # max(x, 0) - x*z + log(1 + exp(-|x|)): stable for large |x|.
        return (np.maximum(output, _zero(output)) - output * target
                + np.log1p(np.exp(-np.abs(output))))
    output = _clip_probs(output)
    return -(target * np.log(output) + (1 - target) * np.log(1 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), _float_input(output)
    target = target.astype(output.dtype)
    if target.shape != output.shape:
        raise ValueError("categorical_crossentropy: `target` and `output` must have the same "
                         f"shape. Received: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    if from_logits:
        log_prob = log_softmax(output, axis=axis)
    else:
        output = output / np.sum(output, axis=axis, keepdims=True)
        log_prob = np.log(_clip_probs(output))
    return -np.sum(target * log_prob, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), _float_input(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = np.squeeze(target, axis=-1)
    class_axis = axis % output.ndim if output.ndim else 0
    expected = output.shape[:class_axis] + output.shape[class_axis + 1:]
    if target.shape != expected:
        raise ValueError("sparse_categorical_crossentropy: `target` must have the shape of "
                         f"`output` without its class axis, {tuple(expected)}. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    target = target.astype(np.int32)
    if from_logits:
        log_prob = log_softmax(output, axis=axis)
    else:
        output = output / np.sum(output, axis=axis, keepdims=True)
        log_prob = np.log(_clip_probs(output))
    hot = one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype.name)
    return -np.sum(hot * log_prob, axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float_input(x)
    compute = np.float32 if x.dtype.name in ("float16", "bfloat16") else x.dtype
    xc = x.astype(compute)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    mean = np.mean(xc, axis=axes, keepdims=True)
    variance = np.mean(np.square(xc - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = np.squeeze(mean, axes), np.squeeze(variance, axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


# -- windows (pooling and convolution) ---------------------------------------------------------
def _pad_axes(x, axes, pads, value):
    """Pad (or, for negative amounts, crop) `axes` of `x` by `(low, high)` pairs."""
    widths = [(0, 0)] * x.ndim
    crops = [slice(None)] * x.ndim
    for axis, (low, high) in zip(axes, pads):
        widths[axis] = (max(low, 0), max(high, 0))
        crops[axis] = slice(max(-low, 0), x.shape[axis] + max(low, 0) + max(high, 0)
                            - max(-high, 0))
    if any(w != (0, 0) for w in widths):
        x = np.pad(x, widths, constant_values=value)
    return x[tuple(crops)]


def _windows(x, axes, window, strides):
    """Strided windows of `x` over `axes`; the window axes are appended at the end."""
    view = sliding_window_view(x, window, axis=axes)
    index = [slice(None)] * view.ndim
    for axis, s in zip(axes, strides):
        index[axis] = slice(None, None, s)
    return view[tuple(index)]


def _padded_for_pool(x, pool_size, strides, padding, data_format, value):
    axes = conv_shapes.spatial_axes(x.ndim, data_format)
    if padding == "same":
        x = _pad_axes(x, axes, [conv_shapes.same_pads(x.shape[a], p, s)
                                for a, p, s in zip(axes, pool_size, strides)], value)
    return x, axes


def _pool_args(pool_size, strides, n):
    pool_size = (pool_size,) * n if isinstance(pool_size, int) else tuple(pool_size)
    strides = pool_size if strides is None else strides
    strides = (strides,) * n if isinstance(strides, int) else tuple(strides)
    return pool_size, strides


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = convert_to_tensor(inputs)
    data_format = config.standardize_data_format(data_format)
    pool_size, strides = _pool_args(pool_size, strides, x.ndim - 2)
    if _is_inexact(x.dtype):
        lowest = -np.inf
    else:
        lowest = False if x.dtype == np.bool_ else np.iinfo(x.dtype).min
    x, axes = _padded_for_pool(x, pool_size, strides, padding, data_format, lowest)
    windows = _windows(x, axes, pool_size, strides)
    return np.max(windows, axis=tuple(range(x.ndim, windows.ndim)))


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = _float_input(inputs)
    data_format = config.standardize_data_format(data_format)
    pool_size, strides = _pool_args(pool_size, strides, x.ndim - 2)
    padded, axes = _padded_for_pool(x, pool_size, strides, padding, data_format, 0)
    window_axes = tuple(range(x.ndim, x.ndim + len(axes)))
    total = np.sum(_windows(padded, axes, pool_size, strides), axis=window_axes)
    if padding == "valid":
        return total / np.asarray(np.prod(pool_size), x.dtype)
    # "same" averages over the real elements of each window: the padding is not counted.
    shape = [1] * x.ndim
    for a in axes:
        shape[a] = x.shape[a]
    ones, _ = _padded_for_pool(np.ones(shape, x.dtype), pool_size, strides, padding,
                               data_format, 0)
    counts = np.sum(_windows(ones, axes, pool_size, strides), axis=window_axes)
    return total / counts


# -- normalization -------------------------------------------------------------------------------
def _at_least_float32(x):
    x = _float_input(x)
    return x.astype(np.promote_types(x.dtype, np.float32))


def _rsqrt(x):
    return (1 / np.sqrt(x)).astype(x.dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float_input(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    for name, v in (("mean", mean), ("variance", variance), ("offset", offset),
                    ("scale", scale)):
        if v is not None and tuple(convert_to_tensor(v).shape) != (x.shape[axis],):
            raise ValueError(f"batch_normalization: `{name}` must be a vector of length "
                             f"x.shape[axis] = {x.shape[axis]} (axis={axis}). Received: "
                             f"{name}.shape={tuple(convert_to_tensor(v).shape)}, "
                             f"x.shape={tuple(x.shape)}.")

    def vector(v):
        return np.reshape(convert_to_tensor(v).astype(x.dtype), shape)

    inv = _rsqrt(vector(variance) + np.asarray(epsilon, x.dtype))
    if scale is not None:
        inv = inv * vector(scale)
    res = -vector(mean) * inv
    if offset is not None:
        res = res + vector(offset)
    return x * inv + res


def _norm_axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return tuple(sorted(a % ndim for a in axes))


def _broadcast_param(v, ndim, axes, full_shape, dtype):
    """A per-feature parameter shaped for broadcasting against the input."""
    v = convert_to_tensor(v).astype(dtype)
    if v.ndim == ndim:
        return v
    shape = [1] * ndim
    for a in axes:
        shape[a] = full_shape[a]
    return np.reshape(v, shape)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, rms_scaling=False):
    x = _float_input(x)
    original = x.dtype
    x = _at_least_float32(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = _norm_axes(axis, x.ndim)
    if gamma is not None:
        gamma = _broadcast_param(gamma, x.ndim, axes, x.shape, x.dtype)
    if beta is not None:
        beta = _broadcast_param(beta, x.ndim, axes, x.shape, x.dtype)
    eps = np.asarray(epsilon, x.dtype)
    if rms_scaling:
        # The deprecated Keras mode: scales by the variance, not the root mean square.
        outputs = x * _rsqrt(np.var(x, axis=axes, keepdims=True) + eps)
        if gamma is not None:
            outputs = outputs * gamma
        return outputs.astype(original)
    mean = np.mean(x, axis=axes, keepdims=True)
    variance = np.var(x, axis=axes, keepdims=True)
    inv = _rsqrt(variance + eps)
    if gamma is not None:
        inv = inv * gamma
    res = -mean * inv
    if beta is not None:
        res = res + beta
    return (x * inv + res).astype(original)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = _float_input(x)
    original = x.dtype
    x = _at_least_float32(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = _norm_axes(axis, x.ndim)
    mean_square = np.mean(np.square(x), axis=axes, keepdims=True)
    outputs = x * _rsqrt(mean_square + np.asarray(epsilon, x.dtype))
    if scale is not None:
        outputs = outputs * _broadcast_param(scale, x.ndim, axes, x.shape, x.dtype)
    return outputs.astype(original)


def normalize(x, axis=-1, order=2, epsilon=None):
    x = _float_input(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
        return x * _rsqrt(np.maximum(square_sum, np.asarray(epsilon ** 2, x.dtype)))
    norm = np.asarray(np.linalg.norm(x, ord=order, axis=axis, keepdims=True), x.dtype)
    return x / np.maximum(norm, np.asarray(epsilon, x.dtype))


# -- convolutions ------------------------------------------------------------------------------
# Kernels are laid out (*spatial, in, out), Keras's layout; conv_transpose's is (*spatial, out, in).
def _conv_operands(inputs, kernel):
    # As Keras: the inputs take the kernel's dtype (integer kernels compute in floatx).
    kernel = _float_input(kernel)
    return convert_to_tensor(inputs).astype(kernel.dtype), kernel


def _dilate(x, axes, rates):
    """Insert `rate - 1` zeros between neighbours along each of `axes`."""
    if all(r == 1 for r in rates):
        return x
    shape = list(x.shape)
    index = [slice(None)] * x.ndim
    for axis, r in zip(axes, rates):
        shape[axis] = (x.shape[axis] - 1) * r + 1 if x.shape[axis] else 0
        index[axis] = slice(None, None, r)
    out = np.zeros(shape, dtype=x.dtype)
    out[tuple(index)] = x
    return out


def _conv_general(x, kernel, strides, pads, lhs_dilation, rhs_dilation, groups):
    """`lax.conv_general_dilated` for channels-last `x` and a (*spatial, in/groups, out) kernel.

    `pads` are explicit (low, high) pairs per spatial axis, or "valid"/"same".
    """
    n = x.ndim - 2
    axes = tuple(range(1, n + 1))
    x = _dilate(x, axes, lhs_dilation)
    kernel = _dilate(kernel, tuple(range(n)), rhs_dilation)
    window = kernel.shape[:n]
    if pads == "valid":
        pads = [(0, 0)] * n
    elif pads == "same":
        pads = [conv_shapes.same_pads(x.shape[a], k, s) for a, k, s in zip(axes, window, strides)]
    x = _pad_axes(x, axes, pads, 0)
    windows = _windows(x, axes, window, strides)  # (batch, *out, channels, *window)
    in_per_group, out_channels = kernel.shape[-2], kernel.shape[-1]
    windows = windows.reshape((*windows.shape[:n + 1], groups, in_per_group, *window))
    kernel = kernel.reshape((*window, in_per_group, groups, out_channels // groups))
    if n > 3:
        raise ValueError(f"conv: inputs with {n} spatial axes are not supported; use 1 to 3.")
    out_axes, window_axes = "pqr"[:n], "uvw"[:n]
    out = np.einsum(f"b{out_axes}gc{window_axes},{window_axes}cgo->b{out_axes}go", windows,
                    kernel, optimize=True)
    return out.reshape((*out.shape[:n + 1], out_channels)).astype(x.dtype)


def _to_channels_last(x, data_format):
    return x if data_format == "channels_last" else np.moveaxis(x, 1, -1)


def _from_channels_last(x, data_format):
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 1)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    x = _to_channels_last(inputs, data_format)
    out = _conv_general(x, kernel, conv_shapes.spatial_tuple(strides, n), padding.lower(), (1,) * n,
                        conv_shapes.spatial_tuple(dilation_rate, n), x.shape[-1] // kernel.shape[-2])
    return _from_channels_last(out, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    # One group per input channel; output channel c * multiplier + m is kernel[..., c, m].
    kernel = np.reshape(kernel, (*kernel.shape[:-2], 1, channels * multiplier))
    x = _to_channels_last(inputs, data_format)
    out = _conv_general(x, kernel, conv_shapes.spatial_tuple(strides, n), padding.lower(), (1,) * n,
                        conv_shapes.spatial_tuple(dilation_rate, n), channels)
    return _from_channels_last(out, data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    strides, dilation = conv_shapes.spatial_tuple(strides, n), conv_shapes.spatial_tuple(dilation_rate, n)
    output_padding = ((None,) * n if output_padding is None
                      else conv_shapes.spatial_tuple(output_padding, n))
    x = _to_channels_last(inputs, data_format)
    pads = []
    for size, k, s, extra, d in zip(x.shape[1:-1], kernel.shape[:-2], strides, output_padding,
                                     dilation):
        out = conv_shapes.conv_transpose_length(size, k, s, padding, extra, d)
        k = (k - 1) * d + 1
        # The output is the gradient of a forward convolution from `out` to `size` whose
        # leading padding is half its total (the smaller half), as "same" padding does.
        before = max(((size - 1) * s + k - out) // 2, 0)
        left = k - 1 - before
        pads.append((left, out - (size - 1) * s - 2 + k - left))
    # A transposed convolution is a convolution of the stride-dilated input with the kernel
    # flipped in space and its in/out axes swapped (what `lax.conv_transpose` does).
    flipped = np.swapaxes(np.flip(kernel, axis=tuple(range(n))), -1, -2)
    out = _conv_general(x, flipped, (1,) * n, pads, strides, dilation, 1)
    return _from_channels_last(out, data_format)


# -- adaptive pooling ----------------------------------------------------------------------------
def _adaptive_bins(size, output_size):
    """Gather indices `(output_size, width)` and their validity for adaptive pooling of one axis.

    Bin `i` covers `[floor(i * size / n), ceil((i + 1) * size / n))`, so neighbouring bins may
    overlap by one element when `size` is not a multiple of `n`.
    """
    starts = [i * size // output_size for i in range(output_size)]
    ends = [-(-(i + 1) * size // output_size) for i in range(output_size)]
    width = max(e - s for s, e in zip(starts, ends))
    index = [[min(s + j, size - 1) for j in range(width)] for s in starts]
    valid = [[s + j < e for j in range(width)] for s, e in zip(starts, ends)]
    return np.asarray(index, np.int32), np.asarray(valid)


def _adaptive_pool(x, output_size, data_format, reduce):
    for axis, n in zip(conv_shapes.spatial_axes(x.ndim, data_format), output_size):
        index, valid = _adaptive_bins(x.shape[axis], n)
        windows = np.take(x, index, axis=axis)  # the axis becomes (n, width)
        view = [1] * windows.ndim
        view[axis], view[axis + 1] = index.shape
        x = reduce(windows, valid.reshape(view), axis + 1)
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    x = _float_input(inputs)
    data_format = config.standardize_data_format(data_format)

    def mean(windows, valid, axis):
        total = np.sum(np.where(valid, windows, _zero(windows)), axis=axis)
        return total / np.sum(valid, axis=axis).astype(windows.dtype)

    return _adaptive_pool(x, output_size, data_format, mean)


def adaptive_max_pool(inputs, output_size, data_format=None):
    x = convert_to_tensor(inputs)
    data_format = config.standardize_data_format(data_format)
    lowest = -np.inf if _is_inexact(x.dtype) else np.iinfo(x.dtype).min

    def largest(windows, valid, axis):
        return np.max(np.where(valid, windows, np.asarray(lowest, windows.dtype)), axis=axis)

    return _adaptive_pool(x, output_size, data_format, largest)


# -- rearranging ---------------------------------------------------------------------------------
def depth_to_space(x, block_size, data_format="channels_last"):
    x = convert_to_tensor(x)
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        x = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
        return x.reshape(n, h * b, w * b, c // (b * b))
    n, c, h, w = x.shape
    x = x.reshape(n, c // (b * b), b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // (b * b), h * b, w * b)


def space_to_depth(x, block_size, data_format="channels_last"):
    x = convert_to_tensor(x)
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        x = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
        return x.reshape(n, h // b, w // b, c * b * b)
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * b * b, h // b, w // b)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    x = convert_to_tensor(x)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    n, c, h, w = x.shape
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = conv_shapes.conv_length(h, kh, sh, dh, ph), conv_shapes.conv_length(w, kw, sw, dw, pw)
    taps = [x[:, :, rows, cols] for rows in conv_shapes.patch_slices(kh, dh, sh, oh)
            for cols in conv_shapes.patch_slices(kw, dw, sw, ow)]
    # Rows of the result run over (channel, kernel row, kernel column), channel slowest.
    return np.stack(taps, axis=2).reshape(n, c * kh * kw, oh * ow)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    x = convert_to_tensor(x)
    (oh, ow), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (output_size, kernel_size, dilation,
                                                        padding, stride)
    n, ckk, _ = x.shape
    c = ckk // (kh * kw)
    nh, nw = conv_shapes.conv_length(oh, kh, sh, dh, ph), conv_shapes.conv_length(ow, kw, sw, dw, pw)
    blocks = x.reshape(n, c, kh, kw, nh, nw)
    out = np.zeros((n, c, oh + 2 * ph, ow + 2 * pw), x.dtype)
    # Overlapping taps sum, which makes fold the adjoint of unfold.
    for i, rows in enumerate(conv_shapes.patch_slices(kh, dh, sh, nh)):
        for j, cols in enumerate(conv_shapes.patch_slices(kw, dw, sw, nw)):
            out[:, :, rows, cols] += blocks[:, :, i, j]
    return out[:, :, ph:ph + oh, pw:pw + ow]


# -- attention -----------------------------------------------------------------------------------
def _attention_operand(t, batch, kv_heads, groups, t_len, s_len):
    """Broadcast a bias or mask to `(B, K, G, T, S)`: query heads grouped by key/value head."""
    t = convert_to_tensor(t)
    t = t.reshape((1,) * (4 - t.ndim) + t.shape)
    t = np.broadcast_to(t, (batch, kv_heads * groups, t_len, s_len))
    return t.reshape(batch, kv_heads, groups, t_len, s_len)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    query, key, value = (convert_to_tensor(t) for t in (query, key, value))
    dtype = dtypes.to_numpy_dtype(dtypes.result_type(query.dtype, key.dtype, value.dtype))
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    b, t_len, n, h = query.shape
    s_len, kv_heads = key.shape[1], key.shape[2]
    groups = n // kv_heads
    scale = 1.0 / np.sqrt(h) if scale is None else scale
    logits_dtype = np.promote_types(dtype, np.float32)
    q = query.reshape(b, t_len, kv_heads, groups, h).astype(logits_dtype)
    logits = np.einsum("btkgh,bskh->bkgts", q, key.astype(logits_dtype), optimize=True)
    logits = logits * np.asarray(scale, logits_dtype)
    if bias is not None:
        bias = _attention_operand(bias, b, kv_heads, groups, t_len, s_len)
        logits = logits + bias.astype(logits_dtype)
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * np.tanh(logits / attn_logits_soft_cap)
    keep = None
    if mask is not None:
        keep = _attention_operand(mask, b, kv_heads, groups, t_len, s_len).astype(bool)
    if is_causal:
        causal = np.tril(np.ones((t_len, s_len), bool))
        keep = causal if keep is None else np.logical_and(keep, causal)
    if keep is not None:
        # A large finite negative rather than -inf: a fully masked row averages all values
        # instead of producing NaN.
        logits = np.where(keep, logits, -0.7 * np.finfo(logits_dtype).max).astype(logits_dtype)
    probs = softmax(logits.astype(np.promote_types(logits_dtype, np.float32)), axis=-1)
    out = np.einsum("bkgts,bskh->btkgh", probs.astype(dtype), value, optimize=True)
    return out.reshape(b, t_len, n, value.shape[-1])


# -- CTC -----------------------------------------------------------------------------------------
# Log-probability standing in for log(0): finite, so impossible paths get zero gradient, not NaN.
_CTC_LOG_ZERO = -1e5


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    target = convert_to_tensor(target).astype(np.int32)
    output = _float_input(output)
    output = output.astype(np.promote_types(output.dtype, np.float32))
    target_length = convert_to_tensor(target_length).astype(np.int32)
    output_length = convert_to_tensor(output_length).astype(np.int32)
    batch, time, _ = output.shape
    max_len = target.shape[1]
    log_probs = log_softmax(output, axis=-1)
    # Extended labels: blank, l1, blank, l2, ..., blank; state s of a path is a position in it.
    states = 2 * max_len + 1
    extended = np.full((batch, states), mask_index, np.int32)
    extended[:, 1::2] = target
    # A path may jump from s - 2 to s over a blank when the labels on both sides differ.
    two_back = np.pad(extended, ((0, 0), (2, 0)), constant_values=-1)[:, :-2]
    can_skip = (extended != mask_index) & (extended != two_back)
    emissions = np.take_along_axis(log_probs, extended[:, None, :], axis=2)  # (B, T, S)
    log_zero = np.asarray(_CTC_LOG_ZERO, output.dtype)
    alpha = np.where(np.arange(states) < 2, emissions[:, 0], log_zero)
    for t in range(1, time):
        one_back = np.pad(alpha, ((0, 0), (1, 0)), constant_values=_CTC_LOG_ZERO)[:, :-1]
        skip = np.pad(alpha, ((0, 0), (2, 0)), constant_values=_CTC_LOG_ZERO)[:, :-2]
        skip = np.where(can_skip, skip, log_zero)
        merged = np.logaddexp(np.logaddexp(alpha, one_back), skip) + emissions[:, t]
        # Steps past a sample's output length leave its alphas as they were.
        alpha = np.where((t < output_length)[:, None], merged, alpha)
    # Paths end on the last label or on the blank after it.
    end_blank = np.take_along_axis(alpha, 2 * target_length[:, None], axis=1)[:, 0]
    end_label = np.take_along_axis(alpha, np.maximum(2 * target_length - 1, 0)[:, None],
                                   axis=1)[:, 0]
    end_label = np.where(target_length > 0, end_label, log_zero)
    return -np.logaddexp(end_blank, end_label)


def _ctc_greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index):
    time = inputs.shape[1]
    best = np.argmax(inputs, axis=-1).astype(np.int32)
    past_end = np.arange(time)[None, :] >= sequence_lengths[:, None]
    best = np.where(past_end, mask_index, best)
    scores = -np.sum(np.where(past_end, _zero(inputs), np.max(inputs, axis=-1)), axis=1,
                     keepdims=True)
    if merge_repeated:
        repeat = np.pad(best[:, 1:] == best[:, :-1], ((0, 0), (1, 0)))
        best = np.where(repeat, mask_index, best)
    drop = best == mask_index
    # A stable sort on `drop` moves the kept labels to the front in their order.
    order = np.argsort(drop, axis=1, kind="stable")
    decoded = np.take_along_axis(np.where(drop, -1, best), order, axis=1).astype(np.int32)
    return decoded[None], scores


def _ctc_beam_search_one(log_probs, length, beam_width, top_paths, mask_index):
    """CTC prefix beam search over one sequence. Each beam is a label prefix with the
    log-probabilities of the alignments that produce it ending in a blank or in its last label;
    beams that reach the same prefix merge."""
    neg_inf = -np.inf
    beams = {(): (0.0, neg_inf)}  # prefix -> (log p ending in blank, log p ending in label)

    def add(merged, prefix, blank, label):
        old_blank, old_label = merged.get(prefix, (neg_inf, neg_inf))
        merged[prefix] = (np.logaddexp(old_blank, blank), np.logaddexp(old_label, label))

    for t in range(int(length)):
        x = log_probs[t]
        merged = {}
        for prefix, (blank, label) in beams.items():
            total = np.logaddexp(blank, label)
            add(merged, prefix, total + x[mask_index], neg_inf)
            if prefix:
                add(merged, prefix, neg_inf, label + x[prefix[-1]])
            for c in range(x.shape[0]):
                if c == mask_index:
                    continue
                source = blank if prefix and c == prefix[-1] else total
                add(merged, prefix + (c,), neg_inf, source + x[c])
        ranked = sorted(merged.items(), key=lambda kv: -np.logaddexp(*kv[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:top_paths]
    return [p for p, _ in ranked], [float(np.logaddexp(*s)) for _, s in ranked]


def _ctc_beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index):
    batch, time, _ = inputs.shape
    log_probs = log_softmax(inputs, axis=-1)
    paths = np.full((top_paths, batch, time), -1, np.int32)
    scores = np.full((batch, top_paths), -np.inf, inputs.dtype)
    for b in range(batch):
        prefixes, values = _ctc_beam_search_one(log_probs[b], sequence_lengths[b], beam_width,
                                                top_paths, mask_index)
        for k, (prefix, value) in enumerate(zip(prefixes, values)):
            paths[k, b, :len(prefix)] = prefix
            scores[b, k] = value
    return paths, scores


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    inputs = _float_input(inputs)
    inputs = inputs.astype(np.promote_types(inputs.dtype, np.float32))
    sequence_lengths = convert_to_tensor(sequence_lengths).astype(np.int32)
    if mask_index is None:
        mask_index = inputs.shape[-1] - 1
    if strategy == "greedy":
        return _ctc_greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index)
    return _ctc_beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index)


# -- misc ----------------------------------------------------------------------------------------
def polar(abs_, angle):
    abs_, angle = _float_input(abs_), _float_input(angle)
    dtype = np.result_type(abs_.dtype, angle.dtype, np.complex64)
    return (abs_ * np.cos(angle) + 1j * (abs_ * np.sin(angle))).astype(dtype)


def psnr(x1, x2, max_val):
    x1, x2 = _float_input(x1), _float_input(x2)
    dtype = np.promote_types(x1.dtype, x2.dtype)
    x1, x2 = x1.astype(dtype), x2.astype(dtype)
    mse = np.mean(np.square(x1 - x2))
    return (20 * np.log10(np.asarray(max_val, dtype)) - 10 * np.log10(mse)).astype(dtype)
