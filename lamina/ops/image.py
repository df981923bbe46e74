"""Image ops: resizing, cropping and padding, geometric transforms, color conversion, filters,
patches and SSIM (Keras 3's `keras.ops.image`).

Images are 3-D (one image) or 4-D (a batch), laid out by `data_format`: "channels_last"
(height, width, channels) or "channels_first" (channels, height, width). `None` means
`lamina.backend.image_data_format()`. Each op accepts tensors, arrays, Variables or symbolic
tensors; argument errors name the op and the argument.
"""

import numbers

import numpy as np

from lamina import backend
from lamina.ops.dispatch import run
from lamina.ops.symbolic import KerasTensor, record_node
from lamina.random.seed_generator import draw_seed

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "triangle", "cubic", "bicubic",
                               "tricubic", "lanczos3", "lanczos5")
PADDINGS = ("valid", "same")


# -- argument checks ----------------------------------------------------------------------------
def _shape(x):
    shape = getattr(x, "shape", None)
    return tuple(np.shape(x) if shape is None else shape)


def _dtype(x):
    dtype = getattr(x, "dtype", None)
    return backend.standardize_dtype(backend.convert_to_tensor(x).dtype if dtype is None else dtype)


def _images(op, images, name="images", ranks=(3, 4)):
    shape = _shape(images)
    if len(shape) not in ranks:
        kinds = " or ".join(f"rank {r}" for r in ranks)
        raise ValueError(
            f"{op}: `{name}` must be {kinds} (one item, or a batch with the batch axis first). "
            f"Received {name} with shape {shape}. Add or remove the batch axis to match.")
    return shape


def _data_format(op, data_format):
    if data_format is None:
        return backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{op}: `data_format` must be 'channels_last', 'channels_first' or None "
                         f"(the configured default). Received: data_format={data_format!r}")
    return data_format


def _choice(op, name, value, choices):
    if value not in choices:
        raise ValueError(f"{op}: unknown {name} {value!r}. Known values: {list(choices)}.")
    return value


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _ints(op, name, value, n, minimum=1):
    """`value` as a tuple of `n` ints >= minimum; one int stands for all `n`."""
    values = (value,) * n if _is_int(value) else value
    if (not isinstance(values, (tuple, list)) or len(values) != n
            or not all(_is_int(v) and v >= minimum for v in values)):
        raise ValueError(f"{op}: `{name}` must be an int or a tuple of {n} ints, each >= "
                         f"{minimum}. Received: {name}={value!r}")
    return tuple(int(v) for v in values)


def _fill_value(op, fill_value):
    if not _is_number(fill_value):
        raise ValueError(f"{op}: `fill_value` must be a Python number. Received: "
                         f"fill_value={fill_value!r} of type {type(fill_value).__name__}.")
    return float(fill_value)


def _channels(shape, data_format, spatial_rank=2):
    return shape[-1] if data_format == "channels_last" else shape[-1 - spatial_rank]


def _hw_axes(shape, data_format):
    return (len(shape) - 3, len(shape) - 2) if data_format == "channels_last" else (
        len(shape) - 2, len(shape) - 1)


# -- color --------------------------------------------------------------------------------------
def rgb_to_grayscale(images, data_format=None):
    """Convert RGB images to grayscale with the weights (0.2989, 0.5870, 0.1140).

    Args:
        images: Image `(height, width, 3)` or batch of images, laid out by `data_format`. One
            channel images are returned unchanged.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Images with one channel, of the input's dtype (integers truncate).

    >>> tuple(rgb_to_grayscale(np.ones((2, 4, 4, 3))).shape)
    (2, 4, 4, 1)
    """
    op = "rgb_to_grayscale"
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    if _channels(shape, data_format) not in (1, 3, None):
        raise ValueError(f"{op}: `images` must have 3 (RGB) or 1 channel(s). Received images "
                         f"with shape {shape} and data_format={data_format!r}.")
    return run(rgb_to_grayscale, backend.image.rgb_to_grayscale, images, data_format=data_format)


