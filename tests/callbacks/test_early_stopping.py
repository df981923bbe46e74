import numpy as np
import pytest

import lamina
from lamina.callbacks import EarlyStopping
from tests.callbacks.fakes import FakeModel, drive_epochs


def test_stops_after_patience_epochs_without_improvement():
    # Best at epoch 1; epochs 2 and 3 do not improve; patience 2 -> stop after epoch 3.
    callback = EarlyStopping(monitor="val_loss", patience=2)
    model, run = drive_epochs(callback, [1.0, 0.9, 0.95, 0.96, 0.97, 0.98])
    assert run == 4 and callback.stopped_epoch == 3 and model.stop_training
    assert callback.best == 0.9 and callback.best_epoch == 1


def test_min_delta_makes_small_gains_count_as_none():
    callback = EarlyStopping(monitor="val_loss", patience=1, min_delta=0.1)
    _, run = drive_epochs(callback, [1.0, 0.95, 0.91, 0.5])
    assert run == 2 and callback.stopped_epoch == 1


def test_restore_best_weights_restores_the_best_epoch():
    callback = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    model, _ = drive_epochs(callback, [1.0, 0.5, 0.7, 0.8])
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_max_mode_inferred_for_accuracy():
    callback = EarlyStopping(monitor="val_accuracy", patience=1)
    _, run = drive_epochs(callback, [0.5, 0.6, 0.55, 0.9], key="val_accuracy")
    assert run == 3 and callback.best == 0.6


def test_baseline_must_be_beaten():
    # Not better than the baseline 0.5: the first epoch already counts against patience.
    callback = EarlyStopping(monitor="loss", patience=2, baseline=0.5)
    _, run = drive_epochs(callback, [0.9, 0.95, 0.97, 0.99], key="loss")
    assert run == 2 and callback.stopped_epoch == 1
    callback = EarlyStopping(monitor="loss", patience=2)
    _, run = drive_epochs(callback, [0.9, 0.95, 0.97, 0.99], key="loss")
    assert run == 3 and callback.stopped_epoch == 2


def test_steady_improvement_never_stops_even_above_baseline():
    # Values from Keras 3.15 driven the same way: improving epochs never count as waiting.
    callback = EarlyStopping(monitor="loss", patience=2, baseline=0.5)
    _, run = drive_epochs(callback, [0.9, 0.8, 0.7, 0.6], key="loss")
    assert run == 4 and callback.stopped_epoch == 0


def test_start_from_epoch_ignores_warm_up():
    callback = EarlyStopping(monitor="loss", patience=0, start_from_epoch=2)
    _, run = drive_epochs(callback, [0.1, 0.9, 0.8, 0.9, 1.0], key="loss")
    # Epochs 0 and 1 are ignored; epoch 2 sets best, epoch 3 does not improve -> stop.
    assert run == 4


def test_missing_monitor_warns_and_does_not_stop():
    callback = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="val_loss"):
        _, run = drive_epochs(callback, [1.0, 2.0], key="loss")
    assert run == 2


def test_unknown_direction_needs_mode():
    callback = EarlyStopping(monitor="mystery")
    callback.set_model(FakeModel())
    with pytest.raises(ValueError, match="mode='min' or mode='max'"):
        callback.on_train_begin()


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)


def test_stops_a_real_fit_and_restores_weights():
    lamina.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    # A learning rate far too large makes the loss grow from the second epoch on.
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=3.0), loss="mse")
    seen = []
    record = lamina.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    stopper = EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0, callbacks=[record, stopper])
    losses = history.history["loss"]
    assert len(losses) < 20
    best = int(np.argmin(losses))
    for restored, expected in zip(model.get_weights(), seen[best]):
        np.testing.assert_allclose(restored, expected)


def test_config_round_trip():
    callback = EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)
    clone = lamina.callbacks.deserialize(lamina.callbacks.serialize(callback))
    assert clone.get_config() == callback.get_config()
