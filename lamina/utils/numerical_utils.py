"""Host-side array helpers: to_categorical, normalize."""

import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encode integer class labels (a NumPy array in, a NumPy array out).

    >>> to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    x = np.asarray(x)
    if x.dtype.kind not in "iubf":
        raise ValueError("to_categorical: labels must be integers. Received an array of dtype "
                         f"{x.dtype} such as {x.ravel()[:3].tolist()}")
    if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(
            num_classes, (int, np.integer)) or num_classes < 1):
        raise ValueError("to_categorical: `num_classes` must be a positive int or None. "
                         f"Received: num_classes={num_classes!r}")
    if x.dtype.kind not in "iub" and not np.all(np.equal(np.mod(x, 1), 0)):
        raise ValueError("to_categorical: labels must be integers. Received values such as "
                         f"{x.ravel()[:3].tolist()}")
    x = x.astype(np.int64)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical: labels must be non-negative. Found {x.min()}.")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(f"to_categorical: label {x.max()} does not fit num_classes="
                         f"{num_classes}; labels must be in [0, num_classes).")
    out = np.zeros((*x.shape, num_classes), dtype="float32")
    np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """Scale `x` to unit `order`-norm along `axis` (zero vectors stay zero)."""
    x = np.asarray(x, dtype="float32")
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)
