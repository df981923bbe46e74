"""Image preprocessing and augmentation layers: Resizing, CenterCrop, RandomCrop, RandomFlip,
RandomRotation, RandomTranslation, RandomZoom, RandomContrast, RandomBrightness.

Images are one image `(height, width, channels)` or a batch `(batch, height, width, channels)`
("channels_last"; "channels_first" puts channels before height). The Random* layers augment only
when `training` is True, which is the default of a direct call, as in Keras; under `predict` or
`training=False` they return their input. Their randomness comes from a SeedGenerator the layer
owns, so they also run inside compiled training steps. A dict input `{"images": ..., ...}` has
its images transformed and its other entries (labels) passed through.
"""

import math

from lamina import ops, random
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import (
    FILL_MODES,
    INTERPOLATIONS,
    ImageLayer,
    check_data_format,
    check_fill_value,
    check_positive_int,
    check_value_range,
    hw_axes,
)


class _AffineLayer(ImageLayer):
    """A random geometric transform applied with `ops.image.affine_transform`."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", fill_value=0.0, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.fill_mode = _utils.check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = _utils.check_choice(owner, "interpolation", interpolation,
                                                 INTERPOLATIONS)
        self.fill_value = check_fill_value(owner, fill_value)

    def _transforms(self, images):
        raise NotImplementedError

    def _augment(self, images):
        transforms = self._transforms(images)
        if len(images.shape) == 3:
            transforms = transforms[0]
        return ops.image.affine_transform(images, transforms, interpolation=self.interpolation,
                                          fill_mode=self.fill_mode, fill_value=self.fill_value,
                                          data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "interpolation": self.interpolation}


def _columns(*columns):
    return ops.stack([ops.cast(c, "float32") for c in columns], axis=-1)


class Resizing(Layer):
    """Resizes images to `(height, width)`.

    Args:
        height, width: Output size in pixels.
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3", "lanczos5" or "area".
        crop_to_aspect_ratio: Crop the largest centred window of the target aspect ratio first,
            so that the image is not distorted.
        pad_to_aspect_ratio: Pad the short side with `fill_value` first instead.
        fill_mode: Padding mode; only "constant".
        fill_value: Value of the padding.
        antialias: Widen the filter when downsampling.
        data_format: "channels_last", "channels_first" or None (the configured default).

    >>> tuple(lamina.layers.Resizing(2, 3)(np.ones((4, 4, 1))).shape)
    (2, 3, 1)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = check_positive_int("Resizing", "height", height)
        self.width = check_positive_int("Resizing", "width", width)
        _utils.check_choice("Resizing", "interpolation", interpolation,
                            ops.image.RESIZE_INTERPOLATIONS)
        _utils.check_choice("Resizing", "fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of `crop_to_aspect_ratio` and "
                             "`pad_to_aspect_ratio` can be True.")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = check_data_format("Resizing", data_format)

    def call(self, inputs):
        images = inputs["images"] if isinstance(inputs, dict) else inputs
        out = ops.image.resize(ops.cast(images, self.compute_dtype), (self.height, self.width),
                               interpolation=self.interpolation, antialias=self.antialias,
                               crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                               pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                               fill_mode=self.fill_mode, fill_value=self.fill_value,
                               data_format=self.data_format)
        return {**inputs, "images": out} if isinstance(inputs, dict) else out

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = hw_axes(len(shape), self.data_format)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias,
                "data_format": self.data_format}


