"""Overlap losses for segmentation: Dice and Tversky.

Both compare soft masks by their overlap, summed over `axis` (all axes when `axis` is None,
which gives one value for the whole batch): Dice is `1 - 2|A∩B| / (|A| + |B|)`, Tversky weighs
false negatives and false positives separately.
"""

from lamina import backend, ops
from lamina.losses.losses import _FunctionLoss, _is_int, _prepare


def dice(y_true, y_pred, axis=None):
    """Dice loss `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)`.

    Args:
        y_true: Target masks in [0, 1].
        y_pred: Predicted masks, same shape.
        axis: Int or tuple of ints, the axes summed over. Defaults to None: all axes, one
            scalar for the batch. `axis=(1, 2, 3)` on `(batch, h, w, c)` masks gives one loss
            per sample.

    Returns:
        The loss, the `axis` axes reduced.

    >>> round(float(lamina.losses.dice([[1.0, 0.0]], [[0.5, 0.5]])), 4)
    0.5
    """
    name = "dice"
    axis = _check_sum_axis(axis, name)
    y_true, y_pred = _prepare(y_true, y_pred, name, same_shape=True)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis)
    return 1.0 - ops.divide(2.0 * intersection, total + backend.epsilon())


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss `1 - TP / (TP + alpha * FN + beta * FP + epsilon)` on soft masks.

    `TP = sum(y_true * y_pred)`, `FN = sum(y_true * (1 - y_pred))` and
    `FP = sum((1 - y_true) * y_pred)`; as in Keras 3, `alpha` weighs false negatives and
    `beta` false positives. `alpha = beta = 0.5` gives the Dice loss.

    Args:
        y_true: Target masks in [0, 1].
        y_pred: Predicted masks, same shape.
        alpha: Non-negative float, the false-negative weight. Defaults to 0.5.
        beta: Non-negative float, the false-positive weight. Defaults to 0.5.
        axis: Int or tuple of ints, the axes summed over. Defaults to None: all axes.

    Returns:
        The loss, the `axis` axes reduced.

    >>> round(float(lamina.losses.tversky([[1.0, 0.0]], [[0.5, 0.5]], alpha=1.0, beta=0.0)), 4)
    0.5
    """
    name = "tversky"
    _check_weight(alpha, "alpha", name)
    _check_weight(beta, "beta", name)
    axis = _check_sum_axis(axis, name)
    y_true, y_pred = _prepare(y_true, y_pred, name, same_shape=True)
    true_pos = ops.sum(y_true * y_pred, axis=axis)
    false_neg = ops.sum(y_true * (1.0 - y_pred), axis=axis)
    false_pos = ops.sum((1.0 - y_true) * y_pred, axis=axis)
    denominator = true_pos + alpha * false_neg + beta * false_pos + backend.epsilon()
    return 1.0 - ops.divide(true_pos, denominator)


class Dice(_FunctionLoss):
    """Dice loss between target and predicted masks; see `dice`.

    Args:
        reduction: How the losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        axis: Int or tuple of ints, the axes summed over. Defaults to None (all axes).
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.Dice(axis=1)([[1.0, 0.0], [0.0, 1.0]],
    ...                                       [[0.5, 0.5], [0.0, 1.0]])), 4)
    0.25
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        axis = _check_sum_axis(axis, type(self).__name__)
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(_FunctionLoss):
    """Tversky loss between target and predicted masks; see `tversky`.

    Args:
        alpha: Non-negative float, the false-negative weight. Defaults to 0.5.
        beta: Non-negative float, the false-positive weight. Defaults to 0.5.
        reduction: How the losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        axis: Int or tuple of ints, the axes summed over. Defaults to None (all axes).
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.Tversky(alpha=1.0, beta=0.0)([[1.0, 0.0]], [[0.5, 0.5]])), 4)
    0.5
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        owner = type(self).__name__
        _check_weight(alpha, "alpha", owner)
        _check_weight(beta, "beta", owner)
        axis = _check_sum_axis(axis, owner)
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)


def _check_sum_axis(axis, owner):
    """None, an int, or a tuple of ints (a list, as a config from JSON holds, becomes one)."""
    if isinstance(axis, list):
        axis = tuple(axis)
    if axis is None or _is_int(axis) or (isinstance(axis, tuple) and axis
                                         and all(_is_int(a) for a in axis)):
        return axis
    raise TypeError(f"{owner}: `axis` must be None, an int or a tuple of ints. Received: "
                    f"axis={axis!r}. Use e.g. axis=(1, 2, 3) for one loss per image.")


def _check_weight(value, arg, owner):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{owner}: `{arg}` must be a non-negative float. Received: "
                         f"{arg}={value!r}.")
