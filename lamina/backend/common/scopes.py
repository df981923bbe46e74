"""User-facing scopes: `name_scope` (prefixes variable paths) and `RematScope` (which layers
recompute their activations in the backward pass instead of storing them)."""

import threading

_STATE = threading.local()
_REMAT_MODES = ("full", "activations", "larger_than", "list_of_layers", None)


def _stack(kind):
    stack = getattr(_STATE, kind, None)
    if stack is None:
        stack = []
        setattr(_STATE, kind, stack)
    return stack


class name_scope:
    """Prefix the paths of variables created inside: `with name_scope("block1"):` gives
    "block1/dense/kernel".

    >>> with name_scope("outer"):
    ...     current_name_scope()
    ['outer']
    """

    def __init__(self, name, **kwargs):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"name_scope: `name` must be a non-empty string without '/'. "
                             f"Received: name={name!r}")
        unknown = set(kwargs) - {"caller", "deduplicate", "override_parent"}
        if unknown:
            raise TypeError(f"name_scope: unrecognized keyword argument(s) {sorted(unknown)}.")
        self.name = name

    def __enter__(self):
        _stack("names").append(self.name)
        return self

    def __exit__(self, *exc_info):
        _stack("names").pop()


def current_name_scope():
    """The names of the active name scopes, outermost first."""
    return list(_stack("names"))


class RematScope:
    """Layers created inside recompute their activations in the backward pass (less memory,
    more compute).

    Args:
        mode: "full" (every layer), "activations" (layers with an `activation`),
            "larger_than" (layers whose output has more than `output_size_threshold` elements),
            "list_of_layers" (layers named in `layer_names`), or None (no rematerialization,
            e.g. to switch it off inside an outer scope).
        output_size_threshold: Element count for "larger_than".
        layer_names: Layer names for "list_of_layers".
    """

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in _REMAT_MODES:
            raise ValueError(f"RematScope: `mode` must be one of {list(_REMAT_MODES)}. "
                             f"Received: mode={mode!r}")
        if mode == "list_of_layers" and not layer_names:
            raise ValueError("RematScope: mode='list_of_layers' needs `layer_names`.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def __enter__(self):
        _stack("remat").append(self)
        return self

    def __exit__(self, *exc_info):
        _stack("remat").pop()


def current_remat_scope():
    stack = _stack("remat")
    return stack[-1] if stack else None
