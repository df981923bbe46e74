"""Image ops on NumPy (resize, affine and perspective transforms, color conversion, patches).

Arguments arrive validated by `lamina.ops.image`; these functions only compute, with the JAX
backend's algorithms: resizing builds one (out, in) weight matrix per spatial axis with the
kernels `jax.image` uses, and sampling follows `jax.scipy.ndimage.map_coordinates`.
"""

import itertools

import numpy as np

from lamina.backend import config
from lamina.backend.common import dtypes
from lamina.backend.numpy import nn
from lamina.backend.numpy.core import convert_to_tensor
from lamina.backend.numpy.numpy import _is_inexact

_ORDERS = {"nearest": 0, "bilinear": 1}


# -- layout helpers -----------------------------------------------------------------------------
def _to_batched_channels_last(images, data_format, spatial_rank=2):
    """`images` as a batched channels-last array, and whether a batch axis was added."""
    images = convert_to_tensor(images)
    unbatched = images.ndim == spatial_rank + 1
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = np.moveaxis(images, 1, -1)
    return images, unbatched


def _restore_layout(images, data_format, unbatched):
    if data_format == "channels_first":
        images = np.moveaxis(images, -1, 1)
    return images[0] if unbatched else images


def _compute_dtype(dtype):
    """Float dtypes compute as they are; integers and bools compute in floatx."""
    return np.dtype(dtype) if _is_inexact(dtype) else dtypes.to_numpy_dtype(None)


def _cast_back(x, dtype):
    """Round and saturate float results into an integer `dtype`; floats just cast."""
    if x.dtype == dtype:
        return x
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        x = np.clip(np.round(x), info.min, info.max)
    return x.astype(dtype)


def _depthwise_conv2d(x, kernel, padding):
    """Filter each channel of batched channels-last `x` with the same 2-D `kernel`."""
    channels = x.shape[-1]
    kernel = np.tile(np.asarray(kernel)[:, :, None, None], (1, 1, channels, 1)).astype(x.dtype)
    return nn.depthwise_conv(x, kernel, 1, padding.lower(), "channels_last")


def _gaussian_kernel1d(size, sigma, dtype):
    x = np.arange(size, dtype=dtype) - np.asarray((size - 1) / 2.0, dtype)
    kernel = np.exp(-0.5 * np.square(x / np.asarray(sigma, dtype)))
    return kernel / np.sum(kernel)


def _round_half_away_from_zero(a):
    return np.sign(a) * np.floor(np.abs(a) + 0.5)


def _mirror_index(index, size):
    s = size - 1  # half-wavelength of the triangular wave
    if s == 0:
        return np.zeros_like(index)
    return np.abs((index + s) % (2 * s) - s)


_INDEX_FIXERS = {
    "constant": lambda index, size: index,
    "nearest": lambda index, size: np.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror_index,
    "reflect": lambda index, size: (_mirror_index(2 * index + 1, 2 * size + 1) - 1) // 2,
}


def _map_coordinates(inputs, coordinates, order, fill_mode, fill_value):
    """`jax.scipy.ndimage.map_coordinates` for order 0 (nearest) and 1 (linear)."""
    cval = np.asarray(fill_value, inputs.dtype)
    fixer = _INDEX_FIXERS[fill_mode]
    per_axis = []
    for coordinate, size in zip(coordinates, inputs.shape):
        if order == 0:
            nodes = [(_round_half_away_from_zero(coordinate).astype(np.int32),
                      np.ones((), coordinate.dtype))]
        else:
            lower = np.floor(coordinate)
            upper_weight = coordinate - lower
            index = lower.astype(np.int32)
            nodes = [(index, 1 - upper_weight), (index + 1, upper_weight)]
        per_axis.append([(fixer(index, size), (index >= 0) & (index < size)
                          if fill_mode == "constant" else None, weight)
                         for index, weight in nodes])
    result = 0
    for items in itertools.product(*per_axis):
        # Clipped indices only keep the gather in bounds; `valid` decides what is used.
        indices = tuple(np.clip(i, 0, size - 1) for (i, _, _), size in zip(items, inputs.shape))
        contribution = inputs[indices]
        validity = [v for _, v, _ in items if v is not None]
        if validity:
            contribution = np.where(np.logical_and.reduce(validity), contribution, cval)
        weight = np.prod(np.stack(np.broadcast_arrays(*(w for _, _, w in items))), axis=0)
        result = result + weight * contribution
    result = np.asarray(result)
    if np.issubdtype(inputs.dtype, np.integer):
        result = _round_half_away_from_zero(result)
    return result.astype(inputs.dtype)


