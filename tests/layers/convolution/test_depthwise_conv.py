import doctest

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.convolution import depthwise_conv
from tests.helpers import gradcheck, layer_checks
from tests.ops.test_nn_conv import np_depthwise

RNG = np.random.default_rng(11)


def _data(shape):
    return RNG.normal(size=shape).astype("float32")


def _lin(shape, low=-1.0, high=1.0):
    return np.linspace(low, high, int(np.prod(shape))).reshape(shape).astype("float32")


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 6, 3), (2, 4, 6)),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "strides": 2, "padding": "same"}, (2, 5, 5, 3),
     (2, 3, 3, 3)),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "data_format": "channels_first",
                              "use_bias": False}, (2, 3, 4, 4), (2, 3, 3, 3)),
])
def test_depthwise_conv_contract(cls, kwargs, input_shape, output_shape):
    layer_checks.check_layer(cls, kwargs, input_shape, output_shape,
                             expected_trainable=1 if kwargs.get("use_bias") is False else 2)


@pytest.mark.parametrize("cls, kwargs, input_shape", [
    (layers.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2, "strides": 2,
                              "padding": "same"}, (2, 6, 5, 3)),
    (layers.DepthwiseConv2D, {"kernel_size": (2, 3), "dilation_rate": 2,
                              "data_format": "channels_first"}, (1, 2, 6, 7)),
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 3, "strides": 2,
                              "dilation_rate": 2}, (2, 9, 2)),
])
def test_depthwise_conv_matches_numpy(cls, kwargs, input_shape):
    layer = cls(**kwargs, activation="relu", bias_initializer="random_normal")
    x = _data(input_shape)
    out = layer(x)
    kernel, bias = layer.get_weights()
    channels = input_shape[1] if layer.data_format == "channels_first" else input_shape[-1]
    assert kernel.shape == (*layer.kernel_size, channels, layer.depth_multiplier)
    assert bias.shape == (channels * layer.depth_multiplier,)
    expected = np_depthwise(x, kernel, layer.strides, layer.padding, layer.dilation_rate,
                            layer.data_format)
    rank = len(input_shape) - 2
    bias = bias.reshape((-1,) + (1,) * rank if layer.data_format == "channels_first" else (-1,))
    np.testing.assert_allclose(out, np.maximum(expected + bias, 0), rtol=1e-5, atol=1e-5)


@pytest.mark.keras_parity
def test_depthwise_conv2d_matches_keras_literal():
    layer = layers.DepthwiseConv2D(2, depth_multiplier=2)
    layer.build((1, 3, 3, 2))
    layer.set_weights([_lin((2, 2, 2, 2)), _lin((4,), 0.1, 0.3)])
    expected = [[[2.70392, 2.20588, 1.77059, 1.39804], [2.32745, 2.08039, 1.89608, 1.77451]],
                [[1.57451, 1.82941, 2.14706, 2.52745], [1.19804, 1.70392, 2.27255, 2.90392]]]
    np.testing.assert_allclose(layer(_lin((1, 3, 3, 2), -2, 2))[0], expected, atol=1e-4)


def test_depthwise_conv_gradients():
    with gradcheck.float64_mode():
        layer = layers.DepthwiseConv2D(2, depth_multiplier=2, padding="same",
                                       activation="tanh")
        layer.build((1, 3, 3, 1))
        kernel, bias = [np.asarray(w) for w in layer.get_weights()]
    x = _data((1, 3, 3, 1)).astype("float64")

    def via_layer(x):
        return ops.sum(ops.square(layer(x)))

    def via_weights(kernel, bias):
        out, _ = layer.stateless_call([kernel, bias], [], x)
        return ops.sum(ops.square(out))

    gradcheck.check_grads(via_layer, [x])
    gradcheck.check_grads(via_weights, [kernel, bias])


def test_depthwise_conv_weights_and_serialization():
    layer = layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw",
                                   depthwise_regularizer="l2", depthwise_constraint="non_neg")
    assert layer(lamina.Input((8, None, 3))).shape == (None, 6, None, 6)
    assert [w.path for w in layer.weights] == ["dw/kernel", "dw/bias"]
    assert layer.kernel.constraint is not None
    config = layers.serialize(layer)
    assert config["class_name"] == "DepthwiseConv2D"
    assert config["config"]["depth_multiplier"] == 2
    clone = layers.deserialize(config)
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}


@pytest.mark.parametrize("kwargs, message", [
    ({"kernel_size": 3, "depth_multiplier": 0}, r"DepthwiseConv2D: `depth_multiplier`.*=0"),
    ({"kernel_size": (3, 0)}, r"`kernel_size`.*\(3, 0\)"),
    ({"kernel_size": 3, "padding": "causal"}, r"\['valid', 'same'\]"),
    ({"kernel_size": 3, "data_format": "channels"}, r"data_format"),
])
def test_depthwise_conv_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.DepthwiseConv2D(**kwargs)


def test_depthwise_conv_rejects_small_or_wrong_rank_inputs():
    with pytest.raises(ValueError, match=r"DepthwiseConv1D 'dw1'.*\(None, 2, 3\).*span \(3,\)"):
        layers.DepthwiseConv1D(3, name="dw1")(np.ones((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match=r"rank 4.*\(None, 5, 3\)"):
        layers.DepthwiseConv2D(3)(lamina.Input((5, 3)))


def test_depthwise_conv_module_docstring_examples():
    assert doctest.testmod(depthwise_conv, extraglobs={"lamina": lamina}).failed == 0
