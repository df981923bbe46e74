"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall, AUC and rate-at-rate.

At a threshold `t` a prediction `p` counts as positive when `p > t`. Every metric here keeps one
count per threshold (and per label for multi-label AUC) in its variables.
"""

import numbers

import numpy as np

from lamina import backend, ops
from lamina.metrics.metric import Metric, squeeze_or_expand_to_same_rank

# The threshold used with `top_k`: every kept prediction is above it, every masked one below.
NEG_INF = -1e10
_CELLS = ("tp", "fp", "tn", "fn")


# -- counting ----------------------------------------------------------------------------------
def _parse_thresholds(thresholds, default, owner):
    if thresholds is None:
        return [default]
    values = list(np.ravel(thresholds)) if isinstance(thresholds, (list, tuple, np.ndarray)) \
        else [thresholds]
    bad = [t for t in values
           if not isinstance(t, numbers.Real) or isinstance(t, bool) or not 0.0 <= t <= 1.0]
    if not values or bad:
        raise ValueError(f"{owner}: `thresholds` must be a float or a non-empty list of floats in "
                         f"[0, 1]. Received: thresholds={thresholds!r}")
    return [float(t) for t in values]


def _evenly_spaced(thresholds):
    """Whether thresholds are `i / (n - 1)` for `i = 0..n-1`: then counting can use buckets."""
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1),
                            atol=backend.epsilon()))


def _keep_top_k(y_pred, k):
    """`y_pred` with all but the `k` largest entries of the last axis set to NEG_INF."""
    _, indices = ops.top_k(y_pred, k)
    mask = ops.sum(ops.one_hot(indices, y_pred.shape[-1], dtype=ops.dtype(y_pred)), axis=-2)
    return ops.add(ops.multiply(y_pred, mask), ops.multiply(NEG_INF, ops.subtract(1.0, mask)))


def _reverse_cumsum(x, axis):
    return ops.flip(ops.cumsum(ops.flip(x, axis=axis), axis=axis), axis=axis)


def _compared_counts(y_true, y_pred, thresholds, weights, multi_label, cells):
    """Counts by comparing every prediction with every threshold: O(thresholds * predictions)."""
    labels = ops.cast(y_true, "bool")
    if multi_label:  # (T, N, L), summed over N
        preds, labels = ops.expand_dims(y_pred, 0), ops.expand_dims(labels, 0)
        thresholds = ops.reshape(thresholds, (-1, 1, 1))
        weights = None if weights is None else ops.expand_dims(weights, 0)
    else:  # (T, M), every label a separate prediction
        preds, labels = ops.reshape(y_pred, (1, -1)), ops.reshape(labels, (1, -1))
        thresholds = ops.reshape(thresholds, (-1, 1))
        weights = None if weights is None else ops.reshape(weights, (1, -1))
    pred_pos = ops.greater(preds, thresholds)
    pred_neg, label_neg = ops.logical_not(pred_pos), ops.logical_not(labels)
    pairs = {"tp": (labels, pred_pos), "fp": (label_neg, pred_pos),
             "tn": (label_neg, pred_neg), "fn": (labels, pred_neg)}
    counts = {}
    for cell in cells:
        hit = ops.logical_and(*pairs[cell])
        values = (ops.cast(hit, ops.dtype(y_pred)) if weights is None
                  else ops.where(hit, weights, 0.0))
        counts[cell] = ops.sum(values, axis=1)
    return counts


def _bucketed_counts(y_true, y_pred, num_thresholds, weights, multi_label, with_epsilon, cells):
    """Counts for evenly spaced thresholds in O(thresholds + predictions).

    With thresholds `t_i = i / (T - 1)`, a prediction `p` is above exactly the thresholds
    `t_0 .. t_b` where `b = ceil(p * (T - 1)) - 1`. Summing the weights landing in each bucket `b`
    and taking a reversed cumulative sum gives the count above every threshold at once.
    `with_epsilon` marks end thresholds pushed just outside [0, 1], so every p is above t_0.
    """
    dtype = ops.dtype(y_pred)
    y_pred = ops.clip(y_pred, 0.0, 1.0)
    y_true = ops.cast(ops.cast(y_true, "bool"), dtype)
    if not multi_label:
        y_pred, y_true = ops.reshape(y_pred, (-1,)), ops.reshape(y_true, (-1,))
        weights = None if weights is None else ops.reshape(weights, (-1,))
    if weights is None:
        weights = ops.ones_like(y_true)
    pos_weights = ops.multiply(y_true, weights)
    neg_weights = ops.multiply(ops.subtract(1.0, y_true), weights)
    bucket = ops.subtract(ops.ceil(ops.multiply(y_pred, float(num_thresholds - 1))), 1.0)
    if with_epsilon:
        bucket = ops.maximum(bucket, 0.0)
    # Shift by one so that bucket -1 (above no threshold) is segment 0, dropped below.
    segment = ops.add(ops.cast(bucket, "int32"), 1)
    width = num_thresholds + 1
    num_labels = y_pred.shape[-1] if multi_label else 1
    if multi_label:
        segment = ops.add(segment, ops.multiply(ops.arange(num_labels, dtype="int32"), width))

    def above(values):
        sums = ops.segment_sum(ops.reshape(values, (-1,)), ops.reshape(segment, (-1,)),
                               num_segments=width * num_labels)
        if multi_label:
            return ops.transpose(_reverse_cumsum(ops.reshape(sums, (num_labels, width))[:, 1:],
                                                 axis=1))
        return _reverse_cumsum(sums[1:], axis=0)

    counts = {}
    if "tp" in cells or "fn" in cells:
        tp = above(pos_weights)
        counts["tp"] = tp
        counts["fn"] = ops.subtract(ops.sum(pos_weights, axis=0), tp)
    if "fp" in cells or "tn" in cells:
        fp = above(neg_weights)
        counts["fp"] = fp
        counts["tn"] = ops.subtract(ops.sum(neg_weights, axis=0), fp)
    return {cell: counts[cell] for cell in cells}


def update_confusion_variables(variables, y_true, y_pred, thresholds, evenly_spaced=False,
                               top_k=None, class_id=None, sample_weight=None, multi_label=False,
                               label_weights=None, owner="metric"):
    """Add a batch's weighted confusion-matrix counts to the given variables.

    Args:
        variables: Dict from "tp", "fp", "tn", "fn" to variables of shape `(T,)`, or `(T, L)`
            with `multi_label`.
        y_true: Labels, cast to bool.
        y_pred: Predictions, the shape of `y_true` (a trailing axis of size 1 may differ).
        thresholds: Sequence of `T` floats.
        evenly_spaced: Whether the thresholds are `i / (T - 1)` (possibly with the end ones pushed
            just outside [0, 1]); counting then uses buckets instead of comparisons.
        top_k: Keep only the `top_k` largest predictions of the last axis (the rest negative).
        class_id: Count only this index of the last axis.
        sample_weight: Weights broadcastable to `y_pred` (one per sample is typical).
        multi_label: Count each index of the last axis separately, shape `(T, L)`.
        label_weights: Weights of the last axis' entries (only when not `multi_label`).
        owner: Name used in error messages.
    """
    dtype = next(iter(variables.values())).dtype
    y_true = ops.convert_to_tensor(y_true, dtype=dtype)
    y_pred = ops.convert_to_tensor(y_pred, dtype=dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{owner}: `y_true` and `y_pred` must have the same shape. Received "
                         f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}.")
    if sample_weight is not None:
        sample_weight = ops.expand_dims(ops.convert_to_tensor(sample_weight, dtype=dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        if len(y_pred.shape) == 0 or top_k > y_pred.shape[-1]:
            raise ValueError(f"{owner}: `top_k={top_k}` needs predictions with at least {top_k} "
                             f"entries on the last axis. Received y_pred.shape="
                             f"{tuple(y_pred.shape)}.")
        y_pred = _keep_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) < 2 or class_id >= y_pred.shape[-1]:
            raise ValueError(f"{owner}: `class_id={class_id}` needs y_pred of shape (batch, "
                             f"num_classes) with num_classes > {class_id}. Received y_pred.shape="
                             f"{tuple(y_pred.shape)}.")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = None
    if sample_weight is not None:
        try:
            np.broadcast_shapes(tuple(sample_weight.shape), tuple(y_pred.shape))
        except ValueError:
            raise ValueError(f"{owner}: `sample_weight` of shape {tuple(sample_weight.shape)} does "
                             f"not broadcast to y_pred's shape {tuple(y_pred.shape)}. Pass one "
                             "weight per sample.") from None
        weights = ops.broadcast_to(sample_weight, tuple(y_pred.shape))
    if label_weights is not None and not multi_label:
        label_weights = ops.broadcast_to(ops.expand_dims(ops.cast(label_weights, dtype), 0),
                                         tuple(y_pred.shape))
        weights = label_weights if weights is None else ops.multiply(weights, label_weights)
    cells = [cell for cell in _CELLS if cell in variables]
    if evenly_spaced:
        with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        counts = _bucketed_counts(y_true, y_pred, len(thresholds), weights, multi_label,
                                  with_epsilon, cells)
    else:
        thresholds = ops.convert_to_tensor(np.asarray(thresholds), dtype=dtype)
        counts = _compared_counts(y_true, y_pred, thresholds, weights, multi_label, cells)
    for cell in cells:
        variable = variables[cell]
        variable.assign(ops.add(variable.value, counts[cell]))


def _check_optional_int(value, arg, owner, minimum):
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{owner}: `{arg}` must be None or an int >= {minimum}. "
                         f"Received: {arg}={value!r}")
    return int(value)


def _config_thresholds(thresholds):
    return thresholds.tolist() if isinstance(thresholds, np.ndarray) else thresholds


# -- counts ------------------------------------------------------------------------------------
class _ConfusionCount(Metric):
    """One confusion-matrix cell (`_cell`), counted at each threshold."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = _config_thresholds(thresholds)
        self.thresholds = _parse_thresholds(thresholds, 0.5, type(self).__name__)
        self._evenly_spaced = _evenly_spaced(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros",
                                             name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) count at every threshold."""
        update_confusion_variables({self._cell: self.accumulator}, y_true, y_pred,
                                   self.thresholds, evenly_spaced=self._evenly_spaced,
                                   sample_weight=sample_weight,
                                   owner=f"{type(self).__name__} '{self.name}'")

    def result(self):
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) number of positive labels predicted above the threshold(s).

    Args:
        thresholds: A float or list of floats in [0, 1]; `None` means 0.5. The result has one
            entry per threshold (a scalar for a single threshold).
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = TruePositives()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> float(m.result())
    2.0
    """

    _cell = "tp"


