import numpy as np
import pytest

import lamina
from lamina import layers, ops
from tests.helpers import gradcheck, layer_checks


def test_activation_layer_applies_function():
    x = np.array([[-2.0, 0.5, 3.0]], "float32")
    np.testing.assert_allclose(layers.Activation("sigmoid")(x), 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(layers.Activation("relu")(x), np.maximum(x, 0))


def test_activation_layer_contract():
    layer = layer_checks.check_layer(layers.Activation, {"activation": "tanh"}, (2, 3), (2, 3),
                                     expected_trainable=0)
    assert layer.get_config()["activation"] == "tanh"


def test_activation_layer_rejects_unknown_name():
    with pytest.raises(ValueError, match="sigmoidd"):
        layers.Activation("sigmoidd")
    with pytest.raises(ValueError, match="linear"):
        layers.Activation(None)


X = np.array([[-3.0, -1.0, 0.5, 2.0, 7.0]], "float32")


def _numpy_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.minimum(out, max_value)


# -- ReLU -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, keras_values", [
    # literal outputs of Keras 3.15 (jax) on X
    ({"max_value": 6.0, "negative_slope": 0.1, "threshold": 1.0},
     [-0.4000000059604645, -0.20000000298023224, -0.05000000074505806, 2.0, 6.0]),
    ({"negative_slope": 0.2}, [-0.6000000238418579, -0.20000000298023224, 0.5, 2.0, 7.0]),
    ({"threshold": 1.0}, [0.0, 0.0, 0.0, 2.0, 7.0]),
    ({}, [0.0, 0.0, 0.5, 2.0, 7.0]),
])
def test_relu_matches_numpy_and_keras(kwargs, keras_values):
    out = layers.ReLU(**kwargs)(X)
    np.testing.assert_allclose(out, _numpy_relu(X, **kwargs), rtol=1e-6)
    np.testing.assert_allclose(out, [keras_values], rtol=1e-6)


def test_relu_contract_and_config():
    layer = layer_checks.check_layer(layers.ReLU, {"max_value": 1.0, "negative_slope": 0.1},
                                     (2, 3), (2, 3), expected_trainable=0)
    config = layer.get_config()
    assert (config["max_value"], config["negative_slope"], config["threshold"]) == \
        (1.0, 0.1, 0.0)


@pytest.mark.parametrize("kwargs, name", [
    ({"max_value": -1.0}, "max_value"), ({"negative_slope": None}, "negative_slope"),
    ({"negative_slope": -0.1}, "negative_slope"), ({"threshold": -1.0}, "threshold"),
    ({"threshold": "0"}, "threshold"),
])
def test_relu_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"ReLU: `{name}`"):
        layers.ReLU(**kwargs)


def test_relu_gradient():
    with gradcheck.float64_mode():
        layer = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0)
    # away from the kinks at 1 and 6
    x = np.array([[-3.0, -0.5, 0.5, 2.0, 7.0, 4.0]])
    gradcheck.check_grads(lambda x: ops.sum(layer(x) * np.arange(1.0, 7.0)), [x])


# -- LeakyReLU --------------------------------------------------------------------------------------
def test_leaky_relu_matches_numpy_and_keras():
    out = layers.LeakyReLU()(X)
    np.testing.assert_allclose(out, np.where(X >= 0, X, 0.3 * X), rtol=1e-6)
    np.testing.assert_allclose(out, [[-0.9000000357627869, -0.30000001192092896, 0.5, 2.0, 7.0]],
                               rtol=1e-6)


def test_leaky_relu_contract_config_and_legacy_alpha():
    layer = layer_checks.check_layer(layers.LeakyReLU, {"negative_slope": 0.1}, (2, 3), (2, 3),
                                     expected_trainable=0)
    assert layer.get_config()["negative_slope"] == 0.1
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        old = layers.LeakyReLU(alpha=0.5)
    assert old.negative_slope == 0.5
    for bad in (-0.1, None, "0.1"):
        with pytest.raises(ValueError, match="LeakyReLU: `negative_slope`"):
            layers.LeakyReLU(bad)


def test_leaky_relu_gradient():
    with gradcheck.float64_mode():
        layer = layers.LeakyReLU(0.2)
    gradcheck.check_grads(lambda x: ops.sum(layer(x) ** 2), [np.array([[-2.0, -0.5, 1.5]])])


