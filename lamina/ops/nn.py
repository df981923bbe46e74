"""Neural-network ops: activations, softmax family, cross-entropies, one-hot, moments."""

import numbers

from lamina import backend
from lamina.ops.dispatch import run


def relu(x):
    """Rectified linear unit: `max(x, 0)`."""
    return run(relu, backend.nn.relu, x)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return run(relu6, backend.nn.relu6, x)


def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))`."""
    return run(sigmoid, backend.nn.sigmoid, x)


def softplus(x):
    """`log(1 + exp(x))`."""
    return run(softplus, backend.nn.softplus, x)


def softsign(x):
    """`x / (1 + |x|)`."""
    return run(softsign, backend.nn.softsign, x)


def silu(x):
    """`x * sigmoid(x)` (also called swish)."""
    return run(silu, backend.nn.silu, x)


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably."""
    return run(log_sigmoid, backend.nn.log_sigmoid, x)


def leaky_relu(x, negative_slope=0.2):
    """`x` if positive else `negative_slope * x`."""
    return run(leaky_relu, backend.nn.leaky_relu, x, negative_slope=negative_slope)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid `relu6(x + 3) / 6`."""
    return run(hard_sigmoid, backend.nn.hard_sigmoid, x)


def hard_silu(x):
    """`x * hard_sigmoid(x)`."""
    return run(hard_silu, backend.nn.hard_silu, x)


def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return run(elu, backend.nn.elu, x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit."""
    return run(selu, backend.nn.selu, x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU."""
    return run(celu, backend.nn.celu, x, alpha=alpha)


def gelu(x, approximate=True):
    """Gaussian error linear unit."""
    return run(gelu, backend.nn.gelu, x, approximate=approximate)


def glu(x, axis=-1):
    """Gated linear unit: first half times sigmoid of second half."""
    return run(glu, backend.nn.glu, x, axis=axis)


def tanh_shrink(x):
    """`x - tanh(x)`."""
    return run(tanh_shrink, backend.nn.tanh_shrink, x)


def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return run(hard_tanh, backend.nn.hard_tanh, x)


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0."""
    return run(hard_shrink, backend.nn.hard_shrink, x, threshold=threshold)


def soft_shrink(x, threshold=0.5):
    """Shrink towards 0 by `threshold`."""
    return run(soft_shrink, backend.nn.soft_shrink, x, threshold=threshold)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    return run(threshold, backend.nn.threshold, x, threshold, default_value)


def squareplus(x, b=4):
    """`(x + sqrt(x^2 + b)) / 2`."""
    return run(squareplus, backend.nn.squareplus, x, b=b)


def sparse_plus(x):
    """Smooth piecewise-quadratic softplus."""
    return run(sparse_plus, backend.nn.sparse_plus, x)


def sparse_sigmoid(x):
    """Piecewise-linear sigmoid on [-1, 1]."""
    return run(sparse_sigmoid, backend.nn.sparse_sigmoid, x)


def mish(x):
    """`x * tanh(softplus(x))`."""
    return run(mish, backend.nn.mish, x)


def softmax(x, axis=-1):
    """Softmax along `axis`."""
    return run(softmax, backend.nn.softmax, x, axis=axis)


def log_softmax(x, axis=-1):
    """Log of softmax along `axis`, computed stably."""
    return run(log_softmax, backend.nn.log_softmax, x, axis=axis)


def sparsemax(x, axis=-1):
    """Sparsemax: Euclidean projection onto the simplex."""
    return run(sparsemax, backend.nn.sparsemax, x, axis=axis)


def _check_dense(name, sparse):
    if sparse:
        raise ValueError(f"{name}: sparse outputs are not supported by lamina. "
                         f"Received: sparse={sparse!r}; pass sparse=False.")


def _check_num_classes(name, num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
            or num_classes < 1:
        raise ValueError(f"{name}: `num_classes` must be a positive int. "
                         f"Received: num_classes={num_classes!r}")


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer `x`; labels outside [0, num_classes) give all-zero rows.

    >>> one_hot([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    _check_dense("one_hot", sparse)
    _check_num_classes("one_hot", num_classes)
    return run(one_hot, backend.nn.one_hot, x, num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: for each row of integer labels, ones at those classes.

    >>> multi_hot([[0, 2], [1, 1]], 3).tolist()
    [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    _check_dense("multi_hot", sparse)
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")  # the argument's name before Keras 3
    if kwargs:
        raise TypeError(f"multi_hot: unexpected arguments {sorted(kwargs)}.")
    _check_num_classes("multi_hot", num_classes)
    return run(multi_hot, backend.nn.multi_hot, inputs, num_classes, axis=axis, dtype=dtype)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy."""
    return run(binary_crossentropy, backend.nn.binary_crossentropy, target, output, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against one-hot targets."""
    return run(categorical_crossentropy, backend.nn.categorical_crossentropy, target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against integer targets."""
    return run(sparse_categorical_crossentropy, backend.nn.sparse_categorical_crossentropy, target, output, from_logits=from_logits, axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance over `axes`."""
    return run(moments, backend.nn.moments, x, axes, keepdims=keepdims, synchronized=synchronized)


__all__ = ["binary_crossentropy", "categorical_crossentropy", "celu", "elu", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_tanh", "leaky_relu", "log_sigmoid", "log_softmax", "mish", "moments", "multi_hot", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold"]
