"""Geometric augmentation layers (Keras 3.15's): RandomElasticTransform, RandomPerspective
and RandomShear (RandomRotation, RandomTranslation and RandomZoom live in `image.py`).

Each warps images only in training; conventions are those of `_image_utils.py`.
"""

from lamina import ops, random
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import (
    FILL_MODES,
    INTERPOLATIONS,
    BatchImageLayer,
    check_fill_value,
    check_unit_range,
    check_value_range,
    gaussian_blur,
    per_image,
    restore_format,
    to_channels_last,
)

ELASTIC_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(BatchImageLayer):
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
        self.scale = check_unit_range(owner, "scale", scale)
        self.interpolation = _utils.check_choice(owner, "interpolation", interpolation,
                                                 INTERPOLATIONS)
        self.fill_mode = _utils.check_choice(owner, "fill_mode", fill_mode, ELASTIC_FILL_MODES)
        self.fill_value = check_fill_value(owner, fill_value)
        self.value_range = check_value_range(owner, value_range)

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
        x = to_channels_last(images, self.data_format)
        batch, height, width, channels = x.shape
        strength = params["strength"]
        alpha = ops.multiply(max(height, width) * 0.1, strength)
        sigma = ops.maximum(ops.multiply(min(height, width) * 0.05, strength), 1e-6)
        size = int(6 * min(height, width) * 0.05 * self.scale[1]) | 1
        noise = params["noise"]
        fields = [gaussian_blur(ops.multiply(noise[i], sigma), (size, size), (sigma, sigma),
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
        out = ops.where(per_image(params["apply"]), warped, x)
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        return restore_format(out, self.data_format)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "interpolation": self.interpolation,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range}


class RandomPerspective(BatchImageLayer):
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
        self.fill_value = check_fill_value(owner, fill_value)

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
        return ops.where(per_image(params["apply"]), warped, images)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomShear(BatchImageLayer):
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
        self.fill_value = check_fill_value(owner, fill_value)

    def _shear_range(self, name, factor):
        low, high = check_unit_range("RandomShear", name, factor)
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
