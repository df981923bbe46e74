"""Plumbing shared by the image preprocessing layers: argument checks, the base classes and a
few image helpers.

Images are one image `(height, width, channels)` or a batch `(batch, height, width, channels)`
("channels_first" puts channels before height). Random layers augment only when `training` is
True (the default of a direct call), draw from a SeedGenerator they own (so they run inside
compiled steps), and pass dict entries other than "images" through. A `BatchImageLayer` draws
its random parameters in `_draw` and applies them in `_apply`, so the math can be checked on
given parameters.
"""

from lamina import backend, ops, random
from lamina.layers.preprocessing import _utils
from lamina.random.seed_generator import SeedGenerator

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def check_data_format(owner, data_format):
    if data_format is None:
        return backend.image_data_format()
    return _utils.check_choice(owner, "data_format", data_format,
                               ("channels_last", "channels_first"))


def check_positive_int(owner, name, value):
    if not _utils.is_int(value) or value <= 0:
        raise ValueError(f"{owner}: `{name}` must be a positive int. Received: {name}={value!r}")
    return int(value)


def check_value_range(owner, value_range):
    if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2
            and all(_utils.is_number(v) for v in value_range)):
        raise ValueError(f"{owner}: `value_range` must be a pair of numbers (low, high), e.g. "
                         f"(0, 255) or (0, 1). Received: value_range={value_range!r}")
    return sorted(value_range)


def check_unit_range(owner, name, value):
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


def check_fill_value(owner, fill_value):
    if not _utils.is_number(fill_value):
        raise ValueError(f"{owner}: `fill_value` must be a number. Received: "
                         f"fill_value={fill_value!r}")
    return fill_value


def hw_axes(ndim, data_format):
    """The height and width axes of an image (rank 3) or batch (rank 4)."""
    if ndim not in (3, 4):
        raise ValueError("Image layers expect a rank-3 image or a rank-4 batch of images. "
                         f"Received rank {ndim}. Add or remove the batch axis.")
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


class ImageLayer(_utils.RandomLayer):
    """Shared plumbing: data_format, `factor` parsing, dict inputs, training switch."""

    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor=None, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.data_format = check_data_format(owner, data_format)
        if factor is not None:
            self.factor = self._parse_factor(factor)
        if seed is not None and not _utils.is_int(seed):
            raise ValueError(f"{owner}: `seed` must be an int or None. Received: seed={seed!r}")
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.supports_masking = False

    def _parse_factor(self, factor, name="factor", bounds=None):
        low, high = bounds or self._FACTOR_BOUNDS
        message = (f"{type(self).__name__}: `{name}` must be a number or a pair of numbers in "
                   f"[{low}, {high}]. Received: {name}={factor!r}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(_utils.is_number(f) for f in factor) or \
                    factor[0] > high or factor[1] < low:
                raise ValueError(message)
            return tuple(sorted(factor))
        if not _utils.is_number(factor) or not low <= factor <= high:
            raise ValueError(message)
        factor = abs(factor)
        return (max(-factor, low), factor)

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            self._check_dict(inputs)
            return {**inputs, "images": self._images(inputs["images"], training)}
        return self._images(inputs, training)

    def _check_dict(self, inputs):
        """Raises unless a dict input has "images" and no entries the layer can't transform."""
        if "images" not in inputs:
            raise ValueError(f"{type(self).__name__} '{self.name}': a dict input needs an "
                             f"'images' entry. Received keys {sorted(inputs)}.")
        unsupported = {"bounding_boxes", "segmentation_masks"} & set(inputs)
        if unsupported:
            raise NotImplementedError(f"{type(self).__name__}: {sorted(unsupported)} are not "
                                      "supported yet; pass images (and labels) only.")

    def _images(self, images, training):
        images = ops.cast(images, self.compute_dtype)
        hw_axes(len(images.shape), self.data_format)
        if not training:
            return self._inference(images)
        return self._augment(images)

    def _inference(self, images):
        return images

    def _batch_shape(self, images):
        """`(batch,)` of per-image random draws, `(1,)` for one image."""
        return (images.shape[0],) if len(images.shape) == 4 else (1,)

    def _height_width(self, images):
        h, w = hw_axes(len(images.shape), self.data_format)
        return images.shape[h], images.shape[w]

    def _per_image(self, values, images):
        """Per-image values of shape `(batch,)` broadcast against `images`."""
        if len(images.shape) == 3:
            return ops.reshape(values, (1, 1, 1))
        return ops.reshape(values, (-1, 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {**super().get_config(), "data_format": self.data_format, "seed": self.seed}
        if hasattr(self, "factor"):
            config["factor"] = self.factor
        return config


class BatchImageLayer(ImageLayer):
    """An `ImageLayer` whose `_augment` and `_inference` always see a batch (an unbatched
    image becomes a batch of one and back)."""

    _NEEDS_BATCH = False  # CutMix: a single image is returned unchanged

    def _images(self, images, training):
        images = ops.cast(images, self.compute_dtype)
        hw_axes(len(images.shape), self.data_format)
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


class DeterministicImageLayer(BatchImageLayer):
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


def rescale(images, source, target):
    """Map `[source[0], source[1]]` linearly onto `[target[0], target[1]]`."""
    if tuple(source) == tuple(target):
        return images
    images = ops.divide(ops.subtract(images, float(source[0])), float(source[1] - source[0]))
    return ops.add(ops.multiply(images, float(target[1] - target[0])), float(target[0]))


def per_image(values):
    """Per-image values `(batch,)` shaped to broadcast against a batch of images."""
    return ops.reshape(values, (-1, 1, 1, 1))


def to_channels_last(images, data_format):
    return ops.transpose(images, (0, 2, 3, 1)) if data_format == "channels_first" else images


def restore_format(images, data_format):
    return ops.transpose(images, (0, 3, 1, 2)) if data_format == "channels_first" else images


def _gaussian_kernel1d(size, sigma, dtype):
    """Normalized Gaussian weights at `size` offsets about the centre; `sigma` may be a tensor."""
    x = ops.subtract(ops.arange(size, dtype=dtype), (size - 1) / 2.0)
    weights = ops.exp(ops.multiply(-0.5, ops.square(ops.divide(x, sigma))))
    return ops.divide(weights, ops.sum(weights))


def gaussian_blur(images, kernel_size, sigma, data_format):
    """Depthwise Gaussian blur of a batch with zero padding; `kernel_size` and `sigma` pair
    entry 0 with the width axis and entry 1 with the height axis, as `ops.image.gaussian_blur`.
    Unlike that op, `sigma` may be a tensor (a random draw)."""
    x = to_channels_last(images, data_format)
    dtype = backend.standardize_dtype(x.dtype)
    along_w = _gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    along_h = _gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    kernel = ops.multiply(ops.expand_dims(along_h, 1), ops.expand_dims(along_w, 0))
    channels = x.shape[-1]
    kernel = ops.tile(ops.reshape(kernel, (kernel_size[1], kernel_size[0], 1, 1)),
                      (1, 1, channels, 1))
    out = ops.depthwise_conv(x, kernel, padding="same", data_format="channels_last")
    return restore_format(out, data_format)


def box_masks(batch_size, height, width, ratios, generator, dtype, data_format):
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
