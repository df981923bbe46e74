"""F-scores: `FBetaScore` and `F1Score`, from per-class true/false positive and negative counts.

Inputs are `(batch, num_classes)`: one-hot or multi-hot labels and probabilities. The state is
built on the first `update_state`, once the number of classes is known.
"""

import numbers

from lamina import backend, ops
from lamina.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score: `(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`.

    Args:
        average: None (one score per class), "micro" (counts summed over classes first),
            "macro" (mean of per-class scores) or "weighted" (mean weighted by each class's
            number of true labels).
        beta: Positive float; recall counts `beta` times as much as precision.
        threshold: Float in (0, 1]; predictions above it are positive. `None` marks the largest
            prediction of each row (and any tied with it) as positive.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1, 0], [0, 1], [1, 1]], [[0.9, 0.2], [0.6, 0.7], [0.3, 0.8]])
    >>> [round(v, 4) for v in m.result().tolist()]
    [0.5, 1.0]
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        owner = type(self).__name__
        if average not in _AVERAGES:
            raise ValueError(f"{owner}: `average` must be one of {list(_AVERAGES)}. "
                             f"Received: average={average!r}")
        if not isinstance(beta, numbers.Real) or isinstance(beta, bool) or beta <= 0.0:
            raise ValueError(f"{owner}: `beta` must be a float > 0. Received: beta={beta!r}")
        if threshold is not None and (not isinstance(threshold, numbers.Real)
                                      or isinstance(threshold, bool)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError(f"{owner}: `threshold` must be None or a float in (0, 1]. "
                             f"Received: threshold={threshold!r}")
        self.average = average
        self.beta = float(beta)
        self.threshold = None if threshold is None else float(threshold)
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        owner = f"{type(self).__name__} '{self.name}'"
        if len(y_true_shape) != 2 or len(y_pred_shape) != 2:
            raise ValueError(f"{owner}: `y_true` and `y_pred` must be rank 2, (batch, "
                             f"num_classes). Received y_true.shape={y_true_shape}, "
                             f"y_pred.shape={y_pred_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] != y_pred_shape[-1]:
            raise ValueError(f"{owner}: `y_true` and `y_pred` need the same known number of "
                             f"classes (last axis). Received y_true.shape={y_true_shape}, "
                             f"y_pred.shape={y_pred_shape}.")
        self._num_classes = y_pred_shape[-1]
        shape = () if self.average == "micro" else (self._num_classes,)
        for attr in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, attr, self.add_variable(shape=shape, initializer="zeros",
                                                  dtype=self.dtype, name=attr))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) per-class counts."""
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        elif len(y_pred.shape) != 2 or y_pred.shape[-1] != self._num_classes or \
                tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError(f"{type(self).__name__} '{self.name}': expected y_true and y_pred "
                             f"of shape (batch, {self._num_classes}), as in the first batch. "
                             f"Received y_true.shape={tuple(y_true.shape)}, "
                             f"y_pred.shape={tuple(y_pred.shape)}.")
        if self.threshold is None:
            top = ops.max(y_pred, axis=-1, keepdims=True)
            y_pred = ops.cast(ops.greater_equal(y_pred, top), self.dtype)
        else:
            y_pred = ops.cast(ops.greater(y_pred, self.threshold), self.dtype)
        if sample_weight is not None:
            sample_weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
            if len(sample_weight.shape) == 1:
                sample_weight = ops.expand_dims(sample_weight, 1)

        def weighted_sum(values):
            if sample_weight is not None:
                values = ops.multiply(values, sample_weight)
            return ops.sum(values, axis=self.axis)

        not_true, not_pred = ops.subtract(1.0, y_true), ops.subtract(1.0, y_pred)
        for variable, values in ((self.true_positives, ops.multiply(y_pred, y_true)),
                                 (self.false_positives, ops.multiply(y_pred, not_true)),
                                 (self.false_negatives, ops.multiply(not_pred, y_true)),
                                 (self.intermediate_weights, y_true)):
            variable.assign(ops.add(variable.value, weighted_sum(values)))

    def result(self):
        if not self._built:
            raise ValueError(f"{type(self).__name__} '{self.name}': call `update_state` before "
                             "`result`; the state is built from the first batch's shape.")
        eps = backend.epsilon()
        tp = self.true_positives.value
        precision = ops.divide(tp, ops.add(ops.add(tp, self.false_positives.value), eps))
        recall = ops.divide(tp, ops.add(ops.add(tp, self.false_negatives.value), eps))
        beta2 = self.beta ** 2
        score = ops.divide(ops.multiply(precision, recall),
                           ops.add(ops.add(ops.multiply(beta2, precision), recall), eps))
        score = ops.multiply(score, 1.0 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            weights = ops.divide(weights, ops.add(ops.sum(weights), eps))
            return ops.sum(ops.multiply(score, weights))
        if self.average == "macro":
            return ops.mean(score)
        return score

    def reset_state(self):
        """Zero the counts (nothing to do before the first batch)."""
        if self._built:
            super().reset_state()

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score, the harmonic mean of precision and recall (`FBetaScore` with `beta=1`).

    Args:
        average: None, "micro", "macro" or "weighted"; see `FBetaScore`.
        threshold: Float in (0, 1], or `None` for "the largest prediction of each row".
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = F1Score(average="micro", threshold=0.5)
    >>> m.update_state([[1, 0], [0, 1], [1, 1]], [[0.9, 0.2], [0.6, 0.7], [0.3, 0.8]])
    >>> round(float(m.result()), 4)
    0.75
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
