"""More image preprocessing layers (Keras 3.15's): colour, histogram, mixing, geometric and
compound augmentations, MaxNumBoundingBoxes and Pipeline.

Conventions are those of `image.py`: images are `(height, width, channels)` or a batch
`(batch, height, width, channels)` ("channels_first" puts channels before height); random layers
augment only when `training` is True (the default of a direct call), draw from a SeedGenerator
they own (so they run inside compiled steps), and pass dict entries other than "images"
through (CutMix and MixUp also mix "labels"). Each layer draws its random parameters in `_draw`
and applies them in `_apply`, so the math can be checked on given parameters.

AutoContrast and ContrastLimitedAdaptiveHistogramEqualization are deterministic and apply at
inference too, as in Keras; Equalization, though deterministic, applies only in training.
"""

from lamina import backend, ops, random
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing.image import (
    FILL_MODES,
    INTERPOLATIONS,
    RandomBrightness,
    RandomContrast,
    RandomRotation,
    RandomTranslation,
    _hw_axes,
    _ImageLayer,
    _positive_int,
)
from lamina.saving import serialization

ELASTIC_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _value_range(owner, value_range):
    if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2
            and all(_utils.is_number(v) for v in value_range)):
        raise ValueError(f"{owner}: `value_range` must be a pair of numbers (low, high), e.g. "
                         f"(0, 255) or (0, 1). Received: value_range={value_range!r}")
    return sorted(value_range)


def _rescale(images, source, target):
    """Map `[source[0], source[1]]` linearly onto `[target[0], target[1]]`."""
    if tuple(source) == tuple(target):
        return images
    images = ops.divide(ops.subtract(images, float(source[0])), float(source[1] - source[0]))
    return ops.add(ops.multiply(images, float(target[1] - target[0])), float(target[0]))


def _per_image(values):
    """Per-image values `(batch,)` shaped to broadcast against a batch of images."""
    return ops.reshape(values, (-1, 1, 1, 1))


def _channels_last(images, data_format):
    return ops.transpose(images, (0, 2, 3, 1)) if data_format == "channels_first" else images


def _restore_format(images, data_format):
    return ops.transpose(images, (0, 3, 1, 2)) if data_format == "channels_first" else images


def _gaussian_kernel1d(size, sigma, dtype):
    """Normalized Gaussian weights at `size` offsets about the centre; `sigma` may be a tensor."""
    x = ops.subtract(ops.arange(size, dtype=dtype), (size - 1) / 2.0)
    weights = ops.exp(ops.multiply(-0.5, ops.square(ops.divide(x, sigma))))
    return ops.divide(weights, ops.sum(weights))


def _gaussian_blur(images, kernel_size, sigma, data_format):
    """Depthwise Gaussian blur of a batch with zero padding; `kernel_size` and `sigma` pair
    entry 0 with the width axis and entry 1 with the height axis, as `ops.image.gaussian_blur`.
    Unlike that op, `sigma` may be a tensor (a random draw)."""
    x = _channels_last(images, data_format)
    dtype = backend.standardize_dtype(x.dtype)
    along_w = _gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    along_h = _gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    kernel = ops.multiply(ops.expand_dims(along_h, 1), ops.expand_dims(along_w, 0))
    channels = x.shape[-1]
    kernel = ops.tile(ops.reshape(kernel, (kernel_size[1], kernel_size[0], 1, 1)),
                      (1, 1, channels, 1))
    out = ops.depthwise_conv(x, kernel, padding="same", data_format="channels_last")
    return _restore_format(out, data_format)


class _BatchImageLayer(_ImageLayer):
    """An `_ImageLayer` whose `_augment` and `_inference` always see a batch (an unbatched
    image becomes a batch of one and back)."""

    _NEEDS_BATCH = False  # CutMix: a single image is returned unchanged

    def _images(self, images, training):
        images = ops.cast(images, self.compute_dtype)
        _hw_axes(len(images.shape), self.data_format)
        unbatched = len(images.shape) == 3
        if unbatched:
            if self._NEEDS_BATCH:
                return images
            images = ops.expand_dims(images, 0)
        out = self._augment(images) if training else self._inference(images)
        return ops.squeeze(out, 0) if unbatched else out

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else -3

    def _coin(self, batch, factor):
        """Per-image booleans, True with a probability drawn in `factor` (Keras's draw)."""
        probability = random.uniform((batch,), factor[0], factor[1], seed=self.generator)
        threshold = random.uniform((batch,), 0.0, 1.0, seed=self.generator)
        return ops.less(threshold, probability)

    def _augment(self, images):
        return self._apply(images, self._draw(images))

    def _draw(self, images):
        return None

    def _apply(self, images, params):
        raise NotImplementedError


