import numpy as np
import pytest

import lamina
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


# -- Lambda -----------------------------------------------------------------------------------------
def test_lambda_applies_function_with_arguments():
    x = np.array([[1.0, -2.0, 3.0]], "float32")
    layer = layers.Lambda(ops.clip, arguments={"x_min": -1.0, "x_max": 2.0})
    np.testing.assert_array_equal(layer(x), np.clip(x, -1.0, 2.0))


def test_lambda_contract_with_builtin_op():
    layer = layer_checks.check_layer(layers.Lambda, {"function": ops.square}, (2, 3), (2, 3),
                                     expected_trainable=0)
    assert layer.get_config()["function"]["config"] == "square"


def test_lambda_infers_output_shape_and_dtype_symbolically():
    layer = layers.Lambda(lambda x: ops.argmax(x[:, 1:], axis=-1))
    out = layer(lamina.Input((5,)))
    assert out.shape == (None,) and out.dtype == "int32"
    assert layer.compute_output_shape((None, 5)) == (None,)
    outs = layers.Lambda(lambda x: [x, ops.concatenate([x, x], axis=-1)])(lamina.Input((2,)))
    assert [t.shape for t in outs] == [(None, 2), (None, 4)]


def test_lambda_explicit_output_shape():
    layer = layers.Lambda(lambda x: ops.reshape(x, (-1, 2, 3)), output_shape=(2, 3))
    assert layer(lamina.Input((6,))).shape == (None, 2, 3)
    assert layer.compute_output_shape((4, 6)) == (4, 2, 3)
    two = layers.Lambda(lambda x: [x, x], output_shape=[(6,), (6,)])
    assert two.compute_output_shape((None, 6)) == [(None, 6), (None, 6)]
    fn = layers.Lambda(lambda x: x[:, :1], output_shape=lambda s: (s[0], 1))
    assert fn(lamina.Input((6,))).shape == (None, 1)


def test_lambda_in_functional_model_matches_numpy():
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, layers.Lambda(lambda x: ops.exp(x) * 2.0)(inputs))
    x = np.array([[0.0, 1.0, -1.0]], "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * np.exp(x), rtol=1e-6)


def test_lambda_passes_mask_and_training_when_function_takes_them():
    seen = {}

    def fn(x, mask=None, training=None):
        seen["mask"], seen["training"] = mask, training
        return x

    x = np.ones((1, 2, 3), "float32")
    x[0, 1] = 0.0
    layers.Lambda(fn)(layers.Masking()(x), training=True)
    assert np.asarray(seen["mask"]).tolist() == [[True, False]] and seen["training"] is True


def test_lambda_mask_argument():
    x = np.ones((1, 2, 3), "float32")
    x[0, 1] = 0.0
    masked = layers.Masking()(x)
    assert lamina.backend.get_keras_mask(layers.Lambda(ops.square)(masked)) is None
    fixed = layers.Lambda(ops.square, mask=np.array([[False, True]]))(masked)
    assert np.asarray(lamina.backend.get_keras_mask(fixed)).tolist() == [[False, True]]
    inverted = layers.Lambda(ops.square, mask=lambda inputs, mask: ops.logical_not(mask))(masked)
    assert np.asarray(lamina.backend.get_keras_mask(inverted)).tolist() == [[False, True]]


def test_lambda_gradient():
    with gradcheck.float64_mode():
        layer = layers.Lambda(ops.tanh)

    def loss(x):
        return ops.sum(layer(x) ** 2)

    gradcheck.check_grads(loss, [np.random.default_rng(0).normal(size=(2, 3))])


def test_lambda_config_round_trips_builtin_functions():
    layer = layers.Lambda(ops.relu, output_shape=(3,), mask=np.array([[True, False, True]]),
                          arguments={}, name="r")
    config = layer.get_config()
    assert config["function"] == {"module": "keras.ops", "class_name": "function",
                                  "config": "relu", "registered_name": "relu"}
    clone = layers.Lambda.from_config(config)
    assert clone.function is ops.relu and clone._output_shape == (3,)
    assert clone.get_config() == config
    act = layers.Lambda(lamina.activations.relu)
    assert layers.Lambda.from_config(act.get_config()).function is lamina.activations.relu
    # a function config as Keras 3 writes it resolves by its name through lamina's tables
    keras_config = {**config, "function": {"module": "builtins", "class_name": "function",
                                           "config": "square", "registered_name": "function"}}
    assert layers.Lambda.from_config(keras_config).function is ops.square
    assert isinstance(layers.deserialize(layers.serialize(layer)), layers.Lambda)


def test_lambda_config_round_trips_registered_function():
    @lamina.saving.register_keras_serializable(package="TestCore")
    def triple(x):
        return x * 3.0

    config = layers.Lambda(triple).get_config()
    assert config["function"]["registered_name"] == "TestCore>triple"
    x = np.array([[1.0, 2.0]], "float32")
    np.testing.assert_allclose(layers.Lambda.from_config(config)(x), 3 * x)


def test_lambda_with_python_code_cannot_be_saved():
    with pytest.raises(ValueError) as err:
        layers.Lambda(lambda x: x + 1, name="plus").get_config()
    message = str(err.value)
    assert "Lambda 'plus'" in message and "never saves code" in message
    assert "register_keras_serializable" in message

    def local(x):
        return x

    with pytest.raises(ValueError, match="output_shape"):
        layers.Lambda(ops.square, output_shape=lambda s: s).get_config()
    with pytest.raises(ValueError, match="Python code"):
        layers.Lambda(local).get_config()


def test_lambda_refuses_saved_bytecode_and_unknown_names():
    config = layers.Lambda(ops.square).get_config()
    with pytest.raises(ValueError, match="never runs code"):
        layers.Lambda.from_config({**config, "function": {
            "class_name": "__lambda__", "config": {"code": "...", "defaults": None,
                                                   "closure": None}}})
    with pytest.raises(ValueError, match="os_system"):
        layers.Lambda.from_config({**config, "function": {
            "module": "os", "class_name": "function", "config": "os_system",
            "registered_name": "os_system"}})


def test_lambda_rejects_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        layers.Lambda("square")
    with pytest.raises(ValueError, match="output_shape"):
        layers.Lambda(ops.square, output_shape="3")
    with pytest.raises(TypeError, match="arguments"):
        layers.Lambda(ops.square, arguments=[1])


def test_lambda_reports_failed_shape_inference():
    def host_only(x):
        return np.asarray(x)

    with pytest.raises(ValueError, match="output_shape"):
        layers.Lambda(host_only, name="host")(lamina.Input((3,)))
