"""`LambdaCallback`: a callback made of plain functions."""

from lamina.callbacks.callback import _BATCH_HOOKS, _EPOCH_HOOKS, Callback

_HOOKS = tuple(sorted({*_EPOCH_HOOKS, *(h for hooks in _BATCH_HOOKS.values() for h in hooks),
                       "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end"}))


class LambdaCallback(Callback):
    """Run the given functions at the matching hooks.

    Epoch functions take `(epoch, logs)`, batch functions `(batch, logs)`, begin/end functions
    `(logs)`. Any other hook name (e.g. `on_test_begin`) may be passed as a keyword too.

    >>> seen = []
    >>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> callback.on_epoch_end(3, {})
    >>> seen
    [3]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, fn in hooks.items():
            if name not in _HOOKS:
                raise TypeError(f"LambdaCallback: unknown hook {name!r}. Known hooks: "
                                f"{list(_HOOKS)}.")
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: `{name}` must be a function. Received: "
                                f"{fn!r}.")
            # Set on the instance, so the trainer sees exactly which hooks need Python.
            setattr(self, name, fn)
