"""Adafactor: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

import numpy as np
import pytest

from lamina import backend, optimizers
from tests.helpers.optimizer_checks import (
    B0,
    GRADS,
    W0,
    check_stateless_matches_apply,
    run,
    slot_names,
)


def rms(x):
    return np.sqrt(np.mean(x ** 2))


def numpy_adafactor(lr, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0):
    """Adafactor (Shazeer & Stern, 2018, Algorithms 4 and 5) without first moments."""
    params = [W0.astype("float64"), B0.astype("float64")]
    row, col = np.zeros(2), np.zeros(2)
    v_bias = np.zeros(2)
    for t, grads in enumerate(GRADS, start=1):
        rho = min(lr, 1 / np.sqrt(t))
        beta_2 = 1 - t ** beta_2_decay
        for i, g in enumerate(grads):
            alpha = max(epsilon_2, rms(params[i])) * rho
            squared = g ** 2 + epsilon_1
            if i == 0:  # the kernel: factored second moment
                row = beta_2 * row + (1 - beta_2) * squared.mean(axis=1)
                col = beta_2 * col + (1 - beta_2) * squared.mean(axis=0)
                v = np.outer(row / row.mean(), col)
            else:
                v_bias = beta_2 * v_bias + (1 - beta_2) * squared
                v = v_bias
            u = g / np.sqrt(v)
            u = u / max(1.0, rms(u) / clip_threshold)
            params[i] = params[i] - alpha * u
    return params


@pytest.mark.parametrize("kwargs", [
    {}, {"beta_2_decay": -0.5, "epsilon_2": 0.1, "clip_threshold": 0.5}])
def test_adafactor_matches_numpy(kwargs):
    w, b = run(optimizers.Adafactor(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_adafactor(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adafactor_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Adafactor(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.8554912805557251, 2.4605727195739746],
                                   [2.5611560344696045, 3.647508144378662]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.48306065797805786, -0.4738222360610962], rtol=1e-6)


def test_adafactor_factors_rank_three_variables():
    variable = backend.Variable(np.ones((2, 3, 4), "float32"), name="w")
    optimizer = optimizers.Adafactor(0.1)
    optimizer.build([variable])
    assert [tuple(v.shape) for v in optimizer.variables[2:]] == [(2, 3), (2, 4), (2, 3, 4)]
    gradient = np.arange(24, dtype="float32").reshape(2, 3, 4) / 10 + 0.1
    optimizer.apply([gradient], [variable])
    # Step 1: beta_2 = 0, so the factors are the plain row and column means of g**2.
    squared = gradient.astype("float64") ** 2
    row, col = squared.mean(axis=-1), squared.mean(axis=-2)
    v = (row / row.mean(axis=-1, keepdims=True))[..., None] * col[:, None, :]
    u = gradient / np.sqrt(v)
    u = u / max(1.0, rms(u))
    np.testing.assert_allclose(variable.numpy(), 1.0 - 0.1 * u, rtol=1e-5)


def test_adafactor_slots_follow_keras():
    assert slot_names(optimizers.Adafactor()) == [
        ("kernel", (2,)), ("kernel", (2,)), ("kernel_velocity", (2, 2)), ("bias", ()),
        ("bias", ()), ("bias_velocity", (2,))]


def test_adafactor_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Adafactor(0.1, clip_threshold=0.5))


def test_adafactor_defaults_and_config_round_trip():
    optimizer = optimizers.get("adafactor")
    assert isinstance(optimizer, optimizers.Adafactor)
    assert (optimizer.beta_2_decay, optimizer.epsilon_1, optimizer.epsilon_2,
            optimizer.clip_threshold, optimizer.relative_step) == (-0.8, 1e-30, 1e-3, 1.0, True)
    config = optimizers.Adafactor(epsilon_2=0.01, relative_step=False).get_config()
    assert config["epsilon_2"] == 0.01 and config["relative_step"] is False
    assert optimizers.Adafactor.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"clip_threshold": 0.0}, ValueError,
     "Adafactor: `clip_threshold` must be > 0. Received: clip_threshold=0.0"),
    ({"epsilon_1": -1.0}, ValueError, "Adafactor: `epsilon_1` must be >= 0"),
    ({"relative_step": "yes"}, TypeError, "Adafactor: `relative_step` must be True or False"),
])
def test_adafactor_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Adafactor(**kwargs)