def _sample(x, y_in, x_in, order, fill_mode, fill_value):
    """Read batched channels-last `x` at fractional input positions `(y_in, x_in)`: (B, H, W)."""
    images = []
    for b in range(x.shape[0]):
        channels = [_map_coordinates(x[b, :, :, c], (y_in[b], x_in[b]), order, fill_mode,
                                     fill_value) for c in range(x.shape[-1])]
        images.append(np.stack(channels, axis=-1))
    return np.stack(images)


def _projective_sample(x, transforms, order, fill_mode, fill_value):
    """Output pixel (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with
    k = c0 x + c1 y + 1, for one row `[a0, a1, a2, b0, b1, b2, c0, c1]` per image."""
    _, height, width, _ = x.shape
    ys, xs = np.meshgrid(np.arange(height, dtype=transforms.dtype),
                         np.arange(width, dtype=transforms.dtype), indexing="ij")
    t = [transforms[:, i, None, None] for i in range(8)]
    k = t[6] * xs + t[7] * ys + 1.0
    x_in = (t[0] * xs + t[1] * ys + t[2]) / k
    y_in = (t[3] * xs + t[4] * ys + t[5]) / k
    return _sample(x, y_in, x_in, order, fill_mode, fill_value)


# -- color --------------------------------------------------------------------------------------
def rgb_to_grayscale(images, data_format=None):
    data_format = config.standardize_data_format(data_format)
    images = convert_to_tensor(images)
    axis = images.ndim - 1 if data_format == "channels_last" else images.ndim - 3
    if images.shape[axis] == 1:
        return images
    compute = _compute_dtype(images.dtype)
    # ITU-R BT.601 luma weights (the ones tf.image.rgb_to_grayscale uses).
    weights = np.asarray([0.2989, 0.5870, 0.1140], dtype=compute)
    weights = np.reshape(weights, [3 if i == axis else 1 for i in range(images.ndim)])
    gray = np.sum(images.astype(compute) * weights, axis=axis, keepdims=True)
    # Integer images truncate back to their dtype, as Keras does.
    return gray.astype(images.dtype)


def rgb_to_hsv(images, data_format=None):
    data_format = config.standardize_data_format(data_format)
    images = convert_to_tensor(images)
    dtype = images.dtype
    axis = -1 if data_format == "channels_last" else -3
    # Values within one ulp of zero count as zero, so that hue and saturation stay defined.
    images = np.where(np.abs(images) < np.finfo(dtype).eps, np.zeros((), dtype), images)
    r, g, b = (np.take(images, i, axis=axis) for i in range(3))
    value = np.maximum(np.maximum(r, g), b)
    chroma = value - np.minimum(np.minimum(r, g), b)
    one = np.ones((), dtype)
    saturation = np.where(value > 0, chroma / np.where(value > 0, value, one), 0 * one)
    safe_chroma = np.where(chroma > 0, chroma, one)
    # The hue sector follows the largest channel; ties go to red, then green.
    sector = np.where(value == r, (g - b) / safe_chroma,
                      np.where(value == g, (b - r) / safe_chroma + 2.0,
                               (r - g) / safe_chroma + 4.0))
    hue = np.where(chroma > 0, sector / 6.0, 0 * one)
    hue = np.where(hue < 0, hue + 1.0, hue)
    return np.stack([hue, saturation, value], axis=axis).astype(dtype)


def hsv_to_rgb(images, data_format=None):
    data_format = config.standardize_data_format(data_format)
    images = convert_to_tensor(images)
    axis = -1 if data_format == "channels_last" else -3
    hue, saturation, value = (np.take(images, i, axis=axis) for i in range(3))
    h6 = np.mod(hue, 1.0) * 6.0
    # Each channel's share is a trapezoid over the hue circle.
    shares = (np.clip(np.abs(h6 - 3.0) - 1.0, 0.0, 1.0),
              np.clip(2.0 - np.abs(h6 - 2.0), 0.0, 1.0),
              np.clip(2.0 - np.abs(h6 - 4.0), 0.0, 1.0))
    rgb = [value * (1.0 - saturation + saturation * share) for share in shares]
    return np.stack(rgb, axis=axis).astype(images.dtype)


