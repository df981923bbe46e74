import numpy as np
import pytest

import lamina
from lamina import layers, ops
from tests.helpers import gradcheck, layer_checks


def test_flatten_matches_numpy_reshape():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Flatten()(x), x.reshape(2, 12))
    layer_checks.check_layer(layers.Flatten, {}, (2, 3, 4), (2, 12), expected_trainable=0)


def test_flatten_channels_first_moves_channels_last():
    x = np.arange(12, dtype="float32").reshape(1, 3, 2, 2)
    out = layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(out, np.moveaxis(x, 1, -1).reshape(1, 12))


def test_flatten_symbolic_unknown_axis():
    assert layers.Flatten()(lamina.Input((None, 4))).shape == (None, None)


def test_reshape_with_inferred_axis():
    x = np.arange(24, dtype="float32").reshape(2, 12)
    np.testing.assert_array_equal(layers.Reshape((3, -1))(x), x.reshape(2, 3, 4))
    layer_checks.check_layer(layers.Reshape, {"target_shape": (4, 3)}, (2, 12), (2, 4, 3),
                             expected_trainable=0)
    assert layers.Reshape((-1, 2))(lamina.Input((6,))).shape == (None, 3, 2)


def test_reshape_size_mismatch_is_explained():
    with pytest.raises(ValueError, match=r"cannot reshape inputs of shape \(None, 10\)"):
        layers.Reshape((3, 3))(lamina.Input((10,)))


@pytest.mark.parametrize("target", [(0, 2), (-1, -1), "3", (2.0,)])
def test_reshape_rejects_bad_target_shape(target):
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape(target)


# -- Permute, RepeatVector ----------------------------------------------------------------------

RNG = np.random.default_rng(7)
X3 = RNG.normal(size=(2, 5, 3)).astype("float32")          # (batch, steps, features)
X4 = RNG.normal(size=(2, 4, 5, 3)).astype("float32")       # (batch, rows, cols, channels)
X5 = RNG.normal(size=(1, 4, 3, 5, 2)).astype("float32")    # (batch, d1, d2, d3, channels)


def test_permute_matches_numpy_transpose():
    np.testing.assert_array_equal(layers.Permute((3, 1, 2))(X4), X4.transpose(0, 3, 1, 2))
    layer_checks.check_layer(layers.Permute, {"dims": (2, 1)}, (2, 5, 3), (2, 3, 5),
                             expected_trainable=0)
    assert layers.Permute((2, 1))(lamina.Input((None, 3))).shape == (None, 3, None)


@pytest.mark.parametrize("dims", [(1, 3), (0, 1), (1, 1), "12", (1.0, 2.0)])
def test_permute_rejects_bad_dims(dims):
    with pytest.raises(ValueError, match="Permute: `dims`"):
        layers.Permute(dims)


def test_permute_rank_mismatch_is_explained():
    with pytest.raises(ValueError, match=r"Permute 'perm' with dims=\(2, 1\) expected inputs of "
                                         r"rank 3, received shape \(2, 4, 5, 3\)"):
        layers.Permute((2, 1), name="perm")(X4)


def test_repeat_vector_matches_numpy():
    x = X3[:, 0, :]
    np.testing.assert_array_equal(layers.RepeatVector(4)(x), np.repeat(x[:, None, :], 4, axis=1))
    layer_checks.check_layer(layers.RepeatVector, {"n": 2}, (2, 3), (2, 2, 3),
                             expected_trainable=0)


def test_repeat_vector_errors():
    with pytest.raises(ValueError, match="RepeatVector: `n` must be a positive int"):
        layers.RepeatVector(0)
    with pytest.raises(ValueError, match=r"RepeatVector 'rv' expected inputs of rank 2.*\(2, 5, 3\)"):
        layers.RepeatVector(2, name="rv")(X3)


# -- Cropping ------------------------------------------------------------------------------------

