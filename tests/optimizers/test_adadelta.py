"""Adadelta: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

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


def numpy_adadelta(lr, rho=0.95, epsilon=1e-7):
    """Adadelta (Zeiler, 2012, Algorithm 1), scaled by the learning rate."""
    params = [W0.astype("float64"), B0.astype("float64")]
    eg = [np.zeros_like(p) for p in params]
    ed = [np.zeros_like(p) for p in params]
    for grads in GRADS:
        for i, g in enumerate(grads):
            eg[i] = rho * eg[i] + (1 - rho) * g ** 2
            delta = -np.sqrt(ed[i] + epsilon) / np.sqrt(eg[i] + epsilon) * g
            ed[i] = rho * ed[i] + (1 - rho) * delta ** 2
            params[i] = params[i] + lr * delta
    return params


@pytest.mark.parametrize("kwargs", [{}, {"rho": 0.5, "epsilon": 1e-2}])
def test_adadelta_matches_numpy(kwargs):
    w, b = run(optimizers.Adadelta(learning_rate=1.0, **kwargs))
    ref_w, ref_b = numpy_adadelta(1.0, **kwargs)
    np.testing.assert_allclose(w, ref_w, rtol=1e-5)
    np.testing.assert_allclose(b, ref_b, rtol=1e-5)


def test_adadelta_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1.
    w, b = run(optimizers.Adadelta(learning_rate=0.1))
    np.testing.assert_allclose(w, [[0.9997847080230713, 2.000225067138672],
                                   [2.9996869564056396, 3.9997189044952393]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.4999363422393799, -0.4999277591705322], rtol=1e-6)


def test_adadelta_slots_interleave():
    assert slot_names(optimizers.Adadelta()) == [
        ("kernel_accumulated_grad", (2, 2)), ("kernel_accumulated_delta_var", (2, 2)),
        ("bias_accumulated_grad", (2,)), ("bias_accumulated_delta_var", (2,))]


def test_adadelta_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Adadelta(1.0, rho=0.5, epsilon=1e-2))


def test_adadelta_defaults_and_config_round_trip():
    optimizer = optimizers.get("adadelta")
    assert isinstance(optimizer, optimizers.Adadelta)
    assert (optimizer.rho, optimizer.epsilon) == (0.95, 1e-7)
    config = optimizers.Adadelta(rho=0.5, epsilon=1e-3).get_config()
    assert config["rho"] == 0.5 and config["epsilon"] == 1e-3
    assert optimizers.Adadelta.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"rho": 1.5}, ValueError, r"Adadelta: `rho` must be in \[0, 1\]. Received: rho=1.5"),
    ({"epsilon": -1.0}, ValueError, "Adadelta: `epsilon` must be >= 0"),
])
def test_adadelta_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Adadelta(**kwargs)
