"""The `Metric` base: state in non-trainable variables, `update_state`, `result`, `reset_state`.

A metric keeps running statistics (totals, counts, confusion-matrix cells) in variables created
with `add_variable`. `update_state` folds a batch into them with `Variable.assign`, `result` reads
them, `reset_state` zeroes them. The stateless twins run the same methods inside a
`backend.StatelessScope`, so compiled training steps carry metric state as plain arrays.
"""


from lamina import backend, ops
from lamina.backend.common.variables import auto_name
from lamina.losses.loss import squeeze_or_expand_to_same_rank  # noqa: F401 - metrics use it
from lamina.utils.naming import to_snake_case

_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")




def _compute_dtype(dtype, owner):
    """Dtype name in which a metric computes: a dtype name, "mixed_*" policy name or policy."""
    if dtype is None:
        return backend.floatx()
    compute_dtype = getattr(dtype, "compute_dtype", None)
    if compute_dtype is not None:
        return backend.standardize_dtype(compute_dtype)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_"):]
    try:
        return backend.standardize_dtype(dtype)
    except ValueError:
        raise ValueError(f"{owner}: `dtype` must be a dtype name such as 'float32', a "
                         f"'mixed_float16'-style policy name or None. Received: dtype={dtype!r}"
                         ) from None


def _zeros(shape, dtype=None):
    return ops.zeros(shape, dtype=dtype)


def _ones(shape, dtype=None):
    return ops.ones(shape, dtype=dtype)


_INITIALIZERS = {"zeros": _zeros, "ones": _ones}


def _get_initializer(initializer, owner):
    if callable(initializer):
        return initializer
    if isinstance(initializer, str):
        key = to_snake_case(initializer)
        if key in _INITIALIZERS:
            return _INITIALIZERS[key]
        try:
            # Other initializers come from lamina.initializers when it is present; metrics almost
            # always start from zeros, so this import stays lazy and optional.
            from lamina import initializers
            return initializers.get(initializer)
        except (ImportError, AttributeError):
            pass
        raise ValueError(f"{owner}.add_variable: unknown initializer {initializer!r}. Known names "
                         f"here: {sorted(_INITIALIZERS)}; or pass a callable "
                         "`initializer(shape, dtype)`.")
    raise TypeError(f"{owner}.add_variable: `initializer` must be a name such as 'zeros' or a "
                    f"callable `initializer(shape, dtype)`. Received: {initializer!r}")


