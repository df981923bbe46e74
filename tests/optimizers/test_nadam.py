"""Nadam: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

import numpy as np
import pytest

from lamina import optimizers
from tests.helpers.optimizer_checks import (
    B0,
    GRADS,
    W0,
    check_stateless_matches_apply,
    run,
    slot_names,
)


def numpy_nadam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Nadam (Dozat, 2016) with the schedule mu_t = beta_1 * (1 - 0.5 * 0.96**t)."""
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    mu_product = 1.0
    for t, grads in enumerate(GRADS, start=1):
        mu_t = beta_1 * (1 - 0.5 * 0.96 ** t)
        mu_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        mu_product *= mu_t
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g ** 2
            m_hat = mu_next * m[i] / (1 - mu_product * mu_next) + (1 - mu_t) * g / (1 - mu_product)
            v_hat = v[i] / (1 - beta_2 ** t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return params


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-2}])
def test_nadam_matches_numpy(kwargs):
    w, b = run(optimizers.Nadam(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_nadam(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_nadam_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Nadam(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.8906487822532654, 2.132190227508545],
                                   [2.790886878967285, 3.803337812423706]], rtol=1e-5)
    np.testing.assert_allclose(b, [0.4194861650466919, -0.4163754880428314], rtol=1e-5)


def test_nadam_slots_then_u_product():
    optimizer = optimizers.Nadam(0.1)
    assert slot_names(optimizer) == [
        ("kernel_momentum", (2, 2)), ("kernel_velocity", (2, 2)), ("bias_momentum", (2,)),
        ("bias_velocity", (2,)), ("u_product", ())]
    assert float(optimizer.variables[-1].numpy()) == 1.0


def test_nadam_u_product_advances_once_per_step():
    optimizer = optimizers.Nadam(0.1)
    run(optimizer)
    expected = np.prod([0.9 * (1 - 0.5 * 0.96 ** t) for t in (1, 2, 3)])
    np.testing.assert_allclose(optimizer.variables[-1].numpy(), expected, rtol=1e-6)


def test_nadam_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Nadam(0.1, weight_decay=0.1))


def test_nadam_defaults_and_config_round_trip():
    optimizer = optimizers.get("Nadam")
    assert isinstance(optimizer, optimizers.Nadam)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-7)
    config = optimizers.Nadam(beta_1=0.8, epsilon=1e-3).get_config()
    assert config["beta_1"] == 0.8 and config["epsilon"] == 1e-3
    assert optimizers.Nadam.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"beta_2": 2.0}, ValueError, r"Nadam: `beta_2` must be in \[0, 1\]. Received: beta_2=2.0"),
    ({"epsilon": None}, TypeError, "Nadam: `epsilon` must be a number"),
])
def test_nadam_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Nadam(**kwargs)
