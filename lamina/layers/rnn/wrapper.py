"""Wrapper: the base of layers that hold one inner layer and change how it is applied."""

from lamina.layers.layer import Layer
from lamina.saving import serialization


def check_layer_argument(owner, name, value):
    """Raise a ValueError unless `value` is a Layer instance (used by the wrappers' `__init__`)."""
    if isinstance(value, Layer):
        return value
    hint = " Pass an instance, e.g. `Dense(4)` rather than `Dense`." \
        if isinstance(value, type) and issubclass(value, Layer) else ""
    raise ValueError(f"{owner}: `{name}` must be a lamina Layer instance. Received: "
                     f"{name}={value!r} (of type {type(value).__name__}).{hint}")


def prefix_weight_paths(owner, layer):
    """Put `owner`'s name in front of the paths of `layer`'s weights, as Keras names weights
    created while the wrapper builds its inner layer (`time_distributed/dense/kernel`)."""
    for variable in layer.weights:
        if not variable.path.startswith(f"{owner.name}/"):
            variable.path = f"{owner.name}/{variable.path}"


class Wrapper(Layer):
    """Base class of layers that wrap one layer (`TimeDistributed`, ...).

    The wrapper's weights are the inner layer's. Subclasses say how the inner layer is applied
    in `call`; this base builds it and (de)serializes it.

    Args:
        layer: The Layer instance to wrap.

    >>> class Twice(Wrapper):
    ...     def call(self, inputs):
    ...         return self.layer(self.layer(inputs))
    >>> tuple(Twice(lamina.layers.Dense(3))(lamina.ops.ones((2, 3))).shape)
    (2, 3)
    """

    def __init__(self, layer, **kwargs):
        check_layer_argument(type(self).__name__, "layer", layer)
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
            prefix_weight_paths(self, self.layer)

    def get_config(self):
        return {**super().get_config(),
                "layer": serialization.serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from lamina.layers import deserialize  # the layer table imports this module
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
