"""Metric-learning losses on embeddings: Circle loss (Sun et al., 2020).

Circle loss pulls embeddings of the same label together and pushes different labels apart,
weighting each pair by how far it is from its optimum, so hard pairs get larger gradients.
"""

import numbers

from lamina import ops
from lamina.losses.losses import _check_bool, _float_tensor, _FunctionLoss

# Stands in for -inf in masked log-sum-exps: far below any pair logit, so exp() of it is 0, yet
# finite in float16 too; unlike -inf it leaves the gradient of an all-masked row at 0, not NaN.
_MASKED_LOGIT = -1e4


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Circle loss of each embedding against a reference set (by default, the batch itself).

    With cosine distances `d = max(1 - y_pred @ ref_embeddings.T, 0)`, a positive pair (same
    label) has logit `-gamma * max(margin + d, 0) * (margin - d)` and a negative pair
    `gamma * max(1 + margin - d, 0) * (1 - margin - d)`; the loss of a sample is
    `softplus(logsumexp(positive logits) + logsumexp(negative logits))`, and 0 for a sample
    without positive or negative pairs.

    Args:
        y_true: Integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: L2-normalized embeddings, shape `(batch, dim)`.
        ref_labels: Optional labels of the reference set; defaults to `y_true`.
        ref_embeddings: Optional L2-normalized reference embeddings, shape `(num_refs, dim)`;
            defaults to `y_pred`.
        remove_diagonal: Whether a sample is not its own positive pair (for the batch itself
            as reference). Defaults to True.
        gamma: Positive float, the scale of the logits. Defaults to 80.
        margin: Float, the relaxation margin. Defaults to 0.4.

    Returns:
        Per-sample losses, shape `(batch,)`.

    >>> emb = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    >>> [round(v, 4) for v in lamina.losses.circle([0, 0, 1], emb, gamma=1.0).tolist()]
    [0.5459, 0.5459, 0.0]
    """
    name = "circle"
    _check_circle_args(name, gamma, margin, remove_diagonal)
    y_pred = _float_tensor(y_pred)
    if len(y_pred.shape) != 2:
        raise ValueError(f"{name}: `y_pred` must be embeddings of shape (batch, dim). "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}.")
    labels = _flat_labels(y_true, y_pred.shape[0], "y_true")
    refs = y_pred if ref_embeddings is None else ops.cast(ops.convert_to_tensor(ref_embeddings),
                                                          ops.dtype(y_pred))
    if len(refs.shape) != 2 or refs.shape[1] != y_pred.shape[1]:
        raise ValueError(f"{name}: `ref_embeddings` must have shape (num_refs, "
                         f"{y_pred.shape[1]}) to match y_pred. Received: "
                         f"{tuple(refs.shape)}.")
    ref_labels = labels if ref_labels is None else _flat_labels(ref_labels, refs.shape[0],
                                                                "ref_labels")
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(refs)), 0.0)
    same = ops.equal(ops.expand_dims(labels, 1), ops.expand_dims(ref_labels, 0))
    negative = ops.logical_not(same)
    positive = same
    if remove_diagonal:
        off_diagonal = ops.logical_not(ops.eye(y_pred.shape[0], refs.shape[0], dtype="bool"))
        positive = ops.logical_and(same, off_diagonal)
    pos_logits = -gamma * ops.maximum(margin + distances, 0.0) * (margin - distances)
    neg_logits = gamma * ops.maximum(1.0 + margin - distances, 0.0) * (1.0 - margin - distances)
    pos_term = ops.logsumexp(ops.where(positive, pos_logits, _MASKED_LOGIT), axis=1)
    neg_term = ops.logsumexp(ops.where(negative, neg_logits, _MASKED_LOGIT), axis=1)
    return ops.softplus(pos_term + neg_term)


class Circle(_FunctionLoss):
    """Circle loss over a batch of L2-normalized embeddings and integer labels; see `circle`.

    Samples whose loss is 0 (no positive or no negative pair in the batch) are left out of the
    `"sum_over_batch_size"` average, as in Keras 3.

    Args:
        gamma: Positive float, the scale of the logits. Defaults to 80.0.
        margin: Float, the relaxation margin. Defaults to 0.4.
        remove_diagonal: Whether a sample is not its own positive pair. Defaults to True.
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> loss = lamina.losses.Circle(gamma=1.0)
    >>> round(float(loss([0, 0, 1], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])), 4)
    0.5459
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        _check_circle_args(type(self).__name__, gamma, margin, remove_diagonal)
        super().__init__(circle, reduction, name, dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def call(self, y_true, y_pred):
        # Labels and embeddings have different ranks by design: no rank matching here.
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _call_with_mask(self, y_true, y_pred):
        values = self.call(y_true, y_pred)
        return values, ops.greater(values, 0.0)


def _flat_labels(labels, size, arg):
    labels = ops.convert_to_tensor(labels)
    if len(labels.shape) == 2 and labels.shape[1] == 1:
        labels = ops.squeeze(labels, axis=1)
    if tuple(labels.shape) != (size,):
        raise ValueError(f"circle: `{arg}` must be integer labels of shape ({size},) or "
                         f"({size}, 1), one per embedding. Received shape "
                         f"{tuple(labels.shape)}.")
    return ops.cast(labels, "int32")


def _check_circle_args(owner, gamma, margin, remove_diagonal):
    _check_bool(remove_diagonal, "remove_diagonal", owner)
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) or not gamma > 0:
        raise ValueError(f"{owner}: `gamma` must be a positive float. Received: gamma={gamma!r}."
                         " 80 (the default) suits L2-normalized embeddings.")
    if not isinstance(margin, numbers.Real) or isinstance(margin, bool):
        raise ValueError(f"{owner}: `margin` must be a float. Received: margin={margin!r}. "
                         "Typical values are 0.25 to 0.4.")
