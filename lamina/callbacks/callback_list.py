"""`CallbackList`: calls every hook of a list of callbacks, and tells the trainer what they need."""

import numbers

import numpy as np

from lamina.callbacks.callback import _BATCH_HOOKS, Callback
from lamina.callbacks.history import History
from lamina.callbacks.progbar_logger import ProgbarLogger


def _pythonify_logs(logs):
    """Logs as a new dict sorted by name, nested dicts merged, one-element arrays as floats."""
    result = {}
    for name, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(_pythonify_logs(value))
            continue
        if not isinstance(value, (numbers.Number, str)) and value is not None:
            try:
                array = np.asarray(value)
            except (TypeError, ValueError):
                array = None
            if array is not None and array.size == 1 and array.dtype.kind in "biuf":
                value = float(array.reshape(()))
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            value = float(value)
        result[name] = value
    return result


def _flatten_callbacks(callbacks):
    if isinstance(callbacks, (list, tuple)):
        return [cb for item in callbacks for cb in _flatten_callbacks(item)]
    return [callbacks]


class CallbackList(Callback):
    """Run each hook on a list of callbacks; optionally add `History` and `ProgbarLogger`.

    Logs are passed on as one new dict per hook (sorted by name, values as Python floats), shared
    by the callbacks in order, so a callback may add entries for the ones after it.

    Args:
        callbacks: A `Callback` or a (nested) list of them, or `None`.
        add_history: Whether to add a `History` if none is in `callbacks`.
        add_progbar: Whether to add a `ProgbarLogger` if none is in `callbacks`.
        model: The model the callbacks run with (also gets `model.history`).
        **params: The run's parameters (`epochs`, `steps`, `verbose`, ...) for `set_params`.

    >>> callbacks = CallbackList(add_history=True, epochs=2, steps=5, verbose=0)
    >>> callbacks.on_train_begin()
    >>> callbacks.on_epoch_end(0, {"loss": 0.5})
    >>> callbacks.callbacks[0].history
    {'loss': [0.5]}
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        self.callbacks = _flatten_callbacks(callbacks) if callbacks else []
        for index, callback in enumerate(self.callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(f"CallbackList: every callback must be a "
                                f"lamina.callbacks.Callback instance. Received at index {index}: "
                                f"{callback!r} of type {type(callback).__name__}. Subclass "
                                "Callback, or pass an instance rather than the class.")
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if add_history and self._history is None:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and self._progbar is None:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def set_params(self, params):
        super().set_params(params)
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def needs_batch_hooks(self, mode="train"):
        """Whether some callback must see every batch of `mode` ("train", "test", "predict").

        When False, the trainer may run many batches per compiled call and call the batch hooks
        once per call, with the index of the last batch run.
        """
        return self._needs_batch_hooks(mode)

    def needs_epoch_hooks(self):
        """Whether some callback must run Python between epochs (so epochs cannot be fused)."""
        return self._needs_epoch_hooks()

    def _needs_batch_hooks(self, mode="train"):
        if mode not in _BATCH_HOOKS:
            raise ValueError(f"CallbackList.needs_batch_hooks: unknown mode {mode!r}. Expected "
                             f"one of {sorted(_BATCH_HOOKS)}.")
        return any(callback._needs_batch_hooks(mode) for callback in self.callbacks)

    def _needs_epoch_hooks(self):
        return any(callback._needs_epoch_hooks() for callback in self.callbacks)

    def _call(self, hook_name, *args, logs=None):
        logs = _pythonify_logs(logs)
        # Keras passes `logs` by keyword to batch hooks only; user hooks may rely on either.
        by_keyword = "batch" in hook_name
        for callback in self.callbacks:
            if by_keyword:
                getattr(callback, hook_name)(*args, logs=logs)
            else:
                getattr(callback, hook_name)(*args, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)

    def get_config(self):
        from lamina.callbacks import serialize  # the family's table imports this module

        return {"callbacks": [serialize(callback) for callback in self.callbacks]}

    @classmethod
    def from_config(cls, config):
        from lamina.callbacks import deserialize

        if not isinstance(config, dict):
            raise TypeError(f"CallbackList.from_config: `config` must be a dict. Received: "
                            f"{config!r} of type {type(config).__name__}")
        callbacks = [deserialize(item) for item in config.get("callbacks", [])]
        return cls(callbacks=callbacks)