# -- PReLU ------------------------------------------------------------------------------------------
PRELU_X = np.array([[[-1.0, 2.0, -3.0], [4.0, -5.0, 0.5]]], "float32")
PRELU_ALPHA = np.array([[0.1, 0.2, 0.3]], "float32")


def test_prelu_matches_numpy_and_keras_with_shared_axes():
    layer = layers.PReLU(shared_axes=[1])
    layer.build(PRELU_X.shape)
    assert [(w.name, w.shape) for w in layer.weights] == [("alpha", (1, 3))]
    layer.set_weights([PRELU_ALPHA])
    out = layer(PRELU_X)
    np.testing.assert_allclose(out, np.where(PRELU_X >= 0, PRELU_X, PRELU_ALPHA * PRELU_X),
                               rtol=1e-6)
    # Keras 3.15 (jax), same weights and inputs
    np.testing.assert_allclose(out, [[[-0.10000000149011612, 2.0, -0.9000000357627869],
                                      [4.0, -1.0, 0.5]]], rtol=1e-6)


def test_prelu_alpha_shape_and_default_zero_init():
    layer = layers.PReLU(name="p")
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_array_equal(layer(x), np.maximum(x, 0))
    assert [(w.path, w.shape) for w in layer.weights] == [("p/alpha", (3, 4))]
    one_axis = layers.PReLU(shared_axes=2)
    one_axis.build((None, 3, 4))
    assert one_axis.alpha.shape == (3, 1)
    assert layers.PReLU(shared_axes=[1, 2])(np.ones((1, 2, 2, 5), "float32")).shape == \
        (1, 2, 2, 5)


def test_prelu_contract_and_config():
    layer = layer_checks.check_layer(layers.PReLU, {"shared_axes": [1],
                                                    "alpha_initializer": "ones"},
                                     (2, 3, 4), (2, 3, 4), expected_trainable=1)
    config = layer.get_config()
    assert config["shared_axes"] == [1] and config["alpha_initializer"]["class_name"] == "Ones"


def test_prelu_checks_input_shape_and_arguments():
    layer = layers.PReLU(name="pr")
    layer(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"PReLU 'pr'.*\(2, 4\)"):
        layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"PReLU 'pu'.*\(None, None, 3\)"):
        layers.PReLU(name="pu")(lamina.Input((None, 3)))
    assert layers.PReLU(shared_axes=[1])(lamina.Input((None, 3))).shape == (None, None, 3)
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match=r"shared_axes.*\[1, 2\]"):
        layers.PReLU(shared_axes=[3], name="px").build((None, 2, 2))


def test_prelu_gradients_for_inputs_and_alpha():
    with gradcheck.float64_mode():
        layer = layers.PReLU(shared_axes=[1])
        layer.build((1, 2, 3))
    x = np.array([[[-1.0, 2.0, -3.0], [4.0, -5.0, 0.5]]])
    weights = np.arange(1.0, 7.0).reshape(1, 2, 3)

    def loss(x, alpha):
        out, _ = layer.stateless_call([alpha], [], x)
        return ops.sum(out * weights)

    gradcheck.check_grads(loss, [x, np.array([[0.1, 0.2, 0.3]])])


def test_prelu_alpha_regularizer_and_constraint():
    layer = layers.PReLU(alpha_regularizer=lamina.regularizers.L1(0.5),
                         alpha_constraint="non_neg", alpha_initializer="ones")
    layer.build((None, 3))
    np.testing.assert_allclose(float(layer.losses[0]), 1.5, rtol=1e-6)
    assert layer.alpha.constraint is not None


# -- ELU --------------------------------------------------------------------------------------------
def test_elu_matches_numpy_and_keras():
    out = layers.ELU(alpha=0.5)(X)
    np.testing.assert_allclose(out, np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-6)
    np.testing.assert_allclose(out, [[-0.47510647773742676, -0.31606027483940125, 0.5, 2.0,
                                      7.0]], rtol=1e-6)


def test_elu_contract_config_and_validation():
    layer = layer_checks.check_layer(layers.ELU, {"alpha": 0.7}, (2, 3), (2, 3),
                                     expected_trainable=0)
    assert layer.get_config()["alpha"] == 0.7
    with pytest.raises(ValueError, match="ELU: `alpha`"):
        layers.ELU(alpha="1")


def test_elu_gradient():
    with gradcheck.float64_mode():
        layer = layers.ELU(alpha=0.5)
    gradcheck.check_grads(lambda x: ops.sum(layer(x) ** 2), [np.array([[-2.0, -0.5, 1.5]])])


