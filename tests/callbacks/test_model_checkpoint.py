import os

import numpy as np
import pytest

import lamina
from lamina.callbacks import ModelCheckpoint


def _model():
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.05), loss="mse")
    return model


X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [2.0]])).astype("float32")


def test_saves_every_epoch_with_a_template(tmp_path):
    model = _model()
    template = str(tmp_path / "ckpt" / "model-{epoch:02d}-{loss:.3f}.keras")
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[ModelCheckpoint(template)])
    names = sorted(os.listdir(tmp_path / "ckpt"))
    expected = [f"model-{e + 1:02d}-{loss:.3f}.keras"
                for e, loss in enumerate(history.history["loss"])]
    assert names == sorted(expected)
    loaded = lamina.saving.load_model(tmp_path / "ckpt" / expected[-1])
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)


def test_save_best_only_keeps_the_best_weights(tmp_path):
    path = str(tmp_path / "best.weights.h5")
    callback = ModelCheckpoint(path, monitor="loss", save_best_only=True,
                               save_weights_only=True, verbose=1)
    model = _model()
    weights_by_epoch = []
    record = lamina.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights_by_epoch.append(model.get_weights()))
    # A rate that makes the loss explode after a while: the best epoch is an early one.
    model.optimizer.learning_rate = 0.6
    history = model.fit(X, Y, epochs=6, verbose=0, callbacks=[record, callback])
    best = int(np.argmin(history.history["loss"]))
    fresh = _model()
    fresh.load_weights(path)
    for got, expected in zip(fresh.get_weights(), weights_by_epoch[best]):
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert callback.best == pytest.approx(min(history.history["loss"]))


def test_save_freq_in_batches(tmp_path):
    template = str(tmp_path / "b-{epoch}-{batch}.weights.h5")
    model = _model()
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0,
              callbacks=[ModelCheckpoint(template, save_weights_only=True, save_freq=3)])
    # 4 batches per epoch, a save after every 3 batches: epoch 1 batch 3, epoch 2 batches 2.
    assert sorted(os.listdir(tmp_path)) == ["b-1-3.weights.h5", "b-2-2.weights.h5"]


def test_threshold_and_missing_monitor(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="loss", save_best_only=True,
                               initial_value_threshold=1e-9)
    model = _model()
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[callback])
    assert not (tmp_path / "m.keras").exists()   # never beat the threshold
    callback = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_loss",
                               save_best_only=True)
    with pytest.warns(UserWarning, match="val_loss"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[callback])
    assert (tmp_path / "m.keras").exists()


def test_bad_paths_and_templates(tmp_path):
    with pytest.raises(ValueError, match="must end in '.keras'"):
        ModelCheckpoint("model.h5")
    with pytest.raises(ValueError, match="'.weights.h5'"):
        ModelCheckpoint("model.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("model.keras", save_freq="batch")
    callback = ModelCheckpoint(str(tmp_path / "{accuracy}.keras"))
    with pytest.raises(KeyError, match="no value for 'accuracy'"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[callback])