def test_cropping1d_matches_numpy_slicing():
    np.testing.assert_array_equal(layers.Cropping1D((1, 2))(X3), X3[:, 1:3, :])
    np.testing.assert_array_equal(layers.Cropping1D(2)(X3), X3[:, 2:3, :])
    np.testing.assert_array_equal(layers.Cropping1D((0, 0))(X3), X3)
    layer_checks.check_layer(layers.Cropping1D, {}, (2, 5, 3), (2, 3, 3), expected_trainable=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cropping2d_matches_numpy_slicing(data_format):
    layer = layers.Cropping2D(((1, 0), (1, 2)), data_format=data_format)
    if data_format == "channels_last":       # X4 is (batch, rows=4, cols=5, channels=3)
        expected, cropped = X4[:, 1:, 1:3, :], (2, 2, 3, 3)
    else:                                    # X4 is (batch, channels=4, rows=5, cols=3)
        layer = layers.Cropping2D(((1, 0), (1, 1)), data_format=data_format)
        expected, cropped = X4[:, :, 1:, 1:2], (2, 4, 3, 1)
    np.testing.assert_array_equal(layer(X4), expected)
    layer_checks.check_layer(layers.Cropping2D, {"cropping": 1, "data_format": data_format},
                             (2, 4, 5, 3), cropped, expected_trainable=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cropping3d_matches_numpy_slicing(data_format):
    layer = layers.Cropping3D(((1, 2), (0, 1), (2, 0)), data_format=data_format)
    x = X5 if data_format == "channels_last" else np.moveaxis(X5, -1, 1)   # (1, 2, 4, 3, 5)
    spatial = (slice(1, 2), slice(0, 2), slice(2, None))
    key = (slice(None), *spatial, slice(None)) if data_format == "channels_last" else \
        (slice(None), slice(None), *spatial)
    np.testing.assert_array_equal(layer(x), x[key])
    default = layers.Cropping3D(data_format=data_format)    # 1 on both ends of each axis
    spatial = (slice(1, -1),) * 3
    key = (slice(None), *spatial, slice(None)) if data_format == "channels_last" else \
        (slice(None), slice(None), *spatial)
    np.testing.assert_array_equal(default(x), x[key])


def test_cropping_contract_checks():
    layer_checks.check_layer(layers.Cropping3D, {}, (1, 4, 3, 5, 2), (1, 2, 1, 3, 2),
                             expected_trainable=0)
    layer_checks.check_layer(layers.Cropping2D, {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 3),
                             (2, 3, 2, 3), expected_trainable=0)


def test_cropping_symbolic_with_unknown_axes():
    assert layers.Cropping1D((1, 1))(lamina.Input((None, 3))).shape == (None, None, 3)
    out = layers.Cropping2D(((1, 1), (0, 2)))(lamina.Input((None, 6, 3)))
    assert out.shape == (None, None, 4, 3)


def test_cropping_too_much_is_explained():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop' cannot crop \(\(2, 2\), \(0, 0\)\) "
                                         r"from inputs of shape \(None, 4, 5, 3\): axis 1 has "
                                         r"size 4.*smaller `cropping`"):
        layers.Cropping2D(((2, 2), (0, 0)), name="crop")(X4)
    with pytest.raises(ValueError, match="Cropping1D .* cannot crop"):
        layers.Cropping1D((3, 3))(lamina.Input((5, 2)))
    layer = layers.Cropping1D((2, 2))
    layer(X3)
    with pytest.raises(ValueError, match=r"axis 1 has size 4"):
        layer(X3[:, :4])


def test_cropping_rank_mismatch_is_explained():
    with pytest.raises(ValueError, match=r"Cropping2D 'c2' expected inputs of rank 4, shaped "
                                         r"\(batch, rows, cols, channels\), received shape "
                                         r"\(2, 5, 3\) \(rank 3\)"):
        layers.Cropping2D(1, name="c2")(X3)
    with pytest.raises(ValueError, match=r"rank 5, shaped \(batch, channels, dim1, dim2, dim3\)"):
        layers.Cropping3D(data_format="channels_first")(X4)


@pytest.mark.parametrize("cls, cropping", [
    (layers.Cropping1D, -1), (layers.Cropping1D, (1, 2, 3)), (layers.Cropping1D, 1.5),
    (layers.Cropping2D, (1, 2, 3)), (layers.Cropping2D, ((1, -1), (0, 0))),
    (layers.Cropping2D, "1"), (layers.Cropping3D, ((1, 1), (1, 1))),
    (layers.Cropping3D, (1, 1, (1, 2, 3)))])
def test_cropping_rejects_bad_arguments(cls, cropping):
    with pytest.raises(ValueError, match=f"{cls.__name__}: `cropping"):
        cls(cropping)


def test_cropping_normalizes_arguments_like_keras():
    assert layers.Cropping1D(2).cropping == ((2, 2),)
    assert layers.Cropping1D(2).get_config()["cropping"] == (2, 2)
    assert layers.Cropping2D(1).get_config()["cropping"] == ((1, 1), (1, 1))
    assert layers.Cropping2D((1, 2)).get_config()["cropping"] == ((1, 1), (2, 2))
    assert layers.Cropping3D([1, (0, 2), 3]).get_config()["cropping"] == ((1, 1), (0, 2), (3, 3))
    with pytest.raises(ValueError, match="data_format"):
        layers.Cropping2D(1, data_format="NHWC")


# -- ZeroPadding ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding1d_matches_numpy_pad(data_format):
    layer = layers.ZeroPadding1D((1, 2), data_format=data_format)
    widths = ((0, 0), (1, 2), (0, 0)) if data_format == "channels_last" else \
        ((0, 0), (0, 0), (1, 2))
    np.testing.assert_array_equal(layer(X3), np.pad(X3, widths))
    expected = (2, 7, 3) if data_format == "channels_last" else (2, 5, 5)
    layer_checks.check_layer(layers.ZeroPadding1D, {"padding": 1, "data_format": data_format},
                             (2, 5, 3), expected, expected_trainable=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding2d_matches_numpy_pad(data_format):
    layer = layers.ZeroPadding2D(((1, 0), (2, 3)), data_format=data_format)
    spatial = ((1, 0), (2, 3))
    widths = ((0, 0), *spatial, (0, 0)) if data_format == "channels_last" else \
        ((0, 0), (0, 0), *spatial)
    np.testing.assert_array_equal(layer(X4), np.pad(X4, widths))
    expected = (2, 6, 7, 3) if data_format == "channels_last" else (2, 4, 7, 5)
    layer_checks.check_layer(layers.ZeroPadding2D, {"data_format": data_format}, (2, 4, 5, 3),
                             expected, expected_trainable=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding3d_matches_numpy_pad(data_format):
    layer = layers.ZeroPadding3D((1, (0, 2), 0), data_format=data_format)
    spatial = ((1, 1), (0, 2), (0, 0))
    widths = ((0, 0), *spatial, (0, 0)) if data_format == "channels_last" else \
        ((0, 0), (0, 0), *spatial)
    np.testing.assert_array_equal(layer(X5), np.pad(X5, widths))
    expected = (1, 6, 5, 7, 2) if data_format == "channels_last" else (1, 4, 5, 7, 4)
    layer_checks.check_layer(layers.ZeroPadding3D, {"padding": 1, "data_format": data_format},
                             (1, 4, 3, 5, 2), expected, expected_trainable=0)


def test_zero_padding_symbolic_and_errors():
    assert layers.ZeroPadding2D(2)(lamina.Input((None, 3, 1))).shape == (None, None, 7, 1)
    assert layers.ZeroPadding1D(3).get_config()["padding"] == (3, 3)
    assert layers.ZeroPadding3D(2).get_config()["padding"] == ((2, 2),) * 3
    with pytest.raises(ValueError, match=r"ZeroPadding2D: `padding\[1\]` must be a non-negative"):
        layers.ZeroPadding2D(((1, 1), (-1, 0)))
    with pytest.raises(ValueError, match=r"ZeroPadding1D 'zp' expected inputs of rank 3.*"
                                         r"\(2, 4, 5, 3\)"):
        layers.ZeroPadding1D(name="zp")(X4)


# -- UpSampling ----------------------------------------------------------------------------------

def test_upsampling1d_matches_numpy_repeat():
    np.testing.assert_array_equal(layers.UpSampling1D(3)(X3), np.repeat(X3, 3, axis=1))
    layer_checks.check_layer(layers.UpSampling1D, {}, (2, 5, 3), (2, 10, 3), expected_trainable=0)
    with pytest.raises(ValueError, match="UpSampling1D: `size` must be a positive int"):
        layers.UpSampling1D(0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_upsampling2d_nearest_matches_numpy_repeat(data_format):
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    expected = np.repeat(np.repeat(X4, 2, axis=axes[0]), 3, axis=axes[1])
    np.testing.assert_array_equal(layers.UpSampling2D((2, 3), data_format=data_format)(X4),
                                  expected)
    shape = (2, 8, 10, 3) if data_format == "channels_last" else (2, 4, 10, 6)
    layer_checks.check_layer(layers.UpSampling2D, {"data_format": data_format}, (2, 4, 5, 3),
                             shape, expected_trainable=0)


def np_bilinear_upsample(x, factors, spatial_axes):
    """Half-pixel-center linear interpolation, one axis at a time, edges clamped (loops)."""
    for axis, factor in zip(spatial_axes, factors):
        x = np.moveaxis(x, axis, 0)
        n = x.shape[0]
        out = np.empty((n * factor, *x.shape[1:]), dtype=np.float64)
        for i in range(n * factor):
            src = min(max((i + 0.5) / factor - 0.5, 0.0), n - 1.0)
            lo = int(np.floor(src))
            hi = min(lo + 1, n - 1)
            out[i] = (1 - (src - lo)) * x[lo] + (src - lo) * x[hi]
        x = np.moveaxis(out, 0, axis)
    return x


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_upsampling2d_bilinear_matches_numpy(data_format):
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    layer = layers.UpSampling2D((2, 3), data_format=data_format, interpolation="bilinear")
    np.testing.assert_allclose(layer(X4), np_bilinear_upsample(X4, (2, 3), axes),
                               rtol=1e-5, atol=1e-6)
    shape = (2, 8, 15, 3) if data_format == "channels_last" else (2, 4, 10, 9)
    layer_checks.check_layer(layers.UpSampling2D, {"size": (2, 3), "data_format": data_format,
                                                   "interpolation": "bilinear"},
                             (2, 4, 5, 3), shape, expected_trainable=0)


def test_upsampling2d_bilinear_matches_keras_literals():
    # keras.layers.UpSampling2D((2, 3), interpolation="bilinear") under KERAS_BACKEND=jax
    x = np.arange(12, dtype="float32").reshape(1, 2, 3, 2) * 0.5 - 1
    x[0, 1, 0, 1] = 4.0
    out = np.asarray(layers.UpSampling2D((2, 3), interpolation="bilinear")(x))
    third, sixth = 1 / 3, 1 / 6
    np.testing.assert_allclose(out[0, :, :, 0], [
        [-1.0, -1.0, -2 * third, -third, 0.0, third, 2 * third, 1.0, 1.0],
        [-0.25, -0.25, 0.083333, 0.416667, 0.75, 1.083333, 1.416667, 1.75, 1.75],
        [1.25, 1.25, 1.583334, 1.916667, 2.25, 2.583333, 2.916667, 3.25, 3.25],
        [2.0, 2.0, 2.333334, 2.666667, 3.0, 3.333334, 3.666667, 4.0, 4.0]], atol=2e-6)
    np.testing.assert_allclose(out[0, :, :, 1], [
        [-0.5, -0.5, -sixth, sixth, 0.5, 0.833333, 1.166667, 1.5, 1.5],
        [0.625, 0.625, 0.833333, 1.041667, 1.25, 1.583333, 1.916667, 2.25, 2.25],
        [2.875, 2.875, 2.833333, 2.791667, 2.75, 3.083333, 3.416667, 3.75, 3.75],
        [4.0, 4.0, 3.833333, 3.666666, 3.5, 3.833334, 4.166667, 4.5, 4.5]], atol=2e-6)


def test_upsampling2d_arguments():
    assert layers.UpSampling2D(3).get_config()["size"] == (3, 3)
    assert layers.UpSampling2D(interpolation="BILINEAR").interpolation == "bilinear"
    with pytest.raises(ValueError, match=r"UpSampling2D: `interpolation` must be one of "
                                         r"\('nearest', 'bilinear'\)"):
        layers.UpSampling2D(interpolation="linear")
    with pytest.raises(NotImplementedError, match="bicubic"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="UpSampling2D: `size` must be a positive int"):
        layers.UpSampling2D((2, 0))
    assert layers.UpSampling2D((2, 1))(lamina.Input((None, 3, 2))).shape == (None, None, 3, 2)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_upsampling3d_matches_numpy_repeat(data_format):
    axes = (1, 2, 3) if data_format == "channels_last" else (2, 3, 4)
    expected = X5
    for axis, factor in zip(axes, (2, 1, 3)):
        expected = np.repeat(expected, factor, axis=axis)
    np.testing.assert_array_equal(
        layers.UpSampling3D((2, 1, 3), data_format=data_format)(X5), expected)
    shape = (1, 8, 6, 10, 2) if data_format == "channels_last" else (1, 4, 6, 10, 4)
    layer_checks.check_layer(layers.UpSampling3D, {"data_format": data_format},
                             (1, 4, 3, 5, 2), shape, expected_trainable=0)
    with pytest.raises(ValueError, match="UpSampling3D: `size`"):
        layers.UpSampling3D((2, 2))


# -- gradients, models, docs ---------------------------------------------------------------------

def test_reshaping_layer_gradients():
    with gradcheck.float64_mode():
        cases = [
            (layers.Permute((2, 1)), (1, 3, 2)),
            (layers.RepeatVector(2), (2, 3)),
            (layers.Cropping1D((1, 0)), (1, 3, 2)),
            (layers.Cropping2D(((1, 0), (0, 1)), data_format="channels_first"), (1, 2, 2, 3)),
            (layers.ZeroPadding2D(1), (1, 2, 2, 1)),
            (layers.UpSampling1D(2), (1, 2, 2)),
            (layers.UpSampling2D((2, 3), interpolation="bilinear"), (1, 2, 3, 1)),
            (layers.UpSampling3D((1, 2, 1)), (1, 1, 2, 1, 2)),
        ]
    weights = np.random.default_rng(3)
    for layer, shape in cases:
        x = weights.normal(size=shape)
        out_shape = layer.compute_output_shape(shape)
        w = weights.normal(size=out_shape)

        def loss(x, layer=layer, w=w):
            return ops.sum(ops.multiply(layer(x), w) ** 2)

        gradcheck.check_grads(loss, [x])


def test_reshaping_layers_in_a_functional_model():
    inputs = lamina.Input((4, 5, 3))
    x = layers.ZeroPadding2D(1)(inputs)
    x = layers.Cropping2D(((1, 1), (2, 0)))(x)
    x = layers.UpSampling2D(2)(x)
    outputs = layers.Permute((3, 1, 2))(x)
    model = lamina.Model(inputs, outputs)
    assert outputs.shape == (None, 3, 8, 10)
    expected = np.pad(X4, ((0, 0), (1, 1), (1, 1), (0, 0)))[:, 1:-1, 2:]
    expected = np.repeat(np.repeat(expected, 2, axis=1), 2, axis=2).transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(model(X4), expected)


def test_reshaping_module_doctests():
    import doctest

    from lamina.layers import reshaping
    result = doctest.testmod(reshaping, extraglobs={"lamina": lamina})
    assert result.failed == 0 and result.attempted >= 12


def test_reshaping_layers_load_keras_configs():
    # Configs as Keras 3 writes them to JSON (tuples become lists).
    crop = layers.deserialize({"module": "keras.layers", "class_name": "Cropping2D",
                               "registered_name": None,
                               "config": {"name": "crop", "trainable": True,
                                          "cropping": [[1, 0], [2, 1]],
                                          "data_format": "channels_first"}})
    assert crop.cropping == ((1, 0), (2, 1)) and crop.data_format == "channels_first"
    up = layers.deserialize({"module": "keras.layers", "class_name": "UpSampling2D",
                             "registered_name": None,
                             "config": {"name": "up", "size": [2, 3],
                                        "data_format": "channels_last",
                                        "interpolation": "bilinear"}})
    assert up.get_config()["size"] == (2, 3) and up.interpolation == "bilinear"
    permute = layers.deserialize({"module": "keras.layers", "class_name": "Permute",
                                  "registered_name": None, "config": {"dims": [2, 1]}})
    assert permute.dims == (2, 1)
