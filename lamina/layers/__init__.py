"""Layers: the Layer base and one module per family."""

from lamina.layers.activations import Activation
from lamina.layers.core import Dense, Identity
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.regularization import Dropout
from lamina.layers.reshaping import Flatten, Reshape
from lamina.saving import serialization

serialization.register_builtins("layers", {cls.__name__: cls for cls in (
    Activation, Dense, Dropout, Flatten, Identity, InputLayer, Layer, Reshape)})


def serialize(layer):
    """Config dict of a layer (Keras 3 layout)."""
    return serialization.serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer rebuilt from its config; names resolve only through lamina's layer table,
    registered classes and `custom_objects`."""
    return serialization.deserialize_keras_object(
        config, custom_objects=custom_objects,
        module_objects=serialization.builtins("layers"), family="layer")


def get(identifier, custom_objects=None):
    if isinstance(identifier, Layer):
        return identifier
    return deserialize(identifier, custom_objects=custom_objects)


__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Identity", "Input", "InputLayer",
           "InputSpec", "Layer", "Reshape", "deserialize", "get", "serialize"]
