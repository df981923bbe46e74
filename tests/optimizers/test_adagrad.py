"""Adagrad: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_adagrad(lr, initial_accumulator_value=0.1, epsilon=1e-7):
    """Adagrad (Duchi et al.): accumulate squared gradients, divide by their root."""
    params = [W0.astype("float64"), B0.astype("float64")]
    acc = [np.full_like(p, initial_accumulator_value) for p in params]
    for grads in GRADS:
        for i, g in enumerate(grads):
            acc[i] = acc[i] + g ** 2
            params[i] = params[i] - lr * g / np.sqrt(acc[i] + epsilon)
    return params


@pytest.mark.parametrize("kwargs", [{}, {"initial_accumulator_value": 0.0, "epsilon": 1e-2},
                                    {"initial_accumulator_value": 2.0}])
def test_adagrad_matches_numpy(kwargs):
    w, b = run(optimizers.Adagrad(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_adagrad(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adagrad_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Adagrad(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.9573996067047119, 2.0890889167785645],
                                   [2.855797290802002, 3.845479726791382]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.44075027108192444, -0.4367333948612213], rtol=1e-6)


def test_adagrad_accumulator_slots_start_at_initial_value():
    optimizer = optimizers.Adagrad(initial_accumulator_value=0.25)
    assert slot_names(optimizer) == [("kernel_accumulator", (2, 2)), ("bias_accumulator", (2,))]
    np.testing.assert_array_equal(optimizer.variables[2].numpy(), np.full((2, 2), 0.25))


def test_adagrad_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Adagrad(0.1, clipvalue=0.5))


def test_adagrad_defaults_and_config_round_trip():
    optimizer = optimizers.get("adagrad")
    assert isinstance(optimizer, optimizers.Adagrad)
    assert (optimizer.initial_accumulator_value, optimizer.epsilon) == (0.1, 1e-7)
    config = optimizers.Adagrad(initial_accumulator_value=0.5).get_config()
    assert config["initial_accumulator_value"] == 0.5
    assert optimizers.Adagrad.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"initial_accumulator_value": -1.0}, ValueError,
     "Adagrad: `initial_accumulator_value` must be >= 0"),
    ({"epsilon": "small"}, TypeError, "Adagrad: `epsilon` must be a number"),
])
def test_adagrad_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Adagrad(**kwargs)
