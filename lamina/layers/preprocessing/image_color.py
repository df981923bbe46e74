"""Colour augmentation layers (Keras 3.15's): Solarization, RandomInvert,
RandomColorDegeneration, RandomGrayscale, RandomHue, RandomSaturation, RandomSharpness,
RandomPosterization and RandomColorJitter.

Each augments only in training and draws one value per image; conventions are those of
`_image_utils.py`.
"""

from lamina import backend, ops, random
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import (
    BatchImageLayer,
    check_value_range,
    per_image,
    rescale,
    restore_format,
    to_channels_last,
)
from lamina.layers.preprocessing.image import RandomBrightness, RandomContrast


class Solarization(BatchImageLayer):
    """Solarizes images during training: adds a random offset, then inverts every pixel at or
    above a random threshold (`255 - x` on the 0-255 scale). With the defaults (no addition,
    threshold 0) every pixel is inverted.

    Args:
        addition_factor: Number `f` or pair in [0, 1]; the offset is drawn in
            `[low, high * 255]` (a number means `(0, f)`), per image.
        threshold_factor: Number or pair in [0, 1]; the threshold is drawn the same way.
        value_range: `(low, high)` range of the pixel values.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> lamina.layers.Solarization()(np.array([[[0.0], [55.0]]]))[..., 0].tolist()
    [[255.0, 200.0]]
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.addition_factor = self._unit_pair("addition_factor", addition_factor)
        self.threshold_factor = self._unit_pair("threshold_factor", threshold_factor)
        self.value_range = check_value_range("Solarization", value_range)

    def _unit_pair(self, name, factor):
        values = factor if isinstance(factor, (tuple, list)) else (factor,)
        if len(values) not in (1, 2) or not all(_utils.is_number(v) and 0 <= v <= 1
                                                for v in values):
            raise ValueError(f"Solarization: `{name}` must be a number or a pair of numbers in "
                             f"[0, 1]. Received: {name}={factor!r}")
        return tuple(sorted(values)) if len(values) == 2 else (0, factor)

    def _draw(self, images):
        shape = (images.shape[0],)
        additions = random.uniform(shape, self.addition_factor[0],
                                   self.addition_factor[1] * 255, seed=self.generator,
                                   dtype=self.compute_dtype)
        thresholds = random.uniform(shape, self.threshold_factor[0],
                                    self.threshold_factor[1] * 255, seed=self.generator,
                                    dtype=self.compute_dtype)
        return {"additions": additions, "thresholds": thresholds}

    def _apply(self, images, params):
        images = rescale(images, self.value_range, (0, 255))
        out = ops.clip(ops.add(images, per_image(params["additions"])), 0, 255)
        out = ops.where(ops.less(out, per_image(params["thresholds"])), out,
                        ops.subtract(255.0, out))
        return rescale(out, (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor}


class RandomInvert(BatchImageLayer):
    """Inverts images (`value_range[1] - x`) during training, each with a random probability.

    Args:
        factor: Number `f` or pair in [0, 1]: each image draws an inversion probability in
            `[0, f]` (or `[low, high]`); `(1, 1)` inverts every image.
        value_range: `(low, high)` range of the pixel values.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> lamina.layers.RandomInvert((1.0, 1.0))(np.array([[[0.0], [55.0]]]))[..., 0].tolist()
    [[255.0, 200.0]]
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range("RandomInvert", value_range)

    def _draw(self, images):
        return self._coin(images.shape[0], self.factor)

    def _apply(self, images, invert):
        return ops.where(per_image(invert), ops.subtract(float(self.value_range[1]), images),
                         images)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class _ColorLayer(BatchImageLayer):
    """A colour augmentation with one `factor` drawn per image and a `value_range`."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, seed=seed, **kwargs)
        self.value_range = check_value_range(type(self).__name__, value_range)

    def _draw(self, images):
        return random.uniform((images.shape[0],), self.factor[0], self.factor[1],
                              seed=self.generator, dtype=self.compute_dtype)

    def _check_rgb(self, input_shape):
        channels = input_shape[-1 if self.data_format == "channels_last" else -3]
        if channels is not None and channels != 3:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects RGB images (3 "
                             f"channels). Received shape {tuple(input_shape)} with "
                             f"data_format={self.data_format!r}.")

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class RandomColorDegeneration(_ColorLayer):
    """Blends each image with its grayscale version by a random amount during training:
    `x + f * (gray(x) - x)`, clipped to `value_range` (negative `f` saturates).

    Args:
        factor: Number `f` or pair `(low, high)` in [-1, 1]; `f` is drawn in `[-f, f]`.
        value_range: `(low, high)` range of the pixel values.
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomColorDegeneration(0.5)(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    def _apply(self, images, factor):
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        out = ops.add(images, ops.multiply(per_image(factor), ops.subtract(gray, images)))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def compute_output_shape(self, input_shape):
        self._check_rgb(input_shape)
        return input_shape


class RandomGrayscale(BatchImageLayer):
    """Turns each image to grayscale with probability `factor` during training (the gray
    value fills every channel, so the shape is kept).

    Args:
        factor: Probability in [0, 1].
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomGrayscale(1.0)(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if not _utils.is_number(factor) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale: `factor` must be a number in [0, 1]. Received: "
                             f"factor={factor!r}")
        self.factor = factor

    def _draw(self, images):
        return ops.less(random.uniform((images.shape[0],), seed=self.generator), self.factor)

    def _apply(self, images, apply):
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.where(per_image(apply), ops.broadcast_to(gray, images.shape), images)


class RandomHue(_ColorLayer):
    """Rotates the hue of each image by a random amount during training.

    Args:
        factor: Number `f` or pair in [0, 1]; each image's hue moves by `d / 2` of a full turn
            with `d` drawn in `[0, f]` (or `[low, high]`) and a random sign.
        value_range: `(low, high)` range of the pixel values.
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomHue(0.5)(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def _draw(self, images):
        shape = (images.shape[0],)
        sign = ops.where(ops.greater(random.uniform(shape, seed=self.generator), 0.5), -1.0, 1.0)
        amount = random.uniform(shape, self.factor[0], self.factor[1], seed=self.generator)
        return ops.cast(ops.multiply(ops.multiply(sign, amount), 0.5), self.compute_dtype)

    def _apply(self, images, delta):
        images = rescale(images, self.value_range, (0, 1))
        hsv = ops.image.rgb_to_hsv(images, data_format=self.data_format)
        axis = self._channel_axis()
        hue, saturation, value = ops.split(hsv, 3, axis=axis)
        hue = ops.add(hue, per_image(delta))
        hue = ops.where(ops.greater(hue, 1.0), ops.subtract(hue, 1.0), hue)
        hue = ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)
        hsv = ops.concatenate([hue, saturation, value], axis=axis)
        out = ops.clip(ops.image.hsv_to_rgb(hsv, data_format=self.data_format), 0, 1)
        return rescale(out, (0, 1), self.value_range)

    def compute_output_shape(self, input_shape):
        self._check_rgb(input_shape)
        return input_shape


class RandomSaturation(_ColorLayer):
    """Scales the saturation of each image by a random factor during training.

    A draw `f` becomes the multiplier `f / (1 - f)` of the HSV saturation (clipped to
    `value_range`), so `f = 0.5` keeps the image, 0 makes it gray and values near 1 saturate.

    Args:
        factor: Number `f` or pair `(low, high)` in [-1, 1]; draws are in `[-f, f]` for a
            number.
        value_range: `(low, high)` range of the pixel values.
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomSaturation(0.5)(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    def _draw(self, images):
        factor = super()._draw(images)
        return ops.divide(factor, ops.add(ops.subtract(1.0, factor), backend.epsilon()))

    def _apply(self, images, factor):
        hsv = ops.image.rgb_to_hsv(images, data_format=self.data_format)
        axis = self._channel_axis()
        hue, saturation, value = ops.split(hsv, 3, axis=axis)
        saturation = ops.clip(ops.multiply(saturation, per_image(factor)),
                              self.value_range[0], self.value_range[1])
        hsv = ops.concatenate([hue, saturation, value], axis=axis)
        return ops.image.hsv_to_rgb(hsv, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        self._check_rgb(input_shape)
        return input_shape


class RandomSharpness(_ColorLayer):
    """Sharpens or blurs each image by a random amount during training.

    With `s = 2 * f` (`f` drawn per image), the output is `x + (1 - s) * (smooth(x) - x)`,
    where `smooth` is a 3x3 filter `[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13` (zero padding):
    `f = 0.5` keeps the image, less blurs, more sharpens. Clipped to `value_range`.

    Args:
        factor: Number `f` or pair in [0, 1]; draws are in `[0, f]` for a number.
        value_range: `(low, high)` range of the pixel values.
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomSharpness(0.5)(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def _apply(self, images, factor):
        x = to_channels_last(images, self.data_format)
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = ops.convert_to_tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=x.dtype)
        kernel = ops.tile(ops.reshape(kernel, (3, 3, 1, 1)), (1, 1, x.shape[-1], 1))
        smooth = ops.depthwise_conv(x, kernel, padding="same", data_format="channels_last")
        strength = ops.subtract(1.0, ops.multiply(per_image(factor), 2.0))
        out = ops.add(x, ops.multiply(strength, ops.subtract(smooth, x)))
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        return restore_format(out, self.data_format)


class RandomPosterization(_ColorLayer):
    """Keeps only the top `b` bits of each 8-bit pixel value during training, with `b` drawn
    per image.

    Args:
        factor: Int `f` or pair `(low, high)` in [1, 8]: `b` is drawn among the ints in
            `[1, f)` (or `[low, high)`), or is `f` when the range holds one value.
        value_range: `(low, high)` range of the pixel values.
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> lamina.layers.RandomPosterization((1, 1))(np.array([[[200.0]]])).tolist()
    [[[128.0]]]
    """

    _FACTOR_BOUNDS = (1, 8)

    def _draw(self, images):
        shape = (images.shape[0],)
        if self.factor[0] != self.factor[1]:
            bits = random.randint(shape, int(self.factor[0]), int(self.factor[1]),
                                  seed=self.generator)
        else:
            bits = ops.full(shape, int(self.factor[0]), dtype="int32")
        return ops.subtract(8, bits)

    def _apply(self, images, shift):
        shift = ops.reshape(ops.cast(shift, "int32"), (-1, 1, 1, 1))
        x = rescale(images, self.value_range, (0, 255))
        x = ops.cast(ops.cast(x, "uint8"), "int32")
        x = ops.left_shift(ops.right_shift(x, shift), shift)
        return rescale(ops.cast(x, self.compute_dtype), (0, 255), self.value_range)


class RandomColorJitter(BatchImageLayer):
    """Random brightness, contrast, saturation and hue changes, in this order, in training.

    Each factor left None skips that step; the others are passed to RandomBrightness,
    RandomContrast, RandomSaturation and RandomHue.

    Args:
        value_range: `(low, high)` range of the pixel values.
        brightness_factor, contrast_factor, saturation_factor, hue_factor: The `factor` of
            each step, or None.
        seed: Int seed of the layer's random streams.
        data_format: "channels_last", "channels_first" or None.

    >>> layer = lamina.layers.RandomColorJitter(brightness_factor=0.2, hue_factor=0.1)
    >>> tuple(layer(np.ones((2, 3, 3, 3))).shape)
    (2, 3, 3, 3)
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range("RandomColorJitter", value_range)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        steps = []
        for cls, factor in ((RandomBrightness, brightness_factor),
                            (RandomContrast, contrast_factor),
                            (RandomSaturation, saturation_factor), (RandomHue, hue_factor)):
            if factor is not None:
                steps.append(cls(factor=factor, value_range=self.value_range, seed=seed,
                                 data_format=self.data_format, dtype=self.dtype))
        self.steps = steps

    def _augment(self, images):
        for step in self.steps:
            images = ops.cast(step._augment(images), self.compute_dtype)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}
