"""Accuracy metrics: how often predictions match labels, as per-sample functions and as means."""

import numbers

from lamina import backend, ops
from lamina.metrics.metric import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def _check_k(k, owner):
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k <= 0:
        raise ValueError(f"{owner}: `k` must be a positive int. Received: k={k!r}")
    return int(k)


def _check_rank(x, min_rank, owner, arg, meaning):
    if len(x.shape) < min_rank:
        raise ValueError(f"{owner}: `{arg}` must have rank >= {min_rank} ({meaning}). "
                         f"Received shape {tuple(x.shape)}.")


def accuracy(y_true, y_pred):
    """1.0 where `y_pred` equals `y_true` exactly, else 0.0 (used by `Accuracy`)."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(ops.equal(y_true, y_pred), backend.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `y_pred > threshold` agrees with the binary label `y_true`, else 0.0.

    Args:
        y_true: Labels, 0 or 1.
        y_pred: Predicted probabilities (or scores), same shape as `y_true`.
        threshold: Predictions above it count as 1.

    Returns:
        Tensor of floatx matches, the broadcast shape of the inputs.

    >>> binary_accuracy([1, 1, 0, 0], [0.98, 1.0, 0.0, 0.6]).tolist()
    [1.0, 1.0, 1.0, 0.0]
    """
    if not isinstance(threshold, numbers.Real) and not ops.is_tensor(threshold):
        raise TypeError(f"binary_accuracy: `threshold` must be a number. "
                        f"Received: threshold={threshold!r}")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = ops.cast(ops.greater(y_pred, threshold), ops.dtype(y_true))
    return ops.cast(ops.equal(y_true, y_pred), backend.floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of `y_pred` is the arg-max of the one-hot `y_true`, else 0.0.

    Args:
        y_true: One-hot labels, shape `(..., num_classes)`.
        y_pred: Scores or probabilities, shape `(..., num_classes)`.

    Returns:
        Tensor of floatx matches, shape `(...)`.

    >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    _check_rank(y_pred, 1, "categorical_accuracy", "y_pred", "a class axis last")
    _check_rank(y_true, 1, "categorical_accuracy", "y_true", "one-hot labels")
    return ops.cast(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)),
                    backend.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of `y_pred` equals the integer label `y_true`, else 0.0.

    Args:
        y_true: Integer labels, shape `(...)` or `(..., 1)`.
        y_pred: Scores or probabilities, shape `(..., num_classes)`.

    Returns:
        Tensor of floatx matches, shape `(...)`.

    >>> sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    _check_rank(y_pred, 1, "sparse_categorical_accuracy", "y_pred", "a class axis last")
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), ops.dtype(y_true))
    return ops.cast(ops.equal(y_true, predicted), backend.floatx())


def _in_top_k(targets, y_pred, k):
    """`in_top_k` over any leading shape: targets `(...)`, y_pred `(..., num_classes)`."""
    out_shape = tuple(targets.shape)
    y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    targets = ops.reshape(ops.cast(targets, "int32"), (-1,))
    matches = ops.cast(ops.in_top_k(targets, y_pred, k), backend.floatx())
    return ops.reshape(matches, out_shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the `k` highest scores, else 0.0.

    A class tied with the `k`-th score counts as in the top `k`.

    Args:
        y_true: One-hot labels, shape `(..., num_classes)`.
        y_pred: Scores, shape `(..., num_classes)`.
        k: Number of top scores to look at.

    Returns:
        Tensor of floatx matches, shape `(...)`.

    >>> top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
    ...                            k=1).tolist()
    [0.0, 1.0]
    """
    k = _check_k(k, "top_k_categorical_accuracy")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    _check_rank(y_pred, 2, "top_k_categorical_accuracy", "y_pred", "(batch, num_classes)")
    return _in_top_k(ops.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the `k` highest scores, else 0.0.

    Args:
        y_true: Integer labels, shape `(batch,)` (or any shape matching `y_pred`'s leading axes).
        y_pred: Scores, shape `(batch, num_classes)`; with `from_sorted_ids=True`, the ids of
            the top categories sorted from best to worst, shape `(batch, N)` with `N >= k`.
        k: Number of top scores to look at.
        from_sorted_ids: Whether `y_pred` holds sorted category ids rather than scores.

    Returns:
        Tensor of floatx matches, the shape of `y_true`.

    >>> sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
    ...                                   k=1).tolist()
    [0.0, 1.0]
    """
    k = _check_k(k, "sparse_top_k_categorical_accuracy")
    y_pred = ops.convert_to_tensor(y_pred)
    _check_rank(y_pred, 2, "sparse_top_k_categorical_accuracy", "y_pred", "(batch, classes)")
    if not from_sorted_ids:
        return _in_top_k(ops.convert_to_tensor(y_true, dtype="int32"), y_pred, k)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    out_shape = tuple(y_true.shape)
    ids = ops.reshape(y_pred, (-1, y_pred.shape[-1]))[:, :k]
    # Any of the first k ids equal to the label is a hit; `any` counts repeats once.
    hits = ops.any(ops.equal(ops.reshape(y_true, (-1, 1)), ids), axis=1)
    return ops.reshape(ops.cast(hits, backend.floatx()), out_shape)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = Accuracy()
    >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    >>> float(m.result())
    0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.
        threshold: Predictions above it count as 1.

    >>> m = BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> float(m.result())
    0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool):
            raise TypeError(f"BinaryAccuracy: `threshold` must be a number. "
                            f"Received: threshold={threshold!r}")
        threshold = float(threshold)
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of the predictions matches one-hot labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = CategoricalAccuracy()
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
    ...                sample_weight=[0.7, 0.3])
    >>> round(float(m.result()), 6)
    0.3
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of the predictions matches integer labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = SparseCategoricalAccuracy()
    >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the `k` highest scores.

    Args:
        k: Number of top scores to look at.
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = TopKCategoricalAccuracy(k=2)
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    1.0
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        k = _check_k(k, "TopKCategoricalAccuracy")
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` highest scores.

    Args:
        k: Number of top scores to look at.
        name: Name of the metric.
        dtype: Dtype of the result; `None` means `floatx()`.
        from_sorted_ids: Whether `y_pred` holds the ids of the top categories, best first,
            instead of scores for every category.

    >>> m = SparseTopKCategoricalAccuracy(k=1)
    >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        k = _check_k(k, "SparseTopKCategoricalAccuracy")
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=bool(from_sorted_ids))
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)
        self._direction = "up"

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
