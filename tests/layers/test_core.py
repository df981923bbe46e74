import numpy as np
import pytest

from lamina import layers, ops
from tests.helpers import gradcheck, layer_checks


@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_contract(use_bias):
    layer_checks.check_layer(layers.Dense, {"units": 4, "use_bias": use_bias},
                             input_shape=(2, 3), expected_output_shape=(2, 4),
                             expected_trainable=2 if use_bias else 1)


def test_dense_matches_numpy():
    layer = layers.Dense(2, activation="relu")
    layer.build((1, 2))
    kernel, bias = np.array([[1.0, -2.0], [3.0, -4.0]]), np.array([0.5, 0.5])
    layer.set_weights([kernel, bias])
    x = np.array([[-1.0, 2.0], [0.5, 0.25]])
    np.testing.assert_allclose(layer(x), np.maximum(x @ kernel + bias, 0.0), rtol=1e-6)


def test_dense_applies_to_last_axis_of_3d_input():
    layer = layers.Dense(3)
    x = np.random.default_rng(0).normal(size=(2, 4, 5)).astype("float32")
    out = layer(x)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(out, x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_dense_weight_names_and_paths():
    layer = layers.Dense(3, name="proj")
    layer.build((None, 4))
    assert [w.path for w in layer.weights] == ["proj/kernel", "proj/bias"]
    assert layer.kernel.shape == (4, 3) and layer.bias.shape == (3,)


def test_dense_gradients():
    with gradcheck.float64_mode():
        layer = layers.Dense(3, activation="tanh")
        layer.build((4, 5))
        kernel, bias = [np.asarray(w) for w in layer.get_weights()]

    def loss(x, kernel, bias):
        return ops.sum(ops.tanh(ops.add(ops.matmul(x, kernel), bias)) ** 2)

    x = np.random.default_rng(0).normal(size=(4, 5))
    gradcheck.check_grads(loss, [x, kernel, bias])

    def via_layer(x):
        return ops.sum(layer(x) ** 2)

    gradcheck.check_grads(via_layer, [x])


def test_dense_rejects_wrong_feature_size_with_clear_message():
    layer = layers.Dense(4, name="dense_a")
    layer(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError) as err:
        layer(np.ones((2, 5), "float32"))
    message = str(err.value)
    assert "Dense 'dense_a'" in message and "last axis 3" in message and "(2, 5)" in message


def test_dense_rejects_rank_one_input():
    with pytest.raises(ValueError, match=r"rank >= 2.*\(3,\)"):
        layers.Dense(2)(np.ones((3,), "float32"))


@pytest.mark.parametrize("units", [0, -1, 2.5, "4", True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_dense_regularizer_adds_loss():
    layer = layers.Dense(2, kernel_regularizer="l2", bias_regularizer="l1")
    layer(np.ones((1, 3), "float32"))
    kernel, bias = layer.get_weights()
    expected = 0.01 * np.sum(kernel ** 2) + 0.01 * np.sum(np.abs(bias))
    np.testing.assert_allclose(sum(float(v) for v in layer.losses), expected, rtol=1e-5)


def test_dense_constraint_is_attached_to_variable():
    layer = layers.Dense(2, kernel_constraint="non_neg")
    layer.build((None, 3))
    w = np.array([[-1.0, 2.0]] * 3, "float32")
    np.testing.assert_array_equal(layer.kernel.constraint(w), np.maximum(w, 0))


def test_identity_returns_input():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(layers.Identity()(x), x)
    layer_checks.check_layer(layers.Identity, {}, (2, 3), (2, 3), expected_trainable=0)
