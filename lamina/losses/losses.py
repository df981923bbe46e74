"""Keras 3's standard losses: one function per loss and a `Loss` class wrapping each.

A function maps `(y_true, y_pred)` to one value per sample (the last axis reduced); its class
adds sample weighting and reduction (see `lamina.losses.loss`). Every function first matches
ranks with `squeeze_or_expand_to_same_rank`, so `(batch,)` labels work with `(batch, 1)`
predictions.
"""

import math
import numbers
import warnings

import numpy as np

from lamina import backend, ops
from lamina.losses.loss import Loss, broadcastable, squeeze_or_expand_to_same_rank
from lamina.saving.serialization import serialize_keras_object
from lamina.utils import tree


class LossFunctionWrapper(Loss):
    """A `Loss` computed by a function `fn(y_true, y_pred, **kwargs)` of per-sample values.

    This is how a plain function given to `compile(loss=...)` gains weighting and reduction.

    Args:
        fn: Callable `fn(y_true, y_pred, **kwargs)` returning per-sample loss values.
        reduction: How per-sample losses are combined; see `Loss`.
        name: Name of the loss. Defaults to "loss_function_wrapper", made unique.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.
        **kwargs: Extra keyword arguments passed to `fn` on every call.

    Returns:
        A `Loss`; calling it gives the reduced loss.

    >>> loss = LossFunctionWrapper(lamina.losses.huber, delta=0.5)
    >>> round(float(loss([[0.0, 0.0]], [[0.2, 2.0]])), 4)
    0.4475
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}: `fn` must be a callable "
                            "fn(y_true, y_pred, **kwargs). "
                            f"Received: fn={fn!r} of type {type(fn).__name__}.")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if tree.is_nested(y_true) or tree.is_nested(y_pred):
            pairs = [squeeze_or_expand_to_same_rank(t, p)
                     for t, p in zip(tree.flatten(y_true), tree.flatten(y_pred))]
            y_true = tree.pack_sequence_as(y_true, [t for t, _ in pairs])
            y_pred = tree.pack_sequence_as(y_pred, [p for _, p in pairs])
        else:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), "fn": serialize_keras_object(self.fn),
                **serialize_keras_object(self._fn_kwargs)}

    @classmethod
    def from_config(cls, config):
        from lamina.losses import deserialize  # the name table lives in the package

        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__}({self.fn!r}, kwargs={self._fn_kwargs})>"


class _FunctionLoss(LossFunctionWrapper):
    """A standard loss: its function's keyword arguments are its own constructor arguments."""

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    __repr__ = Loss.__repr__

    def get_config(self):
        return {**Loss.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# --- regression -----------------------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """Mean of squared errors over the last axis: `mean(square(y_true - y_pred), axis=-1)`.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).tolist()
    [0.5]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of absolute errors over the last axis: `mean(abs(y_true - y_pred), axis=-1)`.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.mean_absolute_error([[0.0, 1.0]], [[1.0, 3.0]]).tolist()
    [1.5]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]]).tolist()
    [25.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    scale = ops.maximum(ops.abs(y_true), backend.epsilon())
    return ops.multiply(100.0, ops.mean(ops.abs(ops.divide(y_true - y_pred, scale)), axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> round(lamina.losses.mean_squared_logarithmic_error([[0.0]], [[1.0]]).tolist()[0], 4)
    0.4805
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = backend.epsilon()
    log_pred = ops.log(ops.maximum(y_pred, eps) + 1.0)
    log_true = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(log_pred - log_true), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis`: `-sum(l2_normalize(y_true) * l2_normalize(y_pred))`.

    Values lie in [-1, 1]; -1 means the vectors point the same way. A zero vector gives 0.

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis along which the similarity is computed. Defaults to -1.

    Returns:
        Per-sample losses, `axis` reduced.

    >>> lamina.losses.cosine_similarity([[0.0, 2.0]], [[0.0, 3.0]]).tolist()
    [-1.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "cosine_similarity")
    axis = _check_axis(axis, len(y_pred.shape), "cosine_similarity")
    return ops.negative(ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis),
                                axis=axis))


def huber(y_true, y_pred, delta=1.0):
    """Huber loss: `0.5 * e**2` where `|e| <= delta`, else `delta * |e| - 0.5 * delta**2`.

    `e = y_pred - y_true`; the result is averaged over the last axis.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.
        delta: Positive float, where the loss turns from quadratic to linear. Defaults to 1.0.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.huber([[0.0, 0.0]], [[0.5, 3.0]]).tolist()
    [1.3125]
    """
    _check_positive(delta, "delta", "huber")
    y_true, y_pred = _prepare(y_true, y_pred, "huber")
    error = ops.subtract(y_pred, y_true)
    abs_error = ops.abs(error)
    quadratic = ops.multiply(0.5, ops.square(error))
    linear = ops.subtract(ops.multiply(delta, abs_error), 0.5 * delta * delta)
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """Mean over the last axis of `log(cosh(y_pred - y_true))`.

    Computed as `x + softplus(-2x) - log(2)`, which stays finite for large errors.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> round(lamina.losses.log_cosh([[0.0]], [[1.0]]).tolist()[0], 4)
    0.4338
    """
    y_true, y_pred = _prepare(y_true, y_pred, "log_cosh")
    error = ops.subtract(y_pred, y_true)
    return ops.mean(error + ops.softplus(ops.multiply(-2.0, error)) - math.log(2.0), axis=-1)


# --- probabilistic --------------------------------------------------------------------------


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred), axis=-1)`.

    Both inputs are clipped to `[epsilon, 1]` first.

    Args:
        y_true: Target distributions, shape `(batch, ..., classes)`.
        y_pred: Predicted distributions, same shape.

    Returns:
        Per-sample losses, the last axis reduced.

    >>> round(lamina.losses.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]).tolist()[0], 4)
    0.1438
    """
    y_true, y_pred = _prepare(y_true, y_pred, "kl_divergence")
    y_true = ops.clip(y_true, backend.epsilon(), 1.0)
    y_pred = ops.clip(y_pred, backend.epsilon(), 1.0)
    return ops.sum(y_true * ops.log(ops.divide(y_true, y_pred)), axis=-1)


def poisson(y_true, y_pred):
    """Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`.

    Args:
        y_true: Observed counts, shape `(batch, d0, ..., dN)`.
        y_pred: Predicted rates, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.poisson([[0.0, 0.0]], [[1.0, 3.0]]).tolist()
    [2.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "poisson")
    return ops.mean(y_pred - y_true * ops.log(y_pred + backend.epsilon()), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over `axis`.

    Label smoothing moves targets towards 0.5: `y_true * (1 - label_smoothing) +
    0.5 * label_smoothing`. Probabilities are clipped to `[1e-7, 1 - 1e-7]`.

    Args:
        y_true: Targets in [0, 1], shape `(batch, d0, ..., dN)`.
        y_pred: Probabilities (or logits when `from_logits`), same shape.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]. Defaults to 0.
        axis: Axis to average over. Defaults to -1.

    Returns:
        Per-sample losses, `axis` reduced.

    >>> round(lamina.losses.binary_crossentropy([[1.0, 0.0]], [[0.5, 0.5]]).tolist()[0], 4)
    0.6931
    """
    name = "binary_crossentropy"
    _check_bool(from_logits, "from_logits", name)
    _check_label_smoothing(label_smoothing, name)
    y_true, y_pred = _prepare(y_true, y_pred, name, same_shape=True)
    axis = _check_axis(axis, len(y_pred.shape), name)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) targets and predicted class scores.

    Label smoothing mixes targets with the uniform distribution: `y_true * (1 -
    label_smoothing) + label_smoothing / num_classes`. Probabilities are renormalized to sum to
    1 along `axis` and clipped to `[1e-7, 1 - 1e-7]`.

    Args:
        y_true: One-hot targets, shape `(batch, ..., num_classes)`.
        y_pred: Probabilities (or logits when `from_logits`), same shape.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]. Defaults to 0.
        axis: The class axis. Defaults to -1.

    Returns:
        Per-sample losses, `axis` reduced.

    >>> round(lamina.losses.categorical_crossentropy([[0, 1, 0]], [[0.2, 0.5, 0.3]])
    ...       .tolist()[0], 4)
    0.6931
    """
    name = "categorical_crossentropy"
    _check_bool(from_logits, "from_logits", name)
    _check_label_smoothing(label_smoothing, name)
    y_true, y_pred = _prepare(y_true, y_pred, name, same_shape=True)
    axis = _check_axis(axis, len(y_pred.shape), name)
    if y_pred.shape[axis] == 1:
        warnings.warn(f"{name}: y_pred has a single class along axis {axis} (shape "
                      f"{tuple(y_pred.shape)}), so the loss is always 0. For two classes use "
                      "binary_crossentropy with one probability per sample.", stacklevel=2)
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer class labels and predicted class scores.

    Args:
        y_true: Integer labels, shape `(batch, ...)` or `(batch, ..., 1)`.
        y_pred: Probabilities (or logits when `from_logits`), shape `(batch, ..., num_classes)`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        ignore_class: Optional label whose entries get loss 0 (e.g. padding in segmentation).
            The `SparseCategoricalCrossentropy` class also leaves them out of the average.
        axis: The class axis of `y_pred`. Defaults to -1.

    Returns:
        Per-sample losses, shaped like the squeezed `y_true`.

    >>> round(lamina.losses.sparse_categorical_crossentropy([1], [[0.2, 0.5, 0.3]])
    ...       .tolist()[0], 4)
    0.6931
    """
    return _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis)[0]


def _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis):
    """Sparse cross-entropy and the mask of kept entries (None without `ignore_class`)."""
    name = "sparse_categorical_crossentropy"
    _check_bool(from_logits, "from_logits", name)
    if ignore_class is not None and not _is_int(ignore_class):
        raise TypeError(f"{name}: `ignore_class` must be an int label or None. "
                        f"Received: ignore_class={ignore_class!r}.")
    y_pred = _float_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    rank = len(y_pred.shape)
    if rank < 1:
        raise ValueError(f"{name}: `y_pred` must have a class axis, at least rank 1. "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}.")
    axis = _check_axis(axis, rank, name)
    if len(y_true.shape) == rank and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    expected = tuple(y_pred.shape[:axis]) + tuple(y_pred.shape[axis + 1:])
    if tuple(y_true.shape) != expected:
        raise ValueError(f"{name}: integer labels `y_true` must have the shape of `y_pred` "
                         f"without its class axis {axis}, i.e. {expected} (or with a trailing "
                         f"1). Received: y_true.shape={tuple(y_true.shape)}, "
                         f"y_pred.shape={tuple(y_pred.shape)}. For one-hot labels use "
                         "categorical_crossentropy.")
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                   axis=axis), None
    mask = ops.not_equal(y_true, ops.cast(ignore_class, ops.dtype(y_true)))
    y_true = ops.where(mask, y_true, ops.zeros((), dtype=ops.dtype(y_true)))
    # Ones (not zeros) stand in for ignored predictions: 0/0 in the renormalization would
    # put NaN into values that are masked anyway.
    y_pred = ops.where(ops.expand_dims(mask, axis), y_pred, ops.ones((), dtype=ops.dtype(y_pred)))
    values = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    return ops.where(mask, values, ops.zeros((), dtype=ops.dtype(values))), mask


# --- hinge ----------------------------------------------------------------------------------


def hinge(y_true, y_pred):
    """Hinge loss `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`.

    Labels are expected in {-1, 1}; when every label is 0 or 1 they are mapped to -1 and 1.

    Args:
        y_true: Labels, shape `(batch, d0, ..., dN)`.
        y_pred: Scores, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.hinge([[1.0, 0.0]], [[0.5, 0.5]]).tolist()
    [1.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    y_true = _binary_to_signed_labels(y_true)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Squared hinge loss `mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`.

    Labels are expected in {-1, 1}; when every label is 0 or 1 they are mapped to -1 and 1.

    Args:
        y_true: Labels, shape `(batch, d0, ..., dN)`.
        y_pred: Scores, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    >>> lamina.losses.squared_hinge([[1.0, 0.0]], [[0.5, 0.5]]).tolist()
    [1.25]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "squared_hinge")
    y_true = _binary_to_signed_labels(y_true)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Categorical hinge `maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`.

    Args:
        y_true: One-hot labels, shape `(batch, ..., num_classes)`.
        y_pred: Scores, same shape.

    Returns:
        Per-sample losses, the last axis reduced.

    >>> lamina.losses.categorical_hinge([[0.0, 1.0]], [[0.75, 0.5]]).tolist()
    [1.25]
    """
    y_true, y_pred = _prepare(y_true, y_pred, "categorical_hinge")
    positive = ops.sum(y_true * y_pred, axis=-1)
    negative = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(negative - positive + 1.0, 0.0)


# --- classes --------------------------------------------------------------------------------


class MeanSquaredError(_FunctionLoss):
    """Mean of squared errors between labels and predictions; see `mean_squared_error`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.MeanSquaredError()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]]))
    0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_FunctionLoss):
    """Mean of absolute errors between labels and predictions; see `mean_absolute_error`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 3.0]]))
    1.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_FunctionLoss):
    """Mean absolute percentage error; see `mean_absolute_percentage_error`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 4.0]]))
    25.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_FunctionLoss):
    """Mean squared logarithmic error; see `mean_squared_logarithmic_error`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.MeanSquaredLogarithmicError()([[0.0]], [[1.0]])), 4)
    0.4805
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class CosineSimilarity(_FunctionLoss):
    """Negative cosine similarity between labels and predictions; see `cosine_similarity`.

    Args:
        axis: Axis along which the similarity is computed. Defaults to -1.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.CosineSimilarity()([[0.0, 1.0], [1.0, 0.0]], [[0.0, 2.0], [0.0, 1.0]]))
    -0.5
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        _check_int(axis, "axis", type(self).__name__)
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class Huber(_FunctionLoss):
    """Huber loss, quadratic for small errors and linear for large ones; see `huber`.

    Args:
        delta: Positive float, where the loss turns from quadratic to linear. Defaults to 1.0.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.Huber(delta=1.0)([[0.0, 0.0]], [[0.5, 3.0]]))
    1.3125
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        _check_positive(delta, "delta", type(self).__name__)
        super().__init__(huber, reduction, name, dtype, delta=delta)


class LogCosh(_FunctionLoss):
    """Logarithm of the hyperbolic cosine of the prediction error; see `log_cosh`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.LogCosh()([[0.0]], [[1.0]])), 4)
    0.4338
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class KLDivergence(_FunctionLoss):
    """Kullback-Leibler divergence between label and predicted distributions.

    See `kl_divergence`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 4)
    0.1438
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(_FunctionLoss):
    """Poisson loss between observed counts and predicted rates; see `poisson`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.Poisson()([[0.0, 0.0]], [[1.0, 3.0]]))
    2.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class BinaryCrossentropy(_FunctionLoss):
    """Binary cross-entropy between 0/1 labels and predicted probabilities or logits.

    See `binary_crossentropy`.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; targets move towards 0.5. Defaults to 0.
        axis: Axis to average over. Defaults to -1.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]])), 4)
    0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        owner = type(self).__name__
        _check_bool(from_logits, "from_logits", owner)
        _check_label_smoothing(label_smoothing, owner)
        _check_int(axis, "axis", owner)
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_FunctionLoss):
    """Cross-entropy between one-hot labels and predicted class probabilities or logits.

    See `categorical_crossentropy`.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; targets mix with the uniform distribution.
        axis: The class axis. Defaults to -1.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.CategoricalCrossentropy()([[0, 1, 0]], [[0.2, 0.5, 0.3]])), 4)
    0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        owner = type(self).__name__
        _check_bool(from_logits, "from_logits", owner)
        _check_label_smoothing(label_smoothing, owner)
        _check_int(axis, "axis", owner)
        super().__init__(categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_FunctionLoss):
    """Cross-entropy between integer labels and predicted class probabilities or logits.

    See `sparse_categorical_crossentropy`. Entries labelled `ignore_class` count neither in the
    sum nor in the `"sum_over_batch_size"` average.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        ignore_class: Optional label to leave out of the loss (e.g. padding).
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.
        axis: The class axis of `y_pred`. Defaults to -1.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> loss = lamina.losses.SparseCategoricalCrossentropy(ignore_class=0)
    >>> round(float(loss([1, 0], [[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]])), 4)
    0.6931
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        owner = type(self).__name__
        _check_bool(from_logits, "from_logits", owner)
        if ignore_class is not None and not _is_int(ignore_class):
            raise TypeError(f"{owner}: `ignore_class` must be an int label or None. "
                            f"Received: ignore_class={ignore_class!r}.")
        _check_int(axis, "axis", owner)
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def _call_with_mask(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return _sparse_categorical_crossentropy(y_true, y_pred, self.from_logits,
                                                self.ignore_class, self.axis)


class Hinge(_FunctionLoss):
    """Hinge loss for labels in {-1, 1} (or {0, 1}); see `hinge`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.Hinge()([[1.0, 0.0]], [[0.5, 0.5]]))
    1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(_FunctionLoss):
    """Squared hinge loss for labels in {-1, 1} (or {0, 1}); see `squared_hinge`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.SquaredHinge()([[1.0, 0.0]], [[0.5, 0.5]]))
    1.25
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(_FunctionLoss):
    """Categorical hinge loss for one-hot labels; see `categorical_hinge`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> float(lamina.losses.CategoricalHinge()([[0.0, 1.0]], [[0.75, 0.5]]))
    1.25
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


# --- helpers --------------------------------------------------------------------------------


def _float_tensor(x):
    x = ops.convert_to_tensor(x)
    if not backend.dtypes.is_float(ops.dtype(x)):
        x = ops.cast(x, backend.floatx())
    return x


def _prepare(y_true, y_pred, name, same_shape=False):
    """Float tensors of matching rank; raise a clear error when their shapes cannot pair up."""
    y_pred = _float_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if same_shape and true_shape != pred_shape:
        raise ValueError(f"{name}: `y_true` and `y_pred` must have the same shape. Received: "
                         f"y_true.shape={true_shape}, y_pred.shape={pred_shape}."
                         + (" For integer class labels use sparse_categorical_crossentropy."
                            if name == "categorical_crossentropy" else ""))
    if not same_shape and not broadcastable(true_shape, pred_shape):
        raise ValueError(f"{name}: `y_true` and `y_pred` shapes do not match. Received: "
                         f"y_true.shape={true_shape}, y_pred.shape={pred_shape}. Give both "
                         "the same shape, e.g. (batch, outputs).")
    return y_true, y_pred


def _l2_normalize(x, axis):
    # rsqrt(max(s, eps**2)) equals Keras's min(rsqrt(s), 1 / eps) but keeps the gradient of a
    # zero vector finite instead of NaN.
    eps = backend.epsilon()
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, eps * eps))


def _binary_to_signed_labels(y_true):
    """Map {0, 1} labels to {-1, 1} when every label is 0 or 1; leave others unchanged."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int(value, arg, owner):
    if not _is_int(value):
        raise TypeError(f"{owner}: `{arg}` must be an int. Received: {arg}={value!r} of type "
                        f"{type(value).__name__}.")


def _check_axis(axis, rank, owner):
    _check_int(axis, "axis", owner)
    if not -rank <= axis < rank:
        raise ValueError(f"{owner}: `axis`={axis} is out of range for inputs of rank {rank}. "
                         f"Use an axis in [{-rank}, {rank - 1}], usually -1.")
    return axis % rank


def _check_bool(value, arg, owner):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: `{arg}` must be True or False. Received: {arg}={value!r}.")


def _check_label_smoothing(value, owner):
    if (not isinstance(value, numbers.Real) or isinstance(value, bool)
            or not 0.0 <= value <= 1.0):
        raise ValueError(f"{owner}: `label_smoothing` must be a float in [0, 1]. Received: "
                         f"label_smoothing={value!r}. Typical values are 0.0 (off) to 0.2.")


def _check_positive(value, arg, owner):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{owner}: `{arg}` must be a positive float. Received: {arg}={value!r}.")
