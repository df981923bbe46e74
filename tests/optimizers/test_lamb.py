"""Lamb: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_lamb(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Lamb (You et al., 2020, Algorithm 2) with the identity scaling function."""
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(GRADS, start=1):
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g ** 2
            r = (m[i] / (1 - beta_1 ** t)) / (np.sqrt(v[i] / (1 - beta_2 ** t)) + epsilon)
            w_norm, r_norm = np.linalg.norm(params[i]), np.linalg.norm(r)
            ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
            params[i] = params[i] - lr * ratio * r
    return params


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-2}])
def test_lamb_matches_numpy(kwargs):
    w, b = run(optimizers.Lamb(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_lamb(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_lamb_zero_weights_use_ratio_one():
    # ||w|| = 0: the trust ratio falls back to 1, so the first step is Adam's (about -lr).
    variable = backend.Variable(np.zeros((2,), "float32"))
    optimizers.Lamb(learning_rate=0.1).apply([np.array([2.0, -3.0], "float32")], [variable])
    np.testing.assert_allclose(variable.numpy(), [-0.1, 0.1], rtol=1e-5)
    assert np.all(np.isfinite(variable.numpy()))


def test_lamb_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Lamb(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.7748622298240662, 2.4277772903442383],
                                   [2.13874888420105, 3.148475170135498]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.36808452010154724, -0.3685722351074219], rtol=1e-6)


def test_lamb_slots_interleave():
    assert slot_names(optimizers.Lamb()) == [
        ("kernel_momentum", (2, 2)), ("kernel_velocity", (2, 2)), ("bias_momentum", (2,)),
        ("bias_velocity", (2,))]


def test_lamb_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Lamb(0.1, global_clipnorm=1.0))


def test_lamb_defaults_and_config_round_trip():
    optimizer = optimizers.get("lamb")
    assert isinstance(optimizer, optimizers.Lamb)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-7)
    config = optimizers.Lamb(beta_2=0.9, epsilon=1e-3).get_config()
    assert config["beta_2"] == 0.9 and config["epsilon"] == 1e-3
    assert optimizers.Lamb.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"beta_1": -0.5}, ValueError, r"Lamb: `beta_1` must be in \[0, 1\]. Received: beta_1=-0.5"),
    ({"epsilon": -1.0}, ValueError, "Lamb: `epsilon` must be >= 0"),
])
def test_lamb_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Lamb(**kwargs)
