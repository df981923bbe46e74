"""Process-wide counters (`get_uid`) and `clear_session`, which resets them."""

import gc

from lamina.backend.common import variables

_UIDS = {}


def get_uid(prefix=""):
    """A counter per `prefix`, starting at 1: `get_uid("dense")` gives 1, then 2, ...

    >>> clear_session(free_memory=False); get_uid("block"), get_uid("block"), get_uid("other")
    (1, 2, 1)
    """
    if not isinstance(prefix, str):
        raise TypeError(f"get_uid: `prefix` must be a string. Received: prefix={prefix!r}")
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def clear_session(free_memory=True, clear_caches=None):
    """Forget generated names and uids, so new layers are named "dense", "dense_1", ... again.

    With `free_memory`, garbage is collected and the backend's compiled-function caches are
    dropped (`clear_caches`, the backend's hook), releasing memory held for old models.
    """
    _UIDS.clear()
    variables.reset_names()
    if free_memory:
        gc.collect()
        if clear_caches is not None:
            clear_caches()
