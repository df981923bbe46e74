import doctest
import math
import types

import numpy as np
import pytest

import lamina
from lamina import initializers, ops
from lamina.layers import einsum_dense
from lamina.layers.einsum_dense import EinsumDense
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck, layer_checks

RNG = np.random.default_rng(5)

# (equation, output_shape, bias_axes, input_shape, kernel_shape, bias_shape, output shape);
# the weight shapes are those Keras 3 creates.
CASES = [
    ("ab,bc->ac", (6,), None, (2, 5), (5, 6), None, (2, 6)),
    ("ab,bc->ac", 6, "c", (2, 5), (5, 6), (6,), (2, 6)),
    ("abc,cd->abd", (4, 6), "d", (2, 4, 5), (5, 6), (6,), (2, 4, 6)),
    ("abc,cde->abde", (4, 3, 2), "de", (2, 4, 5), (5, 3, 2), (3, 2), (2, 4, 3, 2)),
    ("abc,cde->abde", (None, 3, 2), "bde", (2, 4, 5), (5, 3, 2), (4, 3, 2), (2, 4, 3, 2)),
    ("abc,dce->abde", (4, 3, 2), "d", (2, 4, 5), (3, 5, 2), (3, 1), (2, 4, 3, 2)),
    ("...b,bc->...c", 6, "c", (2, 3, 4, 5), (5, 6), (6,), (2, 3, 4, 6)),
    ("ab...,bc->ac...", (6,), "c", (2, 5, 3, 4), (5, 6), (6, 1, 1), (2, 6, 3, 4)),
]


@pytest.mark.parametrize("equation, output_shape, bias_axes, input_shape, kernel_shape, "
                         "bias_shape, expected_shape", CASES)
def test_einsum_dense_matches_numpy_einsum(equation, output_shape, bias_axes, input_shape,
                                           kernel_shape, bias_shape, expected_shape):
    layer = EinsumDense(equation, output_shape, bias_axes=bias_axes,
                        bias_initializer="random_normal")
    x = RNG.normal(size=input_shape).astype("float32")
    out = layer(x)
    assert tuple(layer.kernel.shape) == kernel_shape
    assert (None if layer.bias is None else tuple(layer.bias.shape)) == bias_shape
    expected = np.einsum(equation, x, np.asarray(layer.kernel.value))
    if bias_shape is not None:
        expected = expected + np.asarray(layer.bias.value)
    assert tuple(out.shape) == expected_shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape(input_shape) == expected_shape


@pytest.mark.parametrize("bias_axes", ["de", None])
def test_einsum_dense_contract(bias_axes):
    layer_checks.check_layer(EinsumDense, {"equation": "abc,cde->abde", "output_shape": (4, 3, 2),
                                           "bias_axes": bias_axes},
                             input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3, 2),
                             expected_trainable=2 if bias_axes else 1)


def test_einsum_dense_symbolic_keeps_unknown_axes():
    layer = EinsumDense("abc,cd->abd", (None, 6), bias_axes="d")
    out = layer(KerasTensor((None, None, 5)))
    assert out.shape == (None, None, 6)
    assert layer.compute_output_shape((3, 7, 5)) == (3, 7, 6)


def test_einsum_dense_activation_and_names():
    layer = EinsumDense("ab,bc->ac", 2, activation="relu", bias_axes="c")
    layer.build((1, 2))
    kernel, bias = np.array([[1.0, -2.0], [3.0, -4.0]]), np.array([0.5, 0.5])
    layer.set_weights([kernel, bias])
    x = np.array([[-1.0, 2.0]], "float32")
    np.testing.assert_allclose(layer(x), [[5.5, 0.0]], rtol=1e-6)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]


def test_einsum_dense_variance_scaling_fans_follow_equation():
    # Kernel (20, 4, 5): the equation makes fan_in 20 and fan_out 20, so glorot's limit is
    # sqrt(6 / 40) ~ 0.387; the N-D convolution rule would give sqrt(6 / 180) ~ 0.183.
    layer = EinsumDense("ab,bcd->acd", (4, 5), kernel_initializer=initializers.GlorotUniform(3))
    layer.build((2, 20))
    kernel = np.abs(np.asarray(layer.kernel.value))
    assert kernel.max() <= math.sqrt(6 / 40) and kernel.max() > 0.3
    # The layer's own initializer (and so its config) is left as given.
    assert layer.get_config()["kernel_initializer"]["config"]["input_axes"] is None


