"""Variable: a named, mutable tensor owned by a layer, optimizer or metric.

Reads go through `value`, writes through `assign`; both honour the stateless scope so layer code
stays pure inside compiled training steps. Each backend subclasses it to say how values are stored.
"""

import numpy as np

from lamina.backend.common import dtypes
from lamina.backend.common.autocast import get_autocast_scope
from lamina.backend.common.scopes import current_name_scope
from lamina.backend.common.stateless_scope import get_stateless_scope, outside_stateless_scope

_NAME_COUNTS = {}


def auto_name(prefix):
    """Unique object name in this process: "dense", then "dense_1", "dense_2", ..."""
    count = _NAME_COUNTS.get(prefix, 0)
    _NAME_COUNTS[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    _NAME_COUNTS.clear()


_TRACKING = [0]


def tracking_version():
    """A counter that changes whenever any layer gains or loses a variable, sublayer or seed
    generator, or a variable or layer changes trainability: cached variable lists compare it."""
    return _TRACKING[0]


def bump_tracking():
    _TRACKING[0] += 1


class Variable:
    """A stateful tensor.

    Args:
        initializer: Initial value (array-like) or a callable `initializer(shape, dtype)`.
        shape: Shape, required when `initializer` is a callable.
        dtype: Dtype name; defaults to the initial value's dtype, else `floatx()`.
        trainable: Whether optimizers update it.
        name: Name; the layer that owns it prefixes it to form `path`.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 autocast=True, aggregation="none", synchronization="auto"):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Variable: `name` must be a string without '/'. Received: {name!r}")
        self.name = name or auto_name("variable")
        self.path = "/".join([*current_name_scope(), self.name])
        self._trainable = bool(trainable)
        self.autocast = autocast
        self.aggregation = aggregation
        self.synchronization = synchronization
        self.regularizer = None
        self.constraint = None
        if isinstance(initializer, str):
            raise TypeError(f"Variable '{self.name}': a string initializer ({initializer!r}) is "
                            "not accepted here. Pass a value, or a callable such as "
                            f"`lamina.initializers.get({initializer!r})` together with `shape`.")
        if callable(initializer):
            if shape is None:
                raise ValueError(f"Variable '{self.name}': `shape` is required when the initializer "
                                 f"is a callable. Received: initializer={initializer!r}, shape=None")
            self._dtype = dtypes.standardize_dtype(dtype)
            self._shape = tuple(int(d) for d in shape)
            with outside_stateless_scope():
                value = self._run_initializer(initializer)
        else:
            value = initializer
            self._dtype = dtypes.standardize_dtype(dtype if dtype is not None
                                                   else _infer_dtype(value))
            self._shape = None
        self._value = self._initialize(value)
        self._shape = tuple(self._value.shape)
        if shape is not None and tuple(shape) != self._shape:
            raise ValueError(f"Variable '{self.name}': initial value has shape {self._shape}, "
                             f"expected shape {tuple(shape)}.")

    @property
    def trainable(self):
        """Whether optimizers update it."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        bump_tracking()

    # -- storage, provided by the backend -------------------------------------------------------
    def _run_initializer(self, initializer):
        """The initial value from a callable initializer (a backend may evaluate it eagerly)."""
        return initializer(self._shape, dtype=self._dtype)

    def _initialize(self, value):
        raise NotImplementedError

    def _convert(self, value):
        raise NotImplementedError

    # -- reads and writes ------------------------------------------------------------------------
    def _stored(self):
        """The current value in the variable's own dtype (the stateless scope's, if mapped)."""
        scope = get_stateless_scope()
        if scope is not None:
            mapped = scope.get_current_value(self)
            if mapped is not None:
                return mapped
        return self._value

    @property
    def value(self):
        value = self._stored()
        if self.autocast:
            autocast = get_autocast_scope()
            if autocast is not None:
                value = autocast.maybe_cast(value, self._dtype)
        return value

    def assign(self, value):
        value = self._convert(value)
        if tuple(value.shape) != self._shape:
            raise ValueError(f"Variable '{self.path}' has shape {self._shape}; cannot assign a "
                             f"value of shape {tuple(value.shape)}.")
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update(self, value)
        else:
            self._value = value
        return value

    def assign_add(self, value):
        # Updates accumulate in the variable's own dtype, also under a mixed-precision autocast.
        return self.assign(self._stored() + self._broadcastable(value, "assign_add"))

    def assign_sub(self, value):
        return self.assign(self._stored() - self._broadcastable(value, "assign_sub"))

    def _broadcastable(self, value, method):
        value = self._convert(value)
        try:
            np.broadcast_shapes(self._shape, tuple(value.shape))
        except ValueError:
            raise ValueError(f"Variable '{self.path}' has shape {self._shape}; cannot {method} a "
                             f"value of shape {tuple(value.shape)}.") from None
        return value

    def numpy(self):
        return np.asarray(self.value)

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self._shape}, dtype={self._dtype}, "
                f"value={np.asarray(self._value)!r}>")

    def __array__(self, dtype=None, copy=None):
        out = np.asarray(self.value)
        return out.astype(dtype) if dtype is not None else out

    def __float__(self):
        return float(np.asarray(self.value))

    def __int__(self):
        return int(np.asarray(self.value))

    def __len__(self):
        return self._shape[0]

    def __bool__(self):
        raise TypeError(f"Variable '{self.path}' cannot be used as a Python bool.")

    __hash__ = object.__hash__

    # Arithmetic reads the current value and returns a plain tensor.
    def __neg__(self): return -self.value
    def __pos__(self): return self.value
    def __abs__(self): return abs(self.value)
    def __add__(self, other): return self.value + _unwrap(other)
    def __radd__(self, other): return _unwrap(other) + self.value
    def __sub__(self, other): return self.value - _unwrap(other)
    def __rsub__(self, other): return _unwrap(other) - self.value
    def __mul__(self, other): return self.value * _unwrap(other)
    def __rmul__(self, other): return _unwrap(other) * self.value
    def __truediv__(self, other): return self.value / _unwrap(other)
    def __rtruediv__(self, other): return _unwrap(other) / self.value
    def __pow__(self, other): return self.value ** _unwrap(other)
    def __rpow__(self, other): return _unwrap(other) ** self.value
    def __matmul__(self, other): return self.value @ _unwrap(other)
    def __rmatmul__(self, other): return _unwrap(other) @ self.value
    def __lt__(self, other): return self.value < _unwrap(other)
    def __le__(self, other): return self.value <= _unwrap(other)
    def __gt__(self, other): return self.value > _unwrap(other)
    def __ge__(self, other): return self.value >= _unwrap(other)
    def __floordiv__(self, other): return self.value // _unwrap(other)
    def __rfloordiv__(self, other): return _unwrap(other) // self.value
    def __mod__(self, other): return self.value % _unwrap(other)
    def __rmod__(self, other): return _unwrap(other) % self.value
    def __and__(self, other): return self.value & _unwrap(other)
    def __rand__(self, other): return _unwrap(other) & self.value
    def __or__(self, other): return self.value | _unwrap(other)
    def __ror__(self, other): return _unwrap(other) | self.value
    def __xor__(self, other): return self.value ^ _unwrap(other)
    def __rxor__(self, other): return _unwrap(other) ^ self.value
    def __invert__(self): return ~self.value
    def __getitem__(self, idx): return self.value[idx]


def _unwrap(x):
    return x.value if isinstance(x, Variable) else x


def _infer_dtype(value):
    """Dtype of an initial value given without `dtype`, by `convert_to_tensor`'s rules.

    Python floats and NumPy float64 arrays give floatx, Python ints and NumPy int64 arrays int32,
    so that `Variable(np.zeros(3))` holds float32 values and says so.
    """
    if hasattr(value, "dtype"):
        name = dtypes.standardize_dtype(value.dtype)
        if isinstance(value, (np.ndarray, np.generic)):
            name = {"float64": dtypes.standardize_dtype(None), "int64": "int32"}.get(name, name)
        return name
    flat = np.ravel(np.asarray(value, dtype=object)).tolist()
    if flat and all(isinstance(v, bool) for v in flat):
        return "bool"
    if flat and all(isinstance(v, int) for v in flat):
        return "int32"
    return dtypes.standardize_dtype(None)
