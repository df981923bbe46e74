"""The stateless scope: variables read mapped values and record assignments instead of mutating.

This is what makes layer code pure for compiled training steps: the trainer enters a scope that maps
each variable to a traced value, runs the model, and collects what was assigned.

>>> v = Variable(1.0)
>>> with StatelessScope([(v, 5.0)]) as scope:
...     v.assign(v.value + 1.0)
>>> float(v.value), float(scope.get_current_value(v))
(1.0, 6.0)
"""

import threading

_STATE = threading.local()


def _stack():
    stack = getattr(_STATE, "scopes", None)
    if stack is None:
        stack = _STATE.scopes = []
    return stack


class StatelessScope:
    """Map variables to values for reads and capture `assign` calls and added losses.

    Args:
        state_mapping: Iterable of `(variable, value)` pairs that reads of `variable` return.
        collect_losses: Whether losses added by layers (`add_loss`) are gathered in `losses`.
    """

    def __init__(self, state_mapping=None, collect_losses=False):
        from lamina.backend.common.variables import Variable  # variables imports this module

        self._mapping = {}
        self._variables = {}
        for variable, value in state_mapping or ():
            if not isinstance(variable, Variable):
                raise TypeError("StatelessScope: every key of `state_mapping` must be a Variable. "
                                f"Received {variable!r} of type {type(variable).__name__}.")
            # Reads then see a tensor of the variable's dtype, whatever array-like was mapped.
            value = variable._convert(value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(f"StatelessScope: the value mapped to variable '{variable.path}' "
                                 f"has shape {tuple(value.shape)}, expected the variable's shape "
                                 f"{tuple(variable.shape)}.")
            self._mapping[id(variable)] = value
            self._variables[id(variable)] = variable
        self._updates = {}
        self.collect_losses = collect_losses
        self.losses = []

    def __enter__(self):
        _stack().append(self)
        return self

    def __exit__(self, *exc_info):
        _stack().pop()

    def add_update(self, variable, value):
        self._updates[id(variable)] = value
        self._variables[id(variable)] = variable

    def get_current_value(self, variable):
        key = id(variable)
        if key in self._updates:
            return self._updates[key]
        return self._mapping.get(key)

    def updated_value(self, variable):
        """The value assigned in this scope, or `None` when the variable was not assigned."""
        return self._updates.get(id(variable))


class outside_stateless_scope:
    """Suspend every stateless scope of this thread: reads and writes reach the variables.

    Creating a variable inside a scope (a sublayer built while its parent is traced for shapes)
    runs the initializer here, so that its random draws advance the real seed state.
    """

    def __enter__(self):
        self._saved = _stack()[:]
        _stack().clear()
        return self

    def __exit__(self, *exc_info):
        _stack()[:] = self._saved


def get_stateless_scope():
    stack = _stack()
    return stack[-1] if stack else None


def in_stateless_scope():
    return bool(_stack())
