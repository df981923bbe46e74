"""Weight constraints: callables `weights -> constrained weights`, applied after each update."""

import numbers

from lamina import backend, ops


def _check_axis(owner, axis):
    """`axis` (None, an int, or a list/tuple of ints) as the ops expect it, or a ValueError."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    if not axes or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) for a in axes):
        raise ValueError(f"{owner}: `axis` must be an int, a list of ints or None. "
                         f"Received: axis={axis!r}")
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def _check_value(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(f"{owner}: `{name}` must be a non-negative number. "
                         f"Received: {name}={value!r}")


def _norms(w, axis):
    """`w` as a float tensor, and its L2 norms along `axis` (kept as size-1 axes)."""
    w = ops.convert_to_tensor(w)
    if not backend.dtypes.is_float(backend.standardize_dtype(w.dtype)):
        w = ops.cast(w, backend.floatx())
    return w, ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class of constraints: `__call__(w)` returns the projected weights (here, `w`).

    Subclasses implement `__call__`, and `get_config` when their constructor takes arguments.

    >>> lamina.constraints.Constraint()([1.0, -1.0])
    [1.0, -1.0]
    """

    def __call__(self, w):
        return w

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """A constraint built from the dict `get_config` returned."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescales slices of the weights whose L2 norm along `axis` exceeds `max_value`.

    Computes `w * clip(norm, 0, max_value) / (epsilon + norm)`.

    Args:
        max_value: Maximum norm. Defaults to `2`.
        axis: Axis (or axes) along which norms are taken: `0` for the columns of a Dense
            kernel `(input_dim, units)`, `[0, 1, 2]` for the filters of a Conv2D kernel.
            Defaults to `0`.

    >>> [round(v, 4) for v in lamina.constraints.MaxNorm(1.0)([[3.0], [4.0]])[:, 0].tolist()]
    [0.6, 0.8]
    """

    def __init__(self, max_value=2, axis=0):
        _check_value("MaxNorm", "max_value", max_value)
        self._axis = _check_axis("MaxNorm", axis)
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w, norms = _norms(w, self._axis)
        desired = ops.clip(norms, 0.0, self.max_value)
        return ops.multiply(w, ops.divide(desired, ops.add(norms, backend.epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to 0.

    >>> lamina.constraints.NonNeg()([-1.0, 2.0]).tolist()
    [0.0, 2.0]
    """

    def __call__(self, w):
        return ops.maximum(w, 0)


class UnitNorm(Constraint):
    """Scales slices of the weights to unit L2 norm along `axis`: `w / (epsilon + norm)`.

    Args:
        axis: Axis (or axes) along which norms are taken. Defaults to `0`.

    >>> [round(v, 4) for v in lamina.constraints.UnitNorm()([[3.0], [4.0]])[:, 0].tolist()]
    [0.6, 0.8]
    """

    def __init__(self, axis=0):
        self._axis = _check_axis("UnitNorm", axis)
        self.axis = axis

    def __call__(self, w):
        w, norms = _norms(w, self._axis)
        return ops.divide(w, ops.add(norms, backend.epsilon()))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norms of weight slices along `axis` into `[min_value, max_value]`.

    The target norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`, and the
    weights become `w * target / (epsilon + norm)`: `rate=1` enforces the bounds at once, a
    smaller rate moves towards them gradually.

    Args:
        min_value: Minimum norm. Defaults to `0.0`.
        max_value: Maximum norm. Defaults to `1.0`.
        rate: Fraction of the way to move towards the interval per call. Defaults to `1.0`.
        axis: Axis (or axes) along which norms are taken. Defaults to `0`.

    >>> w = lamina.constraints.MinMaxNorm(2.0, 3.0)([[0.6], [0.8]])
    >>> [round(v, 4) for v in w[:, 0].tolist()]
    [1.2, 1.6]
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        _check_value("MinMaxNorm", "min_value", min_value)
        _check_value("MinMaxNorm", "max_value", max_value)
        _check_value("MinMaxNorm", "rate", rate)
        if min_value > max_value:
            raise ValueError("MinMaxNorm: `min_value` must not exceed `max_value`. Received: "
                             f"min_value={min_value!r}, max_value={max_value!r}")
        self._axis = _check_axis("MinMaxNorm", axis)
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w, norms = _norms(w, self._axis)
        clipped = ops.clip(norms, self.min_value, self.max_value)
        desired = ops.add(ops.multiply(clipped, self.rate), ops.multiply(norms, 1.0 - self.rate))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, backend.epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}
