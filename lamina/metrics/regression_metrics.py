"""Regression metrics: squared, absolute, percentage, log and cosine errors."""

from lamina import losses, ops
from lamina.metrics.metric import Metric, squeeze_or_expand_to_same_rank
from lamina.metrics.probabilistic_metrics import LossMeanMetric
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


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity of `y_true` and `y_pred` along `axis` (1 means the same direction).

    The negative of the loss `lamina.losses.cosine_similarity`; a zero vector gives 0.

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis along which the similarity is computed. Defaults to -1.

    Returns:
        Tensor with `axis` reduced.

    >>> cosine_similarity([[0.0, 2.0], [1.0, 0.0]], [[0.0, 3.0], [-1.0, 0.0]]).tolist()
    [1.0, -1.0]
    """
    return ops.negative(losses.cosine_similarity(y_true, y_pred, axis=axis))


class MeanAbsolutePercentageError(LossMeanMetric):
    """Running mean of `100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))`.

    See `lamina.losses.mean_absolute_percentage_error`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = MeanAbsolutePercentageError()
    >>> m.update_state([[2.0, 4.0]], [[1.0, 4.0]])
    >>> float(m.result())
    25.0
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name, dtype)


class MeanSquaredLogarithmicError(LossMeanMetric):
    """Running mean of `mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2)`.

    See `lamina.losses.mean_squared_logarithmic_error`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = MeanSquaredLogarithmicError()
    >>> m.update_state([[0.0]], [[1.0]])
    >>> round(float(m.result()), 4)
    0.4805
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name, dtype)


class CosineSimilarity(LossMeanMetric):
    """Running mean of the cosine similarity of targets and predictions along `axis`.

    Higher is better: 1 means the same direction, -1 the opposite one. See `cosine_similarity`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.
        axis: Axis along which the similarity is computed. Defaults to -1.

    >>> m = CosineSimilarity()
    >>> m.update_state([[0.0, 2.0], [1.0, 0.0]], [[0.0, 3.0], [1.0, 1.0]])
    >>> round(float(m.result()), 4)
    0.8536
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"CosineSimilarity: `axis` must be an int. Received: axis={axis!r} "
                            f"of type {type(axis).__name__}.")
        super().__init__(cosine_similarity, name, dtype, direction="up", axis=axis)


