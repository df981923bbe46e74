import doctest

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers import pooling
from tests.helpers import gradcheck, layer_checks
from tests.ops.test_nn_pool_norm import np_pool


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.MaxPooling1D, {}, (2, 5, 3), (2, 2, 3)),
    (layers.MaxPooling2D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 4, 5, 3),
     (2, 4, 5, 3)),
    (layers.MaxPooling3D, {"data_format": "channels_first"}, (1, 2, 4, 5, 3), (1, 2, 2, 2, 1)),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 5, 3),
     (2, 3, 3)),
    (layers.AveragePooling2D, {"pool_size": (2, 3), "data_format": "channels_first"},
     (2, 3, 4, 7), (2, 3, 2, 2)),
    (layers.AveragePooling3D, {"pool_size": 2, "padding": "same"}, (1, 3, 4, 5, 2),
     (1, 2, 2, 3, 2)),
    (layers.GlobalMaxPooling1D, {}, (2, 5, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 4, 5, 3), (2, 1, 1, 3)),
    (layers.GlobalMaxPooling3D, {"data_format": "channels_first"}, (1, 2, 3, 4, 5), (1, 2)),
    (layers.GlobalAveragePooling1D, {"data_format": "channels_first", "keepdims": True},
     (2, 5, 3), (2, 5, 1)),
    (layers.GlobalAveragePooling2D, {}, (2, 4, 5, 3), (2, 3)),
    (layers.GlobalAveragePooling3D, {"keepdims": True}, (1, 2, 3, 4, 5), (1, 1, 1, 1, 5)),
])
def test_pooling_contract(cls, kwargs, input_shape, output_shape):
    layer_checks.check_layer(cls, kwargs, input_shape=input_shape,
                             expected_output_shape=output_shape, expected_trainable=0)


@pytest.mark.parametrize("cls, mode, kwargs, input_shape", [
    (layers.MaxPooling1D, "max", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3)),
    (layers.MaxPooling2D, "max", {"pool_size": (2, 3), "strides": (1, 2)}, (1, 5, 6, 2)),
    (layers.MaxPooling2D, "max", {"padding": "same", "data_format": "channels_first"},
     (1, 2, 5, 5)),
    (layers.MaxPooling3D, "max", {"pool_size": (2, 2, 1)}, (1, 4, 5, 3, 2)),
    (layers.AveragePooling1D, "average", {"pool_size": 2, "data_format": "channels_first"},
     (2, 3, 7)),
    (layers.AveragePooling2D, "average", {"pool_size": 3, "strides": 2, "padding": "same"},
     (1, 5, 6, 2)),
    (layers.AveragePooling3D, "average", {"pool_size": 2, "strides": 1}, (1, 3, 4, 3, 2)),
])
def test_pooling_matches_numpy(cls, mode, kwargs, input_shape):
    layer = cls(**kwargs)
    x = np.random.default_rng(0).normal(size=input_shape).astype("float32")
    n = len(input_shape) - 2
    pool = layer.pool_size
    strides = layer.strides
    assert len(pool) == len(strides) == n
    expected = np_pool(x, pool, strides, layer.padding, layer.data_format, mode)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-6, atol=1e-6)


def test_pooling_defaults_and_config_match_keras():
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.MaxPooling3D().get_config()["pool_size"] == (2, 2, 2)
    config = layers.MaxPooling2D(3, padding="SAME").get_config()
    assert {k: config[k] for k in ("pool_size", "strides", "padding", "data_format")} == {
        "pool_size": (3, 3), "strides": (3, 3), "padding": "same",
        "data_format": "channels_last"}
    assert layers.GlobalAveragePooling1D().get_config()["keepdims"] is False
    with pytest.raises(TypeError):
        layers.AveragePooling2D()  # pool_size is required, as in Keras


def test_pooling_keras_literals():
    # keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same") and
    # AveragePooling1D(pool_size=2, strides=1, padding="same") (Keras 3.15.1) on their
    # docstring inputs.
    x = np.arange(1, 10, dtype="float32").reshape(1, 3, 3, 1)
    out = layers.MaxPooling2D((2, 2), strides=(1, 1), padding="same")(x)
    np.testing.assert_array_equal(np.asarray(out)[0, :, :, 0], [[5, 6, 6], [8, 9, 9], [8, 9, 9]])
    y = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    out = layers.AveragePooling1D(2, strides=1, padding="same")(y)
    np.testing.assert_allclose(np.asarray(out)[0, :, 0], [1.5, 2.5, 3.5, 4.5, 5.0])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_pooling_matches_numpy(data_format):
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 5)).astype("float32")
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D(data_format)(x), x.max(axis=axes))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D(data_format, keepdims=True)(x),
                               x.mean(axis=axes, keepdims=True), rtol=1e-6)
    x1 = x[:, :, :, 0]
    steps = 1 if data_format == "channels_last" else 2
    np.testing.assert_allclose(layers.GlobalAveragePooling1D(data_format)(x1),
                               x1.mean(axis=steps), rtol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_average_pooling_1d_with_mask(data_format):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[True, True, False, False], [True, False, True, True]])
    expected = np.stack([x[0, :2].mean(axis=0), x[1, [0, 2, 3]].mean(axis=0)])
    if data_format == "channels_first":
        x = np.transpose(x, (0, 2, 1))
    layer = layers.GlobalAveragePooling1D(data_format)
    np.testing.assert_allclose(layer(x, mask=mask), expected, rtol=1e-6)
    np.testing.assert_allclose(layer(x, mask=mask.astype("float32")), expected, rtol=1e-6)


