"""Shape arithmetic of convolutions and patches, shared by every backend (plain Python)."""


def spatial_axes(ndim, data_format):
    """The spatial axes of a batched `ndim`-D tensor in `data_format`."""
    return tuple(range(1, ndim - 1)) if data_format == "channels_last" else tuple(range(2, ndim))


def same_pads(size, window, stride):
    """XLA's "SAME" padding of one axis as (low, high); an odd total puts the extra one high."""
    total = max((-(-size // stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def spatial_tuple(value, n):
    """`value` repeated `n` times when it is an int, else as a tuple."""
    return (value,) * n if isinstance(value, int) else tuple(value)


def conv_transpose_length(size, kernel_size, stride, padding, output_padding, dilation):
    """Output length of a transposed convolution along one axis (Keras's rule)."""
    k = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k % 2 + output_padding


def conv_length(size, k, s=1, d=1, pad=0):
    """Output length along one axis of a window of `k` taps dilated by `d`, moved by `s` over
    the axis padded by `pad` on each side (the "valid" rule)."""
    return (size + 2 * pad - d * (k - 1) - 1) // s + 1


def patch_slices(k, d, s, out):
    """For each kernel tap `i`, the strided slice of the padded axis that the tap reads."""
    return [slice(i * d, i * d + s * (out - 1) + 1, s) for i in range(k)]
