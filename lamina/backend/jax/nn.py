"""Neural-network ops on JAX: activations, softmax family, cross-entropies, one-hot, moments."""

import jax
import jax.numpy as jnp

from lamina.backend import config
from lamina.backend.common import dtypes
from lamina.backend.jax.core import convert_to_tensor
from lamina.backend.jax.numpy import _float_input


def _keep_int(x):
    """Piecewise-linear activations keep integer inputs integer (bool becomes int32), as Keras."""
    x = convert_to_tensor(x)
    return x.astype(jnp.int32) if x.dtype == jnp.bool_ else x


def relu(x):
    return jax.nn.relu(_keep_int(x))


def relu6(x):
    return jax.nn.relu6(_float_input(x))


def sigmoid(x):
    return jax.nn.sigmoid(_float_input(x))


def softplus(x):
    return jax.nn.softplus(_float_input(x))


def softsign(x):
    return jax.nn.soft_sign(_float_input(x))


def silu(x):
    return jax.nn.silu(_float_input(x))


def log_sigmoid(x):
    return jax.nn.log_sigmoid(_float_input(x))


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(_float_input(x), negative_slope=negative_slope)


def hard_sigmoid(x):
    return jax.nn.hard_sigmoid(_float_input(x))


def hard_silu(x):
    return jax.nn.hard_silu(_float_input(x))


def elu(x, alpha=1.0):
    return jax.nn.elu(_float_input(x), alpha=alpha)


def selu(x):
    return jax.nn.selu(_float_input(x))


def celu(x, alpha=1.0):
    return jax.nn.celu(_float_input(x), alpha=alpha)


def gelu(x, approximate=True):
    return jax.nn.gelu(_float_input(x), approximate=approximate)


def glu(x, axis=-1):
    return jax.nn.glu(_float_input(x), axis=axis)


def tanh_shrink(x):
    x = _float_input(x)
    return x - jnp.tanh(x)