# -- resizing -----------------------------------------------------------------------------------
def _area_weights(in_size, out_size, dtype):
    """(out, in) weights: the share of each input pixel inside each output pixel's box."""
    scale = in_size / out_size
    starts = np.arange(out_size)[:, None] * scale
    cells = np.arange(in_size)[None, :]
    overlap = np.minimum(cells + 1, starts + scale) - np.maximum(cells, starts)
    return np.asarray(np.clip(overlap, 0.0, None) / scale, dtype=dtype)


def _resize_area(x, height, width):
    dtype = _compute_dtype(x.dtype)
    x = x.astype(dtype)
    x = np.einsum("oh,bhwc->bowc", _area_weights(x.shape[1], height, dtype), x)
    return np.einsum("ow,bhwc->bhoc", _area_weights(x.shape[2], width, dtype), x)


def _triangle(x):
    return np.maximum(0.0, 1.0 - x)


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return np.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 1e-3, y / np.where(x != 0, np.pi ** 2 * x ** 2, 1.0), 1.0)
        return np.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"linear": _triangle, "bilinear": _triangle, "trilinear": _triangle,
            "triangle": _triangle, "cubic": _keys_cubic, "bicubic": _keys_cubic,
            "tricubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _weight_matrix(in_size, out_size, scale, translation, kernel, antialias, dtype):
    """(in, out) interpolation weights of one axis, as `jax.image` computes them."""
    inv_scale = 1.0 / scale
    # Downsampling with antialiasing widens the kernel: a low-pass filter before sampling.
    kernel_scale = max(inv_scale, 1.0) if antialias else 1.0
    sample = (np.arange(out_size, dtype=np.float64) + 0.5) * inv_scale \
        - translation * inv_scale - 0.5
    distance = np.abs(sample[None, :] - np.arange(in_size, dtype=np.float64)[:, None]) \
        / kernel_scale
    weights = kernel(distance)
    total = np.sum(weights, axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000.0 * float(np.finfo(np.float32).eps),
                       weights / np.where(total != 0, total, 1.0), 0.0)
    # Samples entirely outside the input get no weight.
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0.0).astype(dtype)


def _scale_and_translate(x, output_shape, spatial_dims, scale, translation, kernel, antialias):
    for d, s, t in zip(spatial_dims, scale, translation):
        w = _weight_matrix(x.shape[d], output_shape[d], float(s), float(t), kernel, antialias,
                           x.dtype)
        x = np.moveaxis(np.tensordot(x, w, axes=([d], [0])), -1, d)
    return x


def _resize_nearest(x, output_shape):
    for d, (m, n) in enumerate(zip(x.shape, output_shape)):
        if m == n:
            continue
        offsets = np.floor((np.arange(n, dtype=np.float32) + 0.5) * m / n).astype(np.int32)
        x = np.take(x, offsets, axis=d)
    return x


def _jax_style_resize(x, shape, method, antialias):
    if method == "nearest":
        return _resize_nearest(x, shape)
    x = x.astype(_compute_dtype(x.dtype))
    # Axes whose size does not change are left alone: every kernel interpolates exactly.
    spatial = [d for d in range(x.ndim) if x.shape[d] != shape[d]]
    scale = [1.0 if shape[d] == 0 else shape[d] / x.shape[d] for d in spatial]
    return _scale_and_translate(x, shape, spatial, scale, [0.0] * len(spatial),
                                _KERNELS[method], antialias)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    data_format = config.standardize_data_format(data_format)
    dtype = convert_to_tensor(images).dtype
    x, unbatched = _to_batched_channels_last(images, data_format)
    target_height, target_width = (int(s) for s in size)
    height, width = x.shape[1], x.shape[2]
    if crop_to_aspect_ratio:
        # The largest centred window with the target's aspect ratio.
        crop_height = max(min(height, int(width * target_height / target_width)), 1)
        crop_width = max(min(width, int(height * target_width / target_height)), 1)
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        x = x[:, top:top + crop_height, left:left + crop_width]
    elif pad_to_aspect_ratio:
        padded_height = max(height, int(width * target_height / target_width))
        padded_width = max(width, int(height * target_width / target_height))
        # As Keras: the same margin on both sides (an odd difference loses one row or column).
        top, left = (padded_height - height) // 2, (padded_width - width) // 2
        if top > 0:
            x = np.pad(x, [(0, 0), (top, top), (0, 0), (0, 0)], constant_values=fill_value)
        elif left > 0:
            x = np.pad(x, [(0, 0), (0, 0), (left, left), (0, 0)], constant_values=fill_value)
    if interpolation == "area":
        y = _resize_area(x, target_height, target_width)
    else:
        y = _jax_style_resize(x, (x.shape[0], target_height, target_width, x.shape[3]),
                              interpolation, antialias)
    return _restore_layout(_cast_back(y, dtype), data_format, unbatched)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    images = convert_to_tensor(images)
    dtype = _compute_dtype(images.dtype)
    scale = np.asarray(scale, dtype).reshape(-1)
    translation = np.asarray(translation, dtype).reshape(-1)
    if method == "nearest":
        raise ValueError("scale_and_translate: 'nearest' is not supported; use 'linear', "
                         "'cubic', 'lanczos3' or 'lanczos5'.")
    return _scale_and_translate(images.astype(dtype), tuple(int(d) for d in output_shape),
                                tuple(int(d) for d in spatial_dims), scale, translation,
                                _KERNELS[method], antialias)


