import doctest

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.convolution import separable_conv
from tests.helpers import gradcheck, layer_checks
from tests.ops.test_nn_conv import np_separable

RNG = np.random.default_rng(13)


def _data(shape):
    return RNG.normal(size=shape).astype("float32")


def _lin(shape, low=-1.0, high=1.0):
    return np.linspace(low, high, int(np.prod(shape))).reshape(shape).astype("float32")


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
     (2, 6, 3), (2, 4, 4)),
    (layers.SeparableConv2D, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 5, 5, 3), (2, 3, 3, 2)),
    (layers.SeparableConv2D, {"filters": 2, "kernel_size": 2, "data_format": "channels_first",
                              "use_bias": False}, (2, 3, 4, 4), (2, 2, 3, 3)),
])
def test_separable_conv_contract(cls, kwargs, input_shape, output_shape):
    layer_checks.check_layer(cls, kwargs, input_shape, output_shape,
                             expected_trainable=2 if kwargs.get("use_bias") is False else 3)


@pytest.mark.parametrize("cls, kwargs, input_shape", [
    (layers.SeparableConv2D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2,
                              "strides": 2, "padding": "same"}, (2, 6, 5, 3)),
    (layers.SeparableConv2D, {"filters": 3, "kernel_size": (2, 3), "dilation_rate": 2,
                              "data_format": "channels_first"}, (1, 2, 6, 7)),
    (layers.SeparableConv1D, {"filters": 2, "kernel_size": 3, "depth_multiplier": 3,
                              "strides": 2}, (2, 9, 2)),
])
def test_separable_conv_matches_numpy(cls, kwargs, input_shape):
    layer = cls(**kwargs, activation="relu", bias_initializer="random_normal")
    x = _data(input_shape)
    out = layer(x)
    depthwise, pointwise, bias = layer.get_weights()
    channels = input_shape[1] if layer.data_format == "channels_first" else input_shape[-1]
    rank = len(input_shape) - 2
    assert depthwise.shape == (*layer.kernel_size, channels, layer.depth_multiplier)
    assert pointwise.shape == (*(1,) * rank, channels * layer.depth_multiplier, layer.filters)
    expected = np_separable(x, depthwise, pointwise, layer.strides, layer.padding,
                            layer.dilation_rate, layer.data_format)
    bias = bias.reshape((-1,) + (1,) * rank if layer.data_format == "channels_first" else (-1,))
    np.testing.assert_allclose(out, np.maximum(expected + bias, 0), rtol=1e-5, atol=1e-5)


@pytest.mark.keras_parity
def test_separable_conv1d_matches_keras_literal():
    layer = layers.SeparableConv1D(2, 2, padding="same")
    layer.build((1, 4, 2))
    layer.set_weights([_lin((2, 2, 1)), _lin((1, 2, 2)), _lin((2,), 0.1, 0.3)])
    expected = [[-1.55079, -0.08095], [-0.53492, 0.93492], [0.48095, 1.95079],
                [1.30635, 0.10952]]
    np.testing.assert_allclose(layer(_lin((1, 4, 2), -2, 2))[0], expected, atol=1e-4)


def test_separable_conv_gradients():
    with gradcheck.float64_mode():
        layer = layers.SeparableConv1D(2, 2, strides=2, activation="tanh")
        layer.build((1, 5, 2))
        weights = [np.asarray(w) for w in layer.get_weights()]
    x = _data((1, 5, 2)).astype("float64")

    def via_layer(x):
        return ops.sum(ops.square(layer(x)))

    def via_weights(depthwise, pointwise, bias):
        out, _ = layer.stateless_call([depthwise, pointwise, bias], [], x)
        return ops.sum(ops.square(out))

    gradcheck.check_grads(via_layer, [x])
    gradcheck.check_grads(via_weights, weights)


def test_separable_conv_weights_regularizers_and_serialization():
    layer = layers.SeparableConv2D(4, 3, name="sep", pointwise_regularizer="l2",
                                   depthwise_regularizer="l1")
    layer(np.ones((1, 5, 5, 2), "float32"))
    assert [w.path for w in layer.weights] == ["sep/depthwise_kernel", "sep/pointwise_kernel",
                                               "sep/bias"]
    depthwise, pointwise, _ = layer.get_weights()
    expected = 0.01 * np.sum(np.abs(depthwise)) + 0.01 * np.sum(pointwise ** 2)
    np.testing.assert_allclose(sum(float(v) for v in layer.losses), expected, rtol=1e-5)
    config = layers.serialize(layer)
    assert config["class_name"] == "SeparableConv2D"
    clone = layers.deserialize(config)
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, r"SeparableConv2D: `filters` must be a positive int"),
    ({"filters": 2, "kernel_size": 3, "depth_multiplier": -1}, r"`depth_multiplier`"),
    ({"filters": 2, "kernel_size": 3, "strides": (1, 2, 3)}, r"`strides`.*tuple of 2"),
    ({"filters": 2, "kernel_size": 3, "padding": 1}, r"`padding`"),
])
def test_separable_conv_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.SeparableConv2D(**kwargs)


def test_separable_conv_rejects_small_inputs_symbolically():
    with pytest.raises(ValueError, match=r"SeparableConv2D 'sep2'.*\(None, 2, 8, 3\)"):
        layers.SeparableConv2D(4, 3, name="sep2")(lamina.Input((2, 8, 3)))


def test_separable_conv_module_docstring_examples():
    assert doctest.testmod(separable_conv, extraglobs={"lamina": lamina}).failed == 0