class CenterCrop(Layer):
    """Crops the central `(height, width)` window of images.

    An image smaller than the target on either side is instead cropped to the target aspect
    ratio and resized (bilinear), so every output has the target size.

    Args:
        height, width: Output size in pixels.
        data_format: "channels_last", "channels_first" or None (the configured default).

    >>> x = np.arange(16.0).reshape(4, 4, 1)
    >>> lamina.layers.CenterCrop(2, 2)(x)[..., 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = check_positive_int("CenterCrop", "height", height)
        self.width = check_positive_int("CenterCrop", "width", width)
        self.data_format = check_data_format("CenterCrop", data_format)

    def call(self, inputs):
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = hw_axes(len(images.shape), self.data_format)
        height, width = images.shape[h_axis], images.shape[w_axis]
        if height < self.height or width < self.width:
            return ops.image.resize(images, (self.height, self.width), crop_to_aspect_ratio=True,
                                    data_format=self.data_format)
        top, left = (height - self.height) // 2, (width - self.width) // 2
        index = [slice(None)] * len(images.shape)
        index[h_axis] = slice(top, top + self.height)
        index[w_axis] = slice(left, left + self.width)
        return images[tuple(index)]

    compute_output_shape = Resizing.compute_output_shape

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}


class RandomCrop(ImageLayer):
    """Crops a random `(height, width)` window during training (one offset for the batch).

    At inference, or when the image is not larger than the target on both sides, it crops the
    largest centred window of the target aspect ratio and resizes it to `(height, width)`.

    Args:
        height, width: Output size in pixels.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.RandomCrop(2, 3, seed=0)(np.ones((5, 5, 1))).shape)
    (2, 3, 1)
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height = check_positive_int("RandomCrop", "height", height)
        self.width = check_positive_int("RandomCrop", "width", width)

    def _augment(self, images):
        height, width = self._height_width(images)
        if not (height > self.height and width > self.width):
            return self._inference(images)
        top = ops.cast(random.uniform((), 0, float(height - self.height + 1),
                                      seed=self.generator), "int32")
        left = ops.cast(random.uniform((), 0, float(width - self.width + 1),
                                       seed=self.generator), "int32")
        h_axis, w_axis = (a % len(images.shape) for a in hw_axes(len(images.shape),
                                                                  self.data_format))
        start = [ops.zeros((), "int32")] * len(images.shape)
        start[h_axis], start[w_axis] = top, left
        size = list(images.shape)
        size[h_axis], size[w_axis] = self.height, self.width
        return ops.slice(images, ops.stack(start), size)

    def _inference(self, images):
        height, width = self._height_width(images)
        crop_h = max(min(height, int(float(width * self.height) / self.width)), 1)
        crop_w = max(min(width, int(float(height * self.width) / self.height)), 1)
        top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        h_axis, w_axis = hw_axes(len(images.shape), self.data_format)
        index = [slice(None)] * len(images.shape)
        index[h_axis], index[w_axis] = slice(top, top + crop_h), slice(left, left + crop_w)
        images = images[tuple(index)]
        if (crop_h, crop_w) != (self.height, self.width):
            images = ops.image.resize(images, (self.height, self.width),
                                      data_format=self.data_format)
        return images

    compute_output_shape = Resizing.compute_output_shape

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomFlip(ImageLayer):
    """Flips each image with probability 1/2 during training.

    Args:
        mode: "horizontal" (left-right), "vertical" (up-down) or "horizontal_and_vertical"
            (both at once, with one draw: the image is flipped both ways or not at all).
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> layer = lamina.layers.RandomFlip("horizontal", seed=0)
    >>> tuple(layer(np.ones((2, 4, 4, 3))).shape)
    (2, 4, 4, 3)
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = _utils.check_choice("RandomFlip", "mode", mode,
                                        ("horizontal", "vertical", "horizontal_and_vertical"))

    def _flips(self, images):
        """Per-image booleans: True flips that image."""
        draws = random.uniform(self._batch_shape(images), seed=self.generator)
        return ops.less_equal(draws, 0.5)

    def _augment(self, images):
        return self._flip(images, self._flips(images))

    def _flip(self, images, flips):
        flips = self._per_image(flips, images)
        h_axis, w_axis = hw_axes(len(images.shape), self.data_format)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = ops.where(flips, ops.flip(images, axis=w_axis), images)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = ops.where(flips, ops.flip(images, axis=h_axis), images)
        return images

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


def _affine_rows(angle, height, width, translate_x=0.0, translate_y=0.0, scale=1.0,
                 shear_x=0.0, shear_y=0.0):
    """Transform rows `[a0, a1, a2, b0, b1, b2, 0, 0]` rotating (and shearing, scaling,
    shifting) about the image centre; angles in degrees, one per image."""
    angle = ops.multiply(angle, math.pi / 180.0)
    shear_x = ops.tan(ops.multiply(shear_x, math.pi / 180.0))
    shear_y = ops.tan(ops.multiply(shear_y, math.pi / 180.0))
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = ops.cos(angle), ops.sin(angle)
    a0 = ops.multiply(scale, ops.add(cos, ops.multiply(shear_x, sin)))
    a1 = ops.multiply(scale, ops.add(ops.negative(sin), ops.multiply(shear_x, cos)))
    a2 = ops.subtract(ops.subtract(ops.add(translate_x, cx), ops.multiply(cx, a0)),
                      ops.multiply(cy, a1))
    b0 = ops.multiply(scale, ops.add(ops.multiply(shear_y, cos), sin))
    b1 = ops.multiply(scale, ops.add(ops.multiply(shear_y, ops.negative(sin)), cos))
    b2 = ops.subtract(ops.subtract(ops.add(translate_y, cy), ops.multiply(cx, b0)),
                      ops.multiply(cy, b1))
    zeros = ops.zeros_like(a0)
    return _columns(a0, a1, a2, b0, b1, b2, zeros, zeros)


class RandomRotation(_AffineLayer):
    """Rotates images by a random angle about their centre during training.

    Args:
        factor: Fraction of a full turn: a number `f` draws angles in `[-f, f] * 360` degrees,
            a pair `(low, high)` in `[low, high] * 360`. Positive angles turn
            counter-clockwise.
        fill_mode: How points outside the input are filled: "reflect", "wrap", "constant"
            (with `fill_value`) or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: Int seed of the layer's random stream.
        fill_value: Value used with fill_mode="constant".
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.RandomRotation(0.1, seed=0)(np.ones((2, 5, 5, 1))).shape)
    (2, 5, 5, 1)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(factor=factor, fill_mode=fill_mode, interpolation=interpolation,
                         seed=seed, fill_value=fill_value, data_format=data_format, **kwargs)

    def _transforms(self, images):
        height, width = self._height_width(images)
        angle = random.uniform(self._batch_shape(images), self.factor[0] * 360.0,
                               self.factor[1] * 360.0, seed=self.generator)
        return _affine_rows(angle, height, width)


