"""Adam: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_adam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    """Adam as in Kingma & Ba, with the bias correction folded into the step size."""
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    v_max = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(GRADS, start=1):
        alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        for i, g in enumerate(grads):
            if weight_decay is not None:
                params[i] = params[i] - params[i] * weight_decay * lr
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g ** 2
            v_max[i] = np.maximum(v_max[i], v[i])
            denominator = np.sqrt(v_max[i] if amsgrad else v[i]) + epsilon
            params[i] = params[i] - alpha * m[i] / denominator
    return params


@pytest.mark.parametrize("kwargs", [
    {}, {"amsgrad": True}, {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
    {"weight_decay": 0.2}])
def test_adam_matches_numpy(kwargs):
    w, b = run(optimizers.Adam(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_adam(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adam_amsgrad_differs_when_velocity_falls():
    # Gradients that shrink make the running maximum of v differ from v.
    kernel = backend.Variable(np.array([1.0], "float32"))
    plain, ams = optimizers.Adam(0.1, beta_2=0.5), optimizers.Adam(0.1, beta_2=0.5, amsgrad=True)
    other = backend.Variable(np.array([1.0], "float32"))
    for g in (3.0, 0.1, 0.1):
        plain.apply([np.array([g], "float32")], [kernel])
        ams.apply([np.array([g], "float32")], [other])
    assert abs(float(kernel.numpy()[0]) - float(other.numpy()[0])) > 1e-3


def test_adam_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Adam(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.909356415271759, 2.1407346725463867],
                                   [2.7515766620635986, 3.7553014755249023]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.3047109842300415, -0.32724079489707947], rtol=1e-6)
    w, _ = run(optimizers.Adam(learning_rate=0.1, amsgrad=True))
    np.testing.assert_allclose(w[1, 0], 2.751610279083252, rtol=1e-6)


def test_adam_slots_interleave_then_velocity_hat():
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    optimizer = optimizers.Adam(amsgrad=True, name="adam")
    optimizer.build([kernel, bias])
    assert [v.name for v in optimizer.variables][2:] == [
        "kernel_momentum", "kernel_velocity", "bias_momentum", "bias_velocity",
        "kernel_velocity_hat", "bias_velocity_hat"]


def test_adam_defaults_and_config_round_trip():
    optimizer = optimizers.Adam()
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.001, rtol=1e-7)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon, optimizer.amsgrad) == (
        0.9, 0.999, 1e-7, False)
    config = optimizers.Adam(beta_1=0.8, amsgrad=True, global_clipnorm=1.0).get_config()
    assert config["beta_1"] == 0.8 and config["amsgrad"] is True
    assert optimizers.Adam.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"beta_1": 1.5}, ValueError, r"Adam: `beta_1` must be in \[0, 1\]. Received: beta_1=1.5"),
    ({"epsilon": -1.0}, ValueError, "Adam: `epsilon` must be >= 0"),
    ({"amsgrad": 1}, TypeError, "Adam: `amsgrad` must be True or False"),
])
def test_adam_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Adam(**kwargs)
