"""Activation layers."""

from lamina import activations
from lamina.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: Activation name (`"relu"`, `"sigmoid"`, ...) or callable.

    >>> lamina.layers.Activation("relu")(lamina.ops.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        if activation is None:
            raise ValueError("Activation: `activation` must be a name or a callable, not None. "
                             "Use 'linear' for the identity.")
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
