"""The Initializer base class, and the shape/dtype checks every initializer shares."""

import numbers

from lamina import backend


class Initializer:
    """Base class of initializers: a callable `(shape, dtype=None) -> tensor` with a config.

    Subclasses implement `__call__(shape, dtype=None)` and, when they take arguments,
    `get_config()` returning them so that `from_config(get_config())` rebuilds an equal one.

    >>> class Twos(lamina.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return lamina.ops.full(shape, 2.0, dtype=dtype)
    >>> Twos()((2,)).tolist()
    [2.0, 2.0]
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "__call__(self, shape, dtype=None), returning a tensor.")

    def get_config(self):
        """The constructor arguments of this initializer, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """An initializer built from the dict `get_config` returned."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same config."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def standardize_shape(owner, shape):
    """`shape` as a tuple of non-negative ints, or a ValueError naming `owner`."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0
                           for d in dims):
        raise ValueError(f"{owner}: `shape` must be a tuple of non-negative ints, fully known "
                         f"(no None). Received: shape={shape!r}")
    return tuple(int(d) for d in dims)


def standardize_dtype(owner, dtype, float_only=False):
    """The dtype name (`floatx()` for None); with `float_only`, reject non-float dtypes."""
    name = backend.standardize_dtype(dtype)
    if float_only and not backend.dtypes.is_float(name):
        raise ValueError(f"{owner}: `dtype` must be a float dtype such as 'float32' (it draws "
                         f"real-valued samples). Received: dtype={dtype!r}")
    return name