def _check_three_float_channels(op, images, data_format):
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    if _channels(shape, data_format) not in (3, None):
        raise ValueError(f"{op}: `images` must have 3 channels. Received images with shape "
                         f"{shape} and data_format={data_format!r}.")
    if not backend.dtypes.is_float(_dtype(images)):
        raise ValueError(f"{op}: `images` must have a float dtype. Received dtype "
                         f"{_dtype(images)!r}; cast first, e.g. `ops.cast(images, 'float32') / 255`.")
    return data_format


def rgb_to_hsv(images, data_format=None):
    """Convert RGB images with values in [0, 1] to HSV; hue 0 is red, 1/3 green, 2/3 blue.

    Args:
        images: Float image or batch of images with 3 channels.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        HSV images of the same shape and dtype, every value in [0, 1].

    >>> rgb_to_hsv(np.array([[[0.0, 1.0, 0.0]]], "float32")).tolist()
    [[[0.3333333432674408, 1.0, 1.0]]]
    """
    data_format = _check_three_float_channels("rgb_to_hsv", images, data_format)
    return run(rgb_to_hsv, backend.image.rgb_to_hsv, images, data_format=data_format)


def hsv_to_rgb(images, data_format=None):
    """Convert HSV images with values in [0, 1] to RGB (the inverse of `rgb_to_hsv`).

    Args:
        images: Float image or batch of images with 3 channels (hue, saturation, value).
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        RGB images of the same shape and dtype.

    >>> hsv_to_rgb(np.array([[[0.5, 1.0, 1.0]]], "float32")).tolist()
    [[[0.0, 1.0, 1.0]]]
    """
    data_format = _check_three_float_channels("hsv_to_rgb", images, data_format)
    return run(hsv_to_rgb, backend.image.hsv_to_rgb, images, data_format=data_format)


# -- resizing -----------------------------------------------------------------------------------
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to `size` (half-pixel centers, like `jax.image.resize` and TF2).

    Args:
        images: Image or batch of images.
        size: `(height, width)` of the output, positive ints.
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3", "lanczos5" or "area"
            (each output pixel averages the input pixels its box covers).
        antialias: Whether downsampling widens the filter to avoid aliasing.
        crop_to_aspect_ratio: Crop the largest centred window with the target aspect ratio
            first, so the image is not distorted.
        pad_to_aspect_ratio: Pad the short side evenly with `fill_value` first instead.
        fill_mode: How padding is filled; only "constant" exists.
        fill_value: Value of the padding.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Resized images of the input's dtype (integers are rounded and saturated).

    >>> tuple(resize(np.ones((2, 4, 4, 3)), (2, 3)).shape)
    (2, 2, 3, 3)
    """
    op = "resize"
    _images(op, images)
    data_format = _data_format(op, data_format)
    if (not isinstance(size, (tuple, list)) or len(size) != 2
            or not all(_is_int(s) and s > 0 for s in size)):
        raise ValueError(f"{op}: `size` must be a pair of positive ints (height, width). "
                         f"Received: size={size!r}")
    _choice(op, "interpolation", interpolation, RESIZE_INTERPOLATIONS)
    if fill_mode != "constant":
        raise ValueError(f"{op}: unknown fill_mode {fill_mode!r}. Known values: ['constant'].")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{op}: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` "
                         "can be True. Received both True.")
    return run(resize, backend.image.resize, images, size=tuple(int(s) for s in size),
               interpolation=interpolation, antialias=bool(antialias),
               crop_to_aspect_ratio=bool(crop_to_aspect_ratio),
               pad_to_aspect_ratio=bool(pad_to_aspect_ratio), fill_mode=fill_mode,
               fill_value=fill_value, data_format=data_format)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample `images` so that input point `x` lands at `x * scale + translation`.

    Pixel `i` has its center at `i + 0.5`; output points that map outside the input read 0.

    Args:
        images: Tensor of any rank.
        output_shape: Shape of the output, one int per axis of `images`.
        scale: 1-D tensor, one scale per axis in `spatial_dims`.
        translation: 1-D tensor, one translation per axis in `spatial_dims`.
        spatial_dims: Tuple of the axes that are resampled.
        method: "linear" ("bilinear", "trilinear", "triangle"), "cubic" ("bicubic",
            "tricubic"), "lanczos3" or "lanczos5".
        antialias: Whether downsampling widens the filter to avoid aliasing.

    Returns:
        Tensor of shape `output_shape`.

    >>> scale_and_translate(np.array([0.0, 1.0]), (4,), np.array([2.0]), np.array([0.0]),
    ...                     (0,), "linear").tolist()
    [0.0, 0.25, 0.75, 1.0]
    """
    op = "scale_and_translate"
    _choice(op, "method", method, SCALE_AND_TRANSLATE_METHODS)
    rank = len(_shape(images))
    if (not isinstance(output_shape, (tuple, list)) or len(output_shape) != rank
            or not all(_is_int(d) and d >= 0 for d in output_shape)):
        raise ValueError(f"{op}: `output_shape` must hold one non-negative int per axis of "
                         f"`images` ({rank}). Received: output_shape={output_shape!r}")
    if (not isinstance(spatial_dims, (tuple, list))
            or not all(_is_int(d) and -rank <= d < rank for d in spatial_dims)):
        raise ValueError(f"{op}: `spatial_dims` must be a tuple of axes of `images` (rank "
                         f"{rank}). Received: spatial_dims={spatial_dims!r}")
    for name, value in (("scale", scale), ("translation", translation)):
        if _shape(value) != (len(spatial_dims),):
            raise ValueError(f"{op}: `{name}` must have shape ({len(spatial_dims)},), one value "
                             f"per spatial dim. Received shape {_shape(value)}.")
    return run(scale_and_translate, backend.image.scale_and_translate, images,
               tuple(int(d) for d in output_shape), scale, translation,
               spatial_dims=tuple(int(d) % rank for d in spatial_dims), method=method,
               antialias=bool(antialias))


