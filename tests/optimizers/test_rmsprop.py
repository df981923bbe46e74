"""RMSprop: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

import numpy as np
import pytest

from lamina import backend, optimizers

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
GRADS = [(np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([1.0, -1.0], "float32")),
         (np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[2.0, -1.0], [0.5, -0.3]], "float32"), np.array([-0.7, 0.05], "float32"))]


def run(optimizer):
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    for gw, gb in GRADS:
        optimizer.apply([gw, gb], [kernel, bias])
    return kernel.numpy(), bias.numpy()


def numpy_rmsprop(lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    params = [W0.astype("float64"), B0.astype("float64")]
    velocity = [np.zeros_like(p) for p in params]
    average = [np.zeros_like(p) for p in params]
    moment = [np.zeros_like(p) for p in params]
    for grads in GRADS:
        for i, g in enumerate(grads):
            velocity[i] = rho * velocity[i] + (1 - rho) * g ** 2
            denominator = velocity[i]
            if centered:
                average[i] = rho * average[i] + (1 - rho) * g
                denominator = denominator - average[i] ** 2
            increment = lr * g / np.sqrt(denominator + epsilon)
            if momentum > 0:
                moment[i] = momentum * moment[i] + increment
                increment = moment[i]
            params[i] = params[i] - increment
    return params


@pytest.mark.parametrize("kwargs", [
    {}, {"momentum": 0.5}, {"centered": True}, {"centered": True, "momentum": 0.5, "rho": 0.8},
    {"epsilon": 1e-2}])
def test_rmsprop_matches_numpy(kwargs):
    w, b = run(optimizers.RMSprop(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_rmsprop(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_rmsprop_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.RMSprop(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.6870745420455933, 2.3674075603485107],
                                   [2.4055237770080566, 3.4405252933502197]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.3100510239601135, -0.29584577679634094], rtol=1e-6)
    w, b = run(optimizers.RMSprop(learning_rate=0.1, momentum=0.5, centered=True))
    np.testing.assert_allclose(w, [[0.5810902118682861, 2.520632266998291],
                                   [2.1110734939575195, 2.98565411567688]], rtol=1e-5)
    np.testing.assert_allclose(b, [0.003955557942390442, -0.07931632548570633], atol=1e-6)


def test_rmsprop_slots_in_keras_order():
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    optimizer = optimizers.RMSprop(momentum=0.9, centered=True)
    optimizer.build([kernel, bias])
    assert [v.name for v in optimizer.variables][2:] == [
        "kernel_velocity", "bias_velocity", "kernel_momentum", "bias_momentum",
        "kernel_average_gradient", "bias_average_gradient"]
    plain = optimizers.RMSprop()
    plain.build([kernel])
    assert [v.name for v in plain.variables][2:] == ["kernel_velocity"]


def test_rmsprop_defaults_and_config_round_trip():
    optimizer = optimizers.RMSprop()
    assert (optimizer.rho, optimizer.momentum, optimizer.epsilon, optimizer.centered) == (
        0.9, 0.0, 1e-7, False)
    config = optimizers.RMSprop(rho=0.8, momentum=0.3, centered=True).get_config()
    assert (config["rho"], config["momentum"], config["centered"]) == (0.8, 0.3, True)
    assert optimizers.RMSprop.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"rho": 2.0}, ValueError, r"RMSprop: `rho` must be in \[0, 1\]. Received: rho=2.0"),
    ({"momentum": -0.1}, ValueError, "RMSprop: `momentum` must be >= 0"),
    ({"centered": "no"}, TypeError, "RMSprop: `centered` must be True or False"),
])
def test_rmsprop_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.RMSprop(**kwargs)