# -- padding and cropping -----------------------------------------------------------------------
def pad_images(images, top_padding, left_padding, bottom_padding, right_padding,
               data_format=None):
    """Zero-pad the height and width axes; the paddings are resolved, non-negative ints."""
    data_format = config.standardize_data_format(data_format)
    images = convert_to_tensor(images)
    pads = [(0, 0)] * images.ndim
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    pads[h_axis], pads[h_axis + 1] = (top_padding, bottom_padding), (left_padding, right_padding)
    return np.pad(images, pads)


def crop_images(images, top_cropping, left_cropping, target_height, target_width,
                data_format=None):
    """Cut a `target_height` x `target_width` window whose top-left corner is given."""
    data_format = config.standardize_data_format(data_format)
    images = convert_to_tensor(images)
    index = [slice(None)] * images.ndim
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    index[h_axis] = slice(top_cropping, top_cropping + target_height)
    index[h_axis + 1] = slice(left_cropping, left_cropping + target_width)
    return images[tuple(index)]


# -- geometric transforms -----------------------------------------------------------------------
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_batched_channels_last(images, data_format)
    transform = convert_to_tensor(transform)
    transform = transform.astype(_compute_dtype(transform.dtype))
    transform = np.broadcast_to(np.reshape(transform, (-1, 8)), (x.shape[0], 8))
    y = _projective_sample(x, transform, _ORDERS[interpolation], fill_mode, fill_value)
    return _restore_layout(y, data_format, unbatched)


