"""Neural-network ops on JAX: activations, softmax family, cross-entropies, one-hot, moments."""

import itertools

import jax
import jax.numpy as jnp

from lamina.backend import config
from lamina.backend.common import conv_shapes, dtypes
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
    return jax.lax.logistic(_float_input(x))  # what jax.nn.sigmoid computes, without its jit


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
def _pool_windows(ndim, pool_size, strides, data_format):
    """Window and stride over every axis of the input: 1 on the batch and channel axes."""
    window, stride = [1] * ndim, [1] * ndim
    for axis, p, s in zip(conv_shapes.spatial_axes(ndim, data_format), pool_size, strides):
        window[axis], stride[axis] = p, s
    return tuple(window), tuple(stride)


def _pool_tiles(x, pool_size, padding, data_format, pad_value):
    """Split each spatial axis into (windows, window) for non-overlapping pooling.

    "valid" crops the remainder of each axis, "same" pads it with `pad_value` as XLA would.
    Returns the reshaped input and the window axes to reduce over.
    """
    spatial = conv_shapes.spatial_axes(x.ndim, data_format)
    crops, pads = [slice(None)] * x.ndim, [(0, 0)] * x.ndim
    for axis, p in zip(spatial, pool_size):
        if padding == "valid":
            crops[axis] = slice(0, x.shape[axis] // p * p)
        else:
            pads[axis] = conv_shapes.same_pads(x.shape[axis], p, p)
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
    for axis, p, s in zip(conv_shapes.spatial_axes(len(shape), data_format), pool_size, strides):
        size = shape[axis]
        low = conv_shapes.same_pads(size, p, s)[0]
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


# XLA:CPU runs conv_general_dilated's gradients slowly, and inside compiled loops many times
# slower still (W3's second layer, batch 128, fwd+bwd: 55 ms CPU at top level, over 1 s per
# step in a fori_loop). Patches built by static slicing plus one matmul differentiate into
# slices and matmuls, which it runs as fast in loops as at top level (W3 layer 2: 51 ms).
# Patches hold kernel_volume copies of the input, so only small kernels take this path.
# Per step in a loop, 5x5x64 patches cost 1.1x XLA's top-level conv and 7x7x16 2.8x:
_PATCHES_MAX_KERNEL_VOLUME = 27  # up to 5x5, and 3x3x3 for 3-D
# kernel_volume * in_channels, the patches' width: 3x3x256 measured 1.3x XLA's top-level conv.
_PATCHES_MAX_FEATURES = 2304


def _conv_uses_patches(kernel_shape, groups=1):
    """Whether `conv` lowers a convolution with this kernel to patches plus one matmul.

    Args:
        kernel_shape: `(*kernel_spatial, in_channels_per_group, filters)`.
        groups: Number of channel groups (1 for an ordinary convolution).

    Returns:
        A Python bool; the trainer also asks it (through the conv layers) whether a
        convolution runs fast inside compiled loops.

    >>> _conv_uses_patches((3, 3, 32, 64)), _conv_uses_patches((9, 9, 3, 8))
    (True, False)
    """
    volume = 1
    for k in kernel_shape[:-2]:
        volume *= k
    return (groups == 1 and volume <= _PATCHES_MAX_KERNEL_VOLUME
            and volume * kernel_shape[-2] <= _PATCHES_MAX_FEATURES)


def _conv_patches(x, kernel, strides, padding, dilation):
    """`conv` of channels-last `x` as one matmul of its patches with the flattened kernel."""
    window = kernel.shape[:-2]
    if padding == "same":
        pads = [conv_shapes.same_pads(size, (k - 1) * d + 1, s)
                for size, k, s, d in zip(x.shape[1:-1], window, strides, dilation)]
        if any(pad != (0, 0) for pad in pads):
            x = jnp.pad(x, [(0, 0), *pads, (0, 0)])
    outs = [conv_shapes.conv_length(size, k, s, d)
            for size, k, s, d in zip(x.shape[1:-1], window, strides, dilation)]
    per_axis = [conv_shapes.patch_slices(k, d, s, out)
                for k, d, s, out in zip(window, dilation, strides, outs)]
    # Taps in row-major order of the kernel's spatial axes, each tap's channels contiguous:
    # the row order of `kernel.reshape(volume * in_channels, filters)`. A 2-D matmul measured
    # faster than an N-D one (W3 fwd+bwd: 8 against 14 ms, 49 against 66 ms); stacking the
    # taps instead of concatenating them, no faster.
    taps = [x[(slice(None), *tap, slice(None))] for tap in itertools.product(*per_axis)]
    patches = taps[0] if len(taps) == 1 else jnp.concatenate(taps, axis=-1)
    outputs = jnp.matmul(patches.reshape(-1, patches.shape[-1]),
                         kernel.reshape(-1, kernel.shape[-1]))
    return outputs.reshape(*patches.shape[:-1], kernel.shape[-1])


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    groups = channels // kernel.shape[-2]
    if _conv_uses_patches(kernel.shape, groups):
        strides = conv_shapes.spatial_tuple(strides, n)
        dilation = conv_shapes.spatial_tuple(dilation_rate, n)
        if data_format == "channels_last":
            return _conv_patches(inputs, kernel, strides, padding, dilation)
        outputs = _conv_patches(jnp.moveaxis(inputs, 1, -1), kernel, strides, padding, dilation)
        return jnp.moveaxis(outputs, -1, 1)
    return jax.lax.conv_general_dilated(
        inputs, kernel, window_strides=conv_shapes.spatial_tuple(strides, n), padding=padding.upper(),
        rhs_dilation=conv_shapes.spatial_tuple(dilation_rate, n),
        dimension_numbers=_conv_dimension_numbers(n, data_format),
        feature_group_count=groups)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = config.standardize_data_format(data_format)
    inputs, kernel = _conv_operands(inputs, kernel)
    n = inputs.ndim - 2
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    # One group per input channel; output channel c * multiplier + m is kernel[..., c, m].
    kernel = jnp.reshape(kernel, (*kernel.shape[:-2], 1, channels * multiplier))
    return jax.lax.conv_general_dilated(
        inputs, kernel, window_strides=conv_shapes.spatial_tuple(strides, n), padding=padding.upper(),
        rhs_dilation=conv_shapes.spatial_tuple(dilation_rate, n),
        dimension_numbers=_conv_dimension_numbers(n, data_format), feature_group_count=channels)


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
    sizes = inputs.shape[1:-1] if data_format == "channels_last" else inputs.shape[2:]
    pads = []
    for size, k, s, extra, d in zip(sizes, kernel.shape[:-2], strides, output_padding, dilation):
        out = conv_shapes.conv_transpose_length(size, k, s, padding, extra, d)
        k = (k - 1) * d + 1
        # The output is the gradient of a forward convolution from `out` to `size` whose
        # leading padding is half its total (the smaller half), as "same" padding does.
        before = max(((size - 1) * s + k - out) // 2, 0)
        left = k - 1 - before
        pads.append((left, out - (size - 1) * s - 2 + k - left))
    return jax.lax.conv_transpose(inputs, kernel, strides, pads, rhs_dilation=dilation,
                                  dimension_numbers=_conv_dimension_numbers(n, data_format),
                                  transpose_kernel=True)


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
    return jnp.asarray(index, jnp.int32), jnp.asarray(valid)


def _adaptive_pool(x, output_size, data_format, reduce):
    for axis, n in zip(conv_shapes.spatial_axes(x.ndim, data_format), output_size):
        index, valid = _adaptive_bins(x.shape[axis], n)
        windows = jnp.take(x, index, axis=axis)  # the axis becomes (n, width)
        view = [1] * windows.ndim
        view[axis], view[axis + 1] = index.shape
        x = reduce(windows, valid.reshape(view), axis + 1)
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    x = _float_input(inputs)
    data_format = config.standardize_data_format(data_format)

    def mean(windows, valid, axis):
        total = jnp.sum(jnp.where(valid, windows, 0), axis=axis)
        return total / jnp.sum(valid, axis=axis).astype(windows.dtype)

    return _adaptive_pool(x, output_size, data_format, mean)


def adaptive_max_pool(inputs, output_size, data_format=None):
    x = convert_to_tensor(inputs)
    data_format = config.standardize_data_format(data_format)
    lowest = (-jnp.inf if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.iinfo(x.dtype).min)

    def largest(windows, valid, axis):
        return jnp.max(jnp.where(valid, windows, lowest), axis=axis)

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
    x = jnp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = conv_shapes.conv_length(h, kh, sh, dh, ph), conv_shapes.conv_length(w, kw, sw, dw, pw)
    taps = [x[:, :, rows, cols] for rows in conv_shapes.patch_slices(kh, dh, sh, oh)
            for cols in conv_shapes.patch_slices(kw, dw, sw, ow)]
    # Rows of the result run over (channel, kernel row, kernel column), channel slowest.
    return jnp.stack(taps, axis=2).reshape(n, c * kh * kw, oh * ow)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    x = convert_to_tensor(x)
    (oh, ow), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (output_size, kernel_size, dilation,
                                                        padding, stride)
    n, ckk, _ = x.shape
    c = ckk // (kh * kw)
    nh, nw = conv_shapes.conv_length(oh, kh, sh, dh, ph), conv_shapes.conv_length(ow, kw, sw, dw, pw)
    blocks = x.reshape(n, c, kh, kw, nh, nw)
    out = jnp.zeros((n, c, oh + 2 * ph, ow + 2 * pw), x.dtype)
    # Overlapping taps sum, which makes fold the adjoint of unfold.
    for i, rows in enumerate(conv_shapes.patch_slices(kh, dh, sh, nh)):
        for j, cols in enumerate(conv_shapes.patch_slices(kw, dw, sw, nw)):
            out = out.at[:, :, rows, cols].add(blocks[:, :, i, j])
    return out[:, :, ph:ph + oh, pw:pw + ow]


# -- attention -----------------------------------------------------------------------------------
def _attention_operand(t, batch, kv_heads, groups, t_len, s_len):
    """Broadcast a bias or mask to `(B, K, G, T, S)`: query heads grouped by key/value head."""
    t = convert_to_tensor(t)
    t = t.reshape((1,) * (4 - t.ndim) + t.shape)
    t = jnp.broadcast_to(t, (batch, kv_heads * groups, t_len, s_len))
    return t.reshape(batch, kv_heads, groups, t_len, s_len)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    query, key, value = (convert_to_tensor(t) for t in (query, key, value))
    dtype = dtypes.to_numpy_dtype(dtypes.result_type(query.dtype, key.dtype, value.dtype))
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    b, t_len, n, h = query.shape
    s_len, kv_heads = key.shape[1], key.shape[2]
    groups = n // kv_heads
    scale = 1.0 / jnp.sqrt(h) if scale is None else scale
    logits_dtype = jnp.promote_types(dtype, jnp.float32)
    q = query.reshape(b, t_len, kv_heads, groups, h)
    logits = jnp.einsum("btkgh,bskh->bkgts", q, key, preferred_element_type=logits_dtype)
    logits = logits * jnp.asarray(scale, logits_dtype)
    if bias is not None:
        bias = _attention_operand(bias, b, kv_heads, groups, t_len, s_len)
        logits = logits + bias.astype(logits_dtype)
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * jnp.tanh(logits / attn_logits_soft_cap)
    keep = None
    if mask is not None:
        keep = _attention_operand(mask, b, kv_heads, groups, t_len, s_len).astype(bool)
    if is_causal:
        causal = jnp.tril(jnp.ones((t_len, s_len), bool))
        keep = causal if keep is None else jnp.logical_and(keep, causal)
    if keep is not None:
        # A large finite negative rather than -inf: a fully masked row averages all values
        # instead of producing NaN.
        logits = jnp.where(keep, logits, -0.7 * jnp.finfo(logits_dtype).max)
    probs = jax.nn.softmax(logits.astype(jnp.promote_types(logits_dtype, jnp.float32)), axis=-1)
    out = jnp.einsum("bkgts,bskh->btkgh", probs.astype(dtype), value)
    return out.reshape(b, t_len, n, value.shape[-1])


# -- CTC -----------------------------------------------------------------------------------------
# Log-probability standing in for log(0): finite, so impossible paths get zero gradient, not NaN.
_CTC_LOG_ZERO = -1e5


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    target = convert_to_tensor(target).astype(jnp.int32)
    output = _float_input(output)
    output = output.astype(jnp.promote_types(output.dtype, jnp.float32))
    target_length = convert_to_tensor(target_length).astype(jnp.int32)
    output_length = convert_to_tensor(output_length).astype(jnp.int32)
    batch, time, _ = output.shape
    max_len = target.shape[1]
    log_probs = jax.nn.log_softmax(output, axis=-1)
    # Extended labels: blank, l1, blank, l2, ..., blank; state s of a path is a position in it.
    states = 2 * max_len + 1
    extended = jnp.full((batch, states), mask_index, jnp.int32).at[:, 1::2].set(target)
    # A path may jump from s - 2 to s over a blank when the labels on both sides differ.
    two_back = jnp.pad(extended, ((0, 0), (2, 0)), constant_values=-1)[:, :-2]
    can_skip = (extended != mask_index) & (extended != two_back)
    emissions = jnp.take_along_axis(log_probs, extended[:, None, :], axis=2)  # (B, T, S)
    log_zero = jnp.asarray(_CTC_LOG_ZERO, output.dtype)
    alpha = jnp.where(jnp.arange(states) < 2, emissions[:, 0], log_zero)

    def step(alpha, inputs):
        emission, t = inputs
        one_back = jnp.pad(alpha, ((0, 0), (1, 0)), constant_values=_CTC_LOG_ZERO)[:, :-1]
        skip = jnp.pad(alpha, ((0, 0), (2, 0)), constant_values=_CTC_LOG_ZERO)[:, :-2]
        skip = jnp.where(can_skip, skip, log_zero)
        merged = jnp.logaddexp(jnp.logaddexp(alpha, one_back), skip) + emission
        # Steps past a sample's output length leave its alphas as they were.
        return jnp.where((t < output_length)[:, None], merged, alpha), None

    xs = (jnp.swapaxes(emissions[:, 1:], 0, 1), jnp.arange(1, time))
    alpha, _ = jax.lax.scan(step, alpha, xs)
    # Paths end on the last label or on the blank after it.
    end_blank = jnp.take_along_axis(alpha, 2 * target_length[:, None], axis=1)[:, 0]
    end_label = jnp.take_along_axis(alpha, jnp.maximum(2 * target_length - 1, 0)[:, None],
                                    axis=1)[:, 0]
    end_label = jnp.where(target_length > 0, end_label, log_zero)
    return -jnp.logaddexp(end_blank, end_label)


def _ctc_greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index):
    time = inputs.shape[1]
    best = jnp.argmax(inputs, axis=-1).astype(jnp.int32)
    past_end = jnp.arange(time)[None, :] >= sequence_lengths[:, None]
    best = jnp.where(past_end, mask_index, best)
    scores = -jnp.sum(jnp.where(past_end, 0, jnp.max(inputs, axis=-1)), axis=1, keepdims=True)
    if merge_repeated:
        repeat = jnp.pad(best[:, 1:] == best[:, :-1], ((0, 0), (1, 0)))
        best = jnp.where(repeat, mask_index, best)
    drop = best == mask_index
    # A stable sort on `drop` moves the kept labels to the front in their order.
    order = jnp.argsort(drop, axis=1, stable=True)
    decoded = jnp.take_along_axis(jnp.where(drop, -1, best), order, axis=1)
    return decoded[None], scores


def _ctc_beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index):
    """CTC prefix beam search; each beam is a label prefix with the log-probabilities of all
    alignments that produce it and end in a blank (`blank`) or in its last label (`label`)."""
    _, time, classes = inputs.shape
    log_probs = jax.nn.log_softmax(inputs, axis=-1)
    k = beam_width
    neg_inf = jnp.asarray(-jnp.inf, inputs.dtype)
    labels = jnp.asarray([c for c in range(classes) if c != mask_index], jnp.int32)

    def decode_one(lp, length):
        paths = jnp.full((k, time), -1, jnp.int32)
        lengths = jnp.zeros((k,), jnp.int32)
        blank = jnp.full((k,), neg_inf).at[0].set(0.0)  # one live beam: the empty prefix
        label = jnp.full((k,), neg_inf)

        def step(state, inputs):
            paths, lengths, blank, label = state
            x, t = inputs
            total = jnp.logaddexp(blank, label)
            live = jnp.isfinite(total)
            last = jnp.take_along_axis(paths, jnp.maximum(lengths - 1, 0)[:, None], 1)[:, 0]
            last = jnp.where(lengths > 0, last, -1)
            # The prefix unchanged: a blank, or a repeat of its last label without a blank.
            same_blank = total + x[mask_index]
            same_label = label + jnp.where(last >= 0, x[jnp.maximum(last, 0)], neg_inf)
            # The prefix extended by label c; a repeat of the last label needs a blank between.
            from_prefix = jnp.where(labels[None, :] == last[:, None], blank[:, None],
                                    total[:, None])
            extend = from_prefix + x[labels][None, :]  # (k, classes - 1)
            # An extension may equal another beam (beam j = beam i + its last label): merge it.
            parent = paths.at[jnp.arange(k), jnp.maximum(lengths - 1, 0)].set(-1)
            same_parent = jnp.all(parent[:, None, :] == paths[None, :, :], axis=-1)
            same_parent &= (lengths[:, None] == lengths[None, :] + 1) & live[:, None] \
                & live[None, :]  # (j, i): beam j extends beam i by one label
            label_slot = jnp.searchsorted(labels, jnp.maximum(last, 0))
            from_parent = extend[:, label_slot].T  # [j, i]: beam i extended by j's last label
            merged = jnp.where(same_parent, from_parent, neg_inf)
            same_label = jnp.logaddexp(same_label, jax.scipy.special.logsumexp(merged, axis=1))
            slot_of = label_slot[:, None] == jnp.arange(labels.shape[0])[None, :]
            taken = (same_parent.T.astype(jnp.int32) @ slot_of.astype(jnp.int32)) > 0
            extend = jnp.where(taken, neg_inf, extend)
            cand_blank = jnp.concatenate([same_blank, jnp.full((extend.size,), neg_inf)])
            cand_label = jnp.concatenate([same_label, extend.reshape(-1)])
            _, best = jax.lax.top_k(jnp.logaddexp(cand_blank, cand_label), k)
            source = jnp.where(best < k, best, (best - k) // labels.shape[0])
            added = jnp.where(best < k, -1, labels[(best - k) % labels.shape[0]])
            new_paths = paths[source]
            new_lengths = lengths[source]
            new_paths = jnp.where(
                (jnp.arange(time)[None, :] == new_lengths[:, None]) & (added[:, None] >= 0),
                added[:, None], new_paths)
            new_lengths = new_lengths + (added >= 0)
            new = (new_paths, new_lengths, cand_blank[best], cand_label[best])
            # Steps past the sequence length leave the beams as they were.
            return jax.tree_util.tree_map(lambda a, b: jnp.where(t < length, a, b), new,
                                          state), None

        state = (paths, lengths, blank, label)
        (paths, lengths, blank, label), _ = jax.lax.scan(step, state, (lp, jnp.arange(time)))
        scores, order = jax.lax.top_k(jnp.logaddexp(blank, label), top_paths)
        return paths[order], scores

    paths, scores = jax.vmap(decode_one)(log_probs, sequence_lengths)
    return jnp.swapaxes(paths, 0, 1), scores


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    inputs = _float_input(inputs)
    inputs = inputs.astype(jnp.promote_types(inputs.dtype, jnp.float32))
    sequence_lengths = convert_to_tensor(sequence_lengths).astype(jnp.int32)
    if mask_index is None:
        mask_index = inputs.shape[-1] - 1
    if strategy == "greedy":
        return _ctc_greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index)
    return _ctc_beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index)


# -- misc ----------------------------------------------------------------------------------------
def polar(abs_, angle):
    abs_, angle = _float_input(abs_), _float_input(angle)
    return jax.lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


def psnr(x1, x2, max_val):
    x1, x2 = _float_input(x1), _float_input(x2)
    dtype = jnp.promote_types(x1.dtype, x2.dtype)
    x1, x2 = x1.astype(dtype), x2.astype(dtype)
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20 * jnp.log10(jnp.asarray(max_val, dtype)) - 10 * jnp.log10(mse)
