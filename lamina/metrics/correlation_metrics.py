"""Correlation metrics: running means of per-sample Pearson and concordance correlations.

Each sample (a row along `axis`) gets one coefficient; the metric is their (weighted) mean over
all batches, as in Keras 3.
"""

import numbers

from lamina import backend, ops
from lamina.metrics.metric import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def _prepare(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation coefficient of `y_true` and `y_pred` along `axis`.

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis along which the coefficient is computed.

    Returns:
        Tensor with `axis` reduced.

    >>> [round(v, 4) for v in pearson_correlation([[0, 1, 0.5], [1, 1, 0.2]],
    ...                                           [[0.1, 0.9, 0.5], [1, 0.9, 0.2]]).tolist()]
    [1.0, 0.9934]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_centered = ops.subtract(y_true, ops.mean(y_true, axis=axis, keepdims=True))
    pred_centered = ops.subtract(y_pred, ops.mean(y_pred, axis=axis, keepdims=True))
    true_norm = ops.divide(true_centered, ops.std(true_centered, axis=axis, keepdims=True))
    pred_norm = ops.divide(pred_centered, ops.std(pred_centered, axis=axis, keepdims=True))
    return ops.mean(ops.multiply(true_norm, pred_norm), axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Concordance correlation coefficient (Lin) of `y_true` and `y_pred` along `axis`.

    Computed as in Keras 3: `mean(2 * (y_true - mean(y_pred)) * (y_pred - mean(y_pred)))`
    over `var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred)) ** 2 + epsilon`. (The first
    factor centres `y_true` on the prediction mean; Keras does the same.)

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis along which the coefficient is computed.

    Returns:
        Tensor with `axis` reduced.

    >>> [round(v, 4) for v in concordance_correlation([[0, 1, 0.5], [1, 1, 0.2]],
    ...                                               [[0.1, 0.9, 0.5], [1, 0.9, 0.2]]).tolist()]
    [0.9756, 0.9877]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(ops.subtract(y_true, true_mean), axis=axis, keepdims=True)
    pred_var = ops.var(ops.subtract(y_pred, pred_mean), axis=axis, keepdims=True)
    covar = ops.multiply(ops.subtract(y_true, pred_mean), ops.subtract(y_pred, pred_mean))
    norm = ops.add(ops.add(true_var, pred_var), ops.square(ops.subtract(true_mean, pred_mean)))
    return ops.mean(ops.divide(ops.multiply(2.0, covar), ops.add(norm, backend.epsilon())),
                    axis=axis)


def _check_axis(axis, owner):
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise ValueError(f"{owner}: `axis` must be an int. Received: axis={axis!r}")
    return int(axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of the per-sample Pearson correlation coefficient.

    Args:
        name: Name of the metric.
        dtype: Dtype of the metric.
        axis: Axis along which each sample's coefficient is computed.

    >>> m = PearsonCorrelation()
    >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> round(float(m.result()), 4)
    0.9967
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        axis = _check_axis(axis, type(self).__name__)
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of the per-sample concordance correlation coefficient.

    Args:
        name: Name of the metric.
        dtype: Dtype of the metric.
        axis: Axis along which each sample's coefficient is computed.

    >>> m = ConcordanceCorrelation()
    >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> round(float(m.result()), 4)
    0.9816
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        axis = _check_axis(axis, type(self).__name__)
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