def test_einsum_dense_config_round_trip():
    layer = EinsumDense("abc,cde->abde", [4, 3, 2], bias_axes="de", activation="tanh",
                        kernel_regularizer="l2", name="proj")
    config = layer.get_config()
    assert config["output_shape"] == (4, 3, 2) and config["equation"] == "abc,cde->abde"
    assert config["bias_axes"] == "de" and config["activation"] == "tanh"
    clone = EinsumDense.from_config(config)
    assert clone.get_config() == config
    x = RNG.normal(size=(2, 4, 5)).astype("float32")
    layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x), layer(x), rtol=1e-6)


def test_einsum_dense_gradients():
    with gradcheck.float64_mode():
        layer = EinsumDense("abc,cde->abde", (3, 2, 2), bias_axes="de", activation="tanh")
        layer.build((2, 3, 4))
        kernel, bias = [np.asarray(w) for w in layer.get_weights()]

    def loss(x, kernel, bias):
        out, _ = layer.stateless_call([kernel, bias], [], x)
        return ops.sum(out ** 2)

    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    gradcheck.check_grads(loss, [x, kernel, bias])


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"equation": "ab->b", "output_shape": 2}, ValueError, r"`equation` must have the form"),
    ({"equation": "ab,bc->ac", "output_shape": "2"}, ValueError, r"`output_shape` must be"),
    ({"equation": "ab,bc->ac", "output_shape": 2, "bias_axes": 3}, TypeError, r"`bias_axes`"),
    ({"equation": "ab,bc->ac", "output_shape": 2, "lora_rank": 4}, NotImplementedError,
     r"`lora_rank`"),
])
def test_einsum_dense_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        EinsumDense(**kwargs)


@pytest.mark.parametrize("equation, output_shape, bias_axes, input_shape, pattern", [
    ("abc,cd->abd", (5, 6), None, (2, 4, 5), r"axis 'b' is shared.*size 4.*asks for 5"),
    ("ab,bc->ac", (6,), "x", (2, 5), r"`bias_axes` 'x' names \['x'\]"),
    ("ab,bc->ac", (6,), None, (2, 3, 5), r"names 2 input axes.*\(2, 3, 5\)"),
    ("ab,bc->acd", (6, 2), None, (2, 5), r"output axis 'd' appears in neither"),
    ("ab,bcx->ac", (6,), None, (2, 5), r"kernel axis 'x' appears in neither"),
    ("abc,cd->abd", (6,), None, (2, 4, 5), r"`output_shape` must have 2 entries"),
])
def test_einsum_dense_rejects_inconsistent_equations(equation, output_shape, bias_axes,
                                                     input_shape, pattern):
    layer = EinsumDense(equation, output_shape, bias_axes=bias_axes, name="e1")
    with pytest.raises(ValueError, match=pattern) as err:
        layer.build(input_shape)
    assert "EinsumDense 'e1'" in str(err.value)


def test_einsum_dense_rejects_new_feature_size_after_build():
    layer = EinsumDense("abc,cd->abd", (4, 6), name="e2")
    layer(np.ones((2, 4, 5), "float32"))
    with pytest.raises(ValueError, match=r"EinsumDense 'e2'.*\(2, 4, 3\)"):
        layer(np.ones((2, 4, 3), "float32"))


def test_einsum_dense_loads_keras_config():
    # As Keras 3.15 writes it to JSON (tuples become lists).
    config = {"name": "einsum_dense", "trainable": True,
              "dtype": {"module": "keras", "class_name": "DTypePolicy",
                        "config": {"name": "float32"}, "registered_name": None},
              "output_shape": [4, 3, 2], "equation": "abc,cde->abde", "activation": "linear",
              "bias_axes": "de",
              "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                     "config": {"seed": None}, "registered_name": None},
              "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                   "config": {}, "registered_name": None},
              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None, "quantization_config": None}
    layer = EinsumDense.from_config(config)
    assert tuple(layer(np.ones((2, 4, 5), "float32")).shape) == (2, 4, 3, 2)
    assert layer.get_config()["output_shape"] == (4, 3, 2)


def test_einsum_dense_module_doctests():
    shim = types.SimpleNamespace(ops=lamina.ops,
                                 layers=types.SimpleNamespace(EinsumDense=EinsumDense))
    result = doctest.testmod(einsum_dense, extraglobs={"lamina": shim})
    assert result.failed == 0 and result.attempted >= 2