class _DeterministicImageLayer(_BatchImageLayer):
    """A layer with no randomness: it takes no seed and has none in its config."""

    def __init__(self, **kwargs):
        if "seed" in kwargs:
            raise TypeError(f"{type(self).__name__} is deterministic and takes no `seed`. "
                            "Remove the argument.")
        super().__init__(**kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        return config


# -- histogram and contrast ---------------------------------------------------------------------
class AutoContrast(_DeterministicImageLayer):
    """Stretches each image channel so its darkest pixel maps to `value_range[0]` and its
    brightest to `value_range[1]`; a constant channel is left as is. Applies at inference too.

    Args:
        value_range: `(low, high)` range of the pixel values.
        data_format: "channels_last", "channels_first" or None (the configured default).

    >>> x = np.array([[[50.0], [100.0]], [[150.0], [100.0]]])
    >>> lamina.layers.AutoContrast()(x)[..., 0].tolist()
    [[0.0, 127.5], [255.0, 127.5]]
    """

    def __init__(self, value_range=(0, 255), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = _value_range("AutoContrast", value_range)

    def _apply(self, images, params):
        original = images
        images = _rescale(images, self.value_range, (0, 255))
        h, w = _hw_axes(4, self.data_format)
        low = ops.min(images, axis=(h, w), keepdims=True)
        high = ops.max(images, axis=(h, w), keepdims=True)
        scale = ops.divide(255.0, ops.subtract(high, low))
        out = ops.clip(ops.subtract(ops.multiply(images, scale), ops.multiply(low, scale)),
                       0.0, 255.0)
        out = _rescale(out, (0, 255), self.value_range)
        # A constant channel divides by zero: NaN there means "keep the input".
        return ops.where(ops.isnan(out), original, out)

    _inference = _BatchImageLayer._augment

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class Equalization(_DeterministicImageLayer):
    """Histogram equalization of each channel during training: pixel values are remapped
    through the channel's cumulative histogram (of `bins` bins, over the whole batch, as in
    Keras) so that they spread over the value range. A channel with one value is unchanged.

    Args:
        value_range: `(low, high)` range of the pixel values.
        bins: Positive int, the number of histogram bins.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.Equalization()(np.ones((2, 4, 4, 3))).shape)
    (2, 4, 4, 3)
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = _positive_int("Equalization", "bins", bins)
        self.value_range = _value_range("Equalization", value_range)

    def _apply(self, images, params):
        low, high = self.value_range
        x = _channels_last(images, self.data_format)
        shape = x.shape
        channels, bins = shape[-1], self.bins
        x = ops.reshape(x, (-1, channels))
        scale = 255.0 / (high - low)
        x = ops.add(ops.multiply(x, scale), -low * scale)
        index = ops.clip(ops.cast(ops.multiply(x, (bins - 1) / 255.0), "int32"), 0, bins - 1)
        offsets = ops.multiply(ops.arange(channels, dtype="int32"), bins)
        counts = ops.segment_sum(ops.ones((x.shape[0] * channels,), "float32"),
                                      ops.reshape(ops.add(index, offsets), (-1,)),
                                      num_segments=channels * bins)
        hist = ops.reshape(counts, (channels, bins))
        cdf = ops.cumsum(hist, axis=-1)
        first = ops.argmax(ops.greater(cdf, 0), axis=-1)
        cdf_min = ops.take_along_axis(cdf, ops.expand_dims(first, -1), axis=-1)
        denominator = ops.subtract(cdf[:, -1:], cdf_min)
        denominator = ops.where(ops.equal(denominator, 0), 1.0, denominator)
        lut = ops.clip(ops.round(ops.divide(ops.multiply(ops.subtract(cdf, cdf_min), 255.0),
                                            denominator)), 0, 255)
        lookup = ops.cast(ops.clip(ops.multiply(ops.divide(x, 255.0), bins - 1), 0, bins - 1),
                          "int32")
        equalized = ops.take(ops.reshape(lut, (-1,)), ops.add(lookup, offsets))
        few_values = ops.less_equal(ops.count_nonzero(hist, axis=-1), 1)
        out = ops.where(few_values, x, ops.cast(equalized, x.dtype))
        out = ops.add(ops.multiply(out, 1.0 / scale), low)
        return _restore_format(ops.reshape(out, shape), self.data_format)

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


class ContrastLimitedAdaptiveHistogramEqualization(_DeterministicImageLayer):
    """CLAHE: histogram equalization in a grid of tiles, with each tile's histogram clipped at
    `clip_limit` times the mean bin height (the excess spread over all bins), and the tiles'
    mappings blended bilinearly. Applies at inference too, as in Keras.

    Args:
        value_range: `(low, high)` range of the pixel values.
        clip_limit: Contrast limit (> 0); 0 or less disables clipping.
        tile_grid_size: `(rows, columns)` of the tile grid.
        data_format: "channels_last", "channels_first" or None.

    >>> layer = lamina.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))
    >>> tuple(layer(np.ones((8, 8, 1))).shape)
    (8, 8, 1)
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        owner = "ContrastLimitedAdaptiveHistogramEqualization"
        self.value_range = tuple(_value_range(owner, value_range))
        if not _utils.is_number(clip_limit):
            raise ValueError(f"{owner}: `clip_limit` must be a number. Received: "
                             f"clip_limit={clip_limit!r}")
        if not (isinstance(tile_grid_size, (tuple, list)) and len(tile_grid_size) == 2
                and all(_utils.is_int(t) and t > 0 for t in tile_grid_size)):
            raise ValueError(f"{owner}: `tile_grid_size` must be a pair of positive ints "
                             f"(rows, columns). Received: tile_grid_size={tile_grid_size!r}")
        self.clip_limit = clip_limit
        self.tile_grid_size = tuple(int(t) for t in tile_grid_size)

    def _images(self, images, training):
        dtype = images.dtype
        out = super()._images(images, training)
        return ops.cast(out, dtype)

    def _apply(self, images, params):
        x = _channels_last(images, self.data_format)
        x = _rescale(ops.cast(x, "float32"), self.value_range, (0, 255))
        out = _rescale(self._clahe(x), (0, 255), self.value_range)
        return _restore_format(ops.cast(out, images.dtype), self.data_format)

    _inference = _BatchImageLayer._augment

    def _clahe(self, images):
        batch, height, width, channels = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded_h, padded_w = tile_h * grid_h, tile_w * grid_w
        if (padded_h, padded_w) != (height, width):
            images = ops.pad(images, [[0, 0], [0, padded_h - height], [0, padded_w - width],
                                      [0, 0]], mode="symmetric")
        tiles = ops.reshape(images, (batch, grid_h, tile_h, grid_w, tile_w, channels))
        tiles = ops.reshape(ops.transpose(tiles, (0, 1, 3, 5, 2, 4)),
                            (batch * grid_h * grid_w * channels, tile_h * tile_w))
        values = ops.clip(ops.cast(tiles, "int32"), 0, 255)
        tile_ids = ops.expand_dims(ops.arange(tiles.shape[0], dtype="int32") * 256, 1)
        hists = ops.segment_sum(ops.ones((tiles.shape[0] * tile_h * tile_w,), "float32"),
                                     ops.reshape(ops.add(values, tile_ids), (-1,)),
                                     num_segments=tiles.shape[0] * 256)
        hists = ops.reshape(hists, (batch, grid_h, grid_w, channels, 256))
        if self.clip_limit > 0:
            limit = self.clip_limit * (tile_h * tile_w) / 256.0
            clipped = ops.clip(hists, 0.0, limit)
            excess = ops.sum(ops.subtract(hists, clipped), axis=-1, keepdims=True)
            hists = ops.add(clipped, ops.divide(excess, 256.0))
        cdf = ops.cumsum(hists, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        denominator = ops.subtract(float(tile_h * tile_w), cdf_min)
        denominator = ops.where(ops.equal(denominator, 0), 1.0, denominator)
        cdf = ops.clip(ops.divide(ops.multiply(ops.subtract(cdf, cdf_min), 255.0), denominator),
                       0, 255)
        # Edge tiles repeat outwards, so pixels near the border blend with themselves.
        cdf = ops.concatenate([cdf[:, :1], cdf, cdf[:, -1:]], axis=1)
        cdf = ops.concatenate([cdf[:, :, :1], cdf, cdf[:, :, -1:]], axis=2)
        y0, y1, wy = self._neighbours(padded_h, tile_h, grid_h)
        x0, x1, wx = self._neighbours(padded_w, tile_w, grid_w)
        stride_x = 256 * channels
        stride_y = stride_x * (grid_w + 2)
        stride_b = stride_y * (grid_h + 2)
        flat = ops.reshape(cdf, (-1,))
        pixels = ops.cast(ops.clip(images, 0, 255), "int32")
        base = ops.add(ops.add(ops.reshape(ops.arange(batch, dtype="int32") * stride_b,
                                           (-1, 1, 1, 1)),
                               ops.reshape(ops.arange(channels, dtype="int32") * 256,
                                           (1, 1, 1, -1))), pixels)

        def read(y, x):
            index = ops.add(ops.add(base, ops.reshape(y * stride_y, (1, -1, 1, 1))),
                            ops.reshape(x * stride_x, (1, 1, -1, 1)))
            return ops.take(flat, index)

        wy = ops.reshape(wy, (1, -1, 1, 1))
        wx = ops.reshape(wx, (1, 1, -1, 1))
        top = ops.add(ops.multiply(read(y0, x0), 1.0 - wx), ops.multiply(read(y0, x1), wx))
        bottom = ops.add(ops.multiply(read(y1, x0), 1.0 - wx), ops.multiply(read(y1, x1), wx))
        out = ops.add(ops.multiply(top, 1.0 - wy), ops.multiply(bottom, wy))
        return out[:, :height, :width, :]

    @staticmethod
    def _neighbours(size, tile, grid):
        """For each pixel along an axis: the two padded-grid tiles it blends, and the weight of
        the second (tile centres sit at `tile / 2`)."""
        position = ops.add(ops.divide(ops.subtract(ops.arange(size, dtype="float32"),
                                                   tile / 2.0), float(tile)), 1.0)
        first = ops.floor(position)
        weight = ops.subtract(position, first)
        first_index = ops.cast(ops.clip(first, 0, grid + 1), "int32")
        second_index = ops.cast(ops.clip(ops.add(first, 1.0), 0, grid + 1), "int32")
        return first_index, second_index, weight

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size}


