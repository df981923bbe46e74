"""The `Callback` base: hooks into fit/evaluate/predict, each a no-op until overridden.

The trainer runs many steps per compiled call and several epochs per call when it can. It asks
the callbacks (through `CallbackList.needs_batch_hooks` / `needs_epoch_hooks`) whether any of
them needs Python after every batch or between epochs; see `_needs_batch_hooks` below.
"""

_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}
_EPOCH_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end")


class Callback:
    """Base class for objects called at the stages of `fit`, `evaluate` and `predict`.

    Subclass it and override the hooks you need. `params` holds the run's parameters (e.g.
    `{"epochs": 10, "steps": 50, "verbose": 1}`) and `model` the model being run. Logs passed to
    the hooks are dicts of Python floats, e.g. `{"loss": 0.3, "val_loss": 0.4}`.

    lamina runs many batches per compiled call. Batch hooks are then called once per call, with
    `batch` the index of the last batch run, unless a callback overrides a batch hook: then the
    trainer runs one batch per call so that the hook sees every batch. A subclass whose batch
    hooks are fine with the coarse calls says so with the class attribute
    `_batch_hooks_are_coarse = True`. Likewise `_epoch_hooks_can_be_deferred = True` says its
    epoch and train begin/end hooks may run after several epochs fused into one compiled call.

    >>> class CountBatches(Callback):
    ...     def on_train_batch_end(self, batch, logs=None):
    ...         self.batches_done = batch + 1
    >>> counter = CountBatches()
    >>> counter.on_train_batch_end(4, {"loss": 0.5})
    >>> counter.batches_done
    5
    """

    _batch_hooks_are_coarse = False
    _epoch_hooks_can_be_deferred = False

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Store the run's parameters (a dict such as `{"epochs": 3, "steps": 10, "verbose": 1}`)."""
        if params is not None and not isinstance(params, dict):
            raise TypeError(f"{type(self).__name__}.set_params: `params` must be a dict. "
                            f"Received: {params!r} of type {type(params).__name__}")
        self.params = params

    def set_model(self, model):
        """Store the model the callback runs with."""
        self._model = model

    @property
    def model(self):
        """The model; reading it asks the trainer to write its latest state back to the model."""
        # Inside an epoch the trainer keeps the state in its own arrays (Keras's JAX trainer
        # does too); a callback that reads the model must see the current weights.
        sync = getattr(self._model, "jax_state_sync", None)
        if callable(sync):
            sync()
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Old name of `on_train_batch_begin`, which calls it."""

    def on_batch_end(self, batch, logs=None):
        """Old name of `on_train_batch_end`, which calls it."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch `epoch` (0-based) of `fit`."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of epoch `epoch` with the epoch's metrics, `val_` ones included."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training batch `batch` (0-based) in `fit`."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after training batch `batch` with the running metrics of the epoch."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before batch `batch` of `evaluate` (and of validation in `fit`)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after batch `batch` of `evaluate` with the running metrics."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before batch `batch` of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after batch `batch` of `predict`; logs hold the batch's `outputs`."""

    def on_train_begin(self, logs=None):
        """Called at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called at the end of `fit` with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate` (and of validation in `fit`)."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` with its final metrics."""

    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""

    def _needs_batch_hooks(self, mode="train"):
        """Whether a batch hook of `mode` ("train", "test", "predict") must see every batch."""
        if mode not in _BATCH_HOOKS:
            raise ValueError(f"{type(self).__name__}: unknown mode {mode!r}. Expected one of "
                             f"{sorted(_BATCH_HOOKS)}.")
        return any(_overrides(self, name, "_batch_hooks_are_coarse")
                   for name in _BATCH_HOOKS[mode])

    def _needs_epoch_hooks(self):
        """Whether an epoch or train begin/end hook must run in Python between epochs."""
        return any(_overrides(self, name, "_epoch_hooks_can_be_deferred") for name in _EPOCH_HOOKS)

    def get_config(self):
        """The arguments that rebuild this callback (none for the base class)."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuild a callback from `get_config()`'s dict."""
        if not isinstance(config, dict):
            raise TypeError(f"{cls.__name__}.from_config: `config` must be a dict. Received: "
                            f"{config!r} of type {type(config).__name__}")
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(f"{cls.__name__}.from_config: could not rebuild from {config!r}: "
                            f"{error}. Check that get_config() returns exactly the arguments "
                            "of __init__.") from error


def _overrides(callback, hook_name, tolerant_flag):
    """Whether `callback` replaces the no-op `hook_name` in a class that does not set the flag.

    The flag counts only in the class body that defines the hook, so a user subclass that
    overrides a hook of a tolerant class (say `ProgbarLogger`) is not tolerant by accident.
    """
    if hook_name in vars(callback):          # a hook set on the instance, e.g. from a lambda
        return True
    for cls in type(callback).__mro__:
        if hook_name in vars(cls):
            return cls is not Callback and not vars(cls).get(tolerant_flag, False)
    return False
