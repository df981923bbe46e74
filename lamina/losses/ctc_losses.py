"""Connectionist temporal classification (CTC) loss (Graves et al., 2006).

The loss of a sequence is minus the log-probability of its label sequence, summed over every
alignment of the labels to the time steps (with repeats and the blank class 0 in between),
computed by the forward algorithm in log space.
"""

from lamina import ops
from lamina.losses.loss import Loss

# Log-probability standing in for log(0): exp() of it is 0, and unlike -inf it keeps the
# gradients of impossible paths at 0 instead of NaN.
_LOG_ZERO = -1e5


def ctc(y_true, y_pred):
    """CTC loss: `-log p(labels | logits)` summed over all alignments; class 0 is the blank.

    Every sample uses all `time` steps; its label sequence is the non-zero entries of `y_true`
    (padding with 0 at the end).

    Args:
        y_true: Integer labels in `[1, num_classes)`, shape `(batch, max_label_length)`,
            padded with 0.
        y_pred: Unnormalized logits (not softmax outputs), shape `(batch, time, num_classes)`.

    Returns:
        Per-sample losses, shape `(batch,)`.

    >>> round(float(lamina.losses.ctc([[1]], [[[0.0, 0.0], [0.0, 0.0]]])[0]), 4)
    0.2877
    """
    labels = ops.convert_to_tensor(y_true)
    logits = ops.convert_to_tensor(y_pred)
    if len(labels.shape) != 2:
        raise ValueError("ctc: `y_true` must be integer labels of shape (batch, "
                         f"max_label_length), padded with 0. Received: y_true.shape="
                         f"{tuple(labels.shape)}.")
    if len(logits.shape) != 3 or logits.shape[0] != labels.shape[0]:
        raise ValueError("ctc: `y_pred` must be logits of shape (batch, time, num_classes) with "
                         f"the batch of y_true. Received: y_pred.shape={tuple(logits.shape)}, "
                         f"y_true.shape={tuple(labels.shape)}.")
    if ops.dtype(logits) not in ("float32", "float64"):
        # Integer and half-precision logits are computed in float32, as Keras 3 does.
        logits = ops.cast(logits, "float32")
    labels = ops.cast(labels, "int32")
    batch, max_len = labels.shape
    label_length = ops.sum(ops.cast(ops.not_equal(labels, 0), "int32"), axis=-1)
    log_probs = ops.log_softmax(logits, axis=-1)

    # Extended labels: blank, l1, blank, l2, ..., blank (length 2 * max_len + 1).
    blanks = ops.zeros_like(labels)
    extended = ops.reshape(ops.stack([blanks, labels], axis=-1), (batch, 2 * max_len))
    extended = ops.concatenate([extended, ops.zeros((batch, 1), dtype="int32")], axis=1)
    states = 2 * max_len + 1
    # A path may skip the blank between two different labels: state s from s - 2.
    two_back = ops.concatenate([ops.full((batch, 2), -1, dtype="int32"),
                                extended[:, :-2]], axis=1)
    can_skip = ops.logical_and(ops.not_equal(extended, 0), ops.not_equal(extended, two_back))

    index = ops.broadcast_to(ops.expand_dims(extended, 1),
                             (batch, logits.shape[1], states))
    emissions = ops.take_along_axis(log_probs, index, axis=2)  # (batch, time, states)
    dtype = ops.dtype(emissions)
    log_zero = ops.full((), _LOG_ZERO, dtype=dtype)

    first = ops.arange(states) < 2
    alpha = ops.where(first, emissions[:, 0, :], log_zero)

    def step(alpha, emission):
        one_back = ops.concatenate([ops.full((batch, 1), _LOG_ZERO, dtype=dtype),
                                    alpha[:, :-1]], axis=1)
        skip = ops.concatenate([ops.full((batch, 2), _LOG_ZERO, dtype=dtype),
                                alpha[:, :-2]], axis=1)
        skip = ops.where(can_skip, skip, log_zero)
        merged = ops.logsumexp(ops.stack([alpha, one_back, skip], axis=0), axis=0)
        return merged + emission, None

    alpha, _ = ops.scan(step, alpha, ops.transpose(emissions[:, 1:, :], (1, 0, 2)))
    # Paths end on the last label or the blank after it.
    last = ops.expand_dims(2 * label_length, 1)
    before = ops.expand_dims(ops.maximum(2 * label_length - 1, 0), 1)
    end_blank = ops.squeeze(ops.take_along_axis(alpha, last, axis=1), 1)
    end_label = ops.squeeze(ops.take_along_axis(alpha, before, axis=1), 1)
    end_label = ops.where(label_length > 0, end_label, log_zero)
    return ops.negative(ops.logaddexp(end_blank, end_label))


class CTC(Loss):
    """CTC loss between padded integer label sequences and per-step logits; see `ctc`.

    Args:
        reduction: How per-sample losses are combined; see `lamina.losses.Loss`.
            Defaults to `"sum_over_batch_size"`.
        name: Name of the loss instance.
        dtype: Dtype of the computation. Defaults to `lamina.backend.floatx()`.

    Returns:
        A `Loss`; `loss(y_true, y_pred, sample_weight=None)` gives the reduced loss.

    >>> round(float(lamina.losses.CTC()([[1]], [[[0.0, 0.0], [0.0, 0.0]]])), 4)
    0.2877
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def call(self, y_true, y_pred):
        # The base class gave the labels the loss dtype; ctc casts them back to int32.
        return ctc(y_true, y_pred)