class FalsePositives(_ConfusionCount):
    """The (weighted) number of negative labels predicted above the threshold(s).

    Args:
        thresholds: A float or list of floats in [0, 1]; `None` means 0.5.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = FalsePositives()
    >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
    >>> float(m.result())
    2.0
    """

    _cell = "fp"


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of negative labels predicted at or below the threshold(s).

    Args:
        thresholds: A float or list of floats in [0, 1]; `None` means 0.5.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = TrueNegatives()
    >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _cell = "tn"


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of positive labels predicted at or below the threshold(s).

    Args:
        thresholds: A float or list of floats in [0, 1]; `None` means 0.5.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = FalseNegatives()
    >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _cell = "fn"


# -- precision and recall ----------------------------------------------------------------------
class _RatioMetric(Metric):
    """`tp / (tp + <other cell>)` at each threshold, with `top_k` and `class_id` filters."""

    _other = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        top_k = _check_optional_int(top_k, "top_k", owner, 1)
        class_id = _check_optional_int(class_id, "class_id", owner, 0)
        self._direction = "up"
        self.init_thresholds = _config_thresholds(thresholds)
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF, owner)
        self._evenly_spaced = _evenly_spaced(self.thresholds)
        self.true_positives = self.add_variable(shape=(len(self.thresholds),),
                                                initializer="zeros", name="true_positives")
        other_name = {"fp": "false_positives", "fn": "false_negatives"}[self._other]
        setattr(self, other_name, self.add_variable(shape=(len(self.thresholds),),
                                                    initializer="zeros", name=other_name))
        self._other_variable = getattr(self, other_name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) counts at every threshold."""
        update_confusion_variables({"tp": self.true_positives, self._other: self._other_variable},
                                   y_true, y_pred, self.thresholds,
                                   evenly_spaced=self._evenly_spaced, top_k=self.top_k,
                                   class_id=self.class_id, sample_weight=sample_weight,
                                   owner=f"{type(self).__name__} '{self.name}'")

    def result(self):
        tp = self.true_positives.value
        value = ops.divide_no_nan(tp, ops.add(tp, self._other_variable.value))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_RatioMetric):
    """Precision, `tp / (tp + fp)`: the fraction of positive predictions that are right.

    Args:
        thresholds: A float or list of floats in [0, 1]; predictions above a threshold are
            positive. `None` means 0.5, or "every top-k entry" when `top_k` is set.
        top_k: Treat only the `top_k` largest predictions of the last axis as candidates.
        class_id: Compute the metric for this index of the last axis only.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """

    _other = "fp"


class Recall(_RatioMetric):
    """Recall, `tp / (tp + fn)`: the fraction of positive labels that are predicted positive.

    Args:
        thresholds: A float or list of floats in [0, 1]; predictions above a threshold are
            positive. `None` means 0.5, or "every top-k entry" when `top_k` is set.
        top_k: Treat only the `top_k` largest predictions of the last axis as candidates.
        class_id: Compute the metric for this index of the last axis only.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """

    _other = "fn"


# -- AUC ---------------------------------------------------------------------------------------
_CURVES = ("ROC", "PR", "PRGAIN")
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    Predictions are bucketed at `num_thresholds` thresholds evenly spaced over [0, 1] (the end
    ones nudged by epsilon so that 0 and 1 fall inside), and the curve through the points is
    integrated by a Riemann sum: `"interpolation"` uses the trapezoid rule (for PR, the
    interpolation of Davis & Goadrich, 2006), `"minoring"`/`"majoring"` the lower/upper
    rectangle.

    Args:
        num_thresholds: Int > 1, number of thresholds. Ignored when `thresholds` is given.
        curve: "ROC" (true vs. false positive rate), "PR" (precision vs. recall) or "PRGAIN".
        summation_method: "interpolation", "minoring" or "majoring".
        name: Name of the metric.
        dtype: Dtype of the metric.
        thresholds: Optional list of floats in [0, 1] used (with 0 - eps and 1 + eps added)
            instead of evenly spaced ones.
        multi_label: Whether each column of 2-D inputs is a separate label whose AUC is computed
            apart and then averaged (weighted by `label_weights`), rather than flattening.
        num_labels: Number of labels when `multi_label`; `None` builds the state on the first
            `update_state`.
        label_weights: Optional non-negative weights of the labels (columns).
        from_logits: Whether predictions are logits (a sigmoid is applied).

    >>> m = AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> round(float(m.result()), 4)
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, None, "AUC"))
            self.num_thresholds = len(inner) + 2
            self._evenly_spaced = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if not isinstance(num_thresholds, numbers.Integral) or \
                    isinstance(num_thresholds, bool) or num_thresholds <= 1:
                raise ValueError("AUC: `num_thresholds` must be an int > 1. Received: "
                                 f"num_thresholds={num_thresholds!r}")
            num_thresholds = int(num_thresholds)
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly_spaced = True
        self._init_from_thresholds = thresholds is not None
        eps = backend.epsilon()
        self._thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.curve = self._parse_choice(curve, _CURVES, "curve", str.upper)
        self.summation_method = self._parse_choice(summation_method, _SUMMATIONS,
                                                   "summation_method", str.lower)
        if not isinstance(multi_label, bool):
            raise TypeError(f"AUC: `multi_label` must be a bool. Received: {multi_label!r}")
        if not isinstance(from_logits, bool):
            raise TypeError(f"AUC: `from_logits` must be a bool. Received: {from_logits!r}")
        num_labels = _check_optional_int(num_labels, "num_labels", "AUC", 1)
        if num_labels is not None and not multi_label:
            raise ValueError("AUC: `num_labels` is only used with `multi_label=True`. Received: "
                             f"num_labels={num_labels}, multi_label=False.")
        self.multi_label = multi_label
        self.num_labels = num_labels
        self._from_logits = from_logits
        self._label_weights_config = None
        self.label_weights = None
        if label_weights is not None:
            weights = np.asarray(label_weights, dtype=np.float64)
            if weights.ndim != 1 or np.any(weights < 0) or \
                    (num_labels is not None and weights.shape[0] != num_labels):
                raise ValueError("AUC: `label_weights` must be a 1-D list of non-negative "
                                 f"weights, one per label (num_labels={num_labels}). Received: "
                                 f"label_weights={label_weights!r}")
            self._label_weights_config = weights.tolist()
            self.label_weights = ops.convert_to_tensor(weights, dtype=self.dtype)
        self._built = False
        if not multi_label:
            self._build(None)
        elif num_labels:
            self._build((None, num_labels))

    @staticmethod
    def _parse_choice(value, choices, arg, normalize):
        key = normalize(value) if isinstance(value, str) else value
        if key not in choices:
            raise ValueError(f"AUC: `{arg}` must be one of {list(choices)}. "
                             f"Received: {arg}={value!r}")
        return key

    @property
    def thresholds(self):
        """All thresholds, including the end ones just outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if shape is None or len(shape) != 2:
                raise ValueError("AUC with `multi_label=True` expects y_pred of rank 2, (batch, "
                                 f"num_labels). Received shape {shape}.")
            self._num_labels = shape[1]
            if self.label_weights is not None and self.label_weights.shape[0] != shape[1]:
                raise ValueError(f"AUC: got {self.label_weights.shape[0]} `label_weights` but "
                                 f"y_pred has {shape[1]} labels.")
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        for attr in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, attr, self.add_variable(shape=variable_shape, initializer="zeros",
                                                  name=attr))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) confusion counts at every threshold."""
        y_pred = ops.convert_to_tensor(y_pred)
        if not self._built:
            # Only multi-label AUC without `num_labels` gets here: build from the first batch.
            self._build(tuple(y_pred.shape))
        if self.multi_label and (len(y_pred.shape) != 2 or y_pred.shape[1] != self._num_labels):
            raise ValueError(f"AUC '{self.name}' (multi_label) expects y_pred of shape (batch, "
                             f"{self._num_labels}). Received shape {tuple(y_pred.shape)}.")
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        variables = {"tp": self.true_positives, "fp": self.false_positives,
                     "tn": self.true_negatives, "fn": self.false_negatives}
        update_confusion_variables(variables, y_true, y_pred, self._thresholds,
                                   evenly_spaced=self._evenly_spaced,
                                   sample_weight=sample_weight, multi_label=self.multi_label,
                                   label_weights=None if self.multi_label else self.label_weights,
                                   owner=f"AUC '{self.name}'")

    def _average_labels(self, per_threshold):
        """Sum the curve pieces; with `multi_label`, per label, then a (weighted) mean."""
        if not self.multi_label:
            return ops.sum(per_threshold)
        per_label = ops.sum(per_threshold, axis=0)
        if self.label_weights is None:
            return ops.mean(per_label)
        return ops.divide_no_nan(ops.sum(ops.multiply(per_label, self.label_weights)),
                                 ops.sum(self.label_weights))

    def _interpolated_pr_auc(self, tp, fp, fn):
        """PR area with precision interpolated between thresholds (Davis & Goadrich, 2006).

        Between adjacent thresholds, true positives grow linearly with predicted positives
        `p = tp + fp`: `tp = slope * p + intercept`. Integrating the precision `tp / p` over the
        recall `tp / (tp + fn)` along that line has the closed form
        `slope * (dtp + intercept * log(p_i / p_{i+1})) / positives`.
        """
        p = ops.add(tp, fp)
        dtp = ops.subtract(tp[:-1], tp[1:])
        dp = ops.subtract(p[:-1], p[1:])
        slope = ops.divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = ops.subtract(tp[1:], ops.multiply(slope, p[1:]))
        both_positive = ops.logical_and(ops.greater(p[:-1], 0.0), ops.greater(p[1:], 0.0))
        # log(1) = 0 where either end has no predicted positives; the ratio is then meaningless.
        ratio = ops.where(both_positive, ops.divide_no_nan(p[:-1], ops.maximum(p[1:], 0.0)),
                          ops.ones_like(p[1:]))
        pieces = ops.divide_no_nan(
            ops.multiply(slope, ops.add(dtp, ops.multiply(intercept, ops.log(ratio)))),
            ops.maximum(ops.add(tp[1:], fn[1:]), 0.0))
        return self._average_labels(pieces)

    def result(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_auc(tp, fp, fn)
        recall = ops.divide_no_nan(tp, ops.add(tp, fn))
        if self.curve == "ROC":
            x, y = ops.divide_no_nan(fp, ops.add(fp, tn)), recall
        elif self.curve == "PR":
            x, y = recall, ops.divide_no_nan(tp, ops.add(tp, fp))
        else:  # PRGAIN: precision and recall gains relative to the positive rate
            scale = ops.divide_no_nan(ops.add(tp, fn), ops.add(tn, fp))
            no_tp = ops.equal(tp, 0.0)
            recall_gain = ops.subtract(1.0, ops.multiply(scale, ops.divide_no_nan(fn, tp)))
            precision_gain = ops.subtract(1.0, ops.multiply(scale, ops.divide_no_nan(fp, tp)))
            x = ops.maximum(ops.where(no_tp, 0.0, recall_gain), 0.0)
            y = ops.where(no_tp, 1.0, precision_gain)
        if self.summation_method == "interpolation":
            heights = ops.divide(ops.add(y[:-1], y[1:]), 2.0)
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._average_labels(ops.multiply(ops.subtract(x[:-1], x[1:]), heights))

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self._label_weights_config, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        return config


# -- one rate at a constraint on another -------------------------------------------------------
class _RateAtConstraint(Metric):
    """The best value of one rate over the thresholds where another rate is >= a target.

    Thresholds are `[0, 1/(n-1), ..., 1]` (or `[0.5]` when `num_thresholds == 1`); at each the
    four confusion cells are counted. `result` returns the largest `_dependent` rate among the
    thresholds whose `_constrained` rate is at least the target, or 0 when there are none.
    Subclasses name the target argument (`_value_arg`) and the two rates.
    """

    _value_arg = None
    _constrained = None
    _dependent = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        owner = type(self).__name__
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or \
                not 0.0 <= value <= 1.0:
            raise ValueError(f"{owner}: `{self._value_arg}` must be a float in [0, 1]. "
                             f"Received: {self._value_arg}={value!r}")
        if not isinstance(num_thresholds, numbers.Integral) or \
                isinstance(num_thresholds, bool) or num_thresholds <= 0:
            raise ValueError(f"{owner}: `num_thresholds` must be an int > 0. Received: "
                             f"num_thresholds={num_thresholds!r}")
        self.value = float(value)
        self.num_thresholds = int(num_thresholds)
        self.class_id = _check_optional_int(class_id, "class_id", owner, 0)
        if self.num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            n = self.num_thresholds
            self.thresholds = [0.0] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1.0]
        self._evenly_spaced = _evenly_spaced(self.thresholds)
        for attr in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, attr, self.add_variable(shape=(len(self.thresholds),),
                                                  initializer="zeros", name=attr))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) confusion counts at every threshold."""
        variables = {"tp": self.true_positives, "fp": self.false_positives,
                     "tn": self.true_negatives, "fn": self.false_negatives}
        update_confusion_variables(variables, y_true, y_pred, self.thresholds,
                                   evenly_spaced=self._evenly_spaced, class_id=self.class_id,
                                   sample_weight=sample_weight,
                                   owner=f"{type(self).__name__} '{self.name}'")

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {"sensitivity": ops.divide_no_nan(tp, ops.add(tp, fn)),  # = recall
                "specificity": ops.divide_no_nan(tn, ops.add(tn, fp)),
                "precision": ops.divide_no_nan(tp, ops.add(tp, fp))}

    def result(self):
        rates = self._rates()
        feasible = ops.greater_equal(rates[self._constrained], self.value)
        return ops.max(ops.where(feasible, rates[self._dependent], 0.0), initial=0.0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_arg: self.value}


