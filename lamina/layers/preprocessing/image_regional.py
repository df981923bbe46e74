"""Regional and blur augmentation layers (Keras 3.15's): RandomErasing and RandomGaussianBlur.

Each applies to an image with a probability drawn per image, only in training; conventions are
those of `_image_utils.py`.
"""

from lamina import ops, random
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import (
    BatchImageLayer,
    box_masks,
    check_unit_range,
    check_value_range,
    gaussian_blur,
    per_image,
)


class RandomErasing(BatchImageLayer):
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
        self.scale = check_unit_range("RandomErasing", "scale", scale)
        if fill_value is not None and not _utils.is_number(fill_value) and not (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3
                and all(_utils.is_number(v) for v in fill_value)):
            raise ValueError("RandomErasing: `fill_value` must be None (noise), a number or 3 "
                             f"numbers (one per channel). Received: fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = check_value_range("RandomErasing", value_range)

    def _draw(self, images):
        batch = images.shape[0]
        height, width = self._height_width(images)
        ratios = ops.sqrt(random.uniform((batch, 2), self.scale[0], self.scale[1],
                                         seed=self.generator, dtype=self.compute_dtype))
        masks, _ = box_masks(batch, height, width, (ratios[:, 0], ratios[:, 1]),
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
        return ops.where(per_image(params["apply"]), erased, images)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range}


class RandomGaussianBlur(BatchImageLayer):
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
        self.sigma = check_unit_range("RandomGaussianBlur", "sigma", sigma)
        self.value_range = check_value_range("RandomGaussianBlur", value_range)

    def _draw(self, images):
        apply = self._coin(images.shape[0], self.factor)
        sigma = ops.add(random.uniform((2,), self.sigma[0], self.sigma[1], seed=self.generator,
                                       dtype=self.compute_dtype), 1e-6)
        return {"apply": apply, "sigma": sigma}

    def _apply(self, images, params):
        sigma = params["sigma"]
        blurred = gaussian_blur(images, self.kernel_size, (sigma[0], sigma[1]),
                                self.data_format)
        out = ops.where(per_image(params["apply"]), blurred, images)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range}