class Metric:
    """Base class of metrics: running statistics kept in variables.

    Subclasses create their state in `__init__` with `add_variable`, fold a batch into it in
    `update_state` (with `Variable.assign`, never Python branches on tensor values) and compute
    the value from it in `result`. `reset_state` assigns zeros to every variable unless
    overridden.

    Args:
        dtype: Dtype of the metric's computations and result. `None` means `floatx()`.
        name: Name of the metric. `None` derives a unique one from the class name.

    >>> class Count(Metric):
    ...     def __init__(self, name="count", dtype=None):
    ...         super().__init__(dtype=dtype, name=name)
    ...         self.n = self.add_variable(shape=(), initializer="zeros", name="n")
    ...     def update_state(self, values):
    ...         self.n.assign(self.n + ops.cast(ops.shape(values)[0], self.dtype))
    ...     def result(self):
    ...         return self.n.value
    >>> m = Count()
    >>> m.update_state(ops.ones((3,))); m.update_state(ops.ones((2,)))
    >>> float(m.result())
    5.0
    """

    def __init__(self, dtype=None, name=None):
        owner = type(self).__name__
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{owner}: `name` must be a string or None. Received: name={name!r}")
        if name is not None and "/" in name:
            raise ValueError(f"{owner}: `name` cannot contain '/'. Received: name={name!r}")
        self._variables = []
        self._metrics = []
        self.name = name or auto_name(to_snake_case(owner))
        self._dtype = _compute_dtype(dtype, owner)

    def __setattr__(self, attr, value):
        # A metric stored on another (directly or in a list) contributes its variables to
        # `variables`, so containers of metrics get one flat list of state.
        tracked = self.__dict__.get("_metrics")
        if tracked is not None:
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, Metric) and item is not self and \
                        not any(item is m for m in tracked):
                    tracked.append(item)
        super().__setattr__(attr, value)

    def _check_super_called(self):
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call `super().__init__()` at the start of "
                               "`__init__` before creating variables or using the metric.")

    @property
    def dtype(self):
        """Dtype name of the metric's computations, e.g. "float32"."""
        return self._dtype

    @property
    def variables(self):
        """The metric's state variables, in creation order, then those of nested metrics."""
        self._check_super_called()
        out = list(self._variables)
        for metric in self._metrics:
            out.extend(metric.variables)
        return out

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Create a non-trainable state variable owned by this metric.

        Args:
            shape: Tuple of non-negative ints.
            initializer: "zeros", "ones" or a callable `initializer(shape, dtype)`.
            dtype: Dtype name; `None` means `floatx()`.
            aggregation: How replicas combine it: "sum", "mean", "none", "only_first_replica".
            name: Variable name; its `path` is `"<metric name>/<name>"`.

        Returns:
            The new `backend.Variable`.
        """
        self._check_super_called()
        owner = f"{type(self).__name__} '{self.name}'"
        if isinstance(shape, int):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or \
                not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise ValueError(f"{owner}.add_variable: `shape` must be a tuple of non-negative ints. "
                             f"Received: shape={shape!r}")
        if aggregation not in _AGGREGATIONS:
            raise ValueError(f"{owner}.add_variable: `aggregation` must be one of {_AGGREGATIONS}. "
                             f"Received: aggregation={aggregation!r}")
        variable = backend.Variable(_get_initializer(initializer, owner), shape=tuple(shape),
                                    dtype=dtype, trainable=False, name=name,
                                    aggregation=aggregation, synchronization="on_read")
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Alias of `add_variable` kept for older code; `initializer=None` means zeros."""
        return self.add_variable(shape, "zeros" if initializer is None else initializer,
                                 dtype=dtype, name=name)

    def update_state(self, *args, **kwargs):
        """Fold a batch into the state variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self):
        """The metric's value from the current state: a scalar tensor (or a dict of them)."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        """Assign zeros to every state variable."""
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def _check_state_list(self, metric_variables, method):
        expected = len(self.variables)
        if not isinstance(metric_variables, (list, tuple)) or len(metric_variables) != expected:
            received = (f"a list of length {len(metric_variables)}"
                        if isinstance(metric_variables, (list, tuple))
                        else type(metric_variables).__name__)
            raise ValueError(f"{type(self).__name__} '{self.name}'.{method}: `metric_variables` "
                             f"must be a list of {expected} values, one per entry of "
                             f"`.variables`, in that order. Received: {received}.")

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """`update_state` as a pure function of the state values.

        Args:
            metric_variables: List of values, ordered like `variables`.
            *args, **kwargs: What `update_state` takes.

        Returns:
            The list of new values; the variables themselves are not changed.
        """
        self._check_state_list(metric_variables, "stateless_update_state")
        with backend.StatelessScope(list(zip(self.variables, metric_variables))) as scope:
            self.update_state(*args, **kwargs)
        return _collect(scope, self.variables, dict(zip(map(id, self.variables),
                                                        metric_variables)))

    def stateless_result(self, metric_variables):
        """`result` computed from the given state values instead of the variables."""
        self._check_state_list(metric_variables, "stateless_result")
        with backend.StatelessScope(list(zip(self.variables, metric_variables))):
            return self.result()

    def stateless_reset_state(self):
        """The state values `reset_state` would assign, without assigning them."""
        with backend.StatelessScope() as scope:
            self.reset_state()
        return _collect(scope, self.variables, {})

    def __call__(self, *args, **kwargs):
        """Update the state with one batch and return the new result."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """Constructor arguments that rebuild this metric (without its state)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """A new metric built from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _collect(scope, variables, passed):
    """Values assigned in `scope`, else the passed value, else the variable's current value."""
    out = []
    for variable in variables:
        value = scope.get_current_value(variable)
        if value is None:
            value = passed.get(id(variable))
        out.append(variable.value if value is None else value)
    return out