class LogCoshError(LossMeanMetric):
    """Running mean of the log-cosh error `mean(log(cosh(y_pred - y_true)))`.

    See `lamina.losses.log_cosh`.

    Args:
        name: Name of the metric. Defaults to "logcosh", as in Keras.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = LogCoshError()
    >>> m.update_state([[0.0, 0.0]], [[0.0, 0.0]])
    >>> float(m.result())
    0.0
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses.log_cosh, name, dtype)


_R2_AGGREGATIONS = ("uniform_average", "variance_weighted_average", None)


class R2Score(Metric):
    """Coefficient of determination `1 - sum((y - y_hat) ** 2) / sum((y - mean(y)) ** 2)`.

    Computed per output column over every sample seen (weighted by `sample_weight`), then
    combined across columns. A constant column with errors scores 0 (its variance is 0).
    With `num_regressors = p` the adjusted score `1 - (1 - r2) * (n - 1) / (n - p - 1)` is
    returned, `n` counting every (sample, output) entry seen; when `n - p - 1 <= 0` the plain
    score is returned instead.

    Args:
        class_aggregation: `"uniform_average"` (the default) averages the columns' scores,
            `"variance_weighted_average"` weighs them by each column's variance, and `None`
            returns one score per column.
        num_regressors: Non-negative int, the number of independent variables of the model,
            for the adjusted score. Defaults to 0 (no adjustment).
        name: Name of the metric. Defaults to "r2_score".
        dtype: Dtype of the result; `None` means `floatx()`.

    Inputs: `y_true` and `y_pred` of shape `(batch, num_outputs)`; `sample_weight` of shape
    `(batch,)`, `(batch, 1)` or `(batch, num_outputs)`.

    >>> m = R2Score()
    >>> m.update_state([[1.0], [2.0], [4.0], [5.0]], [[1.5], [2.0], [3.0], [5.5]])
    >>> round(float(m.result()), 4)
    0.85
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _R2_AGGREGATIONS:
            raise ValueError(f"R2Score: `class_aggregation` must be one of "
                             f"{list(_R2_AGGREGATIONS)}. Received: "
                             f"class_aggregation={class_aggregation!r}.")
        if (not isinstance(num_regressors, int) or isinstance(num_regressors, bool)
                or num_regressors < 0):
            raise ValueError(f"R2Score: `num_regressors` must be a non-negative int. Received: "
                             f"num_regressors={num_regressors!r}. Use 0 for the plain score.")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self._direction = "up"
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects y_true and y_pred of shape (batch, num_outputs). "
                             f"Received: y_true.shape={y_true_shape}, y_pred.shape="
                             f"{y_pred_shape}. For one output, reshape to (batch, 1).")
        if y_pred_shape[-1] is None:
            raise ValueError("R2Score: the last axis of y_pred (the number of outputs) must be "
                             f"known. Received: y_pred.shape={y_pred_shape}.")
        width = y_pred_shape[-1]
        self.squared_sum = self.add_variable((width,), "zeros", dtype=self.dtype,
                                             name="squared_sum")
        self.sum = self.add_variable((width,), "zeros", dtype=self.dtype, name="sum")
        self.total_mse = self.add_variable((width,), "zeros", dtype=self.dtype,
                                           name="residual")
        self.count = self.add_variable((width,), "zeros", dtype=self.dtype, name="count")
        self.num_samples = self.add_variable((), "zeros", dtype="int32", name="num_samples")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) sums of targets, squared targets and squared errors."""
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if tuple(y_true.shape) != tuple(y_pred.shape) or len(y_pred.shape) != 2 or \
                y_pred.shape[-1] != self.sum.shape[0]:
            raise ValueError(f"R2Score '{self.name}': y_true and y_pred must both have shape "
                             f"(batch, {self.sum.shape[0]}). Received: y_true.shape="
                             f"{tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}.")
        if sample_weight is None:
            weight = ops.ones_like(y_true)
        else:
            weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
            if len(weight.shape) == 1:
                weight = ops.expand_dims(weight, axis=1)
            weight = ops.broadcast_to(weight, tuple(y_true.shape))
        self.squared_sum.assign(self.squared_sum + ops.sum(weight * ops.square(y_true), axis=0))
        self.sum.assign(self.sum + ops.sum(weight * y_true, axis=0))
        self.total_mse.assign(self.total_mse
                              + ops.sum(weight * ops.square(y_true - y_pred), axis=0))
        self.count.assign(self.count + ops.sum(weight, axis=0))
        entries = ops.cast(ops.size(y_true), "int32")
        self.num_samples.assign(self.num_samples + entries)

    def result(self):
        if not self._built:
            return ops.zeros((), dtype=self.dtype)
        mean = ops.divide(self.sum.value, self.count.value)
        total = self.squared_sum.value - self.sum.value * mean
        raw = 1.0 - ops.divide(self.total_mse.value, total)
        # A constant column with errors gives -inf; it scores 0 (0/0 stays NaN, as in Keras).
        raw = ops.where(ops.isinf(raw), ops.zeros_like(raw), raw)
        if self.class_aggregation is None:
            return raw
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw)
        else:
            score = ops.divide(ops.sum(raw * total), ops.sum(total))
        if self.num_regressors == 0:
            return score
        n = ops.cast(self.num_samples.value, self.dtype)
        dof = n - self.num_regressors - 1.0
        adjusted = 1.0 - (1.0 - score) * ops.divide(n - 1.0, ops.where(dof > 0, dof, 1.0))
        return ops.where(dof > 0, adjusted, score)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
