import doctest

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.convolution import base_conv, conv
from tests.helpers import gradcheck, layer_checks
from tests.ops.test_nn_conv import np_conv

RNG = np.random.default_rng(3)


def _data(shape):
    return RNG.normal(size=shape).astype("float32")


def _lin(shape, low=-1.0, high=1.0):
    return np.linspace(low, high, int(np.prod(shape))).reshape(shape).astype("float32")


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal"}, (2, 6, 3), (2, 6, 4)),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 5, 5, 3), (2, 3, 3, 4)),
    (layers.Conv2D, {"filters": 4, "kernel_size": (2, 3), "data_format": "channels_first",
                     "use_bias": False}, (2, 3, 5, 5), (2, 4, 4, 3)),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2, "groups": 2}, (1, 3, 4, 3, 2),
     (1, 2, 3, 2, 2)),
])
def test_conv_contract(cls, kwargs, input_shape, output_shape):
    layer_checks.check_layer(cls, kwargs, input_shape, output_shape,
                             expected_trainable=1 if kwargs.get("use_bias") is False else 2)


@pytest.mark.parametrize("kwargs, input_shape", [
    ({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 3)),
    ({"filters": 6, "kernel_size": 2, "groups": 3, "dilation_rate": 2}, (2, 6, 6, 3)),
    ({"filters": 2, "kernel_size": (3, 2), "data_format": "channels_first"}, (2, 3, 5, 4)),
])
def test_conv2d_matches_numpy(kwargs, input_shape):
    layer = layers.Conv2D(**kwargs, activation="relu", bias_initializer="random_normal")
    x = _data(input_shape)
    out = layer(x)
    kernel, bias = layer.get_weights()
    channels = input_shape[1] if layer.data_format == "channels_first" else input_shape[-1]
    assert kernel.shape == (*layer.kernel_size, channels // layer.groups, layer.filters)
    expected = np_conv(x, kernel, layer.strides, layer.padding, layer.dilation_rate,
                       layer.data_format)
    channel_shape = (-1, 1, 1) if layer.data_format == "channels_first" else (-1,)
    expected = np.maximum(expected + bias.reshape(channel_shape), 0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def np_causal_conv1d(x, kernel, stride, dilation):
    """out[t] = sum_k x[t * stride - (K - 1 - k) * dilation] @ kernel[k], zero before the start."""
    steps, size = x.shape[1], kernel.shape[0]
    out = np.zeros((x.shape[0], (steps - 1) // stride + 1, kernel.shape[-1]))
    for t in range(out.shape[1]):
        for k in range(size):
            source = t * stride - (size - 1 - k) * dilation
            if source >= 0:
                out[:, t] += x[:, source] @ kernel[k]
    return out


@pytest.mark.parametrize("strides, dilation_rate", [(1, 1), (1, 2), (2, 1)])
def test_conv1d_causal_sees_only_the_past(strides, dilation_rate):
    layer = layers.Conv1D(3, 3, strides=strides, padding="causal", dilation_rate=dilation_rate,
                          use_bias=False)
    x = _data((2, 9, 2))
    out = np.asarray(layer(x))
    (kernel,) = layer.get_weights()
    np.testing.assert_allclose(out, np_causal_conv1d(x, kernel, strides, dilation_rate),
                               rtol=1e-5, atol=1e-5)
    changed = x.copy()
    changed[:, 6:] += 1.0  # the future of step 5 must not change outputs up to step 5
    later = np.asarray(layer(changed))
    last = 5 // strides
    np.testing.assert_allclose(later[:, :last + 1], out[:, :last + 1], rtol=1e-6)


def test_conv1d_causal_channels_first():
    layer = layers.Conv1D(2, 2, padding="causal", data_format="channels_first", use_bias=False)
    x = _data((2, 3, 6))
    out = layer(x)
    (kernel,) = layer.get_weights()
    expected = np_causal_conv1d(np.moveaxis(x, 1, -1), kernel, 1, 1)
    np.testing.assert_allclose(out, np.moveaxis(expected, -1, 1), rtol=1e-5, atol=1e-5)


def test_conv3d_matches_numpy():
    layer = layers.Conv3D(2, (2, 3, 2), strides=(1, 2, 1), padding="same")
    x = _data((1, 4, 5, 3, 2))
    layer.build(x.shape)
    kernel, _ = layer.get_weights()
    layer.set_weights([kernel, np.array([0.5, -0.5], "float32")])
    np.testing.assert_allclose(layer(x), np_conv(x, kernel, (1, 2, 1), "same") + [0.5, -0.5],
                               rtol=1e-5, atol=1e-5)


@pytest.mark.keras_parity
def test_conv_layers_match_keras_literals():
    # Keras 3 outputs with kernel linspace(-1, 1), bias linspace(0.1, 0.3) and inputs
    # linspace(-2, 2) in the given shapes.
    layer = layers.Conv2D(2, 3, strides=2, padding="same")
    layer.build((1, 5, 5, 2))
    layer.set_weights([_lin((3, 3, 2, 2)), _lin((2,), 0.1, 0.3)])
    expected = [[[-3.72507, -4.19679], [-2.51225, -3.1519], [-0.25452, -0.50233]],
                [[4.46618, 4.49825], [7.307, 7.507], [4.29825, 4.66618]],
                [[-0.70233, -0.05452], [-3.3519, -2.31224], [-4.39679, -3.52507]]]
    np.testing.assert_allclose(layer(_lin((1, 5, 5, 2), -2, 2))[0], expected, atol=1e-4)
    layer = layers.Conv1D(2, 2, padding="causal", dilation_rate=2)
    layer.build((1, 5, 1))
    layer.set_weights([_lin((2, 1, 2)), _lin((2,), 0.1, 0.3)])
    expected = [[-0.56667, -1.7], [-0.23333, -0.7], [2.1, 0.96667], [1.43333, 1.63333],
                [0.76667, 2.3]]
    np.testing.assert_allclose(layer(_lin((1, 5, 1), -2, 2))[0], expected, atol=1e-4)


def test_conv_gradients():
    with gradcheck.float64_mode():
        layer = layers.Conv2D(1, 2, strides=(2, 1), padding="same", activation="tanh")
        layer.build((1, 3, 4, 2))
        kernel, bias = [np.asarray(w) for w in layer.get_weights()]

    def via_layer(x):
        return ops.sum(ops.square(layer(x)))

    gradcheck.check_grads(via_layer, [_data((1, 3, 4, 2))])

    def via_weights(kernel, bias):
        values = [kernel, bias]
        out, _ = layer.stateless_call(values, [], x)
        return ops.sum(ops.square(out))

    x = _data((1, 3, 4, 2)).astype("float64")
    gradcheck.check_grads(via_weights, [kernel, bias])


def test_conv_weight_names_order_and_shapes():
    layer = layers.Conv2D(5, (3, 2), groups=1, name="c")
    layer.build((None, 8, 8, 4))
    assert [w.path for w in layer.weights] == ["c/kernel", "c/bias"]
    assert layer.kernel.shape == (3, 2, 4, 5) and layer.bias.shape == (5,)
    grouped = layers.Conv1D(6, 3, groups=2)
    grouped.build((None, 10, 4))
    assert grouped.kernel.shape == (3, 2, 6)
    plain = layers.Conv2D(4, 3, use_bias=False)
    plain.build((None, 5, 5, 2))
    assert plain.bias is None and [w.name for w in plain.weights] == ["kernel"]


def test_conv_in_functional_model_and_config_round_trip():
    inputs = lamina.Input((8, 8, 3))
    hidden = layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(inputs)
    outputs = layers.Conv2D(2, 3, strides=2, name="c2")(hidden)
    assert hidden.shape == (None, 8, 8, 4) and outputs.shape == (None, 3, 3, 2)
    model = lamina.Model(inputs, outputs)
    x = _data((2, 8, 8, 3))
    c1, c2 = model.get_layer("c1"), model.get_layer("c2")
    expected = np_conv(np.maximum(np_conv(x, c1.kernel.value, 1, "same") + c1.bias.value, 0),
                       c2.kernel.value, 2) + c2.bias.value
    np.testing.assert_allclose(model(x), expected, rtol=1e-5, atol=1e-5)
    clone = lamina.models.Functional.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(x), model(x), rtol=1e-6)


def test_conv_serialization_and_aliases():
    layer = layers.Conv1D(3, 2, padding="causal", kernel_regularizer="l2",
                          kernel_constraint="non_neg", activation="relu")
    config = layers.serialize(layer)
    assert config["class_name"] == "Conv1D"
    clone = layers.deserialize(config)
    assert isinstance(clone, layers.Conv1D) and clone.padding == "causal"
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    legacy = layers.deserialize({"class_name": "Convolution2D",
                                 "config": {"filters": 2, "kernel_size": [3, 3]}})
    assert isinstance(legacy, layers.Conv2D) and legacy.kernel_size == (3, 3)


def test_conv_regularizers_add_losses():
    layer = layers.Conv2D(2, 2, kernel_regularizer="l2", bias_regularizer="l1",
                          bias_initializer="ones")
    layer(np.ones((1, 3, 3, 1), "float32"))
    kernel, bias = layer.get_weights()
    expected = 0.01 * np.sum(kernel ** 2) + 0.01 * np.sum(np.abs(bias))
    np.testing.assert_allclose(sum(float(v) for v in layer.losses), expected, rtol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, r"Conv2D: `filters` must be a positive int.*filters=0"),
    ({"filters": -2, "kernel_size": 3}, r"filters=-2"),
    ({"filters": 2.5, "kernel_size": 3}, r"filters=2.5"),
    ({"filters": 4, "kernel_size": 0}, r"`kernel_size`.*tuple of 2 ints.*kernel_size=0"),
    ({"filters": 4, "kernel_size": (3, 3, 3)}, r"`kernel_size`.*tuple of 2"),
    ({"filters": 4, "kernel_size": 3, "strides": 0}, r"`strides`"),
    ({"filters": 4, "kernel_size": 3, "padding": "causal"}, r"\['valid', 'same'\].*'causal'"),
    ({"filters": 4, "kernel_size": 3, "padding": "full"}, r"`padding`.*'full'"),
    ({"filters": 4, "kernel_size": 3, "data_format": "NHWC"}, r"data_format.*'NHWC'"),
    ({"filters": 4, "kernel_size": 3, "groups": 3}, r"divisible by `groups`"),
    ({"filters": 4, "kernel_size": 3, "groups": 0}, r"`groups` must be a positive int"),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
     r"`strides` > 1 cannot be combined with `dilation_rate` > 1"),
    ({"filters": 4, "kernel_size": 3, "activation": "nope"}, r"nope"),
])
def test_conv2d_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Conv2D(**kwargs)


