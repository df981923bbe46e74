import doctest

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.convolution import conv_transpose
from tests.helpers import gradcheck, layer_checks
from tests.ops.test_nn_conv import np_conv_transpose

RNG = np.random.default_rng(5)


def _data(shape):
    return RNG.normal(size=shape).astype("float32")


def _lin(shape, low=-1.0, high=1.0):
    return np.linspace(low, high, int(np.prod(shape))).reshape(shape).astype("float32")


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2}, (2, 4, 3),
     (2, 9, 2)),
    (layers.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 3, 4, 2), (2, 6, 8, 3)),
    (layers.Conv2DTranspose, {"filters": 3, "kernel_size": 2, "data_format": "channels_first",
                              "use_bias": False}, (2, 2, 3, 3), (2, 3, 4, 4)),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2,
                              "output_padding": 1}, (1, 2, 2, 1, 2), (1, 5, 5, 3, 2)),
])
def test_conv_transpose_contract(cls, kwargs, input_shape, output_shape):
    layer_checks.check_layer(cls, kwargs, input_shape, output_shape,
                             expected_trainable=1 if kwargs.get("use_bias") is False else 2)


@pytest.mark.parametrize("kwargs, input_shape, output_spatial", [
    ({"strides": 2, "padding": "same"}, (2, 3, 2, 3), (6, 4)),
    ({"strides": (3, 2), "padding": "valid"}, (1, 2, 3, 3), (6, 7)),
    ({"strides": 2, "output_padding": 1}, (1, 2, 2, 3), (6, 6)),
    ({"dilation_rate": 2, "padding": "same"}, (1, 3, 3, 3), (3, 3)),
    ({"strides": 2, "padding": "same", "data_format": "channels_first"}, (2, 3, 2, 3), (4, 6)),
])
def test_conv2d_transpose_matches_numpy_adjoint(kwargs, input_shape, output_spatial):
    layer = layers.Conv2DTranspose(2, 3, activation="sigmoid", bias_initializer="random_normal",
                                   **kwargs)
    x = _data(input_shape)
    out = layer(x)
    kernel, bias = layer.get_weights()
    channels = input_shape[1] if layer.data_format == "channels_first" else input_shape[-1]
    assert kernel.shape == (3, 3, 2, channels)
    expected = np_conv_transpose(x, kernel, output_spatial, layer.strides, layer.padding,
                                 layer.dilation_rate, layer.data_format)
    bias = bias.reshape((-1, 1, 1) if layer.data_format == "channels_first" else (-1,))
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-(expected + bias))), rtol=1e-5, atol=1e-6)


def test_conv1d_and_conv3d_transpose_match_numpy_adjoint():
    layer = layers.Conv1DTranspose(2, 4, strides=3, padding="same", output_padding=2,
                                   use_bias=False)
    x = _data((2, 3, 2))
    out = layer(x)
    assert out.shape == (2, 8, 2)  # (3 - 1) * 3 + 4 % 2 + 2
    np.testing.assert_allclose(out, np_conv_transpose(x, layer.kernel.value, (8,), 3, "same"),
                               rtol=1e-5, atol=1e-5)
    layer = layers.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 1), use_bias=False)
    x = _data((1, 2, 2, 2, 2))
    np.testing.assert_allclose(layer(x),
                               np_conv_transpose(x, layer.kernel.value, (4, 4, 3), (2, 1, 1)),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.keras_parity
def test_conv2d_transpose_matches_keras_literal():
    layer = layers.Conv2DTranspose(1, 3, strides=2, padding="same")
    layer.build((1, 2, 2, 1))
    layer.set_weights([_lin((3, 3, 1, 1)), np.array([0.1], "float32")])
    expected = [[2.1, 1.6, 1.76667, 0.6], [0.6, 0.1, -0.23333, 0.1],
                [-1.56667, -1.9, -4.56667, -1.9], [-0.06667, 0.1, -0.23333, 0.1]]
    np.testing.assert_allclose(layer(_lin((1, 2, 2, 1), -2, 2))[0, :, :, 0], expected, atol=1e-4)


def test_conv_transpose_gradients():
    with gradcheck.float64_mode():
        layer = layers.Conv2DTranspose(1, 2, strides=2, padding="same", activation="tanh")
        layer.build((1, 2, 3, 2))
        kernel, bias = [np.asarray(w) for w in layer.get_weights()]
    x = _data((1, 2, 3, 2)).astype("float64")

    def via_layer(x):
        return ops.sum(ops.square(layer(x)))

    def via_weights(kernel, bias):
        out, _ = layer.stateless_call([kernel, bias], [], x)
        return ops.sum(ops.square(out))

    gradcheck.check_grads(via_layer, [x])
    gradcheck.check_grads(via_weights, [kernel, bias])


def test_conv_transpose_weight_names_and_symbolic_shapes():
    layer = layers.Conv2DTranspose(5, (3, 2), name="up")
    out = layer(lamina.Input((None, 4, 3)))
    assert out.shape == (None, None, 5, 5)
    assert [w.path for w in layer.weights] == ["up/kernel", "up/bias"]
    assert layer.kernel.shape == (3, 2, 5, 3)
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose


def test_conv3d_transpose_keeps_keras_argument_order():
    # Keras 3 puts data_format before output_padding in Conv3DTranspose only.
    layer = layers.Conv3DTranspose(2, 2, 2, "valid", "channels_first", 1)
    assert layer.data_format == "channels_first" and layer.output_padding == (1, 1, 1)


def test_conv_transpose_serialization():
    layer = layers.Conv2DTranspose(3, 3, strides=2, output_padding=(1, 0), padding="same")
    clone = layers.deserialize(layers.serialize(layer))
    assert isinstance(clone, layers.Conv2DTranspose) and clone.output_padding == (1, 0)
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, r"Conv2DTranspose: `filters` must be a positive int"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2},
     r"`output_padding` must be smaller than its stride.*\(2, 2\)"),
    ({"filters": 2, "kernel_size": 3, "output_padding": -1}, r"`output_padding`.*>= 0"),
    ({"filters": 2, "kernel_size": 3, "padding": "causal"}, r"\['valid', 'same'\]"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
     r"`strides` > 1 cannot be combined"),
    ({"filters": 2, "kernel_size": 3, "data_format": "channels_middle"}, r"data_format"),
])
def test_conv_transpose_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Conv2DTranspose(**kwargs)


def test_conv_transpose_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"Conv1DTranspose 'up1' expected inputs of rank 3.*"
                                         r"\(None, 4, 4, 2\) \(rank 4\)"):
        layers.Conv1DTranspose(2, 3, name="up1")(np.ones((1, 4, 4, 2), "float32"))


def test_conv_transpose_module_docstring_examples():
    assert doctest.testmod(conv_transpose, extraglobs={"lamina": lamina}).failed == 0
