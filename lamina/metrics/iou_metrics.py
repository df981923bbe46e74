"""Intersection-over-union metrics, from a running `(num_classes, num_classes)` confusion matrix.

Rows of the matrix are true classes, columns predicted ones. For class `c`,
`IoU_c = tp / (tp + fp + fn)`; classes that never occur (zero denominator) are left out of the
mean. Like Keras, the state defaults to dtype "int32", so sample weights are truncated to ints
unless a float `dtype` is given.
"""

import numbers

from lamina import backend, ops
from lamina.metrics.metric import Metric


def _check_int(value, arg, owner, minimum, allow_none=False):
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{owner}: `{arg}` must be an int >= {minimum}"
                         f"{' or None' if allow_none else ''}. Received: {arg}={value!r}")
    return int(value)


def _check_bool(value, arg, owner):
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: `{arg}` must be a bool. Received: {arg}={value!r}")
    return value


class _IoUBase(Metric):
    """Holds the confusion matrix `total_cm` and folds batches of class ids into it."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        owner = type(self).__name__
        self.num_classes = _check_int(num_classes, "num_classes", owner, 1)
        if ignore_class is not None and (not isinstance(ignore_class, numbers.Integral)
                                         or isinstance(ignore_class, bool)):
            raise ValueError(f"{owner}: `ignore_class` must be None or an int. "
                             f"Received: ignore_class={ignore_class!r}")
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.sparse_y_true = _check_bool(sparse_y_true, "sparse_y_true", owner)
        self.sparse_y_pred = _check_bool(sparse_y_pred, "sparse_y_pred", owner)
        if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
            raise ValueError(f"{owner}: `axis` must be an int. Received: axis={axis!r}")
        self.axis = int(axis)
        self.total_cm = self.add_variable(shape=(self.num_classes, self.num_classes),
                                          initializer="zeros", dtype=self.dtype,
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) (true class, predicted class) pairs to the matrix.

        Pairs with a class id outside `[0, num_classes)` or a true class equal to
        `ignore_class` are skipped.
        """
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.convert_to_tensor(y_true, dtype=self.dtype), (-1,))
        y_pred = ops.reshape(ops.convert_to_tensor(y_pred, dtype=self.dtype), (-1,))
        if y_true.shape[0] != y_pred.shape[0]:
            raise ValueError(f"{type(self).__name__} '{self.name}': `y_true` and `y_pred` must "
                             f"hold the same number of class ids. Received {y_true.shape[0]} "
                             f"and {y_pred.shape[0]}.")
        weights = ops.convert_to_tensor(1 if sample_weight is None else sample_weight,
                                        dtype=self.dtype)
        if len(weights.shape) > 1:
            weights = ops.reshape(weights, (-1,))
        try:
            weights = ops.broadcast_to(weights, tuple(y_true.shape))
        except ValueError:
            raise ValueError(f"{type(self).__name__} '{self.name}': `sample_weight` of shape "
                             f"{tuple(weights.shape)} does not match the {y_true.shape[0]} class "
                             "ids. Pass one weight per id (or per sample of y_true).") from None
        n = self.num_classes
        valid = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0), ops.less(y_true, n)),
            ops.logical_and(ops.greater_equal(y_pred, 0), ops.less(y_pred, n)))
        if self.ignore_class is not None:
            valid = ops.logical_and(valid, ops.not_equal(y_true, self.ignore_class))
        cell = ops.where(valid, ops.add(ops.multiply(ops.cast(y_true, "int32"), n),
                                        ops.cast(y_pred, "int32")), 0)
        weights = ops.where(valid, weights, ops.zeros_like(weights))
        counts = ops.segment_sum(weights, cell, num_segments=n * n)
        self.total_cm.assign(ops.add(self.total_cm.value,
                                     ops.cast(ops.reshape(counts, (n, n)), self.dtype)))

    def _per_class(self):
        """True positives and `tp + fp + fn` of every class, as float32."""
        cm = ops.cast(self.total_cm.value, "float32")
        tp = ops.diagonal(cm)
        return tp, ops.subtract(ops.add(ops.sum(cm, axis=0), ops.sum(cm, axis=1)), tp)


