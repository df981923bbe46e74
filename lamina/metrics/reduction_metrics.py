"""Metrics that reduce values: `Sum`, `Mean`, and `MeanMetricWrapper` (the mean of a function)."""

import numpy as np

from lamina import ops
from lamina.metrics.metric import Metric, squeeze_or_expand_to_same_rank
from lamina.saving import serialization


def _check_weight_shape(values, sample_weight, owner):
    try:
        np.broadcast_shapes(tuple(sample_weight.shape), tuple(values.shape))
    except ValueError:
        raise ValueError(f"{owner}: `sample_weight` of shape {tuple(sample_weight.shape)} does not "
                         f"broadcast to the values' shape {tuple(values.shape)}. Pass one weight "
                         "per sample (shape (batch,)) or weights of the values' shape.") from None


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype, owner="Metric"):
    """Weight `values` and reduce them to one value per sample (axis 0).

    The weights are first matched in rank to the values (a trailing axis of size 1 is squeezed or
    added), the values are reduced with `reduce_fn` over the axes the weights lack, weighted, and
    then reduced to shape `(batch,)`. The weights are reduced the same way, so that
    `sum(values) / sum(weights)` is the weighted mean.

    Args:
        values: Tensor of values.
        sample_weight: Tensor of weights or None.
        reduce_fn: `ops.mean` or `ops.sum`.
        dtype: Dtype of the results.
        owner: Name used in error messages.

    Returns:
        `(values, sample_weight)`; `sample_weight` stays None when it was None.
    """
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = len(sample_weight.shape)
        if len(values.shape) > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, len(values.shape))))
        _check_weight_shape(values, sample_weight, owner)
        # Broadcasting the weights changes nothing in the product, but it makes the weight total
        # count every value the weights cover.
        sample_weight = ops.broadcast_to(sample_weight, tuple(values.shape))
        values = ops.multiply(values, sample_weight)
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=tuple(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen.

    State: one variable, `total`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = Sum()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")

    def update_state(self, values, sample_weight=None):
        """Add the (weighted) sum of `values` to the total."""
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype,
                                                owner=f"Sum '{self.name}'")
        self.total.assign(ops.add(self.total.value, ops.sum(values)))

    def result(self):
        return ops.cast(self.total.value, self.dtype)


class Mean(Metric):
    """The (weighted) mean of all values seen: `total / count`.

    Values with more than one axis are first averaged per sample (over all axes but the first),
    so each sample counts once (or with its weight). State: `total` and `count`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7])
    >>> float(m.result())
    4.0
    >>> m.reset_state()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="count")

    def update_state(self, values, sample_weight=None):
        """Add the (weighted) values to `total` and their number (or weight) to `count`."""
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, ops.mean, self.dtype,
            owner=f"{type(self).__name__} '{self.name}'")
        self.total.assign(ops.add(self.total.value, ops.sum(values)))
        if sample_weight is not None:
            num_samples = ops.sum(sample_weight)
        else:
            num_samples = values.shape[0] if len(values.shape) >= 1 else 1
        self.count.assign(ops.add(self.count.value, ops.cast(num_samples, self.dtype)))

    def result(self):
        return ops.divide_no_nan(self.total.value, ops.cast(self.count.value, self.dtype))


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: Callable returning one value per sample (or per element; extra axes are averaged).
        name: Name of the metric; `None` derives one from the class name.
        dtype: Dtype of the result; `None` means `floatx()`.
        **kwargs: Extra keyword arguments passed to `fn` on every update.

    >>> def abs_err(y_true, y_pred):
    ...     return ops.abs(ops.subtract(y_true, y_pred))
    >>> m = MeanMetricWrapper(abs_err, name="abs_err")
    >>> m.update_state([0.0, 1.0], [1.0, 1.0])
    >>> float(m.result())
    0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: `fn` must be a callable "
                            f"`fn(y_true, y_pred, **kwargs)`. Received: fn={fn!r}")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Evaluate `fn` on the batch and add its (weighted) values to the mean."""
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), "fn": serialization.serialize_keras_object(self._fn),
                **serialization.serialize_keras_object(self._fn_kwargs)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            from lamina import metrics  # the family table resolves built-in metric functions

            config["fn"] = metrics.deserialize(config["fn"])
        return cls(**config)