# -- colour -------------------------------------------------------------------------------------
class Solarization(_BatchImageLayer):
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
        self.value_range = _value_range("Solarization", value_range)

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
        images = _rescale(images, self.value_range, (0, 255))
        out = ops.clip(ops.add(images, _per_image(params["additions"])), 0, 255)
        out = ops.where(ops.less(out, _per_image(params["thresholds"])), out,
                        ops.subtract(255.0, out))
        return _rescale(out, (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor}


class RandomInvert(_BatchImageLayer):
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
        self.value_range = _value_range("RandomInvert", value_range)

    def _draw(self, images):
        return self._coin(images.shape[0], self.factor)

    def _apply(self, images, invert):
        return ops.where(_per_image(invert), ops.subtract(float(self.value_range[1]), images),
                         images)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class _ColorLayer(_BatchImageLayer):
    """A colour augmentation with one `factor` drawn per image and a `value_range`."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, seed=seed, **kwargs)
        self.value_range = _value_range(type(self).__name__, value_range)

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
        out = ops.add(images, ops.multiply(_per_image(factor), ops.subtract(gray, images)))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def compute_output_shape(self, input_shape):
        self._check_rgb(input_shape)
        return input_shape


class RandomGrayscale(_BatchImageLayer):
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
        return ops.where(_per_image(apply), ops.broadcast_to(gray, images.shape), images)


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
        images = _rescale(images, self.value_range, (0, 1))
        hsv = ops.image.rgb_to_hsv(images, data_format=self.data_format)
        axis = self._channel_axis()
        hue, saturation, value = ops.split(hsv, 3, axis=axis)
        hue = ops.add(hue, _per_image(delta))
        hue = ops.where(ops.greater(hue, 1.0), ops.subtract(hue, 1.0), hue)
        hue = ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)
        hsv = ops.concatenate([hue, saturation, value], axis=axis)
        out = ops.clip(ops.image.hsv_to_rgb(hsv, data_format=self.data_format), 0, 1)
        return _rescale(out, (0, 1), self.value_range)

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
        saturation = ops.clip(ops.multiply(saturation, _per_image(factor)),
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
        x = _channels_last(images, self.data_format)
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = ops.convert_to_tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=x.dtype)
        kernel = ops.tile(ops.reshape(kernel, (3, 3, 1, 1)), (1, 1, x.shape[-1], 1))
        smooth = ops.depthwise_conv(x, kernel, padding="same", data_format="channels_last")
        strength = ops.subtract(1.0, ops.multiply(_per_image(factor), 2.0))
        out = ops.add(x, ops.multiply(strength, ops.subtract(smooth, x)))
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        return _restore_format(out, self.data_format)


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
        x = _rescale(images, self.value_range, (0, 255))
        x = ops.cast(ops.cast(x, "uint8"), "int32")
        x = ops.left_shift(ops.right_shift(x, shift), shift)
        return _rescale(ops.cast(x, self.compute_dtype), (0, 255), self.value_range)


class RandomColorJitter(_BatchImageLayer):
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
        self.value_range = _value_range("RandomColorJitter", value_range)
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


# -- regional and blur ---------------------------------------------------------------------------
def _unit_range(owner, name, value):
    """A number `f` as `(0, f)` or a sorted pair, all in [0, 1] (Keras's `_set_factor`)."""
    message = (f"{owner}: `{name}` must be a number or a pair of numbers in [0, 1]. Received: "
               f"{name}={value!r}")
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or not all(_utils.is_number(v) for v in value) or \
                value[0] > 1 or value[1] < 0:
            raise ValueError(message)
        return tuple(sorted(value))
    if not _utils.is_number(value) or not 0 <= value <= 1:
        raise ValueError(message)
    return (0, value)


def _box_masks(batch_size, height, width, ratios, generator, dtype, data_format):
    """Random boxes of sides `ratios * (width, height)` placed uniformly, as per-image boolean
    masks broadcasting against the batch; also returns each box's area fraction."""
    def bounds(length, ratio):
        size = ops.multiply(ratio, float(length))
        start = ops.multiply(random.uniform((batch_size,), 0.0, 1.0, seed=generator, dtype=dtype),
                             ops.subtract(float(length), size))
        return start, ops.add(start, size)

    x0, x1 = bounds(width, ratios[0])
    y0, y1 = bounds(height, ratios[1])
    grid_y = ops.arange(height, dtype=dtype)
    grid_x = ops.arange(width, dtype=dtype)
    inside_y = ops.logical_and(ops.greater_equal(grid_y, ops.expand_dims(y0, 1)),
                               ops.less(grid_y, ops.expand_dims(y1, 1)))
    inside_x = ops.logical_and(ops.greater_equal(grid_x, ops.expand_dims(x0, 1)),
                               ops.less(grid_x, ops.expand_dims(x1, 1)))
    masks = ops.logical_and(ops.expand_dims(inside_y, 2), ops.expand_dims(inside_x, 1))
    masks = ops.expand_dims(masks, -1 if data_format == "channels_last" else 1)
    area = ops.divide(ops.multiply(ops.subtract(x1, x0), ops.subtract(y1, y0)),
                      float(width * height))
    return masks, area


class RandomErasing(_BatchImageLayer):
    """Erases a random rectangle of each image (with a random probability) during training.

    The rectangle's sides are `sqrt(s) * (width, height)` with `s` drawn in `scale` for each
    side; it is filled with `fill_value`, or with Gaussian noise `N(0, 1) * value_range[1]`
    when `fill_value` is None, clipped to `value_range`.

    Args:
        factor: Number `f` or pair in [0, 1]: each image draws an erasing probability in
            `[0, f]`.
        scale: Number or pair in [0, 1], the range of the erased area fractions.
        fill_value: None (noise), a number, or one value per channel (3 values).
        value_range: `(low, high)` range of the pixel values.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.RandomErasing(seed=0)(np.ones((2, 6, 6, 3))).shape)
    (2, 6, 6, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        self.scale = _unit_range("RandomErasing", "scale", scale)
        if fill_value is not None and not _utils.is_number(fill_value) and not (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3
                and all(_utils.is_number(v) for v in fill_value)):
            raise ValueError("RandomErasing: `fill_value` must be None (noise), a number or 3 "
                             f"numbers (one per channel). Received: fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = _value_range("RandomErasing", value_range)

    def _draw(self, images):
        batch = images.shape[0]
        height, width = self._height_width(images)
        ratios = ops.sqrt(random.uniform((batch, 2), self.scale[0], self.scale[1],
                                         seed=self.generator, dtype=self.compute_dtype))
        masks, _ = _box_masks(batch, height, width, (ratios[:, 0], ratios[:, 1]),
                              self.generator, self.compute_dtype, self.data_format)
        apply = self._coin(batch, self.factor)
        if self.fill_value is None:
            fill = ops.multiply(random.normal(images.shape, seed=self.generator,
                                              dtype=self.compute_dtype), self.value_range[1])
        else:
            values = ops.convert_to_tensor(self.fill_value, dtype=self.compute_dtype)
            if self.data_format == "channels_first" and len(values.shape) == 1:
                values = ops.reshape(values, (-1, 1, 1))
            fill = ops.broadcast_to(values, images.shape)
        fill = ops.clip(fill, self.value_range[0], self.value_range[1])
        return {"masks": masks, "apply": apply, "fill": fill}

    def _apply(self, images, params):
        erased = ops.where(params["masks"], params["fill"], images)
        return ops.where(_per_image(params["apply"]), erased, images)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range}


class RandomGaussianBlur(_BatchImageLayer):
    """Blurs each image (with a random probability) during training with a Gaussian filter of
    random width (one draw per batch for each of the width and height axes).

    Args:
        factor: Number `f` or pair in [0, 1]: each image draws a blurring probability in
            `[0, f]`.
        kernel_size: Odd int, or a pair of odd ints `(width, height)` as in
            `ops.image.gaussian_blur`.
        sigma: Number or pair in [0, 1]; the filter's standard deviations are drawn in
            `[0, sigma]` (or `[low, high]`).
        value_range: `(low, high)` range of the pixel values (outputs are clipped to it).
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomGaussianBlur(seed=0)(np.ones((2, 5, 5, 3))).shape)
    (2, 5, 5, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
        if len(sizes) != 2 or not all(_utils.is_int(k) and k > 0 and k % 2 == 1 for k in sizes):
            raise ValueError("RandomGaussianBlur: `kernel_size` must be an odd positive int or a "
                             f"pair of them. Received: kernel_size={kernel_size!r}")
        self.kernel_size = tuple(int(k) for k in sizes)
        self.sigma = _unit_range("RandomGaussianBlur", "sigma", sigma)
        self.value_range = _value_range("RandomGaussianBlur", value_range)

    def _draw(self, images):
        apply = self._coin(images.shape[0], self.factor)
        sigma = ops.add(random.uniform((2,), self.sigma[0], self.sigma[1], seed=self.generator,
                                       dtype=self.compute_dtype), 1e-6)
        return {"apply": apply, "sigma": sigma}

    def _apply(self, images, params):
        sigma = params["sigma"]
        blurred = _gaussian_blur(images, self.kernel_size, (sigma[0], sigma[1]),
                                 self.data_format)
        out = ops.where(_per_image(params["apply"]), blurred, images)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range}


# -- geometric ----------------------------------------------------------------------------------
class RandomElasticTransform(_BatchImageLayer):
    """Deforms each image (with a random probability) by a smooth random displacement field
    during training.

    One strength `d` is drawn in `scale` per batch; the field is Gaussian noise of standard
    deviation `sigma = 0.05 * min(height, width) * d`, blurred by a Gaussian of that width and
    scaled by `alpha = 0.1 * max(height, width) * d`. Outputs are clipped to `value_range`.
    (The blur's kernel is sized for the largest `sigma` the scale allows, so that the layer
    compiles once; a wider truncation than Keras's changes values only in the Gaussian's tail.)

    Args:
        factor: Number `f` or pair in [0, 1]: each image draws a probability in `[0, f]`.
        scale: Number or pair in [0, 1], the range of `d`.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant", "nearest" or "mirror".
        fill_value: Value read outside the image with fill_mode="constant".
        value_range: `(low, high)` range of the pixel values.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.RandomElasticTransform(seed=0)(np.ones((2, 8, 8, 1))).shape)
    (2, 8, 8, 1)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        owner = "RandomElasticTransform"
        self.scale = _unit_range(owner, "scale", scale)
        self.interpolation = _utils.check_choice(owner, "interpolation", interpolation,
                                                 INTERPOLATIONS)
        self.fill_mode = _utils.check_choice(owner, "fill_mode", fill_mode, ELASTIC_FILL_MODES)
        if not _utils.is_number(fill_value):
            raise ValueError(f"{owner}: `fill_value` must be a number. Received: "
                             f"fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = _value_range(owner, value_range)

    def _draw(self, images):
        batch = images.shape[0]
        height, width = self._height_width(images)
        apply = self._coin(batch, self.factor)
        strength = random.uniform((), self.scale[0], self.scale[1], seed=self.generator,
                                  dtype=self.compute_dtype)
        noise = random.normal((2, batch, height, width, 1), seed=self.generator,
                              dtype=self.compute_dtype)
        return {"apply": apply, "strength": strength, "noise": noise}

    def _apply(self, images, params):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        x = _channels_last(images, self.data_format)
        batch, height, width, channels = x.shape
        strength = params["strength"]
        alpha = ops.multiply(max(height, width) * 0.1, strength)
        sigma = ops.maximum(ops.multiply(min(height, width) * 0.05, strength), 1e-6)
        size = int(6 * min(height, width) * 0.05 * self.scale[1]) | 1
        noise = params["noise"]
        fields = [_gaussian_blur(ops.multiply(noise[i], sigma), (size, size), (sigma, sigma),
                                 "channels_last")[..., 0] for i in (0, 1)]
        dx, dy = (ops.expand_dims(ops.multiply(alpha, f), -1) for f in fields)
        shape = (batch, height, width, channels)
        rows = ops.reshape(ops.arange(height, dtype=self.compute_dtype), (1, -1, 1, 1))
        cols = ops.reshape(ops.arange(width, dtype=self.compute_dtype), (1, 1, -1, 1))
        coordinates = ops.stack([
            ops.broadcast_to(ops.reshape(ops.arange(batch, dtype=self.compute_dtype),
                                         (-1, 1, 1, 1)), shape),
            ops.broadcast_to(ops.add(rows, dy), shape),
            ops.broadcast_to(ops.add(cols, dx), shape),
            ops.broadcast_to(ops.reshape(ops.arange(channels, dtype=self.compute_dtype),
                                         (1, 1, 1, -1)), shape)])
        order = 1 if self.interpolation == "bilinear" else 0
        warped = ops.image.map_coordinates(x, coordinates, order, fill_mode=self.fill_mode,
                                           fill_value=self.fill_value)
        out = ops.where(_per_image(params["apply"]), warped, x)
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        return _restore_format(out, self.data_format)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "interpolation": self.interpolation,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range}


class RandomPerspective(_BatchImageLayer):
    """Applies a random perspective warp to each image (with a random probability) in training.

    Each corner `p` of the image moves to `p + p * u`, with `u` drawn per coordinate in
    `[-scale / 2, scale / 2]`.

    Args:
        factor: Number `f` or pair in [0, 1]: each image draws a probability in `[0, f]`.
        scale: Number in [0, 1], the strength of the warp.
        interpolation: "bilinear" or "nearest".
        fill_value: Value of pixels that read outside the input.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.RandomPerspective(seed=0)(np.ones((2, 5, 5, 1))).shape)
    (2, 5, 5, 1)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        owner = "RandomPerspective"
        if not _utils.is_number(scale) or not 0 <= scale <= 1:
            raise ValueError(f"{owner}: `scale` must be a number in [0, 1]. Received: "
                             f"scale={scale!r}")
        self.scale = scale
        self.interpolation = _utils.check_choice(owner, "interpolation", interpolation,
                                                 INTERPOLATIONS)
        if not _utils.is_number(fill_value):
            raise ValueError(f"{owner}: `fill_value` must be a number. Received: "
                             f"fill_value={fill_value!r}")
        self.fill_value = fill_value

    def _draw(self, images):
        batch = images.shape[0]
        height, width = self._height_width(images)
        apply = self._coin(batch, self.factor)
        shift = random.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale,
                               seed=self.generator, dtype=self.compute_dtype)
        start = ops.convert_to_tensor([[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0],
                                       [width - 1.0, height - 1.0]], dtype=self.compute_dtype)
        start = ops.broadcast_to(start, (batch, 4, 2))
        return {"apply": apply, "start": start,
                "end": ops.add(start, ops.multiply(start, shift))}

    def _apply(self, images, params):
        warped = ops.image.perspective_transform(
            images, params["start"], params["end"], interpolation=self.interpolation,
            fill_value=self.fill_value, data_format=self.data_format)
        return ops.where(_per_image(params["apply"]), warped, images)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomShear(_BatchImageLayer):
    """Shears each image by a random amount along x and y during training.

    The output pixel `(x, y)` reads the input at `(x + sx * y, sy * x + y)`, with `sx` drawn in
    `x_factor`, `sy` in `y_factor`, and both negated together for a random half of the images.

    Args:
        x_factor: Number `f` (draws in `[-f, f]`) or pair `(low, high)`, in [0, 1].
        y_factor: The same for the vertical shear.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: Value read outside the image with fill_mode="constant".
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> tuple(lamina.layers.RandomShear(0.2, seed=0)(np.ones((2, 5, 5, 1))).shape)
    (2, 5, 5, 1)
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = "RandomShear"
        self.x_factor = self._shear_range("x_factor", x_factor)
        self.y_factor = self._shear_range("y_factor", y_factor)
        self.interpolation = _utils.check_choice(owner, "interpolation", interpolation,
                                                 INTERPOLATIONS)
        self.fill_mode = _utils.check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        if not _utils.is_number(fill_value):
            raise ValueError(f"{owner}: `fill_value` must be a number. Received: "
                             f"fill_value={fill_value!r}")
        self.fill_value = fill_value

    def _shear_range(self, name, factor):
        low, high = _unit_range("RandomShear", name, factor)
        return (low, high) if isinstance(factor, (tuple, list)) else (-high, high)

    def _draw(self, images):
        shape = (images.shape[0],)
        sign = ops.where(ops.greater(random.uniform(shape, seed=self.generator), 0.5), -1.0, 1.0)
        shear_y = random.uniform(shape, self.y_factor[0], self.y_factor[1], seed=self.generator)
        shear_x = random.uniform(shape, self.x_factor[0], self.x_factor[1], seed=self.generator)
        return ops.cast(ops.stack([ops.multiply(shear_x, sign), ops.multiply(shear_y, sign)],
                                  axis=1), self.compute_dtype)

    def _apply(self, images, shear):
        ones, zeros = ops.ones_like(shear[:, 0]), ops.zeros_like(shear[:, 0])
        rows = ops.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros],
                         axis=1)
        return ops.image.affine_transform(images, rows, interpolation=self.interpolation,
                                          fill_mode=self.fill_mode, fill_value=self.fill_value,
                                          data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


# -- mixing -------------------------------------------------------------------------------------
class _MixingLayer(_BatchImageLayer):
    """Mixes images with a shuffled copy of the batch; a dict's "labels" are mixed to match."""

    def call(self, inputs, training=True):
        if not isinstance(inputs, dict):
            return self._images(inputs, training)
        if "images" not in inputs:
            raise ValueError(f"{type(self).__name__} '{self.name}': a dict input needs an "
                             f"'images' entry. Received keys {sorted(inputs)}.")
        unsupported = {"bounding_boxes", "segmentation_masks"} & set(inputs)
        if unsupported:
            raise NotImplementedError(f"{type(self).__name__}: {sorted(unsupported)} are not "
                                      "supported yet; pass images (and labels) only.")
        images = ops.cast(inputs["images"], self.compute_dtype)
        _hw_axes(len(images.shape), self.data_format)
        if not training or (len(images.shape) == 3 and self._NEEDS_BATCH):
            return {**inputs, "images": images}
        unbatched = len(images.shape) == 3
        batch = ops.expand_dims(images, 0) if unbatched else images
        params = self._draw(batch)
        out = {**inputs, "images": self._apply(batch, params)}
        if "labels" in inputs:
            labels = ops.convert_to_tensor(inputs["labels"])
            labels = ops.cast(labels, self.compute_dtype)
            labels = self._mix_labels(ops.expand_dims(labels, 0) if unbatched else labels,
                                      params)
            out["labels"] = ops.squeeze(labels, 0) if unbatched else labels
        if unbatched:
            out["images"] = ops.squeeze(out["images"], 0)
        return out

    def _mix_labels(self, labels, params):
        weight = ops.reshape(params["label_weight"], (-1,) + (1,) * (len(labels.shape) - 1))
        shuffled = ops.take(labels, params["permutation"], axis=0)
        return ops.add(ops.multiply(weight, labels), ops.multiply(ops.subtract(1.0, weight),
                                                                   shuffled))

    def _permutation(self, batch):
        return random.shuffle(ops.arange(batch, dtype="int32"), seed=self.generator)