class IoU(_IoUBase):
    """Mean intersection-over-union of the classes in `target_class_ids`.

    Args:
        num_classes: Int, the number of classes (the confusion matrix is that square).
        target_class_ids: List of class ids whose IoUs are averaged (one id: that IoU).
        name: Name of the metric.
        dtype: Dtype of the confusion matrix; `None` means "int32".
        ignore_class: Optional class id of `y_true` to leave out (a "void" class).
        sparse_y_true: Whether labels are class ids; `False` takes their argmax over `axis`.
        sparse_y_pred: Whether predictions are class ids; `False` takes their argmax.
        axis: The axis of class scores for the argmax.

    >>> m = IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        owner = type(self).__name__
        if not isinstance(target_class_ids, (list, tuple)) or not target_class_ids or \
                any(not isinstance(i, numbers.Integral) or isinstance(i, bool) or
                    not 0 <= i < self.num_classes for i in target_class_ids):
            raise ValueError(f"{owner}: `target_class_ids` must be a non-empty list of class ids "
                             f"in [0, {self.num_classes}). Received: "
                             f"target_class_ids={target_class_ids!r}")
        self.target_class_ids = [int(i) for i in target_class_ids]

    def result(self):
        tp, denominator = self._per_class()
        ids = ops.convert_to_tensor(self.target_class_ids, dtype="int32")
        tp, denominator = ops.take(tp, ids), ops.take(denominator, ids)
        valid = ops.greater(denominator, 1e-9)
        eps = backend.epsilon()
        iou = ops.where(valid, ops.divide(tp, ops.add(denominator, eps)), 0.0)
        return ops.divide(ops.sum(iou), ops.add(ops.sum(ops.cast(valid, "float32")), eps))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary labels, predictions counting as class 1 when `>= threshold`.

    Args:
        target_class_ids: Which of the classes 0 and 1 to average: `(0, 1)`, `[0]` or `[1]`.
        threshold: Float; a prediction `>= threshold` is class 1, else class 0.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix; `None` means "int32".

    >>> m = BinaryIoU(target_class_ids=[1])
    >>> m.update_state([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.6])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool):
            raise ValueError(f"BinaryIoU: `threshold` must be a float. "
                             f"Received: threshold={threshold!r}")
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Threshold the predictions, then add the batch to the confusion matrix."""
        y_pred = ops.convert_to_tensor(y_pred, dtype="float32")
        y_pred = ops.cast(ops.greater_equal(y_pred, self.threshold), self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """Mean IoU over all `num_classes` classes (those that occur).

    Args:
        num_classes: Int, the number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix; `None` means "int32".
        ignore_class: Optional class id of `y_true` to leave out.
        sparse_y_true: Whether labels are class ids; `False` takes their argmax over `axis`.
        sparse_y_pred: Whether predictions are class ids; `False` takes their argmax.
        axis: The axis of class scores for the argmax.

    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        num = _check_int(num_classes, "num_classes", type(self).__name__, 1)
        super().__init__(num_classes=num, target_class_ids=list(range(num)), name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """`IoU` for one-hot labels (and by default class-score predictions), via argmax.

    Args:
        num_classes: Int, the number of classes.
        target_class_ids: List of class ids whose IoUs are averaged.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix; `None` means "int32".
        ignore_class: Optional class id to leave out.
        sparse_y_pred: Whether predictions are class ids rather than scores.
        axis: The class axis.

    >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    >>> round(float(m.result()), 4)
    0.1667
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels (and by default class-score predictions), via argmax.

    Args:
        num_classes: Int, the number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix; `None` means "int32".
        ignore_class: Optional class id to leave out.
        sparse_y_pred: Whether predictions are class ids rather than scores.
        axis: The class axis.

    >>> m = OneHotMeanIoU(num_classes=3)
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    >>> round(float(m.result()), 4)
    0.1111
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
