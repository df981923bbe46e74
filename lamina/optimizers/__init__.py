"""Optimizers (Keras 3's `keras.optimizers`) and `get`/`serialize`/`deserialize` for them."""

from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adafactor import Adafactor
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lamb import Lamb
from lamina.optimizers.lion import Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from lamina.optimizers.muon import Muon
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from lamina.optimizers.sgd import SGD
from lamina.saving import serialization

# Built-in names resolve case-insensitively, as in Keras: "adam", "Adam" and "ADAM" all work.
ALL_OPTIMIZERS = {cls.__name__.lower(): cls for cls in (
    Optimizer, SGD, Adam, AdamW, RMSprop, Adamax, Nadam, Adagrad, Adadelta, Lion, Ftrl, Lamb,
    Adafactor, LossScaleOptimizer, ScheduleFreeAdamW, Muon, MultiOptimizer)}


def serialize(optimizer):
    """Config dict of an optimizer: `{"module", "class_name", "config", "registered_name"}`.

    Args:
        optimizer: An `Optimizer` instance.

    Returns:
        A JSON-compatible dict that `deserialize` turns back into an equal (unbuilt) optimizer.

    >>> serialize(SGD(learning_rate=0.5))["config"]["learning_rate"]
    0.5
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizers.serialize: expected an Optimizer instance. Received: "
                        f"{optimizer!r} of type {type(optimizer).__name__}.")
    return serialization.serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """Create an optimizer from `serialize`'s dict.

    Args:
        config: Dict with "class_name" and "config".
        custom_objects: Optional dict of names to custom optimizer or schedule classes.

    Returns:
        An `Optimizer` instance.

    >>> deserialize({"class_name": "Adam", "config": {"learning_rate": 0.01}}).beta_1
    0.9
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError("optimizers.deserialize: expected a dict with 'class_name' and 'config'. "
                        f"Received: {config!r}.")
    config = dict(config)
    class_name = str(config["class_name"])
    # A custom class registered under its own name keeps it; built-in names ignore case.
    if class_name.lower() in ALL_OPTIMIZERS and config.get("registered_name") in (None, class_name):
        config["class_name"] = config["registered_name"] = class_name.lower()
    with serialization.CustomObjectScope(custom_objects):
        return serialization.deserialize_keras_object(
            config, custom_objects=custom_objects, module_objects=ALL_OPTIMIZERS,
            family="optimizer")


def get(identifier):
    """An optimizer from a name ("sgd", "Adam", ...), a config dict, or an instance.

    Args:
        identifier: Name string, config dict, `Optimizer` instance, or None.

    Returns:
        An `Optimizer` (a new one with default arguments for a name), or None for None.

    >>> get("rmsprop").rho
    0.9
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        optimizer = deserialize(identifier)
    elif isinstance(identifier, str):
        optimizer = deserialize({"class_name": identifier, "config": {}})
    else:
        optimizer = identifier
    if not isinstance(optimizer, Optimizer):
        # ValueError, as in Keras, so code written against Keras catches it.
        raise ValueError(
            f"Could not interpret optimizer identifier: {identifier!r}. Expected an "
            "Optimizer instance, a config dict or one of the names "
            f"{sorted(ALL_OPTIMIZERS)}.")
    return optimizer


__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
