"""Regression metrics: mean squared, mean absolute and root mean squared error."""

from lamina import ops
from lamina.metrics.metric import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction_metrics import Mean, MeanMetricWrapper


def _prepare(y_true, y_pred, dtype=None):
    y_pred = ops.convert_to_tensor(y_pred, dtype=dtype)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Mean of `(y_true - y_pred) ** 2` over the last axis.

    Args:
        y_true: Targets, shape `(batch, ..., d)`.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape `(batch, ...)`.

    >>> mean_squared_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]).tolist()
    [0.5, 0.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of `|y_true - y_pred|` over the last axis.

    Args:
        y_true: Targets, shape `(batch, ..., d)`.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape `(batch, ...)`.

    >>> mean_absolute_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 2.0]]).tolist()
    [0.5, 1.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of the squared error `mean((y_true - y_pred) ** 2)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = MeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.25
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of the absolute error `mean(|y_true - y_pred|)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = MeanAbsoluteError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
    >>> float(m.result())
    0.5
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """Square root of the running mean squared error, `sqrt(mean((y_pred - y_true) ** 2))`.

    The mean is taken over all elements seen (per sample first, as in `Mean`), and the root of
    the accumulated mean is returned, not a mean of per-batch roots.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = RootMeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) squared errors to the running mean."""
        y_true, y_pred = _prepare(y_true, y_pred, dtype=self.dtype)
        squared = ops.square(ops.subtract(y_pred, y_true))
        return super().update_state(squared, sample_weight=sample_weight)

    def result(self):
        return ops.sqrt(super().result())
