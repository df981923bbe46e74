"""`EarlyStopping`: stop training when a monitored metric has stopped improving."""

import warnings

from lamina.callbacks import monitor as monitor_utils
from lamina.callbacks.callback import Callback


class EarlyStopping(Callback):
    """Stop `fit` once `monitor` has not improved for `patience` epochs.

    Args:
        monitor: Name of the quantity in the epoch logs, e.g. "val_loss" or "accuracy".
        min_delta: Smallest change that counts as an improvement.
        patience: Epochs without improvement after which training stops.
        verbose: 1 prints a line when training stops and when best weights are restored.
        mode: "min", "max", or "auto" (inferred from the metric).
        baseline: Value the metric must beat; until it does, every epoch counts as no
            improvement.
        restore_best_weights: Whether to restore the weights of the best epoch at the end.
        start_from_epoch: Epochs to wait before watching (a warm-up).

    >>> callback = EarlyStopping(monitor="loss", patience=2)
    >>> callback.patience
    2
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: `monitor` must be a metric name. Received: "
                            f"monitor={monitor!r}.")
        for name, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"EarlyStopping: `{name}` must be an int >= 0. Received: "
                                 f"{name}={value!r}.")
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = monitor_utils.check_mode("EarlyStopping", mode)
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._direction = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._direction = monitor_utils.direction("EarlyStopping", self.monitor, self.mode,
                                                  self._model)

    def on_epoch_end(self, epoch, logs=None):
        current = monitor_utils.as_float((logs or {}).get(self.monitor))
        if current is None:
            warnings.warn(f"EarlyStopping: monitor={self.monitor!r} is not in the epoch logs "
                          f"(available: {sorted(logs or {})}); early stopping is skipped this "
                          "epoch.", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something better shows up, the current weights are the best ones.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def _improves(self, value, reference):
        if reference is None:
            return True
        # An improvement must beat the reference by more than min_delta.
        if self._direction == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def get_monitor_value(self, logs):
        """The monitored value in `logs`, or None (with a warning) when it is missing."""
        return monitor_utils.as_float((logs or {}).get(self.monitor))

    def get_config(self):
        return {"monitor": self.monitor, "min_delta": self.min_delta, "patience": self.patience,
                "verbose": self.verbose, "mode": self.mode, "baseline": self.baseline,
                "restore_best_weights": self.restore_best_weights,
                "start_from_epoch": self.start_from_epoch}
