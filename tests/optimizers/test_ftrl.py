"""Ftrl: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_ftrl(lr, learning_rate_power=-0.5, initial_accumulator_value=0.1,
               l1_regularization_strength=0.0, l2_regularization_strength=0.0,
               l2_shrinkage_regularization_strength=0.0, beta=0.0):
    """FTRL-Proximal (McMahan et al., 2013, Algorithm 1) per coordinate, in closed form."""
    params = [W0.astype("float64"), B0.astype("float64")]
    n = [np.full_like(p, initial_accumulator_value) for p in params]
    z = [np.zeros_like(p) for p in params]
    p = -learning_rate_power
    l1 = l1_regularization_strength
    l2 = l2_regularization_strength + beta / (2 * lr)
    for grads in GRADS:
        for i, g in enumerate(grads):
            w = params[i]
            n_new = n[i] + g ** 2
            sigma = (n_new ** p - n[i] ** p) / lr
            z[i] = z[i] + g + 2 * l2_shrinkage_regularization_strength * w - sigma * w
            # w = 0 where |z| <= l1, otherwise -(z - sign(z) * l1) / (n**p / lr + 2 * l2).
            shrunk = np.where(np.abs(z[i]) <= l1, 0.0, z[i] - np.sign(z[i]) * l1)
            params[i] = -shrunk / (n_new ** p / lr + 2 * l2)
            n[i] = n_new
    return params


@pytest.mark.parametrize("kwargs", [
    {}, {"learning_rate_power": -0.7, "initial_accumulator_value": 0.5},
    {"l1_regularization_strength": 2.0, "l2_regularization_strength": 0.5},
    {"l2_shrinkage_regularization_strength": 0.3, "beta": 0.2,
     "l1_regularization_strength": 0.05}])
def test_ftrl_matches_numpy(kwargs):
    w, b = run(optimizers.Ftrl(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_ftrl(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5, atol=1e-6)


def test_ftrl_large_l1_zeroes_the_weights():
    w, b = run(optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=100.0))
    np.testing.assert_array_equal(w, np.zeros((2, 2)))
    np.testing.assert_array_equal(b, np.zeros(2))


def test_ftrl_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Ftrl(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.003936976660043001, 0.39878034591674805],
                                   [0.6793688535690308, 1.3647851943969727]], rtol=1e-5)
    np.testing.assert_allclose(b, [0.28999456763267517, -0.28597769141197205], rtol=1e-5)


def test_ftrl_slots_interleave_and_accumulator_starts_at_initial_value():
    optimizer = optimizers.Ftrl(initial_accumulator_value=0.3)
    assert slot_names(optimizer) == [
        ("kernel_accumulator", (2, 2)), ("kernel_linear", (2, 2)), ("bias_accumulator", (2,)),
        ("bias_linear", (2,))]
    np.testing.assert_allclose(optimizer.variables[4].numpy(), [0.3, 0.3], rtol=1e-7)


def test_ftrl_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Ftrl(
        0.1, l1_regularization_strength=0.05, l2_shrinkage_regularization_strength=0.1))


def test_ftrl_defaults_and_config_round_trip():
    optimizer = optimizers.get("ftrl")
    assert isinstance(optimizer, optimizers.Ftrl)
    assert (optimizer.learning_rate_power, optimizer.initial_accumulator_value,
            optimizer.l1_regularization_strength, optimizer.l2_regularization_strength,
            optimizer.l2_shrinkage_regularization_strength, optimizer.beta) == (
        -0.5, 0.1, 0.0, 0.0, 0.0, 0.0)
    config = optimizers.Ftrl(l1_regularization_strength=0.2, beta=0.1).get_config()
    assert config["l1_regularization_strength"] == 0.2 and config["beta"] == 0.1
    assert optimizers.Ftrl.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"learning_rate_power": 0.5}, ValueError,
     "Ftrl: `learning_rate_power` must be <= 0. Received: learning_rate_power=0.5"),
    ({"initial_accumulator_value": -1.0}, ValueError,
     "Ftrl: `initial_accumulator_value` must be >= 0"),
    ({"l1_regularization_strength": -1.0}, ValueError,
     "Ftrl: `l1_regularization_strength` must be >= 0"),
    ({"l2_shrinkage_regularization_strength": "a"}, TypeError,
     "Ftrl: `l2_shrinkage_regularization_strength` must be a number"),
])
def test_ftrl_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Ftrl(**kwargs)
