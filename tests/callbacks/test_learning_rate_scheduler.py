import numpy as np
import pytest

import lamina
from lamina.callbacks import LearningRateScheduler
from tests.callbacks.fakes import FakeModel


def _fit(callback, epochs=3):
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(np.ones((8, 2), "float32"), np.zeros((8, 1), "float32"),
                        epochs=epochs, verbose=0, callbacks=[callback])
    return model, history


def test_two_argument_schedule_sees_the_current_rate():
    model, history = _fit(LearningRateScheduler(lambda epoch, lr: lr * 0.5))
    np.testing.assert_allclose(history.history["learning_rate"], [0.05, 0.025, 0.0125],
                               rtol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0125)


def test_one_argument_schedule():
    _, history = _fit(LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1)))
    np.testing.assert_allclose(history.history["learning_rate"], [1.0, 0.5, 1 / 3], rtol=1e-6)


def test_new_rate_changes_the_update():
    # With the rate set to 0 from the first epoch on, the weights never move.
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.1), loss="mse")
    before = model.get_weights()
    model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), epochs=2, verbose=0,
              callbacks=[LearningRateScheduler(lambda epoch: 0.0)])
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_schedule_must_return_a_float():
    callback = LearningRateScheduler(lambda epoch, lr: "fast")
    callback.set_model(FakeModel())
    with pytest.raises(ValueError, match="must return a float"):
        callback.on_epoch_begin(0)
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(0.1)


def test_verbose_prints_the_rate(capsys):
    callback = LearningRateScheduler(lambda epoch: 0.25, verbose=1)
    callback.set_model(FakeModel())
    callback.on_epoch_begin(0)
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.25." in capsys.readouterr().out
