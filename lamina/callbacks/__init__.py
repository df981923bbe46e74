"""Callbacks: hooks into `fit`, `evaluate` and `predict`, and the family's `get`/`serialize`."""

from lamina.callbacks.backup_and_restore import BackupAndRestore
from lamina.callbacks.callback import Callback
from lamina.callbacks.callback_list import CallbackList
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.lambda_callback import LambdaCallback
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.model_checkpoint import ModelCheckpoint
from lamina.callbacks.progbar_logger import ProgbarLogger
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.remote_monitor import RemoteMonitor
from lamina.callbacks.swap_ema_weights import SwapEMAWeights
from lamina.callbacks.tensorboard import TensorBoard
from lamina.callbacks.terminate_on_nan import TerminateOnNaN
from lamina.saving.serialization import (
    CustomObjectScope,
    deserialize_keras_object,
    serialize_keras_object,
)

# LambdaCallback holds Python functions, so it is not rebuilt from a config.
_CALLBACKS = {cls.__name__: cls for cls in (
    BackupAndRestore, Callback, CallbackList, CSVLogger, EarlyStopping, History,
    LearningRateScheduler, ModelCheckpoint, ProgbarLogger, ReduceLROnPlateau, RemoteMonitor,
    SwapEMAWeights, TensorBoard, TerminateOnNaN)}


def serialize(callback):
    """Config dict of a callback: `{"module", "class_name", "config", "registered_name"}`.

    >>> serialize(History())["class_name"]
    'History'
    """
    if not isinstance(callback, Callback):
        raise TypeError(f"callbacks.serialize: expected a lamina.callbacks.Callback instance. "
                        f"Received: {callback!r} of type {type(callback).__name__}")
    return serialize_keras_object(callback)


def deserialize(config, custom_objects=None):
    """Rebuild a callback from `serialize()`'s dict (or a class name, with no arguments).

    Args:
        config: Dict from `serialize`, or a callback class name such as `"History"`.
        custom_objects: Dict mapping names to custom callback classes.

    Returns:
        A `Callback` instance.

    >>> type(deserialize({"class_name": "History", "config": {}})).__name__
    'History'
    """
    # The scope lets a CallbackList's config name custom callbacks too.
    with CustomObjectScope(custom_objects):
        obj = deserialize_keras_object(config, custom_objects=custom_objects,
                                       module_objects=_CALLBACKS, family="callback")
    if isinstance(obj, type) and issubclass(obj, Callback):
        obj = obj()
    if not isinstance(obj, Callback):
        raise TypeError(f"callbacks.deserialize: {config!r} does not describe a Callback; it "
                        f"resolved to {obj!r}.")
    return obj


def get(identifier):
    """A callback from an instance, a class name (built with no arguments) or a config dict.

    Args:
        identifier: A `Callback`, a name such as `"History"`, a `serialize()` dict, or `None`.

    Returns:
        A `Callback` instance, or `None` for `None`.

    >>> type(get("ProgbarLogger")).__name__
    'ProgbarLogger'
    """
    if identifier is None or isinstance(identifier, Callback):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    raise TypeError(f"callbacks.get: could not interpret identifier {identifier!r} of type "
                    f"{type(identifier).__name__}. Pass a Callback instance, one of "
                    f"{sorted(_CALLBACKS)}, or a config dict from callbacks.serialize().")


__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
           "ReduceLROnPlateau", "RemoteMonitor", "SwapEMAWeights", "TensorBoard", "TerminateOnNaN",
           "deserialize", "get", "serialize"]
