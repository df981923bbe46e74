"""`ReduceLROnPlateau`: lower the learning rate when a metric has stopped improving."""

import warnings

import numpy as np

from lamina.callbacks import monitor as monitor_utils
from lamina.callbacks.callback import Callback


class ReduceLROnPlateau(Callback):
    """Multiply the optimizer's learning rate by `factor` after `patience` epochs on a plateau.

    Args:
        monitor: Name of the quantity in the epoch logs.
        factor: Float in [0, 1), the multiplier: `new_lr = lr * factor`.
        patience: Epochs without improvement before the rate is reduced.
        verbose: 1 prints a line at each reduction.
        mode: "min", "max" or "auto" (max when the name contains "acc", else min).
        min_delta: Smallest change that counts as an improvement.
        cooldown: Epochs to wait after a reduction before watching again.
        min_lr: Lower bound on the learning rate.

    >>> ReduceLROnPlateau(factor=0.5).factor
    0.5
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unrecognized keyword argument(s) "
                            f"{sorted(kwargs)}.")
        if not 0 <= factor < 1.0:
            raise ValueError("ReduceLROnPlateau: `factor` must be in [0, 1) (the rate is "
                             f"multiplied by it). Received: factor={factor!r}.")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = monitor_utils.check_mode("ReduceLROnPlateau", mode)
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self):
        self._maximize = self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor)
        self.best = -np.inf if self._maximize else np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))
        current = monitor_utils.as_float(logs.get(self.monitor))
        if current is None:
            warnings.warn(f"ReduceLROnPlateau: monitor={self.monitor!r} is not in the epoch logs "
                          f"(available: {sorted(logs)}); the learning rate is left unchanged.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        improved = (current > self.best + self.min_delta if self._maximize
                    else current < self.best - self.min_delta)
        if improved:
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(np.asarray(self.model.optimizer.learning_rate))
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                              f"{new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def get_config(self):
        return {"monitor": self.monitor, "factor": self.factor, "patience": self.patience,
                "verbose": self.verbose, "mode": self.mode, "min_delta": self.min_delta,
                "cooldown": self.cooldown, "min_lr": self.min_lr}
