"""Losses: `Loss` classes, their functional forms, and `get`/`serialize`/`deserialize`."""

import inspect

from lamina.losses.ctc_losses import CTC, ctc
from lamina.losses.focal_losses import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
)
from lamina.losses.loss import Loss
from lamina.losses.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from lamina.losses.segmentation_losses import Dice, Tversky, dice, tversky
from lamina.losses.similarity_losses import Circle, circle
from lamina.saving.serialization import (
    deserialize_keras_object,
    get_registered_object,
    register_builtins,
    serialize_keras_object,
)

_ALL_OBJECTS = (
    Loss, LossFunctionWrapper,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge,
    kl_divergence, poisson, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber,
    hinge, squared_hinge, categorical_hinge,
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy,
    Dice, Tversky, Circle, CTC,
    binary_focal_crossentropy, categorical_focal_crossentropy,
    categorical_generalized_cross_entropy, dice, tversky, circle, ctc,
)
# Names `get` and `deserialize` resolve: class and function names, Keras 3's short aliases, and
# two Keras 2 names ("logcosh", "kullback_leibler_divergence") that old programs still pass.
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _ALL_OBJECTS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "logcosh": log_cosh, "kullback_leibler_divergence": kl_divergence,
})
register_builtins("losses", ALL_OBJECTS_DICT)


def serialize(loss):
    """Config dict of a `Loss` instance, or the name record of a loss function.

    Args:
        loss: A `Loss` instance or a loss function.

    Returns:
        A dict with "module", "class_name", "config" and "registered_name".

    >>> lamina.losses.serialize(lamina.losses.Huber(delta=2.0))["config"]["delta"]
    2.0
    """
    if not (isinstance(loss, Loss) or callable(loss)):
        raise TypeError(f"losses.serialize: expected a Loss instance or a loss function. "
                        f"Received: {loss!r} of type {type(loss).__name__}.")
    return serialize_keras_object(loss)


def deserialize(config, custom_objects=None):
    """Rebuild a loss from `serialize`'s dict, or look a loss up by name.

    Names resolve only through `custom_objects`, registered custom objects and this package's
    table; nothing in the config is imported or run.

    Args:
        config: A dict from `serialize`, or a loss name.
        custom_objects: Optional dict of names to custom loss classes or functions.

    Returns:
        A `Loss` instance, or a loss function.

    >>> lamina.losses.deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).delta
    2.0
    """
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=ALL_OBJECTS_DICT, family="loss")


def get(identifier):
    """Retrieve a loss from a name, config dict, `Loss` instance or callable.

    A function name or alias ("mse", "categorical_crossentropy") gives the function; a class
    name ("MeanSquaredError") or a config dict gives a `Loss` instance; a `Loss` class is
    instantiated with its defaults; other callables come back unchanged.

    Args:
        identifier: A string, dict, `Loss` instance or class, callable, or None.

    Returns:
        A loss function or `Loss` instance (None for None).

    >>> lamina.losses.get("mse") is lamina.losses.mean_squared_error
    True
    >>> type(lamina.losses.get("MeanSquaredError")).__name__
    'MeanSquaredError'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier) or get_registered_object(identifier)
        if obj is None:
            raise ValueError(f"Unknown loss: {identifier!r}. Known names: "
                             f"{sorted(ALL_OBJECTS_DICT)}. For a custom loss pass the function "
                             "or Loss instance itself, or register it with "
                             "@lamina.saving.register_keras_serializable().")
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if not callable(obj):
        raise ValueError(
            f"Could not interpret loss identifier: {identifier!r}. Expected a loss name such "
            "as 'mse', a config dict, a Loss instance or a function fn(y_true, y_pred).")
    return obj


__all__ = [
    "CTC", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy", "CategoricalHinge",
    "Circle", "CosineSimilarity", "Dice", "Hinge", "Huber", "KLDivergence", "LogCosh", "Loss",
    "LossFunctionWrapper", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge",
    "Tversky", "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_generalized_cross_entropy", "categorical_hinge",
    "circle", "cosine_similarity", "ctc", "deserialize", "dice", "get", "hinge", "huber",
    "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_error", "mean_squared_logarithmic_error", "poisson", "serialize",
    "sparse_categorical_crossentropy", "squared_hinge", "tversky"
]
