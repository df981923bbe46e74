"""Mixing augmentation layers (Keras 3.15's): CutMix and MixUp.

They mix each image with another of the batch during training, and a dict input's "labels" to
match; conventions are those of `_image_utils.py`.
"""

from lamina import ops, random
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import BatchImageLayer, box_masks, hw_axes, per_image


class _MixingLayer(BatchImageLayer):
    """Mixes images with a shuffled copy of the batch; a dict's "labels" are mixed to match."""

    def call(self, inputs, training=True):
        if not isinstance(inputs, dict):
            return self._images(inputs, training)
        self._check_dict(inputs)
        images = ops.cast(inputs["images"], self.compute_dtype)
        hw_axes(len(images.shape), self.data_format)
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
        masks, area = box_masks(batch, height, width, (ratio, ratio), self.generator,
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
        weight = per_image(params["label_weight"])
        shuffled = ops.take(images, params["permutation"], axis=0)
        return ops.add(ops.multiply(weight, images), ops.multiply(ops.subtract(1.0, weight),
                                                                   shuffled))

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
