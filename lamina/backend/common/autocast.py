"""The autocast scope: inside a layer with a mixed dtype policy, float variables read as the
layer's compute dtype (stored values stay in their own dtype)."""

import threading

from lamina.backend.common import dtypes

_STATE = threading.local()


class AutocastScope:
    """Within the scope, `Variable.value` of a float variable (with `autocast=True`) is cast to
    `dtype`. `AutocastScope(None)` turns casting off, e.g. for a nested float32 layer."""

    def __init__(self, dtype):
        self.dtype = None if dtype is None else dtypes.standardize_dtype(dtype)

    def __enter__(self):
        self._previous = getattr(_STATE, "scope", None)
        _STATE.scope = self
        return self

    def __exit__(self, *exc_info):
        _STATE.scope = self._previous

    def maybe_cast(self, value, variable_dtype):
        if self.dtype is None or variable_dtype == self.dtype or not dtypes.is_float(
                variable_dtype):
            return value
        return value.astype(dtypes.to_numpy_dtype(self.dtype))


def get_autocast_scope():
    return getattr(_STATE, "scope", None)
