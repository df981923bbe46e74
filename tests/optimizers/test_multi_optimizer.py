"""MultiOptimizer and OptimizerMap: routing by path, Keras 3's numbers, state order, config."""

import jax
import numpy as np
import pytest

from lamina import backend, optimizers

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
GRADS = [(np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([1.0, -1.0], "float32")),
         (np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[2.0, -1.0], [0.5, -0.3]], "float32"), np.array([-0.7, 0.05], "float32"))]


def make():
    return optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.SGD(0.1, momentum=0.5), {"bi.*": optimizers.Adam(0.1)}))


def variables():
    return backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")


def test_multi_optimizer_routes_variables_to_their_optimizers():
    optimizer = make()
    kernel, bias = variables()
    for gw, gb in GRADS:
        optimizer.apply([gw, gb], [kernel, bias])
    # The kernel gets SGD with momentum 0.5, the bias Adam (both written out in NumPy).
    w, velocity = W0.astype("float64"), np.zeros((2, 2))
    b, m, v = B0.astype("float64"), np.zeros(2), np.zeros(2)
    for t, (gw, gb) in enumerate(GRADS, start=1):
        velocity = 0.5 * velocity - 0.1 * gw
        w = w + velocity
        m, v = 0.9 * m + 0.1 * gb, 0.999 * v + 0.001 * gb ** 2
        b = b - 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(kernel.numpy(), w, rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), b, rtol=1e-5)
    # Keras 3.15 (JAX backend) on the same inputs.
    np.testing.assert_allclose(kernel.numpy(), [[0.8574999570846558, 2.0974998474121094],
                                                [2.8975000381469727, 3.734999895095825]],
                               rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), [0.3047109842300415, -0.32724079489707947],
                               rtol=1e-6)
    assert int(optimizer.iterations.numpy()) == 3
    assert [int(o.iterations.numpy()) for o in optimizer.optimizers] == [3, 3]


def test_multi_optimizer_variables_are_own_then_each_inner():
    optimizer = make()
    optimizer.build(list(variables()))
    assert [type(o).__name__ for o in optimizer.optimizers] == ["Adam", "SGD"]
    assert [v.name for v in optimizer.variables] == [
        "iteration", "learning_rate", "iteration", "learning_rate", "bias_momentum",
        "bias_velocity", "iteration", "learning_rate", "kernel_momentum"]


def test_multi_optimizer_stateless_apply_matches_apply_under_jit():
    stateful, stateless = make(), make()
    kernel, bias = variables()
    for gw, gb in GRADS:
        stateful.apply([gw, gb], [kernel, bias])
    twin_kernel, twin_bias = variables()
    stateless.build([twin_kernel, twin_bias])
    step = jax.jit(stateless.stateless_apply)
    trainable, values = [twin_kernel.value, twin_bias.value], [v.value for v in
                                                               stateless.variables]
    for gw, gb in GRADS:
        trainable, values = step(values, [gw, gb], trainable)
    np.testing.assert_allclose(trainable[0], kernel.numpy(), rtol=1e-6)
    np.testing.assert_allclose(trainable[1], bias.numpy(), rtol=1e-6)
    for value, variable in zip(values, stateful.variables):
        np.testing.assert_allclose(value, variable.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(twin_kernel.numpy(), W0)


def test_multi_optimizer_with_selector_function_and_loss_scale_factor():
    fast, slow = optimizers.SGD(1.0), optimizers.SGD(0.1)
    optimizer = optimizers.MultiOptimizer(
        lambda variable: fast if variable.path == "kernel" else slow, loss_scale_factor=2.0)
    kernel, bias = variables()
    optimizer.apply([np.ones((2, 2), "float32"), np.ones(2, "float32")], [kernel, bias])
    assert fast.loss_scale_factor == 2.0 and slow.loss_scale_factor == 2.0
    np.testing.assert_allclose(kernel.numpy(), W0 - 0.5)
    np.testing.assert_allclose(bias.numpy(), B0 - 0.05, rtol=1e-6)
    with pytest.raises(AttributeError, match="no single learning rate"):
        _ = optimizer.learning_rate


def test_optimizer_map_lookup_rules():
    sgd, adam, rms = optimizers.SGD(), optimizers.Adam(), optimizers.RMSprop()
    mapping = optimizers.OptimizerMap(rms)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    mapping["decoder"] = adam
    assert mapping["decoder"] is adam
    assert mapping["encoder/layer_0/dense"] is adam  # an exact key wins over patterns
    assert mapping["encoder/layer_0/attention/query"] is sgd
    assert mapping["decoder/layer_0/dense"] is rms  # patterns must match the whole path
    assert len(mapping) == 3 and list(mapping) == ["encoder/layer_0/dense", "encoder/.*",
                                                   "decoder"]
    mapping["enc.*"] = rms
    with pytest.raises(ValueError, match="multiple optimizers assigned to variable"):
        mapping["encoder/x"]
    del mapping["enc.*"]
    assert mapping["encoder/x"] is sgd


@pytest.mark.parametrize("key, value, error, message", [
    ("decoder", "optimizer", TypeError, "must be an Optimizer instance"),
    ("encoder/.*", None, ValueError, "'encoder/.\\*' already exists"),
    (3, None, ValueError, "keys must be strings"),
    ("x", "lso", ValueError, "cannot be a LossScaleOptimizer"),
])
def test_optimizer_map_rejects_bad_entries(key, value, error, message):
    mapping = optimizers.OptimizerMap(optimizers.SGD(), {"encoder/.*": optimizers.Adam()})
    if value is None:
        value = optimizers.SGD()
    elif value == "lso":
        value = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(error, match=message):
        mapping[key] = value


def test_multi_optimizer_config_round_trip():
    optimizer = optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.SGD(0.5, momentum=0.5), {"bi.*": optimizers.Adam(0.25)}), name="multi")
    config = optimizer.get_config()
    assert config["optimizer_map"]["class_name"] == "OptimizerMap"
    inner = config["optimizer_map"]["config"]
    assert inner["default_optimizer"]["class_name"] == "SGD"
    assert inner["optimizer_map"]["bi.*"]["config"]["learning_rate"] == 0.25
    restored = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(restored) is optimizers.MultiOptimizer
    assert restored.get_config() == config
    assert [type(o).__name__ for o in restored.optimizers] == ["Adam", "SGD"]


def test_multi_optimizer_rejects_bad_arguments():
    with pytest.raises(TypeError, match="`optimizer_map` must be an OptimizerMap or a callable"):
        optimizers.MultiOptimizer("sgd")
    nested = optimizers.MultiOptimizer(lambda v: make())
    with pytest.raises(ValueError, match="cannot be a MultiOptimizer"):
        nested.build([backend.Variable(B0, name="bias")])
    with pytest.raises(TypeError, match="`default_optimizer` must be an Optimizer"):
        optimizers.OptimizerMap("sgd")
