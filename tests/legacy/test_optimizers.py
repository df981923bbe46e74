import numpy as np
import pytest

import lamina
from lamina.legacy import optimizers as legacy


def test_sgd_decay_is_keras1_inverse_time():
    opt = legacy.SGD(lr=0.1, decay=0.5)
    var = lamina.Variable(np.array([1.0], dtype="float32"))
    value = 1.0
    for step in range(4):
        opt.apply([np.array([1.0], dtype="float32")], [var])
        value -= 0.1 / (1 + 0.5 * step)  # Keras 1: lr / (1 + decay * iterations)
        np.testing.assert_allclose(var.value, [value], rtol=1e-6)


def test_era_defaults():
    assert legacy.Adam().epsilon == 1e-8
    rms = legacy.RMSprop()
    assert (float(rms.learning_rate), rms.epsilon) == (pytest.approx(0.001), 1e-8)
    adagrad = legacy.Adagrad()
    assert float(adagrad.learning_rate) == pytest.approx(0.01)
    assert adagrad.initial_accumulator_value == 0.0
    assert float(legacy.Adadelta().learning_rate) == pytest.approx(1.0)
    assert float(legacy.Adamax().learning_rate) == pytest.approx(0.002)
    assert legacy.get("adam").epsilon == 1e-8
    assert isinstance(legacy.Adam(lr=0.5), lamina.optimizers.Adam)


def test_adagrad_from_zero_accumulator_matches_numpy():
    opt = legacy.Adagrad(lr=0.1)
    var = lamina.Variable(np.array([1.0, -2.0], dtype="float32"))
    w, acc = np.array([1.0, -2.0]), np.zeros(2)
    for g in ([0.5, 1.0], [0.2, -0.4], [1.0, 1.0]):
        g = np.array(g)
        opt.apply([g.astype("float32")], [var])
        acc += g * g
        w -= 0.1 * g / np.sqrt(acc + 1e-8)
        np.testing.assert_allclose(var.value, w, rtol=1e-5)


def test_lr_attribute_and_positional_lr():
    opt = legacy.SGD(0.05)
    assert float(opt.lr) == pytest.approx(0.05)
    from lamina.legacy import backend as K
    K.set_value(opt.lr, 0.2)
    assert float(opt.learning_rate) == pytest.approx(0.2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="decay.*non-negative"):
        legacy.SGD(lr=0.1, decay=-1.0)
    with pytest.raises(TypeError, match="unknown argument `momentun`. Did you mean `momentum`"):
        legacy.SGD(momentun=0.9)
    with pytest.raises(ValueError, match="schedule_decay"):
        legacy.Nadam(schedule_decay=0.01)