class SensitivityAtSpecificity(_RateAtConstraint):
    """Best sensitivity (recall) over the thresholds where specificity is >= `specificity`.

    Args:
        specificity: Float in [0, 1], the required specificity `tn / (tn + fp)`.
        num_thresholds: Int > 0, number of thresholds evenly spaced over [0, 1] (1 means 0.5).
        class_id: Compute the metric for this index of the last axis only.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = SensitivityAtSpecificity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    _value_arg, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.specificity = self.value


class SpecificityAtSensitivity(_RateAtConstraint):
    """Best specificity over the thresholds where sensitivity (recall) is >= `sensitivity`.

    Args:
        sensitivity: Float in [0, 1], the required sensitivity `tp / (tp + fn)`.
        num_thresholds: Int > 0, number of thresholds evenly spaced over [0, 1] (1 means 0.5).
        class_id: Compute the metric for this index of the last axis only.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = SpecificityAtSensitivity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> round(float(m.result()), 4)
    0.6667
    """

    _value_arg, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.sensitivity = self.value


class PrecisionAtRecall(_RateAtConstraint):
    """Best precision over the thresholds where recall is >= `recall`.

    Args:
        recall: Float in [0, 1], the required recall `tp / (tp + fn)`.
        num_thresholds: Int > 0, number of thresholds evenly spaced over [0, 1] (1 means 0.5).
        class_id: Compute the metric for this index of the last axis only.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = PrecisionAtRecall(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    _value_arg, _constrained, _dependent = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name,
                         dtype=dtype)
        self.recall = self.value


class RecallAtPrecision(_RateAtConstraint):
    """Best recall over the thresholds where precision is >= `precision` (0 if none is).

    Args:
        precision: Float in [0, 1], the required precision `tp / (tp + fp)`.
        num_thresholds: Int > 0, number of thresholds evenly spaced over [0, 1] (1 means 0.5).
        class_id: Compute the metric for this index of the last axis only.
        name: Name of the metric.
        dtype: Dtype of the metric.

    >>> m = RecallAtPrecision(0.8)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.5
    """

    _value_arg, _constrained, _dependent = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.precision = self.value
