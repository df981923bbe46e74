"""ScheduleFreeAdamW: the update against a NumPy formula and Keras 3's numbers, slots, config."""

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


def numpy_schedule_free_adamw(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0):
    """Schedule-free AdamW (Defazio et al., 2024, Algorithm 1) with constant weights c = 1/t."""
    ys = [W0.astype("float64"), B0.astype("float64")]
    zs = [y.copy() for y in ys]
    xs = [y.copy() for y in ys]
    v = [np.zeros_like(y) for y in ys]
    for t, grads in enumerate(GRADS, start=1):
        lr_t = lr * min(t / warmup_steps, 1.0) if warmup_steps else lr
        for i, g in enumerate(grads):
            v[i] = beta_2 * v[i] + (1 - beta_2) * g ** 2
            zs[i] = zs[i] - lr_t * g / (np.sqrt(v[i] / (1 - beta_2 ** t)) + epsilon)
            xs[i] = (1 - 1 / t) * xs[i] + zs[i] / t
            ys[i] = (1 - beta_1) * zs[i] + beta_1 * xs[i]
    return ys


@pytest.mark.parametrize("kwargs", [{}, {"warmup_steps": 2},
                                    {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-2}])
def test_schedule_free_adamw_matches_numpy(kwargs):
    w, b = run(optimizers.ScheduleFreeAdamW(learning_rate=0.1, **kwargs))
    ref_w, ref_b = numpy_schedule_free_adamw(0.1, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_schedule_free_adamw_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.ScheduleFreeAdamW(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.9299464225769043, 2.0886566638946533],
                                   [2.8406052589416504, 3.817514181137085]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.41979557275772095, -0.4317675828933716], rtol=1e-6)
    w, b = run(optimizers.ScheduleFreeAdamW(learning_rate=0.1, warmup_steps=2))
    np.testing.assert_allclose(b, [0.4697955250740051, -0.48176753520965576], rtol=1e-6)


def test_schedule_free_adamw_momentum_starts_as_the_variable():
    optimizer = optimizers.ScheduleFreeAdamW()
    assert slot_names(optimizer) == [
        ("kernel_momentum", (2, 2)), ("kernel_velocity", (2, 2)), ("bias_momentum", (2,)),
        ("bias_velocity", (2,))]
    np.testing.assert_array_equal(optimizer.variables[2].numpy(), W0)
    np.testing.assert_array_equal(optimizer.variables[3].numpy(), np.zeros((2, 2)))


def test_schedule_free_adamw_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.ScheduleFreeAdamW(
        0.1, warmup_steps=2, weight_decay=0.1))


def test_schedule_free_adamw_defaults_and_config_round_trip():
    optimizer = optimizers.get("schedulefreeadamw")
    assert isinstance(optimizer, optimizers.ScheduleFreeAdamW)
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.0025, rtol=1e-7)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon, optimizer.warmup_steps) == (
        0.9, 0.999, 1e-8, 0)
    config = optimizers.ScheduleFreeAdamW(warmup_steps=5, beta_1=0.8).get_config()
    assert config["warmup_steps"] == 5 and config["beta_1"] == 0.8
    assert optimizers.ScheduleFreeAdamW.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"beta_1": 0.0}, ValueError,
     r"ScheduleFreeAdamW: `beta_1` must be in \(0, 1\]. Received: beta_1=0.0"),
    ({"beta_2": 1.5}, ValueError, r"ScheduleFreeAdamW: `beta_2` must be in \[0, 1\]"),
    ({"warmup_steps": 1.5}, ValueError, "ScheduleFreeAdamW: `warmup_steps` must be an int >= 0"),
])
def test_schedule_free_adamw_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.ScheduleFreeAdamW(**kwargs)
