"""LossScaleOptimizer: skipped steps, scale halving/doubling, Keras 3's numbers, config, errors."""

import jax
import numpy as np
import pytest

from lamina import backend, optimizers

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
# Step 1 finite (scaled by 8), step 2 holds inf, steps 3-4 finite, step 5 holds nan.
GRADS = [(np.array([[0.8, -1.6], [2.4, 3.2]], "float32"), np.array([8.0, -8.0], "float32")),
         (np.array([[np.inf, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[2.0, -1.0], [0.5, -0.3]], "float32"), np.array([-0.7, 0.05], "float32")),
         (np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([np.nan, -1.0], "float32"))]
# (dynamic_scale, step_counter, inner iterations) after each step, by the rule in the docstring.
EXPECTED_STATE = [(4.0, 1, 1), (2.0, 0, 1), (2.0, 1, 2), (4.0, 0, 3), (2.0, 0, 3)]


def make():
    return optimizers.LossScaleOptimizer(optimizers.Adam(0.1), initial_scale=4.0,
                                         dynamic_growth_steps=2)


def numpy_adam_steps(grads_list):
    """Plain Adam (learning_rate 0.1) on already unscaled gradients."""
    params = [W0.astype("float64"), B0.astype("float64")]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(grads_list, start=1):
        alpha = 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g ** 2
            params[i] = params[i] - alpha * m[i] / (np.sqrt(v[i]) + 1e-7)
    return params


def test_loss_scale_optimizer_skips_non_finite_steps_and_rescales():
    optimizer = make()
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    for (gw, gb), (scale, counter, iterations) in zip(GRADS, EXPECTED_STATE):
        optimizer.apply([gw, gb], [kernel, bias])
        assert float(optimizer.dynamic_scale.numpy()) == scale
        assert int(optimizer.step_counter.numpy()) == counter
        assert int(optimizer.iterations.numpy()) == iterations
    # Applied steps: step 1 unscaled by 4, steps 3 and 4 unscaled by 2; steps 2 and 5 skipped.
    applied = [[g / 4.0 for g in GRADS[0]], [g / 2.0 for g in GRADS[2]],
               [g / 2.0 for g in GRADS[3]]]
    ref_w, ref_b = numpy_adam_steps(applied)
    np.testing.assert_allclose(kernel.numpy(), ref_w, rtol=1e-5)
    np.testing.assert_allclose(bias.numpy(), ref_b, rtol=1e-5)
    # Keras 3.15 (JAX backend, stateless_apply) on the same inputs.
    np.testing.assert_allclose(kernel.numpy(), [[0.7644732594490051, 2.263551712036133],
                                                [2.7395823001861572, 3.7749295234680176]],
                               rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), [0.3026387691497803, -0.2877848446369171], rtol=1e-6)


def test_loss_scale_optimizer_stateless_apply_matches_apply_under_jit():
    stateful, stateless = make(), make()
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    for gw, gb in GRADS:
        stateful.apply([gw, gb], [kernel, bias])
    twin_kernel, twin_bias = backend.Variable(W0, name="k"), backend.Variable(B0, name="b")
    stateless.build([twin_kernel, twin_bias])
    step = jax.jit(stateless.stateless_apply)
    trainable = [twin_kernel.value, twin_bias.value]
    values = [v.value for v in stateless.variables]
    for gw, gb in GRADS:
        trainable, values = step(values, [gw, gb], trainable)
    np.testing.assert_allclose(trainable[0], kernel.numpy(), rtol=1e-6)
    np.testing.assert_allclose(trainable[1], bias.numpy(), rtol=1e-6)
    for value, variable in zip(values, stateful.variables):
        np.testing.assert_allclose(value, variable.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(twin_kernel.numpy(), W0)
    assert float(stateless.dynamic_scale.numpy()) == 4.0


def test_loss_scale_optimizer_variables_are_own_then_inner():
    optimizer = make()
    optimizer.build([backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")])
    assert [(v.name, backend.standardize_dtype(v.dtype)) for v in optimizer.variables] == [
        ("iteration", "int32"), ("learning_rate", "float32"), ("step_counter", "int32"),
        ("dynamic_scale", "float32"), ("iteration", "int32"), ("learning_rate", "float32"),
        ("kernel_momentum", "float32"), ("kernel_velocity", "float32"),
        ("bias_momentum", "float32"), ("bias_velocity", "float32")]
    store = {}
    optimizer.save_own_variables(store)
    assert len(store) == 10 and float(store["3"]) == 4.0
    store["3"] = np.array(16.0, "float32")
    optimizer.load_own_variables(store)
    assert float(optimizer.dynamic_scale.numpy()) == 16.0


def test_loss_scale_optimizer_scale_loss_and_delegation():
    inner = optimizers.SGD(0.25, loss_scale_factor=3.0)
    optimizer = optimizers.LossScaleOptimizer(inner)
    assert inner.loss_scale_factor is None
    np.testing.assert_allclose(optimizer.scale_loss(2.0), 65536.0)
    optimizer.learning_rate = 0.5
    np.testing.assert_allclose(float(inner.learning_rate), 0.5)
    optimizer.build([backend.Variable(B0)])
    optimizer.dynamic_scale.assign(8.0)
    np.testing.assert_allclose(optimizer.scale_loss(2.0), 16.0)


def test_loss_scale_optimizer_config_round_trip():
    optimizer = optimizers.LossScaleOptimizer(optimizers.Lion(0.01), initial_scale=128.0,
                                              dynamic_growth_steps=10, name="lso")
    config = optimizer.get_config()
    assert config["inner_optimizer"]["class_name"] == "Lion"
    assert (config["initial_scale"], config["dynamic_growth_steps"]) == (128.0, 10)
    restored = optimizers.LossScaleOptimizer.from_config(config)
    assert isinstance(restored.inner_optimizer, optimizers.Lion)
    assert restored.get_config() == config
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(again) is optimizers.LossScaleOptimizer and again.get_config() == config


@pytest.mark.parametrize("args, kwargs, error, message", [
    (("adam",), {}, TypeError, "LossScaleOptimizer: `inner_optimizer` must be an Optimizer"),
    ((None,), {"clipnorm": 1.0}, ValueError,
     "LossScaleOptimizer does not support `clipnorm`. Received: clipnorm=1.0"),
    ((None,), {"dynamic": False}, ValueError, "`dynamic=False` is not supported"),
    ((None,), {"foo": 1}, ValueError, r"does not support arguments: \['foo'\]"),
    ((None,), {"initial_scale": 0.0}, ValueError, "`initial_scale` must be > 0"),
    ((None,), {"dynamic_growth_steps": 0}, ValueError, "`dynamic_growth_steps` must be an int"),
])
def test_loss_scale_optimizer_rejects_bad_arguments(args, kwargs, error, message):
    args = tuple(optimizers.SGD() if a is None else a for a in args)
    with pytest.raises(error, match=message):
        optimizers.LossScaleOptimizer(*args, **kwargs)
