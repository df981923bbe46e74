"""Metrics: the `Metric` base, reduction, accuracy, regression and confusion-matrix metrics.

`get`, `serialize` and `deserialize` resolve names like Keras 3: a class name or its snake_case
form ("AUC", "auc", "MeanSquaredError", "mean_squared_error") and the short aliases "mse"/"MSE",
"mae"/"MAE" name metric classes; `get` returns an instance.
"""

import inspect

from lamina.losses.focal_losses import binary_focal_crossentropy, categorical_focal_crossentropy
from lamina.losses.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from lamina.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from lamina.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from lamina.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from lamina.metrics.f_score_metrics import F1Score, FBetaScore
from lamina.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from lamina.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from lamina.metrics.metric import Metric
from lamina.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from lamina.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from lamina.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
    mean_absolute_error,
    mean_squared_error,
)
from lamina.saving import serialization
from lamina.utils.naming import to_snake_case

_CLASSES = (Metric, Mean, Sum, MeanMetricWrapper,
            MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
            AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
            Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            KLDivergence, Poisson, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            CosineSimilarity, LogCoshError, Hinge, SquaredHinge, CategoricalHinge,
            PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
            SpecificityAtSensitivity, F1Score, FBetaScore, IoU, BinaryIoU, MeanIoU, OneHotIoU,
            OneHotMeanIoU, PearsonCorrelation, ConcordanceCorrelation, R2Score)
_FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
              mean_squared_error, mean_absolute_error,
              binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
              kl_divergence, poisson, hinge, squared_hinge, categorical_hinge, huber, log_cosh,
              mean_absolute_percentage_error, mean_squared_logarithmic_error,
              pearson_correlation, concordance_correlation,
              binary_focal_crossentropy, categorical_focal_crossentropy)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"mse": MeanSquaredError, "MSE": MeanSquaredError,
                         "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                         "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
                         "mape": MeanAbsolutePercentageError,
                         "MAPE": MeanAbsolutePercentageError,
                         "msle": MeanSquaredLogarithmicError,
                         "MSLE": MeanSquaredLogarithmicError})
# Serialized metric functions ({"class_name": "function", ...}) resolve through their own table,
# so that a name alone ("mean_squared_error") still means the class, as in Keras 3.
_FUNCTIONS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}


def serialize(metric):
    """Config dict of a `Metric` instance or metric function.

    Args:
        metric: A `Metric` or a function such as `binary_accuracy`.

    Returns:
        `{"module", "class_name", "config", "registered_name"}`.

    >>> serialize(Mean(name="m"))["config"]
    {'name': 'm', 'dtype': 'float32'}
    """
    if not isinstance(metric, Metric) and not callable(metric):
        raise TypeError(f"metrics.serialize: expected a Metric instance or a metric function. "
                        f"Received: {metric!r}")
    return serialization.serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """A metric (instance, class or function) from a config dict or name.

    Args:
        config: A dict from `serialize`, or a name ("auc", "MeanSquaredError", "mse", ...).
        custom_objects: Optional dict of names to custom metric classes or functions.

    Returns:
        A `Metric` instance for a class config, the class or function for a name.

    >>> type(deserialize({"class_name": "AUC", "config": {"num_thresholds": 10}})).__name__
    'AUC'
    """
    table = ALL_OBJECTS_DICT
    if isinstance(config, dict) and config.get("class_name") == "function":
        table = _FUNCTIONS_DICT
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects,
                                                  module_objects=table, family="metric")


def get(identifier):
    """A metric from an identifier: None, a name, a config dict, a class, instance or function.

    Names and classes give a new instance with default arguments; instances and functions are
    returned as they are.

    Args:
        identifier: What to resolve.

    Returns:
        A `Metric` instance or a metric function, or None for None.

    >>> type(get("mse")).__name__
    'MeanSquaredError'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Known names: "
                             f"{sorted(ALL_OBJECTS_DICT)}. (In compile(), 'accuracy' and 'acc' "
                             "are resolved from the loss and output shapes.)")
    else:
        obj = identifier
    if inspect.isclass(obj):
        if not issubclass(obj, Metric):
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}. A class "
                             "must subclass lamina.metrics.Metric.")
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Expected a metric "
                     "name, a config dict, a Metric class or instance, or a function.")


__all__ = ["AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "BinaryIoU",
           "CategoricalAccuracy", "CategoricalCrossentropy", "CategoricalHinge",
           "ConcordanceCorrelation", "CosineSimilarity", "F1Score", "FBetaScore", "FalseNegatives",
           "FalsePositives", "Hinge", "IoU", "KLDivergence", "LogCoshError", "Mean",
           "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanIoU", "MeanMetricWrapper",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "OneHotIoU",
           "OneHotMeanIoU", "PearsonCorrelation", "Poisson", "Precision", "PrecisionAtRecall",
           "R2Score", "Recall", "RecallAtPrecision", "RootMeanSquaredError",
           "SensitivityAtSpecificity", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
           "SparseTopKCategoricalAccuracy", "SpecificityAtSensitivity", "SquaredHinge", "Sum",
           "TopKCategoricalAccuracy", "TrueNegatives", "TruePositives", "binary_accuracy",
           "binary_crossentropy", "binary_focal_crossentropy", "categorical_accuracy",
           "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
           "concordance_correlation", "deserialize", "get", "hinge", "huber", "kl_divergence",
           "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_error", "mean_squared_logarithmic_error", "pearson_correlation", "poisson",
           "serialize", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
           "sparse_top_k_categorical_accuracy", "squared_hinge", "top_k_categorical_accuracy"]
