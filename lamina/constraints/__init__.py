"""Constraints (`lamina.constraints`): projections applied to weights after each update."""

import inspect

from lamina.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from lamina.saving import serialization

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (Constraint, MaxNorm, MinMaxNorm, NonNeg,
                                                  UnitNorm)}
ALL_OBJECTS_DICT.update({"constraint": Constraint, "max_norm": MaxNorm,
                         "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm})

# Keras 3 exports the snake_case names as the classes themselves.
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def serialize(constraint):
    """The config dict of a constraint.

    Args:
        constraint: A `Constraint` (or any object with `get_config`).

    Returns:
        A dict with `"module"`, `"class_name"`, `"config"` and `"registered_name"`.

    >>> lamina.constraints.serialize(lamina.constraints.MaxNorm(3))["config"]
    {'max_value': 3, 'axis': 0}
    """
    return serialization.serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint described by `config` (a dict from `serialize`, or a name).

    Args:
        config: A config dict, or a name such as `"non_neg"`.
        custom_objects: Optional dict mapping names to custom constraint classes.

    Returns:
        A constraint instance.

    >>> lamina.constraints.deserialize({"class_name": "UnitNorm", "config": {"axis": 1}}).axis
    1
    """
    obj = serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT,
        family="constraint")
    return obj() if inspect.isclass(obj) else obj


def get(identifier):
    """The constraint for `identifier`: None, a name, a config dict, a class or a callable.

    Args:
        identifier: `None` (returned as is), a name such as `"max_norm"` (default arguments), a
            dict from `serialize`, a class (instantiated with its defaults) or a callable
            `weights -> weights` (returned as is).

    Returns:
        A callable constraint, or `None`.

    >>> lamina.constraints.get("non_neg")
    NonNeg()
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"constraints.get: could not interpret constraint identifier "
                     f"{identifier!r}. Pass a name such as 'max_norm' (known names: "
                     f"{sorted(ALL_OBJECTS_DICT)}), a config dict, a Constraint or a callable.")


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "deserialize", "get",
           "max_norm", "min_max_norm", "non_neg", "serialize", "unit_norm"]
