"""SGD: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_sgd(lr, momentum, nesterov, weight_decay=None):
    params = [W0.astype("float64"), B0.astype("float64")]
    velocities = [np.zeros_like(p) for p in params]
    for grads in GRADS:
        for i, g in enumerate(grads):
            if weight_decay is not None:
                params[i] = params[i] - params[i] * weight_decay * lr
            if momentum == 0:
                params[i] = params[i] - lr * g
                continue
            velocities[i] = momentum * velocities[i] - lr * g
            step = momentum * velocities[i] - lr * g if nesterov else velocities[i]
            params[i] = params[i] + step
    return params


@pytest.mark.parametrize("momentum, nesterov, weight_decay", [
    (0.0, False, None), (0.9, False, None), (0.9, True, None), (0.5, True, 0.1)])
def test_sgd_matches_numpy(momentum, nesterov, weight_decay):
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=momentum, nesterov=nesterov,
                               weight_decay=weight_decay)
    w, b = run(optimizer)
    ref_w, ref_b = numpy_sgd(0.1, momentum, nesterov, weight_decay)
    np.testing.assert_allclose(w, ref_w, rtol=1e-6)
    np.testing.assert_allclose(b, ref_b, rtol=1e-6)


def test_sgd_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1, momentum=0.9.
    w, b = run(optimizers.SGD(learning_rate=0.1, momentum=0.9))
    np.testing.assert_allclose(w, [[0.867900013923645, 2.1066999435424805],
                                   [2.8687000274658203, 3.6366000175476074]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.26100003719329834, -0.29100000858306885], rtol=1e-6)
    w, b = run(optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    np.testing.assert_allclose(w, [[0.721109926700592, 2.1910300254821777],
                                   [2.8018300533294678, 3.512939929962158]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.23489999771118164, -0.2469000220298767], rtol=1e-6)


def test_sgd_slots():
    kernel = backend.Variable(W0, name="kernel")
    plain, heavy = optimizers.SGD(name="plain"), optimizers.SGD(momentum=0.9, name="heavy")
    plain.build([kernel])
    heavy.build([kernel])
    assert [v.path for v in plain.variables] == ["plain/iteration", "plain/learning_rate"]
    assert [v.path for v in heavy.variables][2:] == ["heavy/kernel_momentum"]
    heavy.build([kernel])  # building twice adds nothing
    assert len(heavy.variables) == 3


def test_sgd_defaults_and_config_round_trip():
    optimizer = optimizers.SGD()
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.01, rtol=1e-7)
    assert optimizer.momentum == 0.0 and optimizer.nesterov is False
    optimizer = optimizers.SGD(learning_rate=0.5, momentum=0.25, nesterov=True, clipnorm=2.0)
    config = optimizer.get_config()
    assert config["momentum"] == 0.25 and config["nesterov"] is True
    assert optimizers.SGD.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"momentum": 1.5}, ValueError, r"SGD: `momentum` must be in \[0, 1\]. Received: momentum=1.5"),
    ({"momentum": "high"}, TypeError, "SGD: `momentum` must be a number"),
    ({"nesterov": "yes"}, TypeError, "SGD: `nesterov` must be True or False"),
])
def test_sgd_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.SGD(**kwargs)
