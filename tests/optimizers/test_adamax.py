"""Adamax: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_adamax(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Adamax (Kingma & Ba, section 7.1) with epsilon added to the infinity norm."""
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    u = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(GRADS, start=1):
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            u[i] = np.maximum(beta_2 * u[i], np.abs(g))
            params[i] = params[i] - lr * m[i] / ((1 - beta_1 ** t) * (u[i] + epsilon))
    return params


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-2}])
def test_adamax_matches_numpy(kwargs):
    w, b = run(optimizers.Adamax(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_adamax(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adamax_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Adamax(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.9130657315254211, 2.1198387145996094],
                                   [2.797750473022461, 3.8009026050567627]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.33132481575012207, -0.3502720892429352], rtol=1e-6)


def test_adamax_slots_interleave():
    assert slot_names(optimizers.Adamax()) == [
        ("kernel_momentum", (2, 2)), ("kernel_norm", (2, 2)), ("bias_momentum", (2,)),
        ("bias_norm", (2,))]


def test_adamax_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Adamax(0.1, clipnorm=1.0))


def test_adamax_defaults_and_config_round_trip():
    optimizer = optimizers.get("adamax")
    assert isinstance(optimizer, optimizers.Adamax)
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.001, rtol=1e-7)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-7)
    config = optimizers.Adamax(beta_1=0.8, epsilon=1e-3).get_config()
    assert config["beta_1"] == 0.8 and config["epsilon"] == 1e-3
    assert optimizers.Adamax.from_config(config).get_config() == config
    assert optimizers.deserialize(optimizers.serialize(
        optimizers.Adamax(beta_2=0.5))).beta_2 == 0.5


@pytest.mark.parametrize("kwargs, error, message", [
    ({"beta_1": 1.5}, ValueError, r"Adamax: `beta_1` must be in \[0, 1\]. Received: beta_1=1.5"),
    ({"beta_2": "x"}, TypeError, "Adamax: `beta_2` must be a number"),
    ({"epsilon": -1.0}, ValueError, "Adamax: `epsilon` must be >= 0"),
])
def test_adamax_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Adamax(**kwargs)