# -- padding and cropping -----------------------------------------------------------------------
def _two_of_three(op, names, values):
    if sum(v is None for v in values) != 1:
        given = ", ".join(f"{n}={v!r}" for n, v in zip(names, values))
        raise ValueError(f"{op}: give exactly two of {', '.join(names)}. Received: {given}")
    for n, v in zip(names, values):
        if v is not None and not (_is_int(v) and v >= 0):
            raise ValueError(f"{op}: `{n}` must be a non-negative int. Received: {n}={v!r}")


def _resolve(op, names, first, second, total, size):
    """Fill in the missing one of (first margin, second margin, kept size)."""
    if size is None:
        return first, second, total
    if first is None:
        first = total - second - size
    elif second is None:
        second = total - first - size
    else:
        total = first + second + size
    for n, v in zip(names, (first, second, total)):
        if v < 0:
            raise ValueError(f"{op}: the arguments give {n}={v}, which is negative for an image "
                             f"side of {size}. Check {', '.join(names)}.")
    return first, second, total


def _resolve_crop(op, names, first, second, kept, side):
    """(first margin, kept size) of one axis of length `side`, from two of the three numbers."""
    if side is None:
        return first, kept
    if first is None:
        first = side - kept - second
    if kept is None:
        kept = side - first - second
    second = side - first - kept
    for n, v in zip(names, (first, second, kept)):
        if v < 0:
            raise ValueError(f"{op}: the arguments give {n}={v}, which is negative for an image "
                             f"side of {side}. Check {', '.join(names)}.")
    return first, kept


