"""Neural-network ops: activations, softmax family, cross-entropies, one-hot, moments."""

import numbers

from lamina import backend
from lamina.backend.common import conv_shapes
from lamina.ops.dispatch import run


def relu(x):
    """Rectified linear unit: `max(x, 0)`."""
    return run(relu, backend.nn.relu, x)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return run(relu6, backend.nn.relu6, x)


def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))`."""
    return run(sigmoid, backend.nn.sigmoid, x)


def softplus(x):
    """`log(1 + exp(x))`."""
    return run(softplus, backend.nn.softplus, x)


def softsign(x):
    """`x / (1 + |x|)`."""
    return run(softsign, backend.nn.softsign, x)


def silu(x):
    """`x * sigmoid(x)` (also called swish)."""
    return run(silu, backend.nn.silu, x)


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably."""
    return run(log_sigmoid, backend.nn.log_sigmoid, x)


def leaky_relu(x, negative_slope=0.2):
    """`x` if positive else `negative_slope * x`."""
    return run(leaky_relu, backend.nn.leaky_relu, x, negative_slope=negative_slope)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid `relu6(x + 3) / 6`."""
    return run(hard_sigmoid, backend.nn.hard_sigmoid, x)


def hard_silu(x):
    """`x * hard_sigmoid(x)`."""
    return run(hard_silu, backend.nn.hard_silu, x)


def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return run(elu, backend.nn.elu, x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit."""
    return run(selu, backend.nn.selu, x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU."""
    return run(celu, backend.nn.celu, x, alpha=alpha)


def gelu(x, approximate=True):
    """Gaussian error linear unit."""
    return run(gelu, backend.nn.gelu, x, approximate=approximate)


def glu(x, axis=-1):
    """Gated linear unit: first half times sigmoid of second half."""
    return run(glu, backend.nn.glu, x, axis=axis)


def tanh_shrink(x):
    """`x - tanh(x)`."""
    return run(tanh_shrink, backend.nn.tanh_shrink, x)


def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return run(hard_tanh, backend.nn.hard_tanh, x)


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0."""
    return run(hard_shrink, backend.nn.hard_shrink, x, threshold=threshold)


def soft_shrink(x, threshold=0.5):
    """Shrink towards 0 by `threshold`."""
    return run(soft_shrink, backend.nn.soft_shrink, x, threshold=threshold)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    return run(threshold, backend.nn.threshold, x, threshold, default_value)


def squareplus(x, b=4):
    """`(x + sqrt(x^2 + b)) / 2`."""
    return run(squareplus, backend.nn.squareplus, x, b=b)


def sparse_plus(x):
    """Smooth piecewise-quadratic softplus."""
    return run(sparse_plus, backend.nn.sparse_plus, x)


def sparse_sigmoid(x):
    """Piecewise-linear sigmoid on [-1, 1]."""
    return run(sparse_sigmoid, backend.nn.sparse_sigmoid, x)


def mish(x):
    """`x * tanh(softplus(x))`."""
    return run(mish, backend.nn.mish, x)


def softmax(x, axis=-1):
    """Softmax along `axis`."""
    return run(softmax, backend.nn.softmax, x, axis=axis)


def log_softmax(x, axis=-1):
    """Log of softmax along `axis`, computed stably."""
    return run(log_softmax, backend.nn.log_softmax, x, axis=axis)


def sparsemax(x, axis=-1):
    """Sparsemax: Euclidean projection onto the simplex."""
    return run(sparsemax, backend.nn.sparsemax, x, axis=axis)


def _check_dense(name, sparse):
    if sparse:
        raise ValueError(f"{name}: sparse outputs are not supported by lamina. "
                         f"Received: sparse={sparse!r}; pass sparse=False.")


def _check_num_classes(name, num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
            or num_classes < 1:
        raise ValueError(f"{name}: `num_classes` must be a positive int. "
                         f"Received: num_classes={num_classes!r}")


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer `x`; labels outside [0, num_classes) give all-zero rows.

    >>> one_hot([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    _check_dense("one_hot", sparse)
    _check_num_classes("one_hot", num_classes)
    return run(one_hot, backend.nn.one_hot, x, num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: for each row of integer labels, ones at those classes.

    >>> multi_hot([[0, 2], [1, 1]], 3).tolist()
    [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    _check_dense("multi_hot", sparse)
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")  # the argument's name before Keras 3
    if kwargs:
        raise TypeError(f"multi_hot: unexpected arguments {sorted(kwargs)}.")
    _check_num_classes("multi_hot", num_classes)
    return run(multi_hot, backend.nn.multi_hot, inputs, num_classes, axis=axis, dtype=dtype)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy."""
    return run(binary_crossentropy, backend.nn.binary_crossentropy, target, output, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against one-hot targets."""
    return run(categorical_crossentropy, backend.nn.categorical_crossentropy, target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against integer targets."""
    return run(sparse_categorical_crossentropy, backend.nn.sparse_categorical_crossentropy, target, output, from_logits=from_logits, axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance over `axes`."""
    return run(moments, backend.nn.moments, x, axes, keepdims=keepdims, synchronized=synchronized)


__all__ = ["adaptive_average_pool", "adaptive_max_pool", "average_pool", "batch_normalization", "binary_crossentropy", "categorical_crossentropy", "celu", "conv", "conv_transpose", "ctc_decode", "ctc_loss", "depth_to_space", "depthwise_conv", "dot_product_attention", "elu", "fold", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "layer_normalization", "leaky_relu", "log_sigmoid", "log_softmax", "max_pool", "mish", "moments", "multi_hot", "normalize", "one_hot", "polar", "psnr", "relu", "relu6", "rms_normalization", "selu", "separable_conv", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "space_to_depth", "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh_shrink", "threshold", "unfold"]


def _pool_arguments(op_name, inputs, pool_size, strides, padding, data_format):
    """Validate and standardize pooling arguments against the rank of `inputs`."""
    shape = tuple(inputs.shape) if hasattr(inputs, "shape") else \
        tuple(backend.convert_to_tensor(inputs).shape)
    if len(shape) < 3:
        raise ValueError(f"{op_name}: `inputs` must have rank 3 or more (batch, spatial axes, "
                         f"channels). Received: inputs.shape={shape}")
    num_spatial = len(shape) - 2
    pool_size = _conv_tuple(op_name, "pool_size", pool_size, num_spatial)
    strides = pool_size if strides is None else \
        _conv_tuple(op_name, "strides", strides, num_spatial)
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{op_name}: `padding` must be 'valid' or 'same'. Received: "
                         f"padding={padding!r}")
    padding = padding.lower()
    data_format = backend.config.standardize_data_format(data_format)
    spatial = shape[1:-1] if data_format == "channels_last" else shape[2:]
    if padding == "valid":
        for size, p in zip(spatial, pool_size):
            if size is not None and size < p:
                raise ValueError(f"{op_name}: the window {pool_size} is larger than the spatial "
                                 f"shape {tuple(spatial)} of inputs with shape {shape} "
                                 f"({data_format}), so 'valid' pooling has no output. Use a "
                                 "smaller pool_size or padding='same'.")
    return pool_size, strides, padding, data_format


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max over sliding windows of the spatial axes (1D, 2D or 3D) of `inputs`.

    Args:
        inputs: Tensor of rank N+2: `(batch, *spatial, channels)` for "channels_last",
            `(batch, channels, *spatial)` for "channels_first".
        pool_size: Int or tuple of N ints, the window size.
        strides: Int or tuple of N ints; defaults to `pool_size`.
        padding: "valid" (windows inside the input) or "same" (pad so that the output has
            `ceil(size / stride)` positions; padding never wins the max).
        data_format: "channels_last" or "channels_first"; defaults to `image_data_format()`.

    Returns:
        The pooled tensor, same rank and dtype as `inputs`.

    >>> max_pool([[[0.0], [1.0], [2.0], [3.0]]], 2).tolist()
    [[[1.0], [3.0]]]
    """
    pool_size, strides, padding, data_format = _pool_arguments(
        "max_pool", inputs, pool_size, strides, padding, data_format)
    return run(max_pool, backend.nn.max_pool, inputs, pool_size=pool_size, strides=strides,
               padding=padding, data_format=data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over sliding windows of the spatial axes (1D, 2D or 3D) of `inputs`.

    Arguments as for `max_pool`. With padding="same", each window averages only its real
    elements: the padding is not counted.

    Returns:
        The pooled tensor, same rank as `inputs` (integer inputs give floatx).

    >>> average_pool([[[0.0], [1.0], [2.0]]], 2, padding="same").tolist()
    [[[0.5], [2.0]]]
    """
    pool_size, strides, padding, data_format = _pool_arguments(
        "average_pool", inputs, pool_size, strides, padding, data_format)
    return run(average_pool, backend.nn.average_pool, inputs, pool_size=pool_size,
               strides=strides, padding=padding, data_format=data_format)


def _check_epsilon(op_name, epsilon):
    if epsilon is not None and (isinstance(epsilon, bool) or
                                not isinstance(epsilon, numbers.Real) or epsilon < 0):
        raise ValueError(f"{op_name}: `epsilon` must be a non-negative float. Received: "
                         f"epsilon={epsilon!r}")


def _check_axis(op_name, axis):
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not axes or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) for a in axes):
        raise TypeError(f"{op_name}: `axis` must be an int or a non-empty list of ints. "
                        f"Received: axis={axis!r}")


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalize `x` with given statistics: `(x - mean) / sqrt(variance + epsilon) * scale
    + offset`, the vectors lying along `axis`.

    Args:
        x: Input tensor.
        mean, variance: Vectors of length `x.shape[axis]`.
        axis: Int, the feature axis.
        offset, scale: Optional vectors of length `x.shape[axis]` (beta and gamma).
        epsilon: Added to the variance.

    Returns:
        The normalized tensor, shaped like `x`.

    >>> batch_normalization([[1.0, 2.0]], [1.0, 0.0], [4.0, 1.0], axis=-1, epsilon=0.0).tolist()
    [[0.0, 2.0]]
    """
    _check_axis("batch_normalization", axis)
    _check_epsilon("batch_normalization", epsilon)
    return run(batch_normalization, backend.nn.batch_normalization, x, mean, variance,
               axis=int(axis), offset=offset, scale=scale, epsilon=epsilon)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalize `x` to zero mean and unit variance over `axis`, then `* gamma + beta`.

    Computed in at least float32; the result has the input's float dtype.

    Args:
        x: Input tensor.
        gamma, beta: Optional scale and offset shaped like the normalized axes.
        axis: Int or list of ints, the axes to normalize over.
        epsilon: Added to the variance; defaults to `backend.epsilon()`.

    Returns:
        The normalized tensor, shaped like `x`.

    >>> layer_normalization([[1.0, 3.0]], epsilon=0.0).tolist()
    [[-1.0, 1.0]]
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected arguments {sorted(kwargs)}.")
    if rms_scaling:
        import warnings
        warnings.warn("layer_normalization: `rms_scaling=True` is deprecated: it scales by the "
                      "variance, not the root mean square. Use `ops.rms_normalization`.",
                      stacklevel=2)
    _check_axis("layer_normalization", axis)
    _check_epsilon("layer_normalization", epsilon)
    return run(layer_normalization, backend.nn.layer_normalization, x, gamma, beta, axis=axis,
               epsilon=epsilon, rms_scaling=rms_scaling)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """Root-mean-square normalization: `x * rsqrt(mean(x**2, axis) + epsilon) * scale`.

    Computed in at least float32; the result has the input's float dtype.

    Args:
        x: Input tensor.
        scale: Optional scale shaped like the normalized axes.
        axis: Int or list of ints, the axes of the mean.
        epsilon: Added to the mean square; defaults to `backend.epsilon()`.

    Returns:
        The normalized tensor, shaped like `x`.

    >>> rms_normalization([[2.0, -2.0]], epsilon=0.0).tolist()
    [[1.0, -1.0]]
    """
    _check_axis("rms_normalization", axis)
    _check_epsilon("rms_normalization", epsilon)
    return run(rms_normalization, backend.nn.rms_normalization, x, scale, axis=axis,
               epsilon=epsilon)


def normalize(x, axis=-1, order=2, epsilon=None):
    """`x / max(norm(x, order, axis), epsilon)`: scale to unit norm along `axis`.

    Args:
        x: Input tensor.
        axis: Int or tuple of ints, the axes of the norm.
        order: Int >= 1, the order of the norm.
        epsilon: Lower bound of the norm; defaults to `backend.epsilon()`.

    Returns:
        The normalized tensor, shaped like `x`.

    >>> normalize([[0.0, 2.0]]).tolist()
    [[0.0, 1.0]]
    """
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1. Received: order={order!r}")
    _check_epsilon("normalize", epsilon)
    return run(normalize, backend.nn.normalize, x, axis=axis, order=int(order), epsilon=epsilon)


# -- convolutions ------------------------------------------------------------------------------
def _conv_shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(backend.convert_to_tensor(x).shape)


def _conv_tuple(op, name, value, n, allow_zero=False):
    """`value` as a tuple of `n` ints (> 0, or >= 0 with `allow_zero`); a clear error otherwise."""
    values = (value,) * n if isinstance(value, numbers.Integral) else value
    least = 0 if allow_zero else 1
    if not isinstance(values, (list, tuple)) or len(values) != n or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= least
            for v in values):
        raise ValueError(f"{op}: `{name}` must be an int or a tuple of {n} ints, each "
                         f"{'>= 0' if allow_zero else '> 0'} (one per spatial axis). "
                         f"Received: {name}={value!r}")
    return tuple(int(v) for v in values)


def _conv_args(op, inputs, kernel, strides, padding, data_format, dilation_rate, in_axis=-2):
    """Check a convolution's operands and arguments; return them standardized.

    `in_axis` is the kernel axis that must match the input channels (-1 for conv_transpose).
    """
    x_shape, k_shape = _conv_shape(inputs), _conv_shape(kernel)
    if len(x_shape) < 3 or len(k_shape) != len(x_shape):
        raise ValueError(f"{op}: `inputs` must have rank >= 3 (batch, *spatial, channels) and "
                         f"`kernel` the same rank (*spatial, in, out). Received: inputs.shape="
                         f"{x_shape}, kernel.shape={k_shape}")
    n = len(x_shape) - 2
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{op}: `padding` must be 'valid' or 'same'. Received: "
                         f"padding={padding!r}")
    padding = padding.lower()
    try:
        data_format = backend.config.standardize_data_format(data_format)
    except ValueError:
        raise ValueError(f"{op}: `data_format` must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}") from None
    strides = _conv_tuple(op, "strides", strides, n)
    dilation_rate = _conv_tuple(op, "dilation_rate", dilation_rate, n)
    channels = x_shape[-1] if data_format == "channels_last" else x_shape[1]
    spatial = x_shape[1:-1] if data_format == "channels_last" else x_shape[2:]
    kernel_in = k_shape[in_axis]
    if channels is not None and kernel_in is not None and (
            channels % kernel_in if op == "conv" else channels != kernel_in):
        need = "a multiple of" if op == "conv" else "equal to"
        raise ValueError(f"{op}: the inputs' channel count ({channels}, data_format="
                         f"'{data_format}') must be {need} the kernel's input channels "
                         f"(kernel.shape[{in_axis}] = {kernel_in}). Received: inputs.shape="
                         f"{x_shape}, kernel.shape={k_shape}")
    if padding == "valid" and op != "conv_transpose":
        for size, k, d in zip(spatial, k_shape[:n], dilation_rate):
            if size is not None and size < (k - 1) * d + 1:
                raise ValueError(
                    f"{op}: with padding='valid' every spatial axis of `inputs` must be at "
                    f"least as long as the (dilated) kernel, or the output is empty. Received: "
                    f"inputs.shape={x_shape} ({data_format}), kernel.shape={k_shape}, "
                    f"dilation_rate={dilation_rate}. Use padding='same' or a smaller kernel.")
    return strides, padding, data_format, dilation_rate


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (cross-correlation) of `inputs` with `kernel`.

    Args:
        inputs: Tensor of rank N + 2, `(batch, *spatial, channels)` for "channels_last".
        kernel: Tensor `(*kernel_spatial, in_channels, filters)`. When the inputs have
            `groups * in_channels` channels, each group of channels has its own
            `filters // groups` filters.
        strides: Int or tuple of N ints, the step between windows.
        padding: "valid" (no padding) or "same" (output size `ceil(size / stride)`).
        data_format: "channels_last" or "channels_first"; defaults to `image_data_format()`.
        dilation_rate: Int or tuple of N ints, the spacing between kernel taps.

    Returns:
        Tensor of rank N + 2 with `filters` channels, in the inputs' layout.

    >>> x, kernel = lamina.ops.ones((1, 5, 5, 2)), lamina.ops.ones((3, 3, 2, 4))
    >>> tuple(lamina.ops.conv(x, kernel).shape)
    (1, 3, 3, 4)
    """
    strides, padding, data_format, dilation_rate = _conv_args(
        "conv", inputs, kernel, strides, padding, data_format, dilation_rate)
    return run(conv, backend.nn.conv, inputs, kernel, strides=strides, padding=padding,
               data_format=data_format, dilation_rate=dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: each input channel is convolved with its own filters.

    Args:
        inputs: Tensor of rank N + 2, `(batch, *spatial, channels)` for "channels_last".
        kernel: Tensor `(*kernel_spatial, channels, depth_multiplier)`.
        strides, padding, data_format, dilation_rate: As for `conv`.

    Returns:
        Tensor with `channels * depth_multiplier` channels; output channel
        `c * depth_multiplier + m` comes from input channel `c` and `kernel[..., c, m]`.

    >>> x, kernel = lamina.ops.ones((1, 5, 5, 2)), lamina.ops.ones((3, 3, 2, 3))
    >>> tuple(lamina.ops.depthwise_conv(x, kernel).shape)
    (1, 3, 3, 6)
    """
    strides, padding, data_format, dilation_rate = _conv_args(
        "depthwise_conv", inputs, kernel, strides, padding, data_format, dilation_rate)
    return run(depthwise_conv, backend.nn.depthwise_conv, inputs, kernel, strides=strides,
               padding=padding, data_format=data_format, dilation_rate=dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: Tensor of rank N + 2.
        depthwise_kernel: Tensor `(*kernel_spatial, channels, depth_multiplier)`.
        pointwise_kernel: Tensor `(1, ..., 1, channels * depth_multiplier, filters)`.
        strides, padding, data_format, dilation_rate: Of the depthwise step, as for `conv`.

    Returns:
        Tensor with `filters` channels.

    >>> ones = lamina.ops.ones
    >>> tuple(lamina.ops.separable_conv(ones((1, 5, 5, 2)), ones((3, 3, 2, 1)),
    ...                                 ones((1, 1, 2, 4))).shape)
    (1, 3, 3, 4)
    """
    strides, padding, data_format, dilation_rate = _conv_args(
        "separable_conv", inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    p_shape = _conv_shape(pointwise_kernel)
    d_shape = _conv_shape(depthwise_kernel)
    expected = (1,) * len(strides) + (d_shape[-2] * d_shape[-1],)
    if p_shape[:-1] != expected:
        raise ValueError(f"separable_conv: `pointwise_kernel` must have shape "
                         f"{(*expected, 'filters')} for a depthwise kernel of shape {d_shape}. "
                         "Received: "
                         f"pointwise_kernel.shape={p_shape}")
    return run(separable_conv, backend.nn.separable_conv, inputs, depthwise_kernel,
               pointwise_kernel, strides=strides, padding=padding, data_format=data_format,
               dilation_rate=dilation_rate)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution: the gradient of `conv` with respect to its inputs.

    Along each spatial axis of size `n`, with dilated kernel size `k` and stride `s`, the output
    has size `(n - 1) * s + max(k, s)` for "valid" and `n * s` for "same"; with `output_padding`
    `p`, it has `(n - 1) * s + k + p` ("valid") or `(n - 1) * s + k % 2 + p` ("same").

    Args:
        inputs: Tensor of rank N + 2, `(batch, *spatial, channels)` for "channels_last".
        kernel: Tensor `(*kernel_spatial, filters, channels)` (note: output channels first).
        strides: Int or tuple of N ints.
        padding: "valid" or "same".
        output_padding: None, or an int or tuple of N ints, each smaller than its stride, that
            picks the output size when several are possible.
        data_format: "channels_last" or "channels_first"; defaults to `image_data_format()`.
        dilation_rate: Int or tuple of N ints.

    Returns:
        Tensor of rank N + 2 with `filters` channels.

    >>> x, kernel = lamina.ops.ones((1, 3, 3, 2)), lamina.ops.ones((3, 3, 4, 2))
    >>> tuple(lamina.ops.conv_transpose(x, kernel, strides=2).shape)
    (1, 7, 7, 4)
    """
    strides, padding, data_format, dilation_rate = _conv_args(
        "conv_transpose", inputs, kernel, strides, padding, data_format, dilation_rate,
        in_axis=-1)
    if output_padding is not None:
        output_padding = _conv_tuple("conv_transpose", "output_padding", output_padding,
                                     len(strides), allow_zero=True)
        if any(p >= s for p, s in zip(output_padding, strides)):
            raise ValueError("conv_transpose: each `output_padding` must be smaller than its "
                             f"stride. Received: output_padding={output_padding}, "
                             f"strides={strides}")
    return run(conv_transpose, backend.nn.conv_transpose, inputs, kernel, strides=strides,
               padding=padding, output_padding=output_padding, data_format=data_format,
               dilation_rate=dilation_rate)


# -- aliases, pooling to a size, rearranging ---------------------------------------------------
def swish(x):
    """`x * sigmoid(x)`; another name of `silu`.

    >>> swish([0.0]).tolist()
    [0.0]
    """
    return silu(x)


def hard_swish(x):
    """`x * relu6(x + 3) / 6`; another name of `hard_silu`.

    >>> hard_swish([3.0]).tolist()
    [3.0]
    """
    return hard_silu(x)


def _data_format(op, data_format):
    try:
        return backend.config.standardize_data_format(data_format)
    except ValueError:
        raise ValueError(f"{op}: `data_format` must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}") from None


def _adaptive_arguments(op, inputs, output_size, data_format):
    shape = _conv_shape(inputs)
    if len(shape) not in (3, 4, 5):
        raise ValueError(f"{op}: `inputs` must have rank 3, 4 or 5 (batch, 1 to 3 spatial axes, "
                         f"channels). Received: inputs.shape={shape}")
    return _conv_tuple(op, "output_size", output_size, len(shape) - 2), _data_format(
        op, data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed spatial size, whatever the input's size.

    Output position `i` of an axis of size `n` averages input positions
    `[floor(i * n / output_size), ceil((i + 1) * n / output_size))`.

    Args:
        inputs: Tensor `(batch, *spatial, channels)` ("channels_last") or
            `(batch, channels, *spatial)`, with 1 to 3 spatial axes.
        output_size: Int or tuple of ints, one per spatial axis.
        data_format: "channels_last" or "channels_first"; defaults to `image_data_format()`.

    Returns:
        The pooled tensor, spatial axes of size `output_size` (integer inputs give floatx).

    >>> adaptive_average_pool([[[1.0], [2.0], [3.0], [5.0]]], 2).tolist()
    [[[1.5], [4.0]]]
    """
    output_size, data_format = _adaptive_arguments("adaptive_average_pool", inputs,
                                                   output_size, data_format)
    return run(adaptive_average_pool, backend.nn.adaptive_average_pool, inputs,
               output_size=output_size, data_format=data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed spatial size; the windows are those of `adaptive_average_pool`.

    Args:
        inputs: Tensor with 1 to 3 spatial axes, laid out as `data_format` says.
        output_size: Int or tuple of ints, one per spatial axis.
        data_format: "channels_last" or "channels_first"; defaults to `image_data_format()`.

    Returns:
        The pooled tensor, same dtype as `inputs`.

    >>> adaptive_max_pool([[[1.0], [2.0], [3.0], [5.0]]], 2).tolist()
    [[[2.0], [5.0]]]
    """
    output_size, data_format = _adaptive_arguments("adaptive_max_pool", inputs, output_size,
                                                   data_format)
    return run(adaptive_max_pool, backend.nn.adaptive_max_pool, inputs,
               output_size=output_size, data_format=data_format)


def _block_arguments(op, x, block_size, data_format):
    shape = _conv_shape(x)
    if len(shape) != 4:
        raise ValueError(f"{op}: `x` must have rank 4. Received: x.shape={shape}")
    if isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral) \
            or block_size < 1:
        raise ValueError(f"{op}: `block_size` must be a positive int. Received: "
                         f"block_size={block_size!r}")
    data_format = _data_format(op, data_format)
    channels = shape[-1] if data_format == "channels_last" else shape[1]
    spatial = shape[1:3] if data_format == "channels_last" else shape[2:]
    return int(block_size), data_format, channels, spatial


def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channels into `block_size x block_size` spatial blocks (pixel shuffle).

    Args:
        x: Tensor `(batch, height, width, channels)` ("channels_last") or
            `(batch, channels, height, width)`; channels a multiple of `block_size ** 2`.
        block_size: Int, the side of each block.
        data_format: "channels_last" (the default here, as in Keras) or "channels_first".

    Returns:
        Tensor with spatial axes `block_size` times larger and `block_size ** 2` times fewer
        channels.

    >>> depth_to_space([[[[1, 2, 3, 4]]]], 2).tolist()
    [[[[1], [2]], [[3], [4]]]]
    """
    block_size, data_format, channels, _ = _block_arguments("depth_to_space", x, block_size,
                                                            data_format)
    if channels is not None and channels % (block_size * block_size):
        raise ValueError(f"depth_to_space: the channel count ({channels}) must be a multiple of "
                         f"block_size ** 2 = {block_size * block_size}. Received: x.shape="
                         f"{_conv_shape(x)}, data_format='{data_format}'")
    return run(depth_to_space, backend.nn.depth_to_space, x, block_size,
               data_format=data_format)


def space_to_depth(x, block_size, data_format="channels_last"):
    """Move `block_size x block_size` spatial blocks into channels (the inverse of
    `depth_to_space`).

    Args:
        x: Tensor `(batch, height, width, channels)` ("channels_last") or
            `(batch, channels, height, width)`; height and width multiples of `block_size`.
        block_size: Int, the side of each block.
        data_format: "channels_last" (the default) or "channels_first".

    Returns:
        Tensor with spatial axes `block_size` times smaller and `block_size ** 2` times more
        channels.

    >>> space_to_depth([[[[1], [2]], [[3], [4]]]], 2).tolist()
    [[[[1, 2, 3, 4]]]]
    """
    block_size, data_format, _, spatial = _block_arguments("space_to_depth", x, block_size,
                                                           data_format)
    if any(s is not None and s % block_size for s in spatial):
        raise ValueError(f"space_to_depth: height and width {tuple(spatial)} must be multiples "
                         f"of block_size={block_size}. Received: x.shape={_conv_shape(x)}, "
                         f"data_format='{data_format}'")
    return run(space_to_depth, backend.nn.space_to_depth, x, block_size,
               data_format=data_format)


def _pair(op, name, value, least):
    values = (value, value) if isinstance(value, numbers.Integral) else value
    if not isinstance(values, (list, tuple)) or len(values) != 2 or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= least
            for v in values):
        raise ValueError(f"{op}: `{name}` must be an int or a tuple of 2 ints, each >= {least}. "
                         f"Received: {name}={value!r}")
    return int(values[0]), int(values[1])


def _blocks_per_axis(size, k, d, p, s):
    return conv_shapes.conv_length(size, k, s, d, p)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding `kernel_size` patches of a `(N, C, H, W)` tensor (im2col).

    Args:
        x: Tensor of rank 4, channels first.
        kernel_size, dilation, stride: Int or tuple of 2 ints, each >= 1.
        padding: Int or tuple of 2 ints >= 0, zeros added on both sides of each spatial axis.

    Returns:
        Tensor `(N, C * kh * kw, L)`: each column is one patch, its rows ordered by channel,
        then kernel row, then kernel column; `L` counts the patches, row-major.

    >>> unfold(lamina.ops.reshape(lamina.ops.arange(4.0), (1, 1, 2, 2)), 1).tolist()
    [[[0.0, 1.0, 2.0, 3.0]]]
    """
    shape = _conv_shape(x)
    if len(shape) != 4:
        raise ValueError(f"unfold: `x` must have rank 4 (N, C, H, W). Received: x.shape={shape}")
    kernel_size = _pair("unfold", "kernel_size", kernel_size, 1)
    dilation = _pair("unfold", "dilation", dilation, 1)
    padding = _pair("unfold", "padding", padding, 0)
    stride = _pair("unfold", "stride", stride, 1)
    for size, k, d, p, s in zip(shape[2:], kernel_size, dilation, padding, stride):
        if size is not None and _blocks_per_axis(size, k, d, p, s) < 1:
            raise ValueError(f"unfold: the (dilated) kernel {kernel_size} does not fit in the "
                             f"padded input: x.shape={shape}, padding={padding}, "
                             f"dilation={dilation}. Use a smaller kernel or more padding.")
    return run(unfold, backend.nn.unfold, x, kernel_size, dilation=dilation, padding=padding,
               stride=stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding patches back into a `(N, C, H, W)` tensor (col2im); the adjoint of `unfold`.

    Args:
        x: Tensor `(N, C * kh * kw, L)`, patches laid out as `unfold` returns them.
        output_size: Int or tuple of 2 ints, the `(H, W)` of the result.
        kernel_size, dilation, stride: Int or tuple of 2 ints, each >= 1.
        padding: Int or tuple of 2 ints >= 0, as given to `unfold`.

    Returns:
        Tensor `(N, C, H, W)`; where patches overlap their values add up.

    >>> fold(lamina.ops.ones((1, 2, 2)), (1, 3), (1, 2)).tolist()
    [[[[1.0, 2.0, 1.0]]]]
    """
    shape = _conv_shape(x)
    if len(shape) != 3:
        raise ValueError(f"fold: `x` must have rank 3 (N, C * kh * kw, L). Received: "
                         f"x.shape={shape}")
    output_size = _pair("fold", "output_size", output_size, 1)
    kernel_size = _pair("fold", "kernel_size", kernel_size, 1)
    dilation = _pair("fold", "dilation", dilation, 1)
    padding = _pair("fold", "padding", padding, 0)
    stride = _pair("fold", "stride", stride, 1)
    counts = [_blocks_per_axis(*args) for args in
              zip(output_size, kernel_size, dilation, padding, stride)]
    taps = kernel_size[0] * kernel_size[1]
    if (shape[1] is not None and shape[1] % taps) or (
            shape[2] is not None and shape[2] != counts[0] * counts[1]):
        raise ValueError(f"fold: `x` must have shape (N, C * {taps}, {counts[0] * counts[1]}) "
                         f"for output_size={output_size}, kernel_size={kernel_size}, "
                         f"dilation={dilation}, padding={padding}, stride={stride}. "
                         f"Received: x.shape={shape}")
    return run(fold, backend.nn.fold, x, output_size, kernel_size, dilation=dilation,
               padding=padding, stride=stride)


# -- attention ---------------------------------------------------------------------------------
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention: `softmax(query @ key^T * scale + bias) @ value` per head.

    Key/value heads may be fewer than query heads (grouped-query attention): query head `n`
    attends with key/value head `n // (N // K)`.

    Args:
        query: Tensor `(batch, T, N, H)`.
        key: Tensor `(batch, S, K, H)`, `N` a multiple of `K`.
        value: Tensor `(batch, S, K, H_v)`.
        bias: Optional tensor broadcastable to `(batch, N, T, S)`, added to the logits.
        mask: Optional boolean tensor broadcastable to `(batch, N, T, S)`; False positions are
            left out of the softmax.
        scale: Float multiplying the logits; defaults to `1 / sqrt(H)`.
        is_causal: Whether query `t` attends only to keys `s <= t`.
        flash_attention: None or False (a fused kernel is not available; True raises).
        attn_logits_soft_cap: Optional positive float `c`: logits become `c * tanh(logits / c)`
            before masking (Keras allows it only on TPU; lamina computes it everywhere).

    Returns:
        Tensor `(batch, T, N, H_v)` in the inputs' common dtype.

    >>> q = lamina.ops.ones((1, 2, 1, 4))
    >>> tuple(dot_product_attention(q, q, q, is_causal=True).shape)
    (1, 2, 1, 4)
    """
    q_shape, k_shape, v_shape = (_conv_shape(t) for t in (query, key, value))
    if len(q_shape) != 4 or len(k_shape) != 4 or len(v_shape) != 4:
        raise ValueError("dot_product_attention: `query`, `key` and `value` must have rank 4 "
                         f"(batch, length, heads, dim). Received: query.shape={q_shape}, "
                         f"key.shape={k_shape}, value.shape={v_shape}")
    if k_shape[:3] != v_shape[:3] or q_shape[3] != k_shape[3] or \
            (q_shape[2] is not None and k_shape[2] and q_shape[2] % k_shape[2]):
        raise ValueError("dot_product_attention: expected query (B, T, N, H), key (B, S, K, H) "
                         "and value (B, S, K, H_v) with N a multiple of K. Received: "
                         f"query.shape={q_shape}, key.shape={k_shape}, value.shape={v_shape}")
    if flash_attention:
        raise ValueError("dot_product_attention: lamina has no fused flash-attention kernel. "
                         f"Received: flash_attention={flash_attention!r}; pass None or False.")
    if attn_logits_soft_cap is not None and (
            isinstance(attn_logits_soft_cap, bool) or
            not isinstance(attn_logits_soft_cap, numbers.Real) or attn_logits_soft_cap <= 0):
        raise ValueError("dot_product_attention: `attn_logits_soft_cap` must be a positive "
                         f"float or None. Received: attn_logits_soft_cap={attn_logits_soft_cap!r}")
    for name, t in (("bias", bias), ("mask", mask)):
        if t is not None and len(_conv_shape(t)) > 4:
            raise ValueError(f"dot_product_attention: `{name}` must be broadcastable to (batch, "
                             f"heads, T, S) = ({q_shape[0]}, {q_shape[2]}, {q_shape[1]}, "
                             f"{k_shape[1]}). Received: {name}.shape={_conv_shape(t)}")
    return run(dot_product_attention, backend.nn.dot_product_attention, query, key, value,
               bias=bias, mask=mask, scale=scale, is_causal=bool(is_causal),
               attn_logits_soft_cap=attn_logits_soft_cap)


# -- CTC ---------------------------------------------------------------------------------------
def _check_mask_index(op, mask_index, num_classes, allow_none=False):
    if mask_index is None and allow_none:
        return
    if isinstance(mask_index, bool) or not isinstance(mask_index, numbers.Integral) or not (
            num_classes is None or 0 <= mask_index < num_classes):
        raise ValueError(f"{op}: `mask_index` must be an int in [0, num_classes) = [0, "
                         f"{num_classes}). Received: mask_index={mask_index!r}")


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss: `-log p(target | output)` per sample,
    summed over all alignments by the forward algorithm.

    Args:
        target: Integer labels `(batch, max_label_length)`; positions past `target_length`
            are ignored.
        output: Logits `(batch, max_time, num_classes)` (log-softmax is applied here).
        target_length: Integers `(batch,)`, the label counts.
        output_length: Integers `(batch,)`, the time steps each sample uses.
        mask_index: Int, the blank class.

    Returns:
        Losses `(batch,)` in at least float32. An impossible target (too long for its output)
        gives a loss near 1e5 rather than infinity.

    >>> round(float(ctc_loss([[1]], [[[0.0, 0.0], [0.0, 0.0]]], [1], [2])[0]), 4)
    0.2877
    """
    t_shape, o_shape = _conv_shape(target), _conv_shape(output)
    tl_shape, ol_shape = _conv_shape(target_length), _conv_shape(output_length)
    if len(t_shape) != 2 or len(o_shape) != 3 or tl_shape != t_shape[:1] or \
            ol_shape != o_shape[:1] or t_shape[0] != o_shape[0]:
        raise ValueError("ctc_loss: expected target (batch, max_label_length), output (batch, "
                         "max_time, num_classes), target_length (batch,) and output_length "
                         f"(batch,). Received: target.shape={t_shape}, output.shape={o_shape}, "
                         f"target_length.shape={tl_shape}, output_length.shape={ol_shape}")
    _check_mask_index("ctc_loss", mask_index, o_shape[2])
    return run(ctc_loss, backend.nn.ctc_loss, target, output, target_length, output_length,
               mask_index=int(mask_index))


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode per-step class scores into label sequences, greedily or by CTC prefix beam search.

    Args:
        inputs: Logits `(batch, max_time, num_classes)`.
        sequence_lengths: Integers `(batch,)`, the time steps each sample uses.
        strategy: "greedy" (best class per step, repeats merged, blanks dropped) or
            "beam_search" (the most probable label sequences, summing all their alignments).
        beam_width: Int, the prefixes kept per step ("beam_search").
        top_paths: Int <= beam_width, the sequences returned ("beam_search"; greedy gives 1).
        merge_repeated: Whether greedy decoding merges repeated classes.
        mask_index: Int, the blank class; None means the last class.

    Returns:
        `(decoded, scores)`: `decoded` int32 `(top_paths, batch, max_time)` padded with -1;
        `scores` `(batch, top_paths)`: for greedy minus the sum of the chosen logits, for beam
        search the log-probability of each sequence.

    >>> decoded, _ = ctc_decode([[[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]], [3])
    >>> decoded.tolist()
    [[[1, -1, -1]]]
    """
    shape = _conv_shape(inputs)
    if len(shape) != 3:
        raise ValueError("ctc_decode: `inputs` must have shape (batch, max_time, num_classes). "
                         f"Received: inputs.shape={shape}")
    if strategy not in ("greedy", "beam_search"):
        raise ValueError("ctc_decode: `strategy` must be one of 'greedy', 'beam_search'. "
                         f"Received: strategy={strategy!r}")
    for name, v in (("beam_width", beam_width), ("top_paths", top_paths)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"ctc_decode: `{name}` must be a positive int. Received: "
                             f"{name}={v!r}")
    if strategy == "beam_search" and top_paths > beam_width:
        raise ValueError(f"ctc_decode: `top_paths` ({top_paths}) must not exceed `beam_width` "
                         f"({beam_width}).")
    _check_mask_index("ctc_decode", mask_index, shape[2], allow_none=True)
    return run(ctc_decode, backend.nn.ctc_decode, inputs, sequence_lengths, strategy=strategy,
               beam_width=int(beam_width), top_paths=int(top_paths),
               merge_repeated=bool(merge_repeated), mask_index=mask_index)


# -- misc --------------------------------------------------------------------------------------
def polar(abs_, angle):
    """Complex numbers from magnitude and angle: `abs_ * (cos(angle) + 1j * sin(angle))`.

    Args:
        abs_: Magnitudes.
        angle: Angles in radians, broadcastable with `abs_`.

    Returns:
        Complex tensor (complex64 for float32 inputs).

    >>> polar([2.0], [0.0]).tolist()
    [(2+0j)]
    """
    return run(polar, backend.nn.polar, abs_, angle)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio: `20 * log10(max_val) - 10 * log10(mean((x1 - x2) ** 2))`.

    Args:
        x1, x2: Tensors of the same shape (the mean runs over all their elements).
        max_val: The largest possible value of a signal (1.0 for images in [0, 1]).

    Returns:
        Scalar float tensor, in decibels.

    >>> round(float(psnr([0.0, 0.0], [0.1, 0.1], 1.0)), 4)
    20.0
    """
    s1, s2 = _conv_shape(x1), _conv_shape(x2)
    if s1 != s2:
        raise ValueError(f"psnr: `x1` and `x2` must have the same shape. Received: "
                         f"x1.shape={s1}, x2.shape={s2}")
    return run(psnr, backend.nn.psnr, x1, x2, max_val)
