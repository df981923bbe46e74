"""Regularizers (`lamina.regularizers`): weight penalties added to the loss, by object or name."""

import inspect

from lamina.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer
from lamina.saving import serialization

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (Regularizer, L1, L2, L1L2,
                                                  OrthogonalRegularizer)}
ALL_OBJECTS_DICT.update({"regularizer": Regularizer, "l1": L1, "l2": L2, "l1l2": L1L2,
                         "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer})

# Keras 3 exports the snake_case names as the classes themselves.
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer):
    """The config dict of a regularizer.

    Args:
        regularizer: A `Regularizer` (or any object with `get_config`).

    Returns:
        A dict with `"module"`, `"class_name"`, `"config"` and `"registered_name"`.

    >>> lamina.regularizers.serialize(lamina.regularizers.L2(0.5))["config"]
    {'l2': 0.5}
    """
    return serialization.serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer described by `config` (a dict from `serialize`, or a name).

    Args:
        config: A config dict, or a name such as `"l2"`.
        custom_objects: Optional dict mapping names to custom regularizer classes.

    Returns:
        A regularizer instance.

    >>> lamina.regularizers.deserialize({"class_name": "L1", "config": {"l1": 0.5}}).l1
    0.5
    """
    obj = serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT,
        family="regularizer")
    return obj() if inspect.isclass(obj) else obj


def get(identifier):
    """The regularizer for `identifier`: None, a name, a config dict, a class or a callable.

    Args:
        identifier: `None` (returned as is), a name such as `"l2"` (default factors), a dict
            from `serialize`, a class (instantiated with its defaults) or a callable
            `weights -> scalar` (returned as is).

    Returns:
        A callable regularizer, or `None`.

    >>> lamina.regularizers.get("l2").l2
    0.01
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"regularizers.get: could not interpret regularizer identifier "
                     f"{identifier!r}. Pass a name such as 'l2' (known names: "
                     f"{sorted(ALL_OBJECTS_DICT)}), a config dict, a Regularizer or a callable.")


__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get",
           "l1", "l1_l2", "l2", "orthogonal_regularizer", "serialize"]