def _symbolic_resize_hw(op, images, shape, data_format, height, width, args, kwargs):
    out = list(shape)
    h_axis, w_axis = _hw_axes(shape, data_format)
    out[h_axis], out[w_axis] = height, width
    return record_node(op, args, kwargs, KerasTensor(out, _dtype(images)))


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Pad images with zeros: give two of the three numbers on each axis.

    Args:
        images: Image or batch of images.
        top_padding, bottom_padding, target_height: Rows added on top, at the bottom, and the
            output height; exactly two of them.
        left_padding, right_padding, target_width: The same for columns.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Padded images.

    >>> tuple(pad_images(np.ones((15, 25, 3)), 2, 3, target_height=20, target_width=30).shape)
    (20, 30, 3)
    """
    op = "pad_images"
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    h_names = ("top_padding", "bottom_padding", "target_height")
    w_names = ("left_padding", "right_padding", "target_width")
    _two_of_three(op, h_names, (top_padding, bottom_padding, target_height))
    _two_of_three(op, w_names, (left_padding, right_padding, target_width))
    h_axis, w_axis = _hw_axes(shape, data_format)
    top, bottom, height = _resolve(op, h_names, top_padding, bottom_padding, target_height,
                                   shape[h_axis])
    left, right, width = _resolve(op, w_names, left_padding, right_padding, target_width,
                                  shape[w_axis])
    if isinstance(images, KerasTensor):
        args = (images, top_padding, left_padding, bottom_padding, right_padding, target_height,
                target_width, data_format)
        return _symbolic_resize_hw(pad_images, images, shape, data_format, height, width, args, {})
    return run(pad_images, backend.image.pad_images, images, top, left, bottom, right,
               data_format=data_format)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop images: give two of the three numbers on each axis.

    Args:
        images: Image or batch of images.
        top_cropping, bottom_cropping, target_height: Rows removed on top, at the bottom, and
            the output height; exactly two of them.
        left_cropping, right_cropping, target_width: The same for columns.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Cropped images.

    >>> crop_images(np.arange(16.0).reshape(4, 4, 1), 1, 1, 1, 1)[..., 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """
    op = "crop_images"
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    h_names = ("top_cropping", "bottom_cropping", "target_height")
    w_names = ("left_cropping", "right_cropping", "target_width")
    _two_of_three(op, h_names, (top_cropping, bottom_cropping, target_height))
    _two_of_three(op, w_names, (left_cropping, right_cropping, target_width))
    h_axis, w_axis = _hw_axes(shape, data_format)
    for side, size, target in (("height", shape[h_axis], target_height),
                               ("width", shape[w_axis], target_width)):
        if size is None and target is None:
            raise ValueError(f"{op}: the images' {side} is unknown, so give `target_{side}`. "
                             f"Received images with shape {shape}.")
    top, height = _resolve_crop(op, h_names, top_cropping, bottom_cropping, target_height,
                                shape[h_axis])
    left, width = _resolve_crop(op, w_names, left_cropping, right_cropping, target_width,
                                shape[w_axis])
    if isinstance(images, KerasTensor):
        args = (images, top_cropping, left_cropping, bottom_cropping, right_cropping,
                target_height, target_width, data_format)
        return _symbolic_resize_hw(crop_images, images, shape, data_format, height, width, args,
                                   {})
    return run(crop_images, backend.image.crop_images, images, top, left, height, width,
               data_format=data_format)


