import numpy as np
import pytest

import lamina
from lamina.callbacks import SwapEMAWeights


def _model(use_ema=True):
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.1, use_ema=use_ema,
                                                  ema_momentum=0.5), loss="mse")
    return model


def test_validation_uses_the_averages():
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = x @ np.array([[1.0], [2.0]], dtype="float32")
    model = _model()
    evaluated = []

    class Record(lamina.callbacks.Callback):
        def on_test_begin(self, logs=None):
            evaluated.append(self.model.get_weights())

    model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_data=(x, y),
              callbacks=[SwapEMAWeights(), Record()])
    averages = model.optimizer._model_variables_moving_average
    # After fit the model holds the averages (finalize_variable_values), as with Keras.
    for w, a in zip(model.get_weights(), averages):
        np.testing.assert_allclose(w, np.asarray(a.value), rtol=1e-6)
    # During the last validation the model held the final averages too.
    for w, a in zip(evaluated[-1], model.get_weights()):
        np.testing.assert_allclose(w, a, rtol=1e-6)


def test_requires_use_ema():
    model = _model(use_ema=False)
    with pytest.raises(ValueError, match="use_ema=True"):
        model.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), verbose=0,
                  callbacks=[SwapEMAWeights()])
