import os

import numpy as np
import pytest

import lamina
from lamina.callbacks import BackupAndRestore

X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [2.0]])).astype("float32")


def _model():
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.Adam(learning_rate=0.05), loss="mse")
    return model


class Crash(lamina.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("simulated crash")


def test_resume_after_a_crash_equals_an_uninterrupted_run(tmp_path):
    backup = tmp_path / "backup"
    uninterrupted = _model()
    uninterrupted.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0)

    model = _model()
    with pytest.raises(RuntimeError, match="simulated crash"):
        # The crash comes after the backup of epoch index 1 (BackupAndRestore runs first).
        model.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                  callbacks=[BackupAndRestore(backup), Crash(at_epoch=1)])
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "training_metadata.json"]

    resumed = _model()
    history = resumed.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                          callbacks=[BackupAndRestore(backup)])
    assert history.epoch == [2, 3]
    # Weights and Adam's moments came back, so the result equals the uninterrupted run.
    for got, expected in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert not backup.exists()


def test_never_deletes_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path)])
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_arguments():
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore("x", save_freq=0)