# -- geometric transforms -----------------------------------------------------------------------
def _batch_match(op, name, rows, shape):
    if len(shape) == 4 and rows not in (None, 1) and shape[0] not in (None, rows):
        raise ValueError(f"{op}: `{name}` holds {rows} rows for a batch of {shape[0]} images. "
                         "Give one row per image, or a single one for all.")


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Apply projective transforms given as rows `[a0, a1, a2, b0, b1, b2, c0, c1]`.

    Output pixel `(x, y)` reads the input at `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`
    with `k = c0 x + c1 y + 1` (the transform maps output points to input points).

    Args:
        images: Image or batch of images.
        transform: Tensor of shape `(8,)`, or `(batch, 8)` for one transform per image.
        interpolation: "bilinear" or "nearest".
        fill_mode: Reading outside the input: "constant" (`fill_value`), "nearest" (edge
            pixel), "wrap", "mirror" or "reflect".
        fill_value: Value read outside the input when `fill_mode="constant"`.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Transformed images of the input's shape and dtype.

    >>> shift = np.array([1.0, 0, 1, 0, 1, 0, 0, 0])  # read one pixel to the right
    >>> affine_transform(np.array([[[1.0], [2.0], [3.0]]]), shift)[..., 0].tolist()
    [[2.0, 3.0, 0.0]]
    """
    op = "affine_transform"
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    _choice(op, "interpolation", interpolation, INTERPOLATIONS)
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    t_shape = _shape(transform)
    if len(t_shape) not in (1, 2) or t_shape[-1] != 8:
        raise ValueError(f"{op}: `transform` must have shape (8,) or (batch, 8). Received "
                         f"shape {t_shape}.")
    _batch_match(op, "transform", t_shape[0] if len(t_shape) == 2 else 1, shape)
    fill_value = _fill_value(op, fill_value)
    return run(affine_transform, backend.image.affine_transform, images, transform,
               interpolation=interpolation, fill_mode=fill_mode, fill_value=fill_value,
               data_format=data_format)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp images so that the four `start_points` move to the four `end_points`.

    Args:
        images: Image or batch of images.
        start_points: `(4, 2)` or `(batch, 4, 2)` corners `(x, y)` in the input.
        end_points: Where those corners land in the output; same shape as `start_points`.
        interpolation: "bilinear" or "nearest".
        fill_value: Value of output pixels that read outside the input.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Warped images of the input's shape and dtype.

    >>> corners = np.array([[0, 0], [0, 3], [3, 0], [3, 3]], "float32")
    >>> tuple(perspective_transform(np.ones((4, 4, 1)), corners, corners + 1).shape)
    (4, 4, 1)
    """
    op = "perspective_transform"
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    _choice(op, "interpolation", interpolation, INTERPOLATIONS)
    shapes = {}
    for name, points in (("start_points", start_points), ("end_points", end_points)):
        shapes[name] = _shape(points)
        if len(shapes[name]) not in (2, 3) or shapes[name][-2:] != (4, 2):
            raise ValueError(f"{op}: `{name}` must have shape (4, 2) or (batch, 4, 2): four "
                             f"(x, y) corners. Received shape {shapes[name]}.")
    if shapes["start_points"] != shapes["end_points"]:
        raise ValueError(f"{op}: `start_points` and `end_points` must have the same shape. "
                         f"Received {shapes['start_points']} and {shapes['end_points']}.")
    points = shapes["start_points"]
    _batch_match(op, "start_points", points[0] if len(points) == 3 else 1, shape)
    fill_value = _fill_value(op, fill_value)
    return run(perspective_transform, backend.image.perspective_transform, images, start_points,
               end_points, interpolation=interpolation, fill_value=fill_value,
               data_format=data_format)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample `inputs` at fractional `coordinates` by nearest (order 0) or linear (order 1)
    interpolation, as `scipy.ndimage.map_coordinates`.

    Args:
        inputs: Tensor of any rank.
        coordinates: Tensor of shape `(inputs.ndim, ...)`: one coordinate array per axis.
        order: 0 (nearest) or 1 (linear).
        fill_mode: Reading outside `inputs`: "constant" (`fill_value`), "nearest", "wrap",
            "mirror" or "reflect".
        fill_value: Value read outside `inputs` when `fill_mode="constant"`.

    Returns:
        Tensor of shape `coordinates.shape[1:]` and the dtype of `inputs`.

    >>> map_coordinates(np.array([0.0, 10.0, 20.0]), np.array([[0.5, 1.25]]), 1).tolist()
    [5.0, 12.5]
    """
    op = "map_coordinates"
    rank, c_shape = len(_shape(inputs)), _shape(coordinates)
    if len(c_shape) < 2 or c_shape[0] != rank:
        raise ValueError(f"{op}: `coordinates` must have shape (inputs.ndim, ...) with at least "
                         f"2 axes, here ({rank}, ...). Received shape {c_shape} for inputs of "
                         f"rank {rank}.")
    if isinstance(order, bool) or order not in (0, 1):
        raise ValueError(f"{op}: `order` must be 0 (nearest) or 1 (linear). Received: "
                         f"order={order!r}")
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    fill_value = _fill_value(op, fill_value)
    return run(map_coordinates, backend.image.map_coordinates, inputs, coordinates,
               order=int(order), fill_mode=fill_mode, fill_value=fill_value)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Deform images by a random, smooth displacement field.

    Each pixel reads the input at its own position plus `alpha` times a field of normal noise
    (standard deviation `sigma`) blurred by a Gaussian of width `sigma`.

    Args:
        images: Image or batch of images.
        alpha: Strength of the deformation.
        sigma: Smoothness of the field (the blur's standard deviation), a positive number.
        interpolation: "bilinear" or "nearest".
        fill_mode: Reading outside the input: "constant", "nearest", "wrap", "mirror" or
            "reflect".
        fill_value: Value read outside the input when `fill_mode="constant"`.
        seed: Int, `lamina.random.SeedGenerator` or None (the default random stream).
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Deformed images of the input's shape and dtype.

    >>> tuple(elastic_transform(np.ones((8, 8, 3)), seed=1).shape)
    (8, 8, 3)
    """
    op = "elastic_transform"
    shape = _images(op, images)
    data_format = _data_format(op, data_format)
    if not _is_number(alpha):
        raise ValueError(f"{op}: `alpha` must be a number. Received: alpha={alpha!r}")
    if not _is_number(sigma) or sigma <= 0:
        raise ValueError(f"{op}: `sigma` must be a positive number. Received: sigma={sigma!r}")
    _choice(op, "interpolation", interpolation, INTERPOLATIONS)
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    fill_value = _fill_value(op, fill_value)
    kwargs = {"alpha": alpha, "sigma": sigma, "interpolation": interpolation,
              "fill_mode": fill_mode, "fill_value": fill_value, "seed": seed,
              "data_format": data_format}
    if isinstance(images, KerasTensor):
        # Recorded by hand: abstract evaluation would have to draw a seed now, and each replay
        # of the graph must draw its own.
        return record_node(elastic_transform, (images,), kwargs,
                           KerasTensor(shape, _dtype(images)))
    kwargs["seed"] = draw_seed(seed)
    return run(elastic_transform, backend.image.elastic_transform, images, **kwargs)


