"""`BackupAndRestore`: resume an interrupted `fit` from its last backup."""

import json
import os
import shutil
import tempfile

from lamina.callbacks.callback import Callback

_WEIGHTS = "latest.weights.h5"
_METADATA = "training_metadata.json"


class BackupAndRestore(Callback):
    """Back up the weights (with the optimizer's state) and the epoch reached, so that running
    the same `fit` again after a crash resumes where the backup was taken.

    The backup lives in `backup_dir` as "latest.weights.h5" and "training_metadata.json" (the
    names Keras 3 uses). At the end of a successful `fit` these files are removed (with
    `delete_checkpoint`); the folder itself is removed only if nothing else is in it, so a
    user's own files there are never deleted.

    Args:
        backup_dir: Folder for the backup files (created when needed).
        save_freq: "epoch", or an int: back up after that many batches.
        double_checkpoint: Keep the previous backup as well (".bkp" files), used when the
            latest one cannot be read.
        delete_checkpoint: Remove the backup files when `fit` completes.

    >>> BackupAndRestore("/tmp/backup").save_freq
    'epoch'
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: `backup_dir` must be a folder path. Received: "
                             f"backup_dir={backup_dir!r}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError("BackupAndRestore: `save_freq` must be 'epoch' or a positive int. "
                             f"Received: save_freq={save_freq!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, _WEIGHTS)
        self._metadata_path = os.path.join(self.backup_dir, _METADATA)
        self._current_epoch = 0
        self._last_batch = 0
        self._batches_since_save = 0

    def _needs_batch_hooks(self, mode="train"):
        return mode == "train" and self.save_freq != "epoch"

    def on_train_begin(self, logs=None):
        try:
            self._restore(self._weights_path, self._metadata_path)
        except (OSError, ValueError, KeyError):
            previous = self._weights_path + ".bkp"
            if not (self.double_checkpoint and os.path.exists(previous)):
                raise
            self._restore(previous, self._metadata_path + ".bkp")

    def _restore(self, weights_path, metadata_path):
        if not self.model.built:
            raise ValueError("BackupAndRestore: the model must be built before fit() (give it "
                             "an Input, or call it once on a batch) so that a backup can be "
                             "loaded into it.")
        if os.path.exists(weights_path):
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(weights_path)
        if os.path.exists(metadata_path):
            with open(metadata_path, encoding="utf-8") as f:
                metadata = json.load(f)
            self.model._initial_epoch = int(metadata["epoch"])
            self._current_epoch = int(metadata["epoch"])
            if self.save_freq != "epoch" and "batch" in metadata:
                # A backup taken inside an epoch: fit continues after its last batch.
                self.model._initial_batch = int(metadata["batch"]) + 1

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch = 0
        if self.save_freq == "epoch":
            self._back_up()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        added = batch + 1 if batch <= self._last_batch else batch - self._last_batch
        self._last_batch = batch
        self._batches_since_save += added
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._back_up()

    def _back_up(self):
        from lamina.distribution import distribution_lib
        if not distribution_lib.is_chief():
            return  # in a multi-process run, process 0 writes the backup
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path in (self._weights_path, self._metadata_path):
                if os.path.exists(path):
                    shutil.copyfile(path, path + ".bkp")
        self.model.save_weights(self._weights_path, overwrite=True)
        metadata = json.dumps({"epoch": self._current_epoch, "batch": self._last_batch})
        handle, temporary = tempfile.mkstemp(dir=self.backup_dir, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(metadata)
            os.replace(temporary, self._metadata_path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint:
            return
        for path in (self._weights_path, self._metadata_path):
            for candidate in (path, path + ".bkp"):
                if os.path.exists(candidate):
                    os.remove(candidate)
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)

    def get_config(self):
        return {"backup_dir": self.backup_dir, "save_freq": self.save_freq,
                "double_checkpoint": self.double_checkpoint,
                "delete_checkpoint": self.delete_checkpoint}
