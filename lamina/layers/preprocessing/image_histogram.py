"""Histogram and contrast layers (Keras 3.15's): AutoContrast, Equalization and
ContrastLimitedAdaptiveHistogramEqualization.

They are deterministic. AutoContrast and ContrastLimitedAdaptiveHistogramEqualization apply at
inference too, as in Keras; Equalization applies only in training. Conventions are those of
`_image_utils.py`.
"""

from lamina import ops
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import (
    BatchImageLayer,
    DeterministicImageLayer,
    check_positive_int,
    check_value_range,
    hw_axes,
    rescale,
    restore_format,
    to_channels_last,
)


class AutoContrast(DeterministicImageLayer):
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
        self.value_range = check_value_range("AutoContrast", value_range)

    def _apply(self, images, params):
        original = images
        images = rescale(images, self.value_range, (0, 255))
        h, w = hw_axes(4, self.data_format)
        low = ops.min(images, axis=(h, w), keepdims=True)
        high = ops.max(images, axis=(h, w), keepdims=True)
        scale = ops.divide(255.0, ops.subtract(high, low))
        out = ops.clip(ops.subtract(ops.multiply(images, scale), ops.multiply(low, scale)),
                       0.0, 255.0)
        out = rescale(out, (0, 255), self.value_range)
        # A constant channel divides by zero: NaN there means "keep the input".
        return ops.where(ops.isnan(out), original, out)

    _inference = BatchImageLayer._augment

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class Equalization(DeterministicImageLayer):
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
        self.bins = check_positive_int("Equalization", "bins", bins)
        self.value_range = check_value_range("Equalization", value_range)

    def _apply(self, images, params):
        low, high = self.value_range
        x = to_channels_last(images, self.data_format)
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
        return restore_format(ops.reshape(out, shape), self.data_format)

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


class ContrastLimitedAdaptiveHistogramEqualization(DeterministicImageLayer):
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
        self.value_range = tuple(check_value_range(owner, value_range))
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
        x = to_channels_last(images, self.data_format)
        x = rescale(ops.cast(x, "float32"), self.value_range, (0, 255))
        out = rescale(self._clahe(x), (0, 255), self.value_range)
        return restore_format(ops.cast(out, images.dtype), self.data_format)

    _inference = BatchImageLayer._augment

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