def test_global_average_pooling_1d_uses_the_incoming_mask_and_drops_it():
    inputs = lamina.Input((4,), dtype="int32")
    embedded = layers.Embedding(5, 3, mask_zero=True)(inputs)
    pooled = layers.GlobalAveragePooling1D()(embedded)
    model = lamina.Model(inputs, pooled)
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], "int32")
    table = model.layers[1].get_weights()[0]
    expected = np.stack([table[[1, 2]].mean(axis=0), table[3]])
    out = model(tokens)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert lamina.backend.get_keras_mask(out) is None


def test_global_average_pooling_1d_rejects_mask_of_wrong_shape():
    layer = layers.GlobalAveragePooling1D(name="gap")
    with pytest.raises(ValueError, match=r"GlobalAveragePooling1D 'gap'.*\(2, 4\).*\(2, 3\)"):
        layer(np.ones((2, 4, 3), "float32"), mask=np.ones((2, 3), bool))


def test_pooling_gradients():
    with gradcheck.float64_mode():  # layers made here compute in float64
        layer = layers.MaxPooling2D(2, strides=1)
        avg = layers.AveragePooling1D(3, strides=2, padding="same")
    rng = np.random.default_rng(3)
    x2, x1 = rng.normal(size=(1, 3, 3, 2)), rng.normal(size=(1, 5, 2))
    w2, w1 = rng.normal(size=(1, 2, 2, 2)), rng.normal(size=(1, 3, 2))
    jit = lamina.backend.transforms.jit  # compiled once, the finite differences run fast
    gradcheck.check_grads(jit(lambda x: ops.sum(layer(x) * w2)), [x2])
    gradcheck.check_grads(jit(lambda x: ops.sum(avg(x) * w1)), [x1])


def test_pooling_in_functional_model_with_unknown_spatial_axes():
    inputs = lamina.Input((None, None, 3))
    outputs = layers.GlobalMaxPooling2D()(layers.AveragePooling2D(2)(inputs))
    assert outputs.shape == (None, 3)
    model = lamina.Model(inputs, outputs)
    x = np.random.default_rng(4).normal(size=(2, 4, 6, 3)).astype("float32")
    expected = np_pool(x, (2, 2), (2, 2), "valid", "channels_last", "average").max(axis=(1, 2))
    np.testing.assert_allclose(model(x), expected, rtol=1e-6)


def test_pooling_aliases_are_the_same_classes_and_deserialize():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    config = layers.serialize(layers.MaxPool2D(3))
    assert config["class_name"] == "MaxPooling2D"
    restored = layers.deserialize({"class_name": "AvgPool2D", "config": {"pool_size": 2}})
    assert type(restored) is layers.AveragePooling2D and restored.pool_size == (2, 2)
    assert type(layers.deserialize(config)) is layers.MaxPooling2D


@pytest.mark.parametrize("kwargs, match", [
    ({"pool_size": 0}, r"MaxPooling2D: `pool_size` must be a positive int.*pool_size=0"),
    ({"pool_size": (2, 2, 2)}, r"tuple of 2 positive ints.*\(2, 2, 2\)"),
    ({"strides": (1, 0)}, r"`strides`.*\(1, 0\)"),
    ({"padding": "causal"}, r"'valid' or 'same'.*'causal'"),
    ({"data_format": "NHWC"}, r"data_format.*'nhwc'"),
])
def test_pooling_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.MaxPooling2D(**kwargs)


def test_global_pooling_rejects_bad_keepdims():
    with pytest.raises(ValueError, match=r"GlobalMaxPooling1D: `keepdims`.*'yes'"):
        layers.GlobalMaxPooling1D(keepdims="yes")


def test_pooling_rejects_wrong_rank_naming_the_layer():
    with pytest.raises(ValueError, match=r"MaxPooling2D 'pool'.*rank 4.*\(2, 5, 3\)"):
        layers.MaxPooling2D(name="pool")(np.ones((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling1D 'g'.*rank 3.*\(2, 5\)"):
        layers.GlobalAveragePooling1D(name="g")(np.ones((2, 5), "float32"))


def test_pooling_window_larger_than_input_names_the_layer():
    layer = layers.MaxPooling2D(3, name="big")
    message = r"MaxPooling2D 'big'.*window \(3, 3\).*\(2, 5\).*\(None, 2, 5, 1\).*padding='same'"
    with pytest.raises(ValueError, match=message):
        layer(lamina.Input((2, 5, 1)))
    with pytest.raises(ValueError, match=r"MaxPooling2D 'big'.*\(2, 5\)"):
        layer(np.ones((1, 2, 5, 1), "float32"))
    assert layers.MaxPooling2D(3, padding="same")(np.ones((1, 2, 5, 1), "float32")).shape == \
        (1, 1, 2, 1)


def test_pooling_module_docstrings():
    assert doctest.testmod(pooling, extraglobs={"lamina": lamina}).failed == 0