class CutMix(_MixingLayer):
    """CutMix during training: each image gets a random rectangle pasted from another image of
    the batch, and labels mix in proportion to the areas kept. A single image is unchanged.

    The kept fraction `w` is drawn from Beta(a, a), with `a` drawn in `factor`; the pasted box
    has sides `sqrt(1 - w) * (width, height)`.

    Args:
        factor: Number `f` or pair in [0, 1], the range of the Beta parameter.
        seed: Int seed of the layer's random stream.
        data_format: "channels_last", "channels_first" or None.

    >>> layer = lamina.layers.CutMix(seed=0)
    >>> out = layer({"images": np.ones((2, 4, 4, 3)), "labels": np.eye(2)})
    >>> tuple(out["labels"].shape)
    (2, 2)
    """

    _FACTOR_BOUNDS = (0, 1)
    _NEEDS_BATCH = True

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)

    def _draw(self, images):
        batch = images.shape[0]
        height, width = self._height_width(images)
        alpha = ops.add(random.uniform((), self.factor[0], self.factor[1], seed=self.generator,
                                       dtype=self.compute_dtype), 1e-6)
        weight = random.beta((batch,), alpha, alpha, seed=self.generator,
                             dtype=self.compute_dtype)
        ratio = ops.sqrt(ops.subtract(1.0, weight))
        masks, area = _box_masks(batch, height, width, (ratio, ratio), self.generator,
                                 self.compute_dtype, self.data_format)
        return {"masks": masks, "permutation": self._permutation(batch),
                "label_weight": ops.subtract(1.0, area)}

    def _apply(self, images, params):
        shuffled = ops.take(images, params["permutation"], axis=0)
        return ops.where(params["masks"], shuffled, images)


