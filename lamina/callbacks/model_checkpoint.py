"""`ModelCheckpoint`: save the model or its weights during training."""

import os
import warnings

from lamina.callbacks import monitor as monitor_utils
from lamina.callbacks.callback import Callback


class ModelCheckpoint(Callback):
    """Save the model (`.keras`) or its weights (`.weights.h5`) every epoch or every N batches.

    `filepath` may hold `str.format` fields filled from the epoch (1-based), the batch
    (1-based, with an int `save_freq`) and the logs: `"ckpt/{epoch:02d}-{val_loss:.2f}.keras"`.
    Each save is atomic: a crash mid-save leaves the previous file intact.

    Args:
        filepath: Path template ending in ".keras", or ".weights.h5" with save_weights_only.
        monitor: Log entry that decides the best model (with save_best_only).
        verbose: 1 prints a line per save decision.
        save_best_only: Save only when `monitor` improves on the best value so far.
        save_weights_only: Save only the weights (`model.save_weights`).
        mode: "min", "max" or "auto" (inferred from the metric).
        save_freq: "epoch", or an int: save after that many batches.
        initial_value_threshold: The value `monitor` must beat for the first save.

    >>> ModelCheckpoint("best.keras", save_best_only=True).save_best_only
    True
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        filepath = os.fspath(filepath)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError("ModelCheckpoint: `save_freq` must be 'epoch' or a positive int "
                             f"(a number of batches). Received: save_freq={save_freq!r}.")
        if save_weights_only and not filepath.endswith(".weights.h5"):
            raise ValueError("ModelCheckpoint: with save_weights_only=True the filepath must end "
                             f"in '.weights.h5'. Received: filepath={filepath!r}.")
        if not save_weights_only and not filepath.endswith(".keras"):
            raise ValueError("ModelCheckpoint: the filepath must end in '.keras' (the model "
                             "archive), or pass save_weights_only=True with a '.weights.h5' "
                             f"path. Received: filepath={filepath!r}.")
        self.filepath = filepath
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = monitor_utils.check_mode("ModelCheckpoint", mode)
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        self.best = initial_value_threshold
        self._direction = None
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch = None

    def _needs_batch_hooks(self, mode="train"):
        # Saving every N batches needs to see each batch; saving per epoch needs none.
        return mode == "train" and self.save_freq != "epoch"

    def on_train_begin(self, logs=None):
        try:
            self._direction = monitor_utils.direction("ModelCheckpoint", self.monitor,
                                                      self.mode, self._model)
        except ValueError:
            self._direction = "min"  # Keras's fallback for names it cannot classify

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        # Batch indices restart each epoch; a jump means several batches ran in one call.
        added = batch + 1 if self._last_batch is None or batch <= self._last_batch \
            else batch - self._last_batch
        self._last_batch = batch
        self._batches_since_save += added
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _filepath(self, epoch, batch, logs):
        fields = dict(logs or {})
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in fields:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError) as error:
            raise KeyError(f"ModelCheckpoint: could not fill in filepath {self.filepath!r}: no "
                           f"value for {error}. Available fields: {sorted(fields)}.") from None

    def _save(self, epoch, batch, logs):
        filepath = self._filepath(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        from lamina.distribution import distribution_lib
        if not distribution_lib.is_chief():
            return  # in a multi-process run, process 0 writes the checkpoint
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"ModelCheckpoint: {filepath!r} is a directory; give a file "
                                    "path such as 'checkpoints/model.keras'.")
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint: can save the best model only with "
                          f"{self.monitor!r} in the logs (available: {sorted(logs or {})}); "
                          "saving anyway.", stacklevel=3)
            return True
        current = monitor_utils.as_float(current)
        best = "None" if self.best is None else f"{self.best:.5f}"
        improved = self.best is None or (current < self.best if self._direction == "min"
                                         else current > self.best)
        if improved:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def get_config(self):
        return {"filepath": self.filepath, "monitor": self.monitor, "verbose": self.verbose,
                "save_best_only": self.save_best_only,
                "save_weights_only": self.save_weights_only, "mode": self.mode,
                "save_freq": self.save_freq,
                "initial_value_threshold": self.initial_value_threshold}