class RandomTranslation(_AffineLayer):
    """Shifts images by a random fraction of their height and width during training.

    Args:
        height_factor: Number `f` (shift in `[-f, f] * height`) or pair `(low, high)`; negative
            moves the image up. Values in [-1, 1].
        width_factor: The same for the width; negative moves the image left.
        fill_mode, interpolation, seed, fill_value, data_format: As in RandomRotation.

    >>> layer = lamina.layers.RandomTranslation(0.2, 0.2, seed=0)
    >>> tuple(layer(np.ones((5, 5, 1))).shape)
    (5, 5, 1)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = self._range("height_factor", height_factor)
        self.width_lower, self.width_upper = self._range("width_factor", width_factor)

    def _range(self, name, factor):
        return self._parse_factor(factor, name)

    def _transforms(self, images):
        height, width = self._height_width(images)
        shape = self._batch_shape(images)
        dy = ops.multiply(random.uniform(shape, self.height_lower, self.height_upper,
                                         seed=self.generator), float(height))
        dx = ops.multiply(random.uniform(shape, self.width_lower, self.width_upper,
                                         seed=self.generator), float(width))
        ones, zeros = ops.ones(shape), ops.zeros(shape)
        # Output pixel (x, y) reads input (x - dx, y - dy): the content moves by (dx, dy).
        return _columns(ones, zeros, ops.negative(dx), zeros, ones, ops.negative(dy), zeros,
                        zeros)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomZoom(_AffineLayer):
    """Zooms images in or out by a random factor about their centre during training.

    Args:
        height_factor: Number `f` or pair `(low, high)` in (-1, 1]: the sampling scale of the
            height is drawn in `1 + [low, high]` (`[-f, f]` for a number). Scales above 1 zoom
            out (more of the image fits), below 1 zoom in.
        width_factor: The same for the width; None uses the height's scale (aspect kept).
        fill_mode, interpolation, seed, fill_value, data_format: As in RandomRotation.

    >>> tuple(lamina.layers.RandomZoom(0.2, seed=0)(np.ones((5, 5, 1))).shape)
    (5, 5, 1)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = self._range("height_factor", height_factor)
        if width_factor is not None:
            self.width_lower, self.width_upper = self._range("width_factor", width_factor)

    def _range(self, name, factor):
        values = factor if isinstance(factor, (tuple, list)) else (factor,)
        if not all(_utils.is_number(v) and -1.0 < v <= 1.0 for v in values) or \
                len(values) not in (1, 2):
            raise ValueError(f"RandomZoom: `{name}` must be a number or a pair of numbers in "
                             f"(-1, 1]. Received: {name}={factor!r}")
        if len(values) == 2:
            return tuple(sorted(values))
        return (-abs(factor), abs(factor))

    def _transforms(self, images):
        height, width = self._height_width(images)
        shape = self._batch_shape(images)
        zoom_y = random.uniform(shape, 1.0 + self.height_lower, 1.0 + self.height_upper,
                                seed=self.generator)
        zoom_x = zoom_y
        if self.width_factor is not None:
            zoom_x = random.uniform(shape, 1.0 + self.width_lower, 1.0 + self.width_upper,
                                    seed=self.generator)
        x_offset = ops.multiply((width - 1.0) / 2.0, ops.subtract(1.0, zoom_x))
        y_offset = ops.multiply((height - 1.0) / 2.0, ops.subtract(1.0, zoom_y))
        zeros = ops.zeros(shape)
        return _columns(zoom_x, zeros, x_offset, zeros, zoom_y, y_offset, zeros, zeros)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomContrast(ImageLayer):
    """Scales each image's deviation from its mean by a random factor during training:
    `(x - mean) * c + mean`, clipped to `value_range`. The mean is per image and channel.

    Args:
        factor: Number `f` or pair `(low, high)` in [0, 1]; `c` is drawn in
            `[1 - low, 1 + high]`. As in Keras 3, a number `f` means `(0, f)`, so `c` is in
            `[1, 1 + f]`.
        value_range: `(low, high)` range of the pixel values (outputs are clipped to it).
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomContrast(0.5, seed=0)(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, seed=seed, **kwargs)
        self.value_range = tuple(check_value_range("RandomContrast", value_range))

    def _augment(self, images):
        c = random.uniform(self._batch_shape(images), 1.0 - self.factor[0], 1.0 + self.factor[1],
                           seed=self.generator, dtype=self.compute_dtype)
        h_axis, w_axis = hw_axes(len(images.shape), self.data_format)
        mean = ops.mean(images, axis=(h_axis, w_axis), keepdims=True)
        out = ops.add(ops.multiply(ops.subtract(images, mean), self._per_image(c, images)), mean)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class RandomBrightness(ImageLayer):
    """Adds a random brightness offset to each image during training, clipped to `value_range`.

    Args:
        factor: Number `f` or pair `(low, high)` in [-1, 1]; the offset is drawn in
            `[low, high] * (value_range[1] - value_range[0])` (`[-f, f]` for a number).
        value_range: `(low, high)` range of the pixel values.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomBrightness(0.2, seed=0)(np.ones((3, 3, 3))).shape)
    (3, 3, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, seed=seed, **kwargs)
        self.value_range = tuple(check_value_range("RandomBrightness", value_range))

    def _augment(self, images):
        delta = random.uniform(self._batch_shape(images), self.factor[0], self.factor[1],
                               seed=self.generator)
        delta = ops.multiply(delta, float(self.value_range[1] - self.value_range[0]))
        out = ops.add(images, ops.cast(self._per_image(delta, images), images.dtype))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}

