"""Image ops on JAX (resize, affine and perspective transforms, color conversion, patches).

Arguments arrive validated by `lamina.ops.image`; these functions only compute. Images are
3-D (one image) or 4-D (a batch), laid out by `data_format`; most functions work on a batched
channels-last view and restore the caller's layout at the end.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend import config
from lamina.backend.common import dtypes
from lamina.backend.jax.core import convert_to_tensor

# Sampling order of jax.scipy.ndimage.map_coordinates for each interpolation name.
_ORDERS = {"nearest": 0, "bilinear": 1}
_HIGHEST = jax.lax.Precision.HIGHEST  # exact enough for tests on GPUs that default to TF32


def _compiled(fn, *tensors, **static):
    """Run `fn(*tensors, **static)` as one compiled program per setting of `static` (hashable
    Python values; `fill_value` of the sampling ops is one, as map_coordinates wants it so).

    Eagerly, JAX would compile each of these ops' many small steps on its own; one program
    per setting is faster from the second call on, and cheaper to compile the first time.
    """
    return _jitted(fn, tuple(sorted(static.items())))(*tensors)


@functools.cache
def _jitted(fn, static_items):
    return jax.jit(functools.partial(fn, **dict(static_items)))


# -- layout helpers -----------------------------------------------------------------------------
def _to_batched_channels_last(images, data_format, spatial_rank=2):
    """`images` as a batched channels-last tensor, and whether a batch axis was added."""
    images = convert_to_tensor(images)
    unbatched = images.ndim == spatial_rank + 1
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = jnp.moveaxis(images, 1, -1)
    return images, unbatched


def _restore_layout(images, data_format, unbatched):
    if data_format == "channels_first":
        images = jnp.moveaxis(images, -1, 1)
    return images[0] if unbatched else images


def _compute_dtype(dtype):
    """Float dtypes compute as they are; integers and bools compute in floatx."""
    return dtype if jnp.issubdtype(dtype, jnp.inexact) else dtypes.to_numpy_dtype(None)


def _cast_back(x, dtype):
    """Round and saturate float results into an integer `dtype`; floats just cast."""
    if x.dtype == dtype:
        return x
    if jnp.issubdtype(dtype, jnp.integer):
        info = jnp.iinfo(dtype)
        x = jnp.clip(jnp.round(x), info.min, info.max)
    return x.astype(dtype)


def _depthwise_conv2d(x, kernel, padding):
    """Filter each channel of batched channels-last `x` with the same 2-D `kernel`."""
    channels = x.shape[-1]
    kernel = jnp.tile(kernel[:, :, None, None], (1, 1, 1, channels)).astype(x.dtype)
    return jax.lax.conv_general_dilated(
        x, kernel, window_strides=(1, 1), padding=padding,
        dimension_numbers=("NHWC", "HWIO", "NHWC"), feature_group_count=channels,
        precision=_HIGHEST)


def _gaussian_kernel1d(size, sigma, dtype):
    x = jnp.arange(size, dtype=dtype) - (size - 1) / 2.0
    kernel = jnp.exp(-0.5 * jnp.square(x / jnp.asarray(sigma, dtype)))
    return kernel / jnp.sum(kernel)


def _sample(x, y_in, x_in, order, fill_mode, fill_value):
    """Read batched channels-last `x` at fractional input positions `(y_in, x_in)`: (B, H, W)."""
    def one_channel(channel, ys, xs):
        return jax.scipy.ndimage.map_coordinates(channel, (ys, xs), order, mode=fill_mode,
                                                 cval=fill_value)

    per_image = jax.vmap(one_channel, in_axes=(2, None, None), out_axes=2)
    return jax.vmap(per_image)(x, y_in, x_in)


def _projective_sample(x, transforms, order, fill_mode, fill_value):
    """Output pixel (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with
    k = c0 x + c1 y + 1, for one row `[a0, a1, a2, b0, b1, b2, c0, c1]` per image."""
    _, height, width, _ = x.shape
    ys, xs = jnp.meshgrid(jnp.arange(height, dtype=transforms.dtype),
                          jnp.arange(width, dtype=transforms.dtype), indexing="ij")
    t = [transforms[:, i, None, None] for i in range(8)]
    k = t[6] * xs + t[7] * ys + 1.0
    x_in = (t[0] * xs + t[1] * ys + t[2]) / k
    y_in = (t[3] * xs + t[4] * ys + t[5]) / k
    return _sample(x, y_in, x_in, order, fill_mode, fill_value)


# -- color --------------------------------------------------------------------------------------
def rgb_to_grayscale(images, data_format=None):
    return _compiled(_rgb_to_grayscale, convert_to_tensor(images),
                     data_format=config.standardize_data_format(data_format))


def _rgb_to_grayscale(images, data_format):
    axis = images.ndim - 1 if data_format == "channels_last" else images.ndim - 3
    if images.shape[axis] == 1:
        return images
    compute = _compute_dtype(images.dtype)
    # ITU-R BT.601 luma weights (the ones tf.image.rgb_to_grayscale uses).
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], dtype=compute)
    weights = jnp.reshape(weights, [3 if i == axis else 1 for i in range(images.ndim)])
    gray = jnp.sum(images.astype(compute) * weights, axis=axis, keepdims=True)
    # Integer images truncate back to their dtype, as Keras does.
    return gray.astype(images.dtype)


def rgb_to_hsv(images, data_format=None):
    return _compiled(_rgb_to_hsv, convert_to_tensor(images),
                     data_format=config.standardize_data_format(data_format))


def _rgb_to_hsv(images, data_format):
    axis = -1 if data_format == "channels_last" else -3
    # Values within one ulp of zero count as zero, so that hue and saturation stay defined.
    images = jnp.where(jnp.abs(images) < jnp.finfo(images.dtype).eps, 0.0, images)
    r, g, b = (jnp.take(images, i, axis=axis) for i in range(3))
    value = jnp.maximum(jnp.maximum(r, g), b)
    chroma = value - jnp.minimum(jnp.minimum(r, g), b)
    saturation = jnp.where(value > 0, chroma / jnp.where(value > 0, value, 1.0), 0.0)
    safe_chroma = jnp.where(chroma > 0, chroma, 1.0)
    # The hue sector follows the largest channel; ties go to red, then green.
    sector = jnp.where(value == r, (g - b) / safe_chroma,
                       jnp.where(value == g, (b - r) / safe_chroma + 2.0,
                                 (r - g) / safe_chroma + 4.0))
    hue = jnp.where(chroma > 0, sector / 6.0, 0.0)
    hue = jnp.where(hue < 0, hue + 1.0, hue)
    return jnp.stack([hue, saturation, value], axis=axis).astype(images.dtype)


def hsv_to_rgb(images, data_format=None):
    return _compiled(_hsv_to_rgb, convert_to_tensor(images),
                     data_format=config.standardize_data_format(data_format))


def _hsv_to_rgb(images, data_format):
    axis = -1 if data_format == "channels_last" else -3
    hue, saturation, value = (jnp.take(images, i, axis=axis) for i in range(3))
    h6 = jnp.mod(hue, 1.0) * 6.0
    # Each channel's share is a trapezoid over the hue circle.
    shares = (jnp.clip(jnp.abs(h6 - 3.0) - 1.0, 0.0, 1.0),
              jnp.clip(2.0 - jnp.abs(h6 - 2.0), 0.0, 1.0),
              jnp.clip(2.0 - jnp.abs(h6 - 4.0), 0.0, 1.0))
    rgb = [value * (1.0 - saturation + saturation * share) for share in shares]
    return jnp.stack(rgb, axis=axis).astype(images.dtype)


# -- resizing -----------------------------------------------------------------------------------
def _area_weights(in_size, out_size, dtype):
    """(out, in) weights: the share of each input pixel inside each output pixel's box."""
    scale = in_size / out_size
    starts = np.arange(out_size)[:, None] * scale
    cells = np.arange(in_size)[None, :]
    overlap = np.minimum(cells + 1, starts + scale) - np.maximum(cells, starts)
    return jnp.asarray(np.clip(overlap, 0.0, None) / scale, dtype=dtype)


def _resize_area(x, height, width):
    dtype = _compute_dtype(x.dtype)
    x = x.astype(dtype)
    x = jnp.einsum("oh,bhwc->bowc", _area_weights(x.shape[1], height, dtype), x,
                   precision=_HIGHEST)
    return jnp.einsum("ow,bhwc->bhoc", _area_weights(x.shape[2], width, dtype), x,
                      precision=_HIGHEST)


def _resize(images, fill_value, size, interpolation, antialias, crop_to_aspect_ratio,
            pad_to_aspect_ratio, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format)
    target_height, target_width = size
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
            x = jnp.pad(x, [(0, 0), (top, top), (0, 0), (0, 0)], constant_values=fill_value)
        elif left > 0:
            x = jnp.pad(x, [(0, 0), (0, 0), (left, left), (0, 0)], constant_values=fill_value)
    if interpolation == "area":
        y = _resize_area(x, target_height, target_width)
    else:
        y = jax.image.resize(x, (x.shape[0], target_height, target_width, x.shape[3]),
                             method=interpolation, antialias=antialias, precision=_HIGHEST)
    return _restore_layout(_cast_back(y, images.dtype), data_format, unbatched)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    return _compiled(_resize, convert_to_tensor(images), fill_value,
                     size=tuple(int(s) for s in size), interpolation=interpolation,
                     antialias=bool(antialias), crop_to_aspect_ratio=bool(crop_to_aspect_ratio),
                     pad_to_aspect_ratio=bool(pad_to_aspect_ratio),
                     data_format=config.standardize_data_format(data_format))


def _scale_and_translate(images, scale, translation, output_shape, spatial_dims, method,
                         antialias):
    return jax.image.scale_and_translate(images, output_shape, spatial_dims, scale, translation,
                                         method, antialias=antialias, precision=_HIGHEST)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    images = convert_to_tensor(images)
    dtype = _compute_dtype(images.dtype)
    return _compiled(_scale_and_translate, images, convert_to_tensor(scale).astype(dtype),
                     convert_to_tensor(translation).astype(dtype),
                     output_shape=tuple(int(d) for d in output_shape),
                     spatial_dims=tuple(int(d) for d in spatial_dims), method=method,
                     antialias=bool(antialias))


# -- padding and cropping -----------------------------------------------------------------------
def pad_images(images, top_padding, left_padding, bottom_padding, right_padding,
               data_format=None):
    """Zero-pad the height and width axes; the paddings are resolved, non-negative ints."""
    data_format = config.standardize_data_format(data_format)
    images = convert_to_tensor(images)
    pads = [(0, 0)] * images.ndim
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    pads[h_axis], pads[h_axis + 1] = (top_padding, bottom_padding), (left_padding, right_padding)
    return jnp.pad(images, pads)


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
def _affine_transform(images, transform, fill_value, order, fill_mode, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format)
    transform = transform.astype(_compute_dtype(transform.dtype))
    transform = jnp.broadcast_to(jnp.reshape(transform, (-1, 8)), (x.shape[0], 8))
    y = _projective_sample(x, transform, order, fill_mode, fill_value)
    return _restore_layout(y, data_format, unbatched)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    return _compiled(_affine_transform, convert_to_tensor(images), convert_to_tensor(transform),
                     fill_value=float(fill_value), order=_ORDERS[interpolation], fill_mode=fill_mode,
                     data_format=config.standardize_data_format(data_format))


def _homography(start_points, end_points):
    """Rows `[a0, a1, a2, b0, b1, b2, c0, c1]` mapping each `end` corner onto its `start`."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = jnp.concatenate([x_rows, y_rows], axis=-2)
    target = jnp.concatenate([sx, sy], axis=-1)[..., None]
    return jnp.linalg.solve(system, target)[..., 0]


def _perspective_transform(images, start_points, end_points, fill_value, order, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format)
    dtype = _compute_dtype(x.dtype)
    start = jnp.reshape(start_points.astype(dtype), (-1, 4, 2))
    end = jnp.reshape(end_points.astype(dtype), (-1, 4, 2))
    transforms = jnp.broadcast_to(_homography(start, end), (x.shape[0], 8))
    y = _projective_sample(x, transforms, order, "constant", fill_value)
    return _restore_layout(y, data_format, unbatched)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    return _compiled(_perspective_transform, convert_to_tensor(images),
                     convert_to_tensor(start_points), convert_to_tensor(end_points),
                     fill_value=float(fill_value), order=_ORDERS[interpolation],
                     data_format=config.standardize_data_format(data_format))


def _map_coordinates(inputs, coordinates, fill_value, order, fill_mode):
    return jax.scipy.ndimage.map_coordinates(inputs, tuple(coordinates), order, mode=fill_mode,
                                             cval=fill_value)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    return _compiled(_map_coordinates, convert_to_tensor(inputs), convert_to_tensor(coordinates),
                     fill_value=float(fill_value), order=int(order), fill_mode=fill_mode)


def _elastic_transform(images, seed, alpha, fill_value, sigma, order, fill_mode, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format)
    batch, height, width, _ = x.shape
    dtype = _compute_dtype(x.dtype)
    key_x, key_y = jax.random.split(seed)
    # Random displacements scaled by sigma, smoothed by a Gaussian about 6 sigma wide.
    size = int(6 * sigma) | 1
    kernel1d = _gaussian_kernel1d(size, sigma, dtype)
    kernel = kernel1d[:, None] * kernel1d[None, :]
    fields = []
    for key in (key_x, key_y):
        noise = jax.random.normal(key, (batch, height, width, 1), dtype=dtype) * sigma
        fields.append(_depthwise_conv2d(noise, kernel, "SAME")[..., 0] * alpha)
    ys, xs = jnp.meshgrid(jnp.arange(height, dtype=dtype), jnp.arange(width, dtype=dtype),
                          indexing="ij")
    y = _sample(x, ys + fields[1], xs + fields[0], order, fill_mode, fill_value)
    return _restore_layout(y, data_format, unbatched)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """`seed` is a raw key (uint32, shape (2,)); `sigma` is a Python number."""
    return _compiled(_elastic_transform, convert_to_tensor(images), seed, alpha,
                     fill_value=float(fill_value), sigma=float(sigma),
                     order=_ORDERS[interpolation], fill_mode=fill_mode,
                     data_format=config.standardize_data_format(data_format))


# -- filters ------------------------------------------------------------------------------------
def _gaussian_blur(images, kernel_size, sigma, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format)
    x = x.astype(_compute_dtype(x.dtype))
    # As Keras: entry 0 of kernel_size and sigma shapes the width axis, entry 1 the height axis.
    along_h = _gaussian_kernel1d(kernel_size[1], sigma[1], x.dtype)
    along_w = _gaussian_kernel1d(kernel_size[0], sigma[0], x.dtype)
    y = _depthwise_conv2d(x, along_h[:, None] * along_w[None, :], "SAME")
    return _restore_layout(y, data_format, unbatched)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    return _compiled(_gaussian_blur, convert_to_tensor(images),
                     kernel_size=tuple(int(k) for k in kernel_size),
                     sigma=tuple(float(s) for s in sigma),
                     data_format=config.standardize_data_format(data_format))


def _sobel_edges(images, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format)
    x = x.astype(_compute_dtype(x.dtype))
    d_x = jnp.asarray([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    edges = [_restore_layout(_depthwise_conv2d(x, k, "SAME"), data_format, unbatched)
             for k in (d_x.T, d_x)]
    return jnp.stack(edges, axis=-1)  # [dy, dx]


def sobel_edges(images, data_format=None):
    return _compiled(_sobel_edges, convert_to_tensor(images),
                     data_format=config.standardize_data_format(data_format))


def _ssim(image1, image2, max_val, k1, k2, filter_size, filter_sigma, data_format):
    x1, unbatched = _to_batched_channels_last(image1, data_format)
    x2, _ = _to_batched_channels_last(image2, data_format)
    dtype = _compute_dtype(jnp.result_type(x1.dtype, x2.dtype))
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
    result = jnp.mean(ssim_map, axis=(1, 2, 3))
    return result[0] if unbatched else result


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    return _compiled(_ssim, convert_to_tensor(image1), convert_to_tensor(image2), max_val, k1, k2,
                     filter_size=int(filter_size), filter_sigma=float(filter_sigma),
                     data_format=config.standardize_data_format(data_format))


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
    x = jnp.pad(x, [(0, 0), *pads, (0, 0)])
    taps = []
    for tap in np.ndindex(*size):
        starts = [t * d for t, d in zip(tap, dilation_rate)]
        index = tuple(slice(s, s + (o - 1) * st + 1 if o else s, st)
                      for s, o, st in zip(starts, out, strides))
        taps.append(x[(slice(None), *index, slice(None))])
    return jnp.concatenate(taps, axis=-1)


def _extract(images, size, strides, dilation_rate, padding, data_format):
    x, unbatched = _to_batched_channels_last(images, data_format, spatial_rank=len(size))
    y = _patches(x, size, strides, dilation_rate, padding)
    return _restore_layout(y, data_format, unbatched)


def _patch_call(images, size, strides, dilation_rate, padding, data_format):
    n = len(size)
    strides = size if not strides else strides
    return _compiled(
        _extract, convert_to_tensor(images), size=tuple(size),
        strides=(strides,) * n if isinstance(strides, int) else tuple(strides),
        dilation_rate=(dilation_rate,) * n if isinstance(dilation_rate, int) else tuple(
            dilation_rate),
        padding=padding.lower(), data_format=config.standardize_data_format(data_format))


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    size = (size, size) if isinstance(size, int) else tuple(size)
    return _patch_call(images, size, strides, dilation_rate, padding, data_format)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    return _patch_call(volumes, size, strides, dilation_rate, padding, data_format)