class MixUp(_MixingLayer):
    """MixUp during training: each image (and label) becomes `w x + (1 - w) x'`, with `x'`
    another example of the batch and `w` drawn from Beta(alpha, alpha).

    Args:
        alpha: Positive number, the Beta distribution's parameter.
        data_format: "channels_last", "channels_first" or None.
        seed: Int seed of the layer's random stream.

    >>> layer = lamina.layers.MixUp(seed=0)
    >>> out = layer({"images": np.ones((2, 4, 4, 3)), "labels": np.eye(2)})
    >>> tuple(out["images"].shape)
    (2, 4, 4, 3)
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if not _utils.is_number(alpha) or alpha <= 0:
            raise ValueError(f"MixUp: `alpha` must be a positive number. Received: "
                             f"alpha={alpha!r}")
        self.alpha = alpha

    def _draw(self, images):
        batch = images.shape[0]
        permutation = self._permutation(batch)
        weight = random.beta((batch,), self.alpha, self.alpha, seed=self.generator,
                             dtype=self.compute_dtype)
        return {"permutation": permutation, "label_weight": weight}

    def _apply(self, images, params):
        weight = _per_image(params["label_weight"])
        shuffled = ops.take(images, params["permutation"], axis=0)
        return ops.add(ops.multiply(weight, images), ops.multiply(ops.subtract(1.0, weight),
                                                                   shuffled))

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


# -- compound -----------------------------------------------------------------------------------
def _augmenters(owner, value_range, factor, interpolation, seed, data_format, all_ops=True):
    """The layers RandAugment and AugMix choose from, built as Keras builds them."""
    posterize_bits = max(1, int(8 * factor[1]))
    geometric = [
        RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation, seed=seed,
                    data_format=data_format),
        RandomTranslation(height_factor=factor, width_factor=factor,
                          interpolation=interpolation, seed=seed, data_format=data_format),
        RandomRotation(factor=factor, interpolation=interpolation, seed=seed,
                       data_format=data_format)]
    tonal = [
        RandomPosterization(factor=posterize_bits, value_range=value_range, seed=seed,
                            data_format=data_format),
        Solarization(addition_factor=factor, threshold_factor=factor, value_range=value_range,
                     seed=seed, data_format=data_format),
        AutoContrast(value_range=value_range, data_format=data_format),
        Equalization(value_range=value_range, data_format=data_format)]
    color = [
        RandomBrightness(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format),
        RandomColorDegeneration(factor=factor, value_range=value_range, seed=seed,
                                data_format=data_format),
        RandomContrast(factor=factor, value_range=value_range, seed=seed,
                       data_format=data_format),
        RandomSharpness(factor=factor, value_range=value_range, seed=seed,
                        data_format=data_format)]
    if owner == "RandAugment":
        # Keras's RandAugment order: shear, translation, rotation, brightness, colour
        # degeneration, contrast, sharpness, posterization, solarization, auto contrast,
        # equalization.
        return geometric + color + tonal
    return geometric + tonal + (color if all_ops else [])


def _choose(index, candidates, images):
    """`candidates[index]` (a traced int), selected elementwise; an index past the end keeps
    `images`. Every candidate is computed, as in Keras, so the choice stays traceable."""
    out = images
    for i, candidate in enumerate(candidates):
        out = ops.where(ops.equal(index, i), candidate, out)
    return out


class RandAugment(_BatchImageLayer):
    """RandAugment during training: `num_ops` times, one augmentation drawn at random from
    shear, translation, rotation, brightness, colour degeneration, contrast, sharpness,
    posterization, solarization, auto contrast and equalization is applied to the batch.

    Args:
        value_range: `(low, high)` range of the pixel values.
        num_ops: Positive int, the number of augmentations applied in sequence.
        factor: Number `f` or pair in [0, 1], the strength given to every augmentation.
        interpolation: "bilinear" or "nearest", for the geometric ones.
        seed: Int seed of the layer's random streams.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.RandAugment(seed=0)(np.ones((2, 4, 4, 3))).shape)
    (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        self.value_range = _value_range("RandAugment", value_range)
        self.num_ops = _positive_int("RandAugment", "num_ops", num_ops)
        self.interpolation = _utils.check_choice("RandAugment", "interpolation", interpolation,
                                                 INTERPOLATIONS)
        self.augmenters = _augmenters("RandAugment", self.value_range, self.factor,
                                      interpolation, seed, self.data_format)

    def _augment(self, images):
        choices = random.randint((self.num_ops,), 0, len(self.augmenters), seed=self.generator)
        for step in range(self.num_ops):
            candidates = [ops.cast(layer._augment(images), self.compute_dtype)
                          for layer in self.augmenters]
            images = _choose(choices[step], candidates, images)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "interpolation": self.interpolation}


