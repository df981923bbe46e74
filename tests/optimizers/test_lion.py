"""Lion: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_lion(lr, beta_1=0.9, beta_2=0.99):
    """Lion (Chen et al., 2023, Algorithm 2) without weight decay."""
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    for grads in GRADS:
        for i, g in enumerate(grads):
            params[i] = params[i] - lr * np.sign(beta_1 * m[i] + (1 - beta_1) * g)
            m[i] = beta_2 * m[i] + (1 - beta_2) * g
    return params


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.99, "beta_2": 0.5}])
def test_lion_matches_numpy(kwargs):
    w, b = run(optimizers.Lion(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_lion(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-6)
    np.testing.assert_allclose(b, ref_b, rtol=1e-6)


def test_lion_momentum_flips_the_sign():
    # beta_1 close to 1: the remembered momentum outweighs the new, opposite gradient.
    variable = backend.Variable(np.array([0.0], "float32"))
    optimizer = optimizers.Lion(learning_rate=1.0, beta_1=0.99, beta_2=0.0)
    optimizer.apply([np.array([1.0], "float32")], [variable])
    optimizer.apply([np.array([-0.5], "float32")], [variable])
    np.testing.assert_allclose(variable.numpy(), [-2.0])


def test_lion_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Lion(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.8999999761581421, 2.0999999046325684],
                                   [2.700000286102295, 3.9000000953674316]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.4000000059604645, -0.4000000059604645], rtol=1e-6)


def test_lion_slots():
    assert slot_names(optimizers.Lion()) == [("kernel_momentum", (2, 2)),
                                             ("bias_momentum", (2,))]


def test_lion_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Lion(0.1, beta_1=0.5, weight_decay=0.1))


def test_lion_defaults_and_config_round_trip():
    optimizer = optimizers.get("lion")
    assert isinstance(optimizer, optimizers.Lion)
    assert (optimizer.beta_1, optimizer.beta_2) == (0.9, 0.99)
    config = optimizers.Lion(beta_1=0.8, beta_2=0.5).get_config()
    assert config["beta_1"] == 0.8 and config["beta_2"] == 0.5
    assert optimizers.Lion.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"beta_1": 0.0}, ValueError, r"Lion: `beta_1` must be in \(0, 1\]. Received: beta_1=0.0"),
    ({"beta_2": -0.1}, ValueError, r"Lion: `beta_2` must be in \[0, 1\]"),
])
def test_lion_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Lion(**kwargs)
