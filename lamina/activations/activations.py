"""Activation functions: Keras 3's set, each a plain function of a tensor written with `ops`.

Every function takes `x` (a tensor, array-like or symbolic tensor) and returns a tensor of the
same shape; integer inputs are computed in `floatx()`.
"""

import numbers

from lamina import backend, ops


def _check_number(fn, name, value, allow_none=False):
    """Raise unless `value` is a real Python/NumPy number (or None where allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        expected = "a number or None" if allow_none else "a number"
        raise TypeError(f"activations.{fn}: `{name}` must be {expected}. "
                        f"Received: {name}={value!r} of type {type(value).__name__}.")


def _check_axis(fn, axis):
    ints = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    if not ints or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) for a in ints):
        raise TypeError(f"activations.{fn}: `axis` must be an int or a tuple of ints. "
                        f"Received: axis={axis!r}")
    return axis if not isinstance(axis, list) else tuple(axis)


def _as_float(x):
    """`x` as a tensor; integers and bools become floatx, as the ops do for float math."""
    x = ops.convert_to_tensor(x)
    if not backend.dtypes.is_float(backend.standardize_dtype(x.dtype)):
        x = ops.cast(x, backend.floatx())
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with an optional leak, ceiling and threshold.

    With the defaults this is `max(x, 0)`. Values at or below `threshold` become 0, results are
    capped at `max_value`, and values below `threshold` get `negative_slope * (x - threshold)`.

    Args:
        x: Input tensor.
        negative_slope: Slope below the threshold. Defaults to `0.0`.
        max_value: Ceiling of the output, or `None` for none.
        threshold: Values at or below it are cut. Defaults to `0.0`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.relu([-2.0, 1.0, 8.0], max_value=6.0).tolist()
    [0.0, 1.0, 6.0]
    """
    _check_number("relu", "negative_slope", negative_slope)
    _check_number("relu", "max_value", max_value, allow_none=True)
    _check_number("relu", "threshold", threshold)
    if max_value is not None and max_value < 0:
        raise ValueError("activations.relu: `max_value` must be >= 0 or None. "
                         f"Received: max_value={max_value!r}")
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    x = _as_float(x)
    if threshold != 0.0:
        y = ops.where(ops.greater(x, threshold), x, 0.0)
    else:
        y = ops.relu(x)
    if max_value is not None:
        y = ops.clip(y, 0.0, max_value)
    if negative_slope != 0.0:
        y = ops.subtract(y, ops.multiply(ops.relu(ops.subtract(threshold, x)), negative_slope))
    return y


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` if `x > 0`, else `negative_slope * x`.

    Args:
        x: Input tensor.
        negative_slope: Slope for negative inputs. Defaults to `0.2`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.leaky_relu([-1.0, 2.0], negative_slope=0.5).tolist()
    [-0.5, 2.0]
    """
    _check_number("leaky_relu", "negative_slope", negative_slope)
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """ReLU capped at 6: `min(max(x, 0), 6)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.relu6([-1.0, 3.0, 9.0]).tolist()
    [0.0, 3.0, 6.0]
    """
    return ops.relu6(x)


def softmax(x, axis=-1):
    """Softmax: `exp(x) / sum(exp(x), axis)`, a probability distribution along `axis`.

    Args:
        x: Input tensor.
        axis: Int or tuple of ints, the axes that sum to 1. Defaults to `-1`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.softmax([[0.0, 0.0]]).tolist()
    [[0.5, 0.5]]
    """
    return ops.softmax(x, axis=_check_axis("softmax", axis))


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part. Defaults to `1.0`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.elu([0.0, 2.0]).tolist()
    [0.0, 2.0]
    """
    _check_number("elu", "alpha", alpha)
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)` with scale ~1.0507 and alpha ~1.6733 (self-normalizing).

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> round(lamina.activations.selu([1.0]).tolist()[0], 4)
    1.0507
    """
    return ops.selu(x)


def softplus(x):
    """Softplus: `log(exp(x) + 1)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> round(lamina.activations.softplus([0.0]).tolist()[0], 4)
    0.6931
    """
    return ops.softplus(x)


def softsign(x):
    """Softsign: `x / (abs(x) + 1)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.softsign([-1.0, 3.0]).tolist()
    [-0.5, 0.75]
    """
    return ops.softsign(x)


def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: `x - threshold` above `threshold`, `x + threshold` below `-threshold`.

    Values within `[-threshold, threshold]` become 0.

    Args:
        x: Input tensor.
        threshold: Half-width of the zero band. Defaults to `0.5`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.soft_shrink([-2.0, 0.25, 2.0]).tolist()
    [-1.5, 0.0, 1.5]
    """
    _check_number("soft_shrink", "threshold", threshold)
    return ops.soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    """SparsePlus: 0 for `x <= -1`, `(x + 1)**2 / 4` for `-1 < x < 1`, `x` for `x >= 1`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.sparse_plus([-2.0, 0.0, 2.0]).tolist()
    [0.0, 0.25, 2.0]
    """
    return ops.sparse_plus(x)


def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.silu([0.0]).tolist()
    [0.0]
    """
    return ops.silu(x)


def squareplus(x, b=4):
    """Squareplus: `(x + sqrt(x**2 + b)) / 2`, a smooth ReLU.

    Args:
        x: Input tensor.
        b: Non-negative smoothness; `b=0` gives ReLU. Defaults to `4`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.squareplus([0.0]).tolist()
    [1.0]
    """
    _check_number("squareplus", "b", b)
    if b < 0:
        raise ValueError(f"activations.squareplus: `b` must be >= 0. Received: b={b!r}")
    return ops.squareplus(x, b=b)


def gelu(x, approximate=False):
    """Gaussian error linear unit: `x * P(X <= x)` for X ~ N(0, 1).

    Args:
        x: Input tensor.
        approximate: Use the tanh approximation instead of the exact erf form.
            Defaults to `False`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.gelu([0.0]).tolist()
    [0.0]
    """
    if not isinstance(approximate, bool):
        raise TypeError("activations.gelu: `approximate` must be a bool. "
                        f"Received: approximate={approximate!r}")
    return ops.gelu(x, approximate=approximate)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * min(0, exp(x / alpha) - 1)`.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part. Defaults to `1.0`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.celu([0.0, 2.0]).tolist()
    [0.0, 2.0]
    """
    _check_number("celu", "alpha", alpha)
    if alpha == 0:
        raise ValueError("activations.celu: `alpha` must be non-zero (it divides x). "
                         f"Received: alpha={alpha!r}")
    return ops.celu(x, alpha=alpha)


def glu(x, axis=-1):
    """Gated linear unit: splits `x` in halves `a, b` along `axis` and returns `a * sigmoid(b)`.

    Args:
        x: Input tensor; its size along `axis` must be even.
        axis: The axis to split. Defaults to `-1`.

    Returns:
        A tensor like `x` with `axis` halved.

    >>> lamina.activations.glu([[2.0, 0.0]]).tolist()
    [[1.0]]
    """
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"activations.glu: `axis` must be an int. Received: axis={axis!r}")
    size = ops.shape(x)[axis] if hasattr(x, "shape") else None
    if size is not None and size % 2:
        raise ValueError(f"activations.glu: the size of `x` along axis {axis} must be even to "
                         f"split it in two halves. Received shape {tuple(ops.shape(x))}.")
    return ops.glu(x, axis=int(axis))


def tanh(x):
    """Hyperbolic tangent: `(exp(x) - exp(-x)) / (exp(x) + exp(-x))`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.tanh([0.0]).tolist()
    [0.0]
    """
    return ops.tanh(x)


def tanh_shrink(x):
    """Tanh shrink: `x - tanh(x)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.tanh_shrink([0.0]).tolist()
    [0.0]
    """
    return ops.tanh_shrink(x)


def hard_tanh(x):
    """Hard tanh: `x` clipped to `[-1, 1]`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.hard_tanh([-3.0, 0.5, 3.0]).tolist()
    [-1.0, 0.5, 1.0]
    """
    return ops.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: `x` where `abs(x) > threshold`, else 0.

    Args:
        x: Input tensor.
        threshold: Half-width of the zero band. Defaults to `0.5`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.hard_shrink([-1.0, 0.25, 1.0]).tolist()
    [-1.0, 0.0, 1.0]
    """
    _check_number("hard_shrink", "threshold", threshold)
    return ops.hard_shrink(x, threshold=threshold)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`.

    Args:
        x: Input tensor.
        threshold: The cut-off value.
        default_value: The value given to elements at or below `threshold`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.threshold([-1.0, 2.0], 0.0, -5.0).tolist()
    [-5.0, 2.0]
    """
    _check_number("threshold", "threshold", threshold)
    _check_number("threshold", "default_value", default_value)
    return ops.threshold(x, threshold, default_value)


def sigmoid(x):
    """Logistic sigmoid: `1 / (1 + exp(-x))`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.sigmoid([0.0]).tolist()
    [0.5]
    """
    return ops.sigmoid(x)


def sparse_sigmoid(x):
    """Sparse sigmoid: 0 for `x <= -1`, `(x + 1) / 2` between, 1 for `x >= 1`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.sparse_sigmoid([-2.0, 0.0, 2.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    return ops.sparse_sigmoid(x)


def exponential(x):
    """Exponential: `exp(x)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.exponential([0.0]).tolist()
    [1.0]
    """
    return ops.exp(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: `relu6(x + 3) / 6`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.hard_sigmoid([-4.0, 0.0, 4.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    return ops.hard_sigmoid(x)


def log_sigmoid(x):
    """Log of the sigmoid, computed stably: `-softplus(-x)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> round(lamina.activations.log_sigmoid([0.0]).tolist()[0], 4)
    -0.6931
    """
    return ops.log_sigmoid(x)


def hard_silu(x):
    """Hard SiLU (hard swish): `x * relu6(x + 3) / 6`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.hard_silu([0.0, 3.0, 4.0]).tolist()
    [0.0, 3.0, 4.0]
    """
    return ops.hard_silu(x)


def linear(x):
    """Identity: returns `x` unchanged (the activation of `activation=None`).

    Args:
        x: Input tensor.

    Returns:
        `x` itself.

    >>> lamina.activations.linear([1.5])
    [1.5]
    """
    return x


def mish(x):
    """Mish: `x * tanh(softplus(x))`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.mish([0.0]).tolist()
    [0.0]
    """
    return ops.mish(x)


def log_softmax(x, axis=-1):
    """Log of the softmax, computed stably: `x - logsumexp(x, axis)`.

    Args:
        x: Input tensor.
        axis: Int or tuple of ints, the normalized axes. Defaults to `-1`.

    Returns:
        A tensor of the same shape as `x`.

    >>> [round(v, 4) for v in lamina.activations.log_softmax([0.0, 0.0]).tolist()]
    [-0.6931, -0.6931]
    """
    return ops.log_softmax(x, axis=_check_axis("log_softmax", axis))


def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex along `axis`.

    Like softmax it sums to 1, but it gives exact zeros to small entries.

    Args:
        x: Input tensor.
        axis: The normalized axis. Defaults to `-1`.

    Returns:
        A tensor of the same shape as `x`.

    >>> lamina.activations.sparsemax([0.0, 1.0, 3.0]).tolist()
    [0.0, 0.0, 1.0]
    """
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"activations.sparsemax: `axis` must be an int. Received: axis={axis!r}")
    return ops.sparsemax(x, axis=int(axis))


# Keras 3 exports these second names for the same functions; `serialize` gives the first name.
swish = silu
hard_swish = hard_silu