# -- filters ------------------------------------------------------------------------------------
def _positive_pair(op, name, value):
    values = (value, value) if _is_number(value) else value
    if (not isinstance(values, (tuple, list)) or len(values) != 2
            or not all(_is_number(v) and v > 0 for v in values)):
        raise ValueError(f"{op}: `{name}` must be a positive number or a pair of them. "
                         f"Received: {name}={value!r}")
    return tuple(float(v) for v in values)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur images with a Gaussian kernel (zero padding keeps the size).

    Args:
        images: Image or batch of images.
        kernel_size: Pair of positive ints. As in Keras 3, entry 0 sets the kernel's extent
            along the width axis and entry 1 along the height axis.
        sigma: Pair of positive standard deviations, paired with `kernel_size` the same way.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Blurred images; integer images come back in floatx.

    >>> gaussian_blur(np.ones((3, 3, 1)), (1, 1))[..., 0].tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    op = "gaussian_blur"
    _images(op, images)
    data_format = _data_format(op, data_format)
    kernel_size = _ints(op, "kernel_size", kernel_size, 2)
    sigma = _positive_pair(op, "sigma", sigma)
    return run(gaussian_blur, backend.image.gaussian_blur, images, kernel_size=kernel_size,
               sigma=sigma, data_format=data_format)


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel (zero padding keeps the size).

    Args:
        images: Batch of images (one image, 3-D, works too).
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        The images' shape plus a last axis of 2: `[dy, dx]`, the vertical and horizontal
        derivatives (3x3 Sobel kernels); integer images come back in floatx.

    >>> tuple(sobel_edges(np.ones((1, 8, 8, 3))).shape)
    (1, 8, 8, 3, 2)
    """
    op = "sobel_edges"
    _images(op, images)
    data_format = _data_format(op, data_format)
    return run(sobel_edges, backend.image.sobel_edges, images, data_format=data_format)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity (Wang et al., 2004) of two images: 1 for identical images.

    Local means, variances and covariance come from a `filter_size` Gaussian window (valid
    positions only); the SSIM map is averaged over positions and channels.

    Args:
        image1: Image or batch of images.
        image2: Images of the same shape.
        max_val: Dynamic range of the values (1.0 for [0, 1], 255.0 for bytes).
        filter_size: Side of the Gaussian window, a positive int no larger than the images.
        filter_sigma: Standard deviation of the window, positive.
        k1: Stabilizing constant of the luminance term.
        k2: Stabilizing constant of the contrast term.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        One SSIM value per image: shape `(batch,)`, or a scalar for 3-D inputs.

    >>> x = np.linspace(0, 1, 48, dtype="float32").reshape(4, 4, 3)
    >>> round(float(ssim(x, x, filter_size=3)), 4)
    1.0
    """
    op = "ssim"
    shape1 = _images(op, image1, "image1")
    shape2 = _images(op, image2, "image2")
    data_format = _data_format(op, data_format)
    if len(shape1) != len(shape2) or any(
            a is not None and b is not None and a != b for a, b in zip(shape1, shape2)):
        raise ValueError(f"{op}: `image1` and `image2` must have the same shape. Received "
                         f"{shape1} and {shape2}.")
    if not _is_int(filter_size) or filter_size < 1:
        raise ValueError(f"{op}: `filter_size` must be a positive int. Received: "
                         f"filter_size={filter_size!r}")
    for axis in _hw_axes(shape1, data_format):
        if shape1[axis] is not None and shape1[axis] < filter_size:
            raise ValueError(f"{op}: `filter_size`={filter_size} exceeds the images' height or "
                             f"width (shape {shape1}). Use a smaller filter_size.")
    for name, value in (("max_val", max_val), ("filter_sigma", filter_sigma)):
        if not _is_number(value) or value <= 0:
            raise ValueError(f"{op}: `{name}` must be a positive number. Received: "
                             f"{name}={value!r}")
    return run(ssim, backend.image.ssim, image1, image2, max_val=max_val,
               filter_size=int(filter_size), filter_sigma=filter_sigma, k1=k1, k2=k2,
               data_format=data_format)