def test_conv_rejects_kernel_larger_than_valid_input():
    layer = layers.Conv2D(4, 5, name="big")
    message = r"Conv2D 'big'.*\(None, 4, 6, 3\).*kernel_size=\(5, 5\).*padding='same'"
    with pytest.raises(ValueError, match=message):
        layer(np.ones((2, 4, 6, 3), "float32"))
    with pytest.raises(ValueError, match=message):
        layers.Conv2D(4, 5, name="big")(lamina.Input((4, 6, 3)))
    with pytest.raises(ValueError, match=r"dilation_rate=\(3,\)"):
        layers.Conv1D(2, 3, dilation_rate=3)(lamina.Input((6, 1)))
    # An unknown spatial size is not an error; "same" never is.
    assert layers.Conv2D(4, 5)(lamina.Input((None, 6, 3))).shape == (None, None, 2, 4)
    assert layers.Conv2D(4, 5, padding="same")(np.ones((1, 2, 2, 1), "float32")).shape == \
        (1, 2, 2, 4)


def test_conv_rejects_wrong_rank_and_channels():
    with pytest.raises(ValueError, match=r"Conv2D 'img' expected inputs of rank 4, \(batch, rows, "
                                         r"cols, channels\).*\(None, 28, 28\).*\(None, 28, 28, 1\)"):
        layers.Conv2D(4, 3, name="img")(np.ones((2, 28, 28), "float32"))
    with pytest.raises(ValueError, match=r"rank 3, \(batch, channels, steps\).*rank 4"):
        layers.Conv1D(4, 3, data_format="channels_first")(lamina.Input((2, 8, 8)))
    layer = layers.Conv2D(4, 3, name="fixed")
    layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"Conv2D 'fixed'.*last axis 3.*\(1, 5, 5, 2\)"):
        layer(np.ones((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match=r"input channels \(3\) must be divisible by groups=2"):
        layers.Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"known channel axis"):
        layers.Conv2D(4, 3)(lamina.Input((5, 5, None)))


def test_conv_module_docstring_examples():
    for module in (conv, base_conv):
        assert doctest.testmod(module, extraglobs={"lamina": lamina}).failed == 0
