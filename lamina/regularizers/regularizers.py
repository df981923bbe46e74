"""Weight regularizers: callables `weights -> scalar penalty` added to the training loss."""

import math
import numbers

from lamina import backend, ops


def _validate_factor(owner, name, value):
    """`value` as a float, or a ValueError unless it is a finite non-negative number."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isinf(value)
            or math.isnan(value) or value < 0):
        raise ValueError(f"{owner}: `{name}` must be a finite non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


def _as_float(x):
    x = ops.convert_to_tensor(x)
    if not backend.dtypes.is_float(backend.standardize_dtype(x.dtype)):
        x = ops.cast(x, backend.floatx())
    return x


class Regularizer:
    """Base class of regularizers: `__call__(x)` returns a scalar penalty for the weights `x`.

    Subclasses implement `__call__`, and `get_config` when their constructor takes arguments.

    >>> class Sum(lamina.regularizers.Regularizer):
    ...     def __call__(self, x):
    ...         return lamina.ops.sum(x)
    >>> float(Sum()([1.0, 2.0]))
    3.0
    """

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        if type(self).__init__ is not object.__init__:
            raise NotImplementedError(
                f"{type(self).__name__} takes constructor arguments, so it must define "
                "get_config() returning them (for saving and cloning).")
        return {}

    @classmethod
    def from_config(cls, config):
        """A regularizer built from the dict `get_config` returned."""
        return cls(**config)

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = "..."
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """L1 plus L2 penalty: `l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Args:
        l1: Non-negative L1 factor (`None` means 0). Defaults to `0.0`.
        l2: Non-negative L2 factor (`None` means 0). Defaults to `0.0`.

    >>> float(lamina.regularizers.L1L2(l1=0.5, l2=0.25)([1.0, -2.0]))
    2.75
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate_factor("L1L2", "l1", 0.0 if l1 is None else l1)
        self.l2 = _validate_factor("L1L2", "l2", 0.0 if l2 is None else l2)

    def __call__(self, x):
        x = _as_float(x)
        penalty = ops.convert_to_tensor(0.0, dtype=x.dtype)
        if self.l1:
            penalty = ops.add(penalty, ops.multiply(ops.sum(ops.abs(x)), self.l1))
        if self.l2:
            penalty = ops.add(penalty, ops.multiply(ops.sum(ops.square(x)), self.l2))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """L1 penalty: `l1 * sum(abs(x))`.

    Args:
        l1: Non-negative factor (`None` means the default). Defaults to `0.01`.

    >>> float(lamina.regularizers.L1(0.5)([1.0, -2.0]))
    1.5
    """

    def __init__(self, l1=0.01):
        self.l1 = _validate_factor("L1", "l1", 0.01 if l1 is None else l1)

    def __call__(self, x):
        return ops.multiply(ops.sum(ops.abs(_as_float(x))), self.l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty: `l2 * sum(square(x))`.

    Args:
        l2: Non-negative factor (`None` means the default). Defaults to `0.01`.

    >>> float(lamina.regularizers.L2(0.5)([1.0, -2.0]))
    2.5
    """

    def __init__(self, l2=0.01):
        self.l2 = _validate_factor("L2", "l2", 0.01 if l2 is None else l2)

    def __call__(self, x):
        return ops.multiply(ops.sum(ops.square(_as_float(x))), self.l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalty pushing the rows (or columns) of a 2-D weight towards mutual orthogonality.

    The rows (`mode="rows"`) or columns are L2-normalized; the penalty is
    `factor * 0.5 * sum(abs(off-diagonal dot products)) / (n * (n - 1) / 2)` for n of them,
    i.e. `factor` times the mean absolute cosine over distinct pairs.

    Args:
        factor: Non-negative factor. Defaults to `0.01`.
        mode: `"rows"` or `"columns"`. Defaults to `"rows"`.

    >>> float(lamina.regularizers.OrthogonalRegularizer(1.0)([[1.0, 0.0], [0.0, 1.0]]))
    0.0
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _validate_factor("OrthogonalRegularizer", "factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError("OrthogonalRegularizer: `mode` must be 'rows' or 'columns'. "
                             f"Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, inputs):
        x = _as_float(inputs)
        shape = tuple(x.shape)
        if len(shape) != 2:
            raise ValueError("OrthogonalRegularizer: inputs must be 2-D (a Dense kernel, say). "
                             f"Received shape {shape}.")
        axis = 1 if self.mode == "rows" else 0
        size = shape[1 - axis]
        if size is not None and size < 2:
            raise ValueError(f"OrthogonalRegularizer: mode={self.mode!r} needs at least 2 "
                             f"{self.mode} to compare, but the input of shape {shape} has "
                             f"{size}. Use the other mode or no regularizer.")
        dtype = backend.standardize_dtype(x.dtype)
        if dtype in ("float16", "bfloat16"):
            # 1 / epsilon overflows half precision, turning all-zero rows into NaN.
            x = ops.cast(x, "float32")
        x = _normalize(x, axis)
        product = ops.matmul(x, ops.transpose(x)) if axis == 1 else ops.matmul(
            ops.transpose(x), x)
        off_diagonal = ops.multiply(product, ops.subtract(1.0, ops.eye(size, dtype=x.dtype)))
        num_pairs = size * (size - 1) / 2.0
        penalty = ops.multiply(ops.sum(ops.abs(off_diagonal)), self.factor * 0.5 / num_pairs)
        return ops.cast(penalty, dtype)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def _normalize(x, axis):
    """`x` divided by its L2 norm along `axis`; an all-zero slice stays zero."""
    # Keras's form: x * min(rsqrt(sum x^2), 1 / epsilon).
    inv_norm = ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return ops.multiply(x, ops.minimum(inv_norm, 1.0 / backend.epsilon()))
