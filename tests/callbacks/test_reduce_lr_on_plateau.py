import numpy as np
import pytest

import lamina
from lamina.callbacks import ReduceLROnPlateau
from tests.callbacks.fakes import FakeModel, drive_epochs


def test_reduces_after_patience_and_respects_min_lr():
    callback = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, min_lr=0.03)
    model = FakeModel(learning_rate=0.1)
    drive_epochs(callback, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], key="loss", model=model)
    # Epochs 1-2 without improvement -> 0.05; epochs 3-4 -> max(0.025, 0.03) = 0.03;
    # then the rate is at min_lr and stays.
    assert model.optimizer.learning_rate == pytest.approx(0.03)


def test_cooldown_delays_the_next_reduction():
    callback = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, cooldown=2)
    model = FakeModel(learning_rate=1.0)
    rates = []
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(6):
        callback.on_epoch_end(epoch, {"loss": 1.0})
        rates.append(model.optimizer.learning_rate)
    # The same sequence as Keras 3.15 gives for this input.
    assert rates == [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]


def test_improvement_resets_the_wait_and_logs_the_rate():
    callback = ReduceLROnPlateau(monitor="val_accuracy", factor=0.1, patience=1)
    model = FakeModel(learning_rate=1.0)
    callback.set_model(model)
    callback.on_train_begin()
    logs = {"val_accuracy": 0.5}
    callback.on_epoch_end(0, logs)
    assert logs["learning_rate"] == 1.0
    callback.on_epoch_end(1, {"val_accuracy": 0.6})   # max mode: an improvement
    assert model.optimizer.learning_rate == 1.0
    callback.on_epoch_end(2, {"val_accuracy": 0.6})
    assert model.optimizer.learning_rate == pytest.approx(0.1)


def test_factor_must_be_below_one():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)


def test_changes_the_rate_of_a_real_optimizer_between_epochs():
    # Zero weights and zero targets: the loss is 0 every epoch, a plateau from epoch 1 on.
    model = lamina.Sequential([lamina.Input((2,)),
                               lamina.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.1), loss="mse")
    callback = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.0)
    history = model.fit(np.ones((8, 2), "float32"), np.zeros((8, 1), "float32"), epochs=3,
                        verbose=0, callbacks=[callback])
    # Each epoch logs the rate it trained with; the reduction applies to the next epoch.
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05], rtol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.025)
