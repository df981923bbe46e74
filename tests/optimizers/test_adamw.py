"""AdamW: decoupled weight decay before Adam's update, against NumPy and Keras 3's numbers."""

import numpy as np
import pytest

from lamina import backend, optimizers

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
GRADS = [(np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([1.0, -1.0], "float32")),
         (np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[2.0, -1.0], [0.5, -0.3]], "float32"), np.array([-0.7, 0.05], "float32"))]


def run(optimizer, exclude_bias=False):
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    if exclude_bias:
        optimizer.exclude_from_weight_decay(var_names=["bias"])
    for gw, gb in GRADS:
        optimizer.apply([gw, gb], [kernel, bias])
    return kernel.numpy(), bias.numpy()


def numpy_adamw(lr, weight_decay, decayed=(True, True), beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(GRADS, start=1):
        alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        for i, g in enumerate(grads):
            if decayed[i]:
                params[i] = params[i] * (1 - weight_decay * lr)
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g ** 2
            params[i] = params[i] - alpha * m[i] / (np.sqrt(v[i]) + epsilon)
    return params


@pytest.mark.parametrize("weight_decay", [0.004, 0.5])
def test_adamw_matches_numpy(weight_decay):
    w, b = run(optimizers.AdamW(learning_rate=0.1, weight_decay=weight_decay))
    ref_w, ref_b = numpy_adamw(0.1, weight_decay)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adamw_excluded_variable_is_plain_adam():
    w, b = run(optimizers.AdamW(learning_rate=0.1, weight_decay=0.5), exclude_bias=True)
    ref_w, ref_b = numpy_adamw(0.1, 0.5, decayed=(True, False))
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adamw_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1, weight_decay=0.1.
    w, b = run(optimizers.AdamW(learning_rate=0.1, weight_decay=0.1))
    np.testing.assert_allclose(w, [[0.8810470104217529, 2.079505681991577],
                                   [2.6651337146759033, 3.6393790245056152]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.29265350103378296, -0.3148081302642822], rtol=1e-6)


def test_adamw_defaults_and_config_round_trip():
    optimizer = optimizers.AdamW()
    assert optimizer.weight_decay == 0.004 and optimizer.beta_2 == 0.999
    assert optimizer.name.startswith("adam_w")
    config = optimizers.AdamW(weight_decay=0.01, amsgrad=True).get_config()
    assert config["weight_decay"] == 0.01 and config["amsgrad"] is True
    restored = optimizers.AdamW.from_config(config)
    assert type(restored) is optimizers.AdamW and restored.get_config() == config


def test_adamw_requires_weight_decay():
    with pytest.raises(ValueError, match="AdamW: `weight_decay` must be a float. Received: "
                                         "weight_decay=None"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="`weight_decay` must be >= 0"):
        optimizers.AdamW(weight_decay=-0.1)