def hard_tanh(x):
    x = _keep_int(x)
    return jnp.clip(x, -1, 1) if jnp.issubdtype(x.dtype, jnp.integer) else jax.nn.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    x = _float_input(x)
    return jnp.where(jnp.abs(x) > threshold, x, jnp.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    x = _float_input(x)
    return jnp.where(x > threshold, x - threshold,
                     jnp.where(x < -threshold, x + threshold, jnp.zeros_like(x)))


def threshold(x, threshold, default_value):
    x = _float_input(x)
    return jnp.where(x > threshold, x, jnp.asarray(default_value, dtype=x.dtype))


def squareplus(x, b=4):
    x = _float_input(x)
    # For x < 0, (x + sqrt(x^2 + b)) / 2 cancels; the equal b / (2 (sqrt(x^2 + b) - x)) does not.
    pos, neg = jnp.maximum(x, 0), jnp.minimum(x, 0)
    return jnp.where(x >= 0, (pos + jnp.sqrt(jnp.square(pos) + b)) / 2,
                     b / (2 * (jnp.sqrt(jnp.square(neg) + b) - neg)))


def sparse_plus(x):
    x = _float_input(x)
    return jnp.where(x <= -1, jnp.zeros_like(x),
                     jnp.where(x < 1, jnp.square(x + 1) / 4, x))


def sparse_sigmoid(x):
    x = _float_input(x)
    return jnp.where(x <= -1, jnp.zeros_like(x),
                     jnp.where(x >= 1, jnp.ones_like(x), (x + 1) / 2))


def mish(x):
    x = _float_input(x)
    return x * jnp.tanh(jax.nn.softplus(x))


def softmax(x, axis=-1):
    return jax.nn.softmax(_float_input(x), axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(_float_input(x), axis=axis)


def sparsemax(x, axis=-1):
    x = _float_input(x)
    z = jnp.moveaxis(x, axis, -1)
    z_sorted = jnp.flip(jnp.sort(z, axis=-1), axis=-1)
    k = jnp.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cumsum = jnp.cumsum(z_sorted, axis=-1)
    support = (1 + k * z_sorted) > cumsum
    k_z = jnp.sum(support, axis=-1, keepdims=True).astype(z.dtype)
    tau = (jnp.take_along_axis(cumsum, k_z.astype(jnp.int32) - 1, axis=-1) - 1) / k_z
    return jnp.moveaxis(jnp.maximum(z - tau, 0), -1, axis)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = convert_to_tensor(x)
    return jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtypes.to_numpy_dtype(dtype))


def multi_hot(x, num_classes, axis=-1, dtype=None):
    hot = one_hot(x, num_classes, axis=axis, dtype=dtype)
    reduce_axis = -2 if axis == -1 else axis + 1 if axis >= 0 else axis - 1
    return jnp.max(hot, axis=reduce_axis)


def _clip_probs(output):
    eps = config.epsilon()
    return jnp.clip(output, eps, 1.0 - eps)


def binary_crossentropy(target, output, from_logits=False):
    target, output = convert_to_tensor(target), _float_input(output)
    target = target.astype(output.dtype)
    if from_logits:
        # max(x, 0) - x*z + log(1 + exp(-|x|)): stable for large |x|.
        return (jnp.maximum(output, 0) - output * target
                + jnp.log1p(jnp.exp(-jnp.abs(output))))
    output = _clip_probs(output)
    return -(target * jnp.log(output) + (1 - target) * jnp.log(1 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), _float_input(output)
    target = target.astype(output.dtype)
    if target.shape != output.shape:
        raise ValueError("categorical_crossentropy: `target` and `output` must have the same "
                         f"shape. Received: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        log_prob = jnp.log(_clip_probs(output))
    return -jnp.sum(target * log_prob, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), _float_input(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    class_axis = axis % output.ndim if output.ndim else 0
    expected = output.shape[:class_axis] + output.shape[class_axis + 1:]
    if target.shape != expected:
        raise ValueError("sparse_categorical_crossentropy: `target` must have the shape of "
                         f"`output` without its class axis, {tuple(expected)}. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    target = target.astype(jnp.int32)
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        log_prob = jnp.log(_clip_probs(output))
    hot = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -jnp.sum(hot * log_prob, axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float_input(x)
    compute = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    xc = x.astype(compute)
    mean = jnp.mean(xc, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(xc - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


# -- pooling -------------------------------------------------------------------------------------
def _spatial_axes(ndim, data_format):
    return tuple(range(1, ndim - 1)) if data_format == "channels_last" else tuple(range(2, ndim))


def _same_pads(size, window, stride):
    """XLA's "SAME" padding of one axis as (low, high); an odd total puts the extra one high."""
    total = max((-(-size // stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _pool_windows(ndim, pool_size, strides, data_format):
    """Window and stride over every axis of the input: 1 on the batch and channel axes."""
    window, stride = [1] * ndim, [1] * ndim
    for axis, p, s in zip(_spatial_axes(ndim, data_format), pool_size, strides):
        window[axis], stride[axis] = p, s
    return tuple(window), tuple(stride)


def _pool_tiles(x, pool_size, padding, data_format, pad_value):
    """Split each spatial axis into (windows, window) for non-overlapping pooling.

    "valid" crops the remainder of each axis, "same" pads it with `pad_value` as XLA would.
    Returns the reshaped input and the window axes to reduce over.
    """
    spatial = _spatial_axes(x.ndim, data_format)
    crops, pads = [slice(None)] * x.ndim, [(0, 0)] * x.ndim
    for axis, p in zip(spatial, pool_size):
        if padding == "valid":
            crops[axis] = slice(0, x.shape[axis] // p * p)
        else:
            pads[axis] = _same_pads(x.shape[axis], p, p)
    x = x[tuple(crops)]
    if any(pad != (0, 0) for pad in pads):
        x = jnp.pad(x, pads, constant_values=pad_value)
    shape, window_axes = [], []
    for axis, size in enumerate(x.shape):
        if axis in spatial:
            p = pool_size[spatial.index(axis)]
            shape += [size // p, p]
            window_axes.append(len(shape) - 1)
        else:
            shape.append(size)
    return x.reshape(shape), tuple(window_axes)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = convert_to_tensor(inputs)
    data_format = config.standardize_data_format(data_format)
    strides = pool_size if strides is None else strides
    # A concrete Python init value lets JAX use its differentiable max-window reduction.
    if jnp.issubdtype(x.dtype, jnp.inexact):
        lowest = -float("inf")
    else:
        lowest = False if x.dtype == jnp.bool_ else int(jnp.iinfo(x.dtype).min)
    if tuple(strides) == tuple(pool_size):
        # Non-overlapping windows: reshape-then-max runs faster than reduce_window on XLA:CPU,
        # forward and backward. (Exact ties within a window share its gradient here.)
        tiles, window_axes = _pool_tiles(x, pool_size, padding, data_format, lowest)
        return jnp.max(tiles, axis=window_axes)
    window, stride = _pool_windows(x.ndim, pool_size, strides, data_format)
    return jax.lax.reduce_window(x, lowest, jax.lax.max, window, stride, padding.upper())


def _same_window_counts(shape, pool_size, strides, data_format):
    """How many real (unpadded) elements each "same"-padded window holds, broadcastable."""
    counts = jnp.ones((), dtype=jnp.int32)
    for axis, p, s in zip(_spatial_axes(len(shape), data_format), pool_size, strides):
        size = shape[axis]
        low = _same_pads(size, p, s)[0]
        starts = [i * s - low for i in range(-(-size // s))]
        per_axis = [min(start + p, size) - max(start, 0) for start in starts]
        view = [1] * len(shape)
        view[axis] = len(per_axis)
        counts = counts * jnp.asarray(per_axis, dtype=jnp.int32).reshape(view)
    return counts


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = _float_input(inputs)
    data_format = config.standardize_data_format(data_format)
    strides = pool_size if strides is None else strides
    if tuple(strides) == tuple(pool_size):
        tiles, window_axes = _pool_tiles(x, pool_size, padding, data_format, 0)
        total = jnp.sum(tiles, axis=window_axes)
    else:
        window, stride = _pool_windows(x.ndim, pool_size, strides, data_format)
        total = jax.lax.reduce_window(x, 0.0, jax.lax.add, window, stride, padding.upper())
    if padding == "valid":
        size = 1
        for p in pool_size:
            size *= p
        return total / jnp.asarray(size, x.dtype)
    # "same" averages over the real elements of each window: the padding is not counted.
    counts = _same_window_counts(x.shape, pool_size, strides, data_format)
    return total / counts.astype(x.dtype)


# -- normalization -------------------------------------------------------------------------------
def _at_least_float32(x):
    x = _float_input(x)
    return x.astype(jnp.promote_types(x.dtype, jnp.float32))


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
        return jnp.reshape(convert_to_tensor(v).astype(x.dtype), shape)

    inv = jax.lax.rsqrt(vector(variance) + jnp.asarray(epsilon, x.dtype))
    if scale is not None:
        inv = inv * vector(scale)
    res = -vector(mean) * inv
    if offset is not None:
        res = res + vector(offset)
    return x * inv + res


def _norm_axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % ndim for a in axes)


def _broadcast_param(v, ndim, axes, full_shape, dtype):
    """A per-feature parameter shaped for broadcasting against the input."""
    v = convert_to_tensor(v).astype(dtype)
    if v.ndim == ndim:
        return v
    shape = [1] * ndim
    for a in axes:
        shape[a] = full_shape[a]
    return jnp.reshape(v, shape)


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
    if rms_scaling:
        # The deprecated Keras mode: scales by the variance, not the root mean square.
        outputs = x * jax.lax.rsqrt(jnp.var(x, axis=axes, keepdims=True) + epsilon)
        if gamma is not None:
            outputs = outputs * gamma
        return outputs.astype(original)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.var(x, axis=axes, keepdims=True)
    inv = jax.lax.rsqrt(variance + epsilon)
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
    outputs = x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=axes, keepdims=True) + epsilon)
    if scale is not None:
        outputs = outputs * _broadcast_param(scale, x.ndim, axes, x.shape, x.dtype)
    return outputs.astype(original)


def normalize(x, axis=-1, order=2, epsilon=None):
    x = _float_input(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        # min(rsqrt(s), 1/epsilon) written as rsqrt(max(s, epsilon^2)): the same values, and an
        # all-zero vector gets a zero gradient instead of 0 * inf = nan.
        square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
        return x * jax.lax.rsqrt(jnp.maximum(square_sum, jnp.asarray(epsilon**2, x.dtype)))
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, jnp.asarray(epsilon, x.dtype))


# -- convolutions ------------------------------------------------------------------------------
# Kernels are laid out (*spatial, in, out), Keras's layout; conv_transpose's is (*spatial, out, in).
def _conv_spatial_tuple(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


def _conv_dimension_numbers(n, data_format):
    spatial = tuple(range(1, n + 1)) if data_format == "channels_last" else tuple(range(2, n + 2))
    channel = n + 1 if data_format == "channels_last" else 1
    lhs = (0, channel, *spatial)
    rhs = (n + 1, n, *range(n))
    return jax.lax.ConvDimensionNumbers(lhs_spec=lhs, rhs_spec=rhs, out_spec=lhs)


def _conv_operands(inputs, kernel):
    # As Keras: the inputs take the kernel's dtype (integer kernels compute in floatx).
    kernel = _float_input(kernel)
    return convert_to_tensor(inputs).astype(kernel.dtype), kernel


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    return jax.lax.conv_general_dilated(
        inputs, kernel, window_strides=_conv_spatial_tuple(strides, n), padding=padding.upper(),
        rhs_dilation=_conv_spatial_tuple(dilation_rate, n),
        dimension_numbers=_conv_dimension_numbers(n, data_format),
        feature_group_count=channels // kernel.shape[-2])


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    # One group per input channel; output channel c * multiplier + m is kernel[..., c, m].
    kernel = jnp.reshape(kernel, (*kernel.shape[:-2], 1, channels * multiplier))
    return jax.lax.conv_general_dilated(
        inputs, kernel, window_strides=_conv_spatial_tuple(strides, n), padding=padding.upper(),
        rhs_dilation=_conv_spatial_tuple(dilation_rate, n),
        dimension_numbers=_conv_dimension_numbers(n, data_format), feature_group_count=channels)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def _conv_transpose_length(size, kernel_size, stride, padding, output_padding, dilation):
    """Output length of a transposed convolution along one axis (Keras's rule)."""
    k = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k % 2 + output_padding


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    strides, dilation = _conv_spatial_tuple(strides, n), _conv_spatial_tuple(dilation_rate, n)
    output_padding = ((None,) * n if output_padding is None
                      else _conv_spatial_tuple(output_padding, n))
    sizes = inputs.shape[1:-1] if data_format == "channels_last" else inputs.shape[2:]
    pads = []
    for size, k, s, extra, d in zip(sizes, kernel.shape[:-2], strides, output_padding, dilation):
        out = _conv_transpose_length(size, k, s, padding, extra, d)
        k = (k - 1) * d + 1
        # The output is the gradient of a forward convolution from `out` to `size` whose
        # leading padding is half its total (the smaller half), as "same" padding does.
        before = max(((size - 1) * s + k - out) // 2, 0)
        left = k - 1 - before
        pads.append((left, out - (size - 1) * s - 2 + k - left))
    return jax.lax.conv_transpose(inputs, kernel, strides, pads, rhs_dilation=dilation,
                                  dimension_numbers=_conv_dimension_numbers(n, data_format),
                                  transpose_kernel=True)
