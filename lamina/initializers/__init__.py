"""Initializers (`lamina.initializers`): callables `(shape, dtype=None) -> tensor` for weights."""

import inspect

import numpy as np

from lamina import backend, ops
from lamina.initializers.constant_initializers import STFT, Constant, Identity, Ones, Zeros
from lamina.initializers.initializer import Initializer, standardize_shape
from lamina.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)
from lamina.saving import serialization
from lamina.utils.naming import to_snake_case

_CLASSES = (Initializer, Constant, Identity, Ones, STFT, Zeros, GlorotNormal, GlorotUniform,
            HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal,
            RandomUniform, TruncatedNormal, VarianceScaling)




ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"stft": STFT, "normal": RandomNormal, "uniform": RandomUniform,
                         "zero": Zeros, "one": Ones, "IdentityInitializer": Identity,
                         "OrthogonalInitializer": Orthogonal, "STFTInitializer": STFT})

# Keras 3 also exports the snake_case names as callables (they are the classes).
constant, identity, ones, zeros, stft = Constant, Identity, Ones, Zeros, STFT
glorot_normal, glorot_uniform = GlorotNormal, GlorotUniform
he_normal, he_uniform = HeNormal, HeUniform
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling
IdentityInitializer, OrthogonalInitializer, STFTInitializer = Identity, Orthogonal, STFT


def serialize(initializer):
    """The config dict of an initializer.

    Args:
        initializer: An `Initializer` (or any object with `get_config`).

    Returns:
        A dict with `"module"`, `"class_name"`, `"config"` and `"registered_name"`.

    >>> lamina.initializers.serialize(lamina.initializers.Constant(2.0))["config"]
    {'value': 2.0}
    """
    return serialization.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer described by `config` (a dict from `serialize`).

    Args:
        config: A config dict, or a class name.
        custom_objects: Optional dict mapping names to custom initializer classes.

    Returns:
        An initializer instance.

    >>> lamina.initializers.deserialize({"class_name": "Ones", "config": {}})((1,)).tolist()
    [1.0]
    """
    obj = serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT,
        family="initializer")
    return obj() if inspect.isclass(obj) else obj


def get(identifier):
    """The initializer for `identifier`: None, a name, a config dict, a class, a callable or an
    array of initial values.

    Args:
        identifier: `None` (returned as is), a name such as `"glorot_uniform"` (snake_case or
            CamelCase), a dict from `serialize`, an initializer class (instantiated with its
            defaults), a callable `(shape, dtype=None)`, or a tensor/NumPy array whose values
            become the initial values.

    Returns:
        A callable initializer, or `None`.

    >>> lamina.initializers.get("ones")((2,)).tolist()
    [1.0, 1.0]
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    elif backend.is_tensor(identifier) or isinstance(identifier, (np.ndarray, np.generic)):
        obj = _from_values(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"initializers.get: could not interpret initializer identifier "
                     f"{identifier!r}. Pass a name such as 'glorot_uniform' (known names: "
                     f"{sorted(ALL_OBJECTS_DICT)}), a config dict, an Initializer, a callable "
                     "(shape, dtype=None) or an array of initial values.")


def _from_values(values):
    """An initializer that returns `values` (cast to the requested dtype)."""
    expected = tuple(values.shape)

    def initialize_fn(shape, dtype=None):
        shape = standardize_shape("initializers.get", shape)
        if shape != expected:
            raise ValueError(f"initializers.get: the array given as initializer has shape "
                             f"{expected}, but the weight has shape {shape}. Pass an array of "
                             "the weight's shape.")
        return ops.cast(values, backend.standardize_dtype(dtype))

    return initialize_fn


__all__ = [
    "STFT",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]