def _homography(start_points, end_points):
    """Rows `[a0, a1, a2, b0, b1, b2, c0, c1]` mapping each `end` corner onto its `start`."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = np.zeros_like(ex), np.ones_like(ex)
    x_rows = np.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = np.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = np.concatenate([x_rows, y_rows], axis=-2)
    target = np.concatenate([sx, sy], axis=-1)[..., None]
    return np.linalg.solve(system, target)[..., 0]


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_batched_channels_last(images, data_format)
    dtype = _compute_dtype(x.dtype)
    start = np.reshape(convert_to_tensor(start_points).astype(dtype), (-1, 4, 2))
    end = np.reshape(convert_to_tensor(end_points).astype(dtype), (-1, 4, 2))
    transforms = np.broadcast_to(_homography(start, end), (x.shape[0], 8))
    y = _projective_sample(x, transforms, _ORDERS[interpolation], "constant", fill_value)
    return _restore_layout(y, data_format, unbatched)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    inputs = convert_to_tensor(inputs)
    coordinates = convert_to_tensor(coordinates)
    return _map_coordinates(inputs, tuple(coordinates), order, fill_mode, fill_value)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """`seed` is a raw key (uint32, shape (2,)); `alpha` and `sigma` are Python numbers."""
    from lamina.backend.numpy import random  # random and image are siblings

    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_batched_channels_last(images, data_format)
    batch, height, width, _ = x.shape
    dtype = _compute_dtype(x.dtype)
    # Random displacements scaled by sigma, smoothed by a Gaussian about 6 sigma wide.
    size = int(6 * sigma) | 1
    kernel1d = _gaussian_kernel1d(size, sigma, dtype)
    kernel = kernel1d[:, None] * kernel1d[None, :]
    noise = random.normal((2, batch, height, width, 1), dtype=dtype.name, seed=seed) * sigma
    fields = [_depthwise_conv2d(n, kernel, "SAME")[..., 0] * alpha for n in noise]
    ys, xs = np.meshgrid(np.arange(height, dtype=dtype), np.arange(width, dtype=dtype),
                         indexing="ij")
    y = _sample(x, ys + fields[1], xs + fields[0], _ORDERS[interpolation], fill_mode, fill_value)
    return _restore_layout(y, data_format, unbatched)


# -- filters ------------------------------------------------------------------------------------
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_batched_channels_last(images, data_format)
    x = x.astype(_compute_dtype(x.dtype))
    # As Keras: entry 0 of kernel_size and sigma shapes the width axis, entry 1 the height axis.
    along_h = _gaussian_kernel1d(kernel_size[1], sigma[1], x.dtype)
    along_w = _gaussian_kernel1d(kernel_size[0], sigma[0], x.dtype)
    y = _depthwise_conv2d(x, along_h[:, None] * along_w[None, :], "SAME")
    return _restore_layout(y, data_format, unbatched)


def sobel_edges(images, data_format=None):
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_batched_channels_last(images, data_format)
    x = x.astype(_compute_dtype(x.dtype))
    d_x = np.asarray([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    edges = [_restore_layout(_depthwise_conv2d(x, k, "SAME"), data_format, unbatched)
             for k in (d_x.T, d_x)]
    return np.stack(edges, axis=-1)  # [dy, dx]


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    data_format = config.standardize_data_format(data_format)
    x1, unbatched = _to_batched_channels_last(image1, data_format)
    x2, _ = _to_batched_channels_last(image2, data_format)
    dtype = _compute_dtype(np.result_type(x1.dtype, x2.dtype))
    x1, x2 = x1.astype(dtype), x2.astype(dtype)
    kernel1d = _gaussian_kernel1d(filter_size, filter_sigma, dtype)
    kernel = kernel1d[:, None] * kernel1d[None, :]

    def local_mean(t):
        return _depthwise_conv2d(t, kernel, "VALID")

    mu1, mu2 = local_mean(x1), local_mean(x2)
    var1 = local_mean(x1 * x1) - mu1 * mu1
    var2 = local_mean(x2 * x2) - mu2 * mu2
    cov = local_mean(x1 * x2) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * cov + c2)
                / ((mu1 * mu1 + mu2 * mu2 + c1) * (var1 + var2 + c2)))
    # Every channel has as many positions, so the mean over all equals Keras's mean of means.
    result = np.mean(ssim_map, axis=(1, 2, 3)).astype(dtype)
    return result[0] if unbatched else result


# -- patches ------------------------------------------------------------------------------------
def _patches(x, size, strides, dilation_rate, padding):
    """Patches of batched channels-last `x`; feature index = (tap index, channel) row-major."""
    n = len(size)
    spatial = x.shape[1:1 + n]
    reach = [(k - 1) * d + 1 for k, d in zip(size, dilation_rate)]
    if padding == "same":
        out = [-(-s // st) for s, st in zip(spatial, strides)]
        totals = [max((o - 1) * st + r - s, 0) for o, st, r, s in zip(out, strides, reach, spatial)]
        pads = [(t // 2, t - t // 2) for t in totals]
    else:
        out = [max((s - r) // st + 1, 0) for s, r, st in zip(spatial, reach, strides)]
        pads = [(0, 0)] * n
    x = np.pad(x, [(0, 0), *pads, (0, 0)])
    taps = []
    for tap in np.ndindex(*size):
        starts = [t * d for t, d in zip(tap, dilation_rate)]
        index = tuple(slice(s, s + (o - 1) * st + 1 if o else s, st)
                      for s, o, st in zip(starts, out, strides))
        taps.append(x[(slice(None), *index, slice(None))])
    return np.concatenate(taps, axis=-1)


def _extract(images, size, strides, dilation_rate, padding, data_format):
    n = len(size)
    strides = size if not strides else strides
    strides = (strides,) * n if isinstance(strides, int) else tuple(strides)
    dilation = (dilation_rate,) * n if isinstance(dilation_rate, int) else tuple(dilation_rate)
    x, unbatched = _to_batched_channels_last(images, data_format, spatial_rank=n)
    y = _patches(x, tuple(size), strides, dilation, padding.lower())
    return _restore_layout(y, data_format, unbatched)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    data_format = config.standardize_data_format(data_format)
    size = (size, size) if isinstance(size, int) else tuple(size)
    return _extract(images, size, strides, dilation_rate, padding, data_format)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    data_format = config.standardize_data_format(data_format)
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    return _extract(volumes, size, strides, dilation_rate, padding, data_format)