# -- Softmax ----------------------------------------------------------------------------------------
SOFTMAX_X = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 0.0]], "float32")


def _numpy_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 0, (0, 1), [0, 1]])
def test_softmax_matches_numpy(axis):
    expected = _numpy_softmax(SOFTMAX_X.astype("float64"),
                              tuple(axis) if isinstance(axis, list) else axis)
    np.testing.assert_allclose(layers.Softmax(axis=axis)(SOFTMAX_X), expected, rtol=1e-6)


def test_softmax_over_two_axes_matches_keras():
    # Keras 3.15 (jax): Softmax(axis=(0, 1)) on SOFTMAX_X
    np.testing.assert_allclose(layers.Softmax(axis=(0, 1))(SOFTMAX_X), [
        [0.02855437994003296, 0.07761885225772858, 0.21098992228507996, 0.5735300779342651],
        [0.017319107428193092, 0.0038644152227789164, 0.07761885225772858, 0.010504569858312607]],
        rtol=1e-6)


def test_softmax_mask_zeroes_masked_positions_like_keras():
    mask = np.array([[True, False, True, False], [False, False, False, False]])
    out = layers.Softmax()(SOFTMAX_X, mask=mask)
    # Keras 3.15 (jax): the masked row-0 entries get 0, a fully masked row is all zeros
    np.testing.assert_allclose(out, [[0.11920291185379028, 0.0, 0.8807970285415649, 0.0],
                                     [0.0, 0.0, 0.0, 0.0]], rtol=1e-6)
    kept = _numpy_softmax(SOFTMAX_X[0, [0, 2]], -1)
    np.testing.assert_allclose(np.asarray(out)[0, [0, 2]], kept, rtol=1e-6)
    # float masks are read as mask > 0.5; a broadcast mask applies to every row
    np.testing.assert_allclose(layers.Softmax()(SOFTMAX_X, mask=mask.astype("float32")), out)
    row = layers.Softmax()(SOFTMAX_X, mask=np.array([True, True, False, True]))
    np.testing.assert_allclose(np.asarray(row)[:, [0, 1, 3]],
                               _numpy_softmax(SOFTMAX_X[:, [0, 1, 3]], -1), rtol=1e-6)


def test_softmax_uses_incoming_mask():
    x = np.ones((1, 3, 3), "float32")
    x[0, 1] = 0.0  # a padded step: mask (1, 3) broadcasts over the last axis of (1, 3, 3)
    out = layers.Softmax()(layers.Masking()(x))
    np.testing.assert_allclose(out, [[[0.5, 0.0, 0.5]] * 3], rtol=1e-6)


def test_softmax_large_negative_constant():
    # float16 logits would overflow -1e9 to -inf; Keras uses -3e4 there
    x = np.array([[-2e4, 0.0]], "float16")
    out = layers.Softmax(dtype="float16")(x, mask=np.array([[False, True]]))
    assert np.isfinite(np.asarray(out)).all()
    np.testing.assert_allclose(np.asarray(out, "float32"), [[0.0, 1.0]])


def test_softmax_rejects_bad_mask_and_axis():
    with pytest.raises(ValueError, match=r"Softmax 'sm'.*\(2, 4\).*\(2, 3\)"):
        layers.Softmax(name="sm")(SOFTMAX_X, mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="mask"):
        layers.Softmax()(SOFTMAX_X, mask=np.ones((1, 2, 4), bool))
    for bad in ("-1", 1.0, (), None):
        with pytest.raises(TypeError, match="Softmax: `axis`"):
            layers.Softmax(axis=bad)


def test_softmax_contract_and_config():
    layer = layer_checks.check_layer(layers.Softmax, {"axis": 1}, (2, 3), (2, 3),
                                     expected_trainable=0)
    assert layer.get_config()["axis"] == 1
    clone = layers.deserialize(layers.serialize(layers.Softmax(axis=(0, 1))))
    assert tuple(clone.axis) == (0, 1)


def test_softmax_masked_gradient():
    mask = np.array([[True, False, True]])
    weights = np.array([[1.0, 2.0, 3.0]])
    with gradcheck.float64_mode():
        layer = layers.Softmax()
    gradcheck.check_grads(lambda x: ops.sum(layer(x, mask=mask) * weights),
                          [np.array([[0.2, -0.4, 0.9]])])
