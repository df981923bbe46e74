"""Activation functions (`lamina.activations`), and lookup by name: `get("relu")`."""

import types

from lamina.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)
from lamina.saving import serialization

_FUNCTIONS = (celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_tanh,
              leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid,
              silu, soft_shrink, softmax, softplus, softsign, sparse_plus, sparse_sigmoid,
              sparsemax, squareplus, tanh, tanh_shrink, threshold)

ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT.update({"swish": silu, "hard_swish": hard_silu})


def serialize(activation):
    """Name of a built-in activation, or the config dict of a custom one.

    Args:
        activation: A lamina activation function, or a custom callable (a registered function
            or an object with `get_config`).

    Returns:
        A string for built-ins (aliases give the main name), else a config dict.

    >>> lamina.activations.serialize(lamina.activations.swish)
    'silu'
    """
    if isinstance(activation, types.FunctionType) and (
            ALL_OBJECTS_DICT.get(activation.__name__) is activation):
        return activation.__name__
    if not callable(activation):
        raise TypeError(f"activations.serialize: expected a callable activation. Received: "
                        f"{activation!r} of type {type(activation).__name__}.")
    try:
        return serialization.serialize_keras_object(activation)
    except TypeError as error:
        raise ValueError(f"activations.serialize: cannot serialize {activation!r}. Use a "
                         "function, or a callable class with get_config() registered with "
                         "@lamina.saving.register_keras_serializable().") from error


def deserialize(config, custom_objects=None):
    """The activation function named by `config` (a name or a config dict).

    Args:
        config: A name such as `"relu"`, or a dict from `serialize`.
        custom_objects: Optional dict mapping names to custom activations.

    Returns:
        The activation callable.

    >>> lamina.activations.deserialize("relu") is lamina.activations.relu
    True
    """
    return serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT,
        family="activation")


def get(identifier):
    """The activation for `identifier`: None (linear), a name, a config dict or a callable.

    Args:
        identifier: `None`, a string name, a dict from `serialize`, or a callable (returned as
            is).

    Returns:
        A callable activation.

    >>> lamina.activations.get(None) is lamina.activations.linear
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(f"activations.get: could not interpret activation identifier {identifier!r}."
                     " Pass None, a name such as 'relu' (known names: "
                     f"{sorted(ALL_OBJECTS_DICT)}), a config dict or a callable.")


__all__ = ["celu", "deserialize", "elu", "exponential", "gelu", "get", "glu", "hard_shrink",
           "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear",
           "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "serialize", "sigmoid",
           "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus",
           "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
           "threshold"]