# -- patches ------------------------------------------------------------------------------------
def _patch_args(op, size, strides, dilation_rate, padding):
    n = len(size)
    strides = size if not strides else _ints(op, "strides", strides, n)
    dilation_rate = _ints(op, "dilation_rate", dilation_rate, n)
    _choice(op, "padding", padding, PADDINGS)
    return strides, dilation_rate


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Cut images into patches, each flattened along the channel axis.

    A patch's features are ordered (row in patch, column in patch, channel). A `size` of three
    ints extracts 3-D patches from volumes (see `extract_patches_3d`).

    Args:
        images: Image or batch of images (volumes for 3-D patches).
        size: Patch size: an int or `(patch_height, patch_width)`; or three ints.
        strides: Step between patches; defaults to `size` (patches that do not overlap).
        dilation_rate: Spacing between the pixels a patch reads.
        padding: "valid" (whole patches only) or "same" (zero padding, `ceil(size / stride)`
            patches per axis).
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Patches of shape `(batch, rows, cols, patch_height * patch_width * channels)` in
        channels-last layout (3-D inputs lose the batch axis).

    >>> tuple(extract_patches(np.ones((2, 20, 20, 3)), (5, 5)).shape)
    (2, 4, 4, 75)
    """
    op = "extract_patches"
    if not _is_int(size) and not (isinstance(size, (tuple, list)) and len(size) in (2, 3)):
        raise ValueError(f"{op}: `size` must be an int or a tuple of 2 (or, for volumes, 3) "
                         f"ints. Received: size={size!r}")
    if not _is_int(size) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    size = _ints(op, "size", size, 2)
    _images(op, images)
    data_format = _data_format(op, data_format)
    strides, dilation_rate = _patch_args(op, size, strides, dilation_rate, padding)
    return run(extract_patches, backend.image.extract_patches, images, size=size,
               strides=strides, dilation_rate=dilation_rate, padding=padding,
               data_format=data_format)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Cut volumes into 3-D patches, each flattened along the channel axis.

    Args:
        volumes: Volume `(depth, height, width, channels)` or a batch of them.
        size: An int or `(patch_depth, patch_height, patch_width)`.
        strides: Step between patches; defaults to `size`.
        dilation_rate: Spacing between the voxels a patch reads.
        padding: "valid" or "same".
        data_format: "channels_last", "channels_first" or None (the configured default).

    Returns:
        Patches with last axis `patch_depth * patch_height * patch_width * channels`
        (channels-first inputs put it first), 4-D for one volume, 5-D for a batch.

    >>> tuple(extract_patches_3d(np.ones((10, 10, 10, 3)), 3).shape)
    (3, 3, 3, 81)
    """
    op = "extract_patches_3d"
    size = _ints(op, "size", size, 3)
    _images(op, volumes, "volumes", ranks=(4, 5))
    data_format = _data_format(op, data_format)
    strides, dilation_rate = _patch_args(op, size, strides, dilation_rate, padding)
    return run(extract_patches_3d, backend.image.extract_patches_3d, volumes, size=size,
               strides=strides, dilation_rate=dilation_rate, padding=padding,
               data_format=data_format)


__all__ = ["affine_transform", "crop_images", "elastic_transform", "extract_patches",
           "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
           "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
           "scale_and_translate", "sobel_edges", "ssim"]
