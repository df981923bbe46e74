"""Regularization layers: Dropout."""

from lamina import random
from lamina.layers.layer import Layer
from lamina.random.seed_generator import SeedGenerator


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 during training, scaling the rest by 1/(1 - rate).

    Args:
        rate: Float in [0, 1), the fraction of inputs to drop.
        noise_shape: Shape of the binary mask, broadcast over the input (None axes take the
            input's size), e.g. `(batch, 1, features)` to drop the same features at all steps.
        seed: Int seed for the layer's own random stream.

    In inference (`training=False`, the default outside fit) it returns its input unchanged.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: `rate` must be a float in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                              seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