class AugMix(_BatchImageLayer):
    """AugMix during training: `num_chains` chains of up to `chain_depth` random augmentations
    are mixed with Dirichlet(alpha) weights, and the mixture is blended with the original image
    with a Beta(alpha, alpha) weight, then clipped to `value_range`.

    Args:
        value_range: `(low, high)` range of the pixel values.
        num_chains: Positive int, the number of augmentation chains.
        chain_depth: Positive int, the augmentations per chain (each step may be skipped).
        factor: Number `f` or pair in [0, 1], the strength of every augmentation.
        alpha: Positive number, the Dirichlet and Beta parameter.
        all_ops: Whether to include brightness, colour degeneration, contrast and sharpness.
        interpolation: "bilinear" or "nearest", for the geometric augmentations.
        seed: Int seed of the layer's random streams.
        data_format: "channels_last", "channels_first" or None.

    >>> tuple(lamina.layers.AugMix(seed=0, num_chains=1, chain_depth=1)(
    ...     np.ones((2, 4, 4, 3))).shape)
    (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(factor=factor, seed=seed, data_format=data_format, **kwargs)
        self.value_range = _value_range("AugMix", value_range)
        self.num_chains = _positive_int("AugMix", "num_chains", num_chains)
        self.chain_depth = _positive_int("AugMix", "chain_depth", chain_depth)
        if not _utils.is_number(alpha) or alpha <= 0:
            raise ValueError(f"AugMix: `alpha` must be a positive number. Received: "
                             f"alpha={alpha!r}")
        self.alpha = alpha
        self.all_ops = bool(all_ops)
        self.interpolation = _utils.check_choice("AugMix", "interpolation", interpolation,
                                                 INTERPOLATIONS)
        self.augmenters = _augmenters("AugMix", self.value_range, self.factor, interpolation,
                                      seed, self.data_format, self.all_ops)

    def _augment(self, images):
        gammas = random.gamma((self.num_chains,), self.alpha, seed=self.generator,
                              dtype=self.compute_dtype)
        chain_weights = ops.divide(gammas, ops.sum(gammas))
        keep = random.beta((), self.alpha, self.alpha, seed=self.generator,
                           dtype=self.compute_dtype)
        # Index len(augmenters) means "skip this step", as Keras's choice among ops + [None].
        choices = random.randint((self.num_chains, self.chain_depth), 0,
                                 len(self.augmenters) + 1, seed=self.generator)
        mixed = ops.zeros_like(images)
        for chain in range(self.num_chains):
            chained = images
            for depth in range(self.chain_depth):
                candidates = [ops.cast(layer._augment(chained), self.compute_dtype)
                              for layer in self.augmenters]
                chained = _choose(choices[chain, depth], candidates, chained)
            mixed = ops.add(mixed, ops.multiply(chained, chain_weights[chain]))
        out = ops.add(ops.multiply(keep, images), ops.multiply(ops.subtract(1.0, keep), mixed))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation}


# -- bounding boxes and pipelines ----------------------------------------------------------------
class MaxNumBoundingBoxes(Layer):
    """Pads or truncates the bounding boxes of a dict input to exactly `max_number` per image.

    `inputs["bounding_boxes"]` holds "boxes" `(batch, num_boxes, 4)` and "labels"
    `(batch, num_boxes)` (or unbatched `(num_boxes, 4)` and `(num_boxes,)`); extra boxes are
    dropped and missing ones filled with `fill_value`. Images and other entries pass through,
    as does a non-dict input.

    Args:
        max_number: Positive int, the number of boxes per image.
        fill_value: Int value of the padding boxes and labels.
        bounding_box_format: Optional format name, kept in the config (padding needs none).

    >>> layer = lamina.layers.MaxNumBoundingBoxes(3)
    >>> boxes = {"boxes": np.ones((1, 1, 4)), "labels": np.ones((1, 1))}
    >>> layer({"images": np.ones((1, 2, 2, 3)), "bounding_boxes": boxes})[
    ...     "bounding_boxes"]["labels"].tolist()
    [[1.0, -1.0, -1.0]]
    """

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_number = _positive_int("MaxNumBoundingBoxes", "max_number", max_number)
        if not _utils.is_int(fill_value):
            raise ValueError(f"MaxNumBoundingBoxes: `fill_value` must be an int. Received: "
                             f"fill_value={fill_value!r}")
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = backend.config.standardize_data_format(data_format)

    def _convert_inputs(self, inputs):
        return inputs  # boxes and labels keep their dtypes

    def call(self, inputs):
        if not isinstance(inputs, dict) or "bounding_boxes" not in inputs:
            return inputs
        boxes_dict = inputs["bounding_boxes"]
        if not isinstance(boxes_dict, dict) or not {"boxes", "labels"} <= set(boxes_dict):
            raise ValueError(f"MaxNumBoundingBoxes '{self.name}': `bounding_boxes` must be a "
                             "dict with 'boxes' and 'labels'. Received: "
                             f"{type(boxes_dict).__name__}"
                             f"{sorted(boxes_dict) if isinstance(boxes_dict, dict) else ''}.")
        extra = set(boxes_dict) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"MaxNumBoundingBoxes '{self.name}': unsupported keys {sorted(extra)} "
                           "in `bounding_boxes`; only 'boxes' and 'labels' are supported.")
        boxes = ops.convert_to_tensor(boxes_dict["boxes"])
        labels = ops.convert_to_tensor(boxes_dict["labels"])
        unbatched = len(boxes.shape) == 2
        if unbatched:
            boxes, labels = ops.expand_dims(boxes, 0), ops.expand_dims(labels, 0)
        if len(boxes.shape) != 3 or boxes.shape[-1] != 4 or labels.shape != boxes.shape[:2]:
            raise ValueError(f"MaxNumBoundingBoxes '{self.name}': expected boxes (batch, "
                             "num_boxes, 4) and labels (batch, num_boxes). Received shapes "
                             f"{tuple(boxes.shape)} and {tuple(labels.shape)}.")
        pad = max(self.max_number - boxes.shape[1], 0)
        boxes = ops.pad(boxes[:, :self.max_number], [[0, 0], [0, pad], [0, 0]],
                        constant_values=self.fill_value)
        labels = ops.pad(labels[:, :self.max_number], [[0, 0], [0, pad]],
                         constant_values=self.fill_value)
        if unbatched:
            boxes, labels = ops.squeeze(boxes, 0), ops.squeeze(labels, 0)
        return {**inputs, "bounding_boxes": {**boxes_dict, "boxes": boxes, "labels": labels}}

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            boxes = dict(input_shape["bounding_boxes"])
            boxes["boxes"] = (*boxes["boxes"][:-2], self.max_number, boxes["boxes"][-1])
            boxes["labels"] = (*boxes["labels"][:-1], self.max_number)
            return {**input_shape, "bounding_boxes": boxes}
        return input_shape

    def get_config(self):
        config = {**super().get_config(), "data_format": self.data_format,
                  "max_number": self.max_number, "fill_value": self.fill_value}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config


class Pipeline(_utils.RandomLayer):
    """Applies a list of layers in order (a light Sequential for preprocessing).

    `training` is passed to the layers that take it (a direct call trains, as with the random
    image layers), and a mask produced by one layer is passed to the next that takes one.

    Args:
        layers: List of Layer instances.
        name: Layer name.

    >>> pipe = lamina.layers.Pipeline([lamina.layers.Rescaling(2.0), lamina.layers.Rescaling(3.0)])
    >>> pipe(np.array([1.0])).tolist()
    [6.0]
    """

    def __init__(self, layers, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(l, Layer) for l in layers):
            raise ValueError("Pipeline: `layers` must be a list of Layer instances. Received: "
                             f"layers={layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        return list(self._pipeline_layers)

    def _convert_inputs(self, inputs):
        return inputs  # each layer converts its own inputs (dicts, strings, ints)

    def call(self, inputs, training=True, mask=None):
        for layer in self._pipeline_layers:
            kwargs = {}
            if mask is not None and layer._call_accepts("mask"):
                kwargs["mask"] = mask
            if training is not None and layer._call_accepts("training"):
                kwargs["training"] = training
            inputs = layer(inputs, **kwargs)
            mask = backend.get_keras_mask(inputs) if not isinstance(inputs, dict) else None
        return inputs

    def get_config(self):
        return {"layers": [serialization.serialize_keras_object(l)
                           for l in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("Pipeline: the config needs a `layers` list of serialized layers. "
                             f"Received: layers={layers!r}")
        from lamina.layers import deserialize  # the layer table imports this module
        config = {**config, "layers": [deserialize(l, custom_objects=custom_objects)
                                       for l in layers]}
        return cls(**config)

