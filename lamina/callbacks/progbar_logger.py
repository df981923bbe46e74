"""`ProgbarLogger`: the progress bars and epoch lines that `fit`, `evaluate` and `predict` print."""

from lamina.callbacks.callback import Callback
from lamina.utils.progbar import Progbar, print_msg


class ProgbarLogger(Callback):
    """Print a progress bar per epoch of `fit`, and one for `evaluate` and `predict`.

    It reads `params`: `verbose` (0 silent, 1 live bar, 2 one line per epoch, `"auto"` = 1),
    `epochs` (an `Epoch 3/10` line precedes each epoch when there are several) and `steps`
    (the bar's length; `None` when unknown, then the count found is shown at the end).
    Validation inside `fit` prints nothing of its own: its `val_` metrics end the epoch's line.
    The bar shows the logs as given: the trainer passes running averages.

    >>> logger = ProgbarLogger()
    >>> logger.set_params({"verbose": 2, "epochs": 1, "steps": 4})
    >>> logger.target
    4
    """

    # A bar is fine with one update per compiled call.
    _batch_hooks_are_coarse = True

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        params = params or {}
        verbose = params.get("verbose", 1)
        verbose = 1 if verbose == "auto" else verbose
        if verbose not in (0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"ProgbarLogger: params['verbose'] must be 0, 1, 2 or 'auto'. "
                             f"Received: {verbose!r}")
        self.verbose = verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _needs_epoch_hooks(self):
        # A silent logger has nothing to print between epochs.
        return bool(self.verbose) and super()._needs_epoch_hooks()

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)    # predict logs hold outputs, not metrics

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    def _reset_progbar(self):
        # The bar is made here, not at the first batch, so its clock includes the first call.
        self.seen = 0
        self.progbar = None
        self._get_progbar()

    def _get_progbar(self):
        if self.progbar is None:
            # All values are shown as given: the trainer's logs are already running averages.
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step",
                                   stateless_metrics=())
        return self.progbar

    def _update_progbar(self, batch, logs):
        progbar = self._get_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs):
        progbar = self._get_progbar()
        if self.target is None:
            # The length found in this epoch is the target of the next ones.
            self.target = progbar.target = self.seen
        progbar.update(progbar.target, list((logs or {}).items()), finalize=True)
