"""Compound image layers (Keras 3.15's): RandAugment and AugMix, which draw among other
augmentation layers, Pipeline, which chains layers, and MaxNumBoundingBoxes, which pads a
pipeline's bounding boxes to a fixed count.
"""

from lamina import backend, ops, random
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing._image_utils import (
    INTERPOLATIONS,
    BatchImageLayer,
    check_positive_int,
    check_value_range,
)
from lamina.layers.preprocessing.image import (
    RandomBrightness,
    RandomContrast,
    RandomRotation,
    RandomTranslation,
)
from lamina.layers.preprocessing.image_color import (
    RandomColorDegeneration,
    RandomPosterization,
    RandomSharpness,
    Solarization,
)
from lamina.layers.preprocessing.image_geometric import RandomShear
from lamina.layers.preprocessing.image_histogram import AutoContrast, Equalization
from lamina.saving import serialization


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


class RandAugment(BatchImageLayer):
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
        self.value_range = check_value_range("RandAugment", value_range)
        self.num_ops = check_positive_int("RandAugment", "num_ops", num_ops)
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


class AugMix(BatchImageLayer):
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
        self.value_range = check_value_range("AugMix", value_range)
        self.num_chains = check_positive_int("AugMix", "num_chains", num_chains)
        self.chain_depth = check_positive_int("AugMix", "chain_depth", chain_depth)
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
        self.max_number = check_positive_int("MaxNumBoundingBoxes", "max_number", max_number)
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
