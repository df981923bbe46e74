"""Masks that travel with tensors: which time steps (or positions) of a tensor are real.

A mask is stored on the tensor itself when the tensor accepts attributes (concrete arrays,
symbolic tensors); traced values inside a compiled step do not, so during a layer call masks
also go into a table that lives for the outermost call.
"""

import threading

_STATE = threading.local()


def get_keras_mask(x):
    """The mask attached to `x`, or None."""
    mask = getattr(x, "_keras_mask", None)
    if mask is not None:
        return mask
    table = getattr(_STATE, "table", None)
    if table:
        entry = table.get(id(x))
        if entry is not None and entry[0] is x:
            return entry[1]
    return None


def set_keras_mask(x, mask):
    """Attach `mask` to `x` (None removes it)."""
    try:
        x._keras_mask = mask
        return
    except (AttributeError, TypeError):
        pass
    table = getattr(_STATE, "table", None)
    if table is not None:
        table[id(x)] = (x, mask)  # holding x keeps its id from being reused during the call


def open_mask_table():
    _STATE.table = {}


def close_mask_table():
    _STATE.table = None
