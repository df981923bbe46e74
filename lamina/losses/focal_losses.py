"""Losses for imbalanced or noisy classification: focal cross-entropies and generalized CE.

Focal losses scale each cross-entropy term by `(1 - p) ** gamma`, so confidently right
predictions count less (Lin et al., 2017). The generalized cross-entropy `(1 - p ** q) / q`
lies between cross-entropy (`q -> 0`) and mean absolute error (`q = 1`) and tolerates noisy
labels (Zhang & Sabuncu, 2018).
"""

import numbers

from lamina import backend, ops
from lamina.losses.losses import (
    _check_axis,
    _check_bool,
    _check_int,
    _check_label_smoothing,
    _float_tensor,
    _FunctionLoss,
    _prepare,
)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by `(1 - p_t) ** gamma`, averaged over `axis`.

    `p_t = y_true * p + (1 - y_true) * (1 - p)` is the probability given to the true label.
    With `apply_class_balancing`, positives are also weighted by `alpha` and negatives by
    `1 - alpha`. Label smoothing moves targets towards 0.5 first.

    Args:
        y_true: Targets in [0, 1], shape `(batch, d0, ..., dN)`.
        y_pred: Probabilities (or logits when `from_logits`), same shape.
        apply_class_balancing: Whether to weight positives by `alpha`, negatives by `1 - alpha`.
        alpha: Float in [0, 1], the positive-class weight. Defaults to 0.25.
        gamma: Non-negative float, the focusing exponent. Defaults to 2.0 (0 gives plain BCE).
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]. Defaults to 0.
        axis: Axis to average over. Defaults to -1.

    Returns:
        Per-sample losses, `axis` reduced.

    >>> round(lamina.losses.binary_focal_crossentropy([[1.0]], [[0.5]]).tolist()[0], 4)
    0.1733
    """
    name = "binary_focal_crossentropy"
    _check_focal_args(name, alpha, gamma, from_logits, label_smoothing, apply_class_balancing)
    y_true, y_pred = _prepare(y_true, y_pred, name, same_shape=True)
    axis = _check_axis(axis, len(y_pred.shape), name)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with each class term scaled by `alpha * (1 - p) ** gamma`.

    Probabilities are renormalized to sum to 1 along `axis` and clipped to
    `[1e-7, 1 - 1e-7]`; label smoothing mixes targets with the uniform distribution first.

    Args:
        y_true: One-hot (or soft) targets, shape `(batch, ..., num_classes)`.
        y_pred: Probabilities (or logits when `from_logits`), same shape.
        alpha: Float weight for every class, or a list of one weight per class. Defaults to
            0.25.
        gamma: Non-negative float, the focusing exponent. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]. Defaults to 0.
        axis: The class axis. Defaults to -1.

    Returns:
        Per-sample losses, `axis` reduced.

    >>> round(lamina.losses.categorical_focal_crossentropy([[0, 1]], [[0.5, 0.5]])
    ...       .tolist()[0], 4)
    0.0433
    """
    name = "categorical_focal_crossentropy"
    _check_focal_args(name, alpha, gamma, from_logits, label_smoothing, False)
    y_true, y_pred = _prepare(y_true, y_pred, name, same_shape=True)
    axis = _check_axis(axis, len(y_pred.shape), name)
    num_classes = y_pred.shape[axis]
    if isinstance(alpha, (list, tuple)):
        if len(alpha) != num_classes:
            raise ValueError(f"{name}: a list `alpha` needs one weight per class ({num_classes} "
                             f"along axis {axis}). Received {len(alpha)} weights: {alpha!r}.")
        shape = [1] * len(y_pred.shape)
        shape[axis] = num_classes
        alpha = ops.reshape(ops.convert_to_tensor(alpha, dtype=ops.dtype(y_pred)), shape)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = backend.epsilon()
    probs = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    cross_entropy = ops.negative(y_true * ops.log(probs))
    weight = alpha * ops.power(1.0 - probs, gamma)
    return ops.sum(weight * cross_entropy, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized cross-entropy `(1 - p ** q) / q`, with `p` the probability of the label.

    Args:
        y_true: Integer class labels, shape `(batch, ...)` or `(batch, ..., 1)`.
        y_pred: Class probabilities, shape `(batch, ..., num_classes)`.
        q: Float in (0, 1): near 0 it behaves like cross-entropy, near 1 like mean absolute
            error, which is more robust to wrong labels.

    Returns:
        Per-sample losses, shaped like the labels without a trailing 1.

    >>> lamina.losses.categorical_generalized_cross_entropy([1], [[0.75, 0.25]], q=0.5).tolist()
    [1.0]
    """
    name = "categorical_generalized_cross_entropy"
    _check_q(q, name)
    y_pred = _float_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    rank = len(y_pred.shape)
    # Keras 3 broadcasts (batch, 1) labels against (batch,) probabilities into a (batch, batch)
    # result; the trailing 1 is squeezed here instead.
    if len(y_true.shape) == rank and rank > 0 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if rank < 1 or tuple(y_true.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(f"{name}: integer labels `y_true` must have the shape of `y_pred` "
                         f"without its last (class) axis. Received: y_true.shape="
                         f"{tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}. For "
                         "one-hot labels pass argmax(y_true, axis=-1).")
    one_hot = ops.one_hot(ops.cast(y_true, "int32"), y_pred.shape[-1], dtype=ops.dtype(y_pred))
    prob = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(prob, q)) / q


class BinaryFocalCrossentropy(_FunctionLoss):
    """Focal binary cross-entropy, which focuses training on hard examples.

    See `binary_focal_crossentropy`.

    Args:
        apply_class_balancing: Whether to weight positives by `alpha`, negatives by `1 - alpha`.
        alpha: Float in [0, 1], the positive-class weight. Defaults to 0.25.
        gamma: Non-negative float, the focusing exponent. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; targets move towards 0.5. Defaults to 0.
        axis: Axis to average over. Defaults to -1.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> loss = lamina.losses.BinaryFocalCrossentropy(gamma=0.0, from_logits=True)
    >>> round(float(loss([[1.0]], [[0.0]])), 4)
    0.6931
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        owner = type(self).__name__
        _check_focal_args(owner, alpha, gamma, from_logits, label_smoothing,
                          apply_class_balancing)
        _check_int(axis, "axis", owner)
        super().__init__(binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_FunctionLoss):
    """Focal categorical cross-entropy between one-hot labels and class predictions.

    See `categorical_focal_crossentropy`.

    Args:
        alpha: Float weight for every class, or a list of one weight per class. Defaults to
            0.25.
        gamma: Non-negative float, the focusing exponent. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; targets mix with the uniform distribution.
        axis: The class axis. Defaults to -1.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> loss = lamina.losses.CategoricalFocalCrossentropy(alpha=1.0, gamma=0.0)
    >>> round(float(loss([[0, 1]], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        owner = type(self).__name__
        _check_focal_args(owner, alpha, gamma, from_logits, label_smoothing, False)
        _check_int(axis, "axis", owner)
        super().__init__(categorical_focal_crossentropy, reduction, name, dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)


class CategoricalGeneralizedCrossEntropy(_FunctionLoss):
    """Generalized cross-entropy, robust to noisy integer labels.

    See `categorical_generalized_cross_entropy`.

    Args:
        q: Float in (0, 1). Defaults to 0.5.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> loss = lamina.losses.CategoricalGeneralizedCrossEntropy(q=0.5)
    >>> float(loss([1, 0], [[0.75, 0.25], [0.25, 0.75]]))
    1.0
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        _check_q(q, type(self).__name__)
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)

    def call(self, y_true, y_pred):
        # Labels and probabilities have different ranks by design: no rank matching here.
        return self.fn(y_true, y_pred, **self._fn_kwargs)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_focal_args(owner, alpha, gamma, from_logits, label_smoothing, apply_class_balancing):
    _check_bool(from_logits, "from_logits", owner)
    _check_bool(apply_class_balancing, "apply_class_balancing", owner)
    _check_label_smoothing(label_smoothing, owner)
    alphas = alpha if isinstance(alpha, (list, tuple)) else [alpha]
    if not alphas or not all(_is_real(a) for a in alphas):
        raise ValueError(f"{owner}: `alpha` must be a float (or, for categorical focal "
                         f"losses, a list of one float per class). Received: alpha={alpha!r}.")
    if not _is_real(gamma) or gamma < 0:
        raise ValueError(f"{owner}: `gamma` must be a non-negative float. Received: "
                         f"gamma={gamma!r}. 2.0 is the usual choice; 0 turns focusing off.")


def _check_q(q, owner):
    if not _is_real(q) or not 0.0 < q < 1.0:
        raise ValueError(f"{owner}: `q` must be a float in the open interval (0, 1). "
                         f"Received: q={q!r}. 0.5 is a common choice.")
