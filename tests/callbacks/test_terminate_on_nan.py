import numpy as np
import pytest

import lamina
from lamina.callbacks import TerminateOnNaN
from tests.callbacks.fakes import FakeModel


def _diverging_model():
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=1e6), loss="mse")
    return model


def test_stops_fit_when_the_loss_is_nan():
    x = np.full((64, 2), 100.0, "float32")
    history = _diverging_model().fit(x, np.zeros((64, 1), "float32"), epochs=50, batch_size=8,
                                     verbose=0, callbacks=[TerminateOnNaN()])
    assert len(history.history["loss"]) < 50
    assert not np.isfinite(history.history["loss"][-1])


def test_raise_error():
    callback = TerminateOnNaN(raise_error=True)
    callback.set_model(FakeModel())
    with pytest.raises(RuntimeError, match="loss became nan at batch 3"):
        callback.on_train_batch_end(3, {"loss": float("nan")})


def test_finite_loss_does_nothing_and_coarse_hooks():
    callback = TerminateOnNaN()
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    callback.on_train_batch_end(1, {"loss": float("inf")})
    assert model.stop_training
    # Checking once per compiled call is enough: it does not force batch-by-batch training.
    assert not callback._needs_batch_hooks("train")
