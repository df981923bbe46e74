import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.layers.preprocessing import image
from lamina.layers.preprocessing.image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck, layer_checks

IMAGE = np.arange(48, dtype="float32").reshape(4, 6, 2)  # (height, width, channels)
BATCH = np.arange(50, dtype="float32").reshape(2, 5, 5, 1)
# Keras 3.15 (JAX backend) outputs on IMAGE / BATCH, channel 0 (see each test).
KERAS_RESIZE_BILINEAR = [[3.0, 7.0, 11.0], [19.0, 23.0, 27.0], [35.0, 39.0, 43.0]]
KERAS_RESIZE_NEAREST = [[2.0, 6.0, 10.0], [26.0, 30.0, 34.0], [38.0, 42.0, 46.0]]
KERAS_RESIZE_CROP = [[4.3333, 7.0, 9.6667], [20.3333, 23.0, 25.6667], [36.3333, 39.0, 41.6667]]
KERAS_RESIZE_PAD = [[0.0, 2.0, 4.0], [19.0, 23.0, 27.0], [18.0, 20.0, 22.0]]
KERAS_CENTER_CROP_UPSCALED = [[2.0, 3.25, 4.75, 6.0], [10.4, 11.65, 13.15, 14.4],
                              [20.0, 21.25, 22.75, 24.0], [29.6, 30.85, 32.35, 33.6],
                              [38.0, 39.25, 40.75, 42.0]]
KERAS_FLIP = [[[24.0, 23.0, 22.0, 21.0, 20.0], [19.0, 18.0, 17.0, 16.0, 15.0],
               [14.0, 13.0, 12.0, 11.0, 10.0], [9.0, 8.0, 7.0, 6.0, 5.0],
               [4.0, 3.0, 2.0, 1.0, 0.0]],
              [[25.0, 26.0, 27.0, 28.0, 29.0], [30.0, 31.0, 32.0, 33.0, 34.0],
               [35.0, 36.0, 37.0, 38.0, 39.0], [40.0, 41.0, 42.0, 43.0, 44.0],
               [45.0, 46.0, 47.0, 48.0, 49.0]]]
KERAS_ROTATION_ROWS = [[0.866025, -0.5, 1.267949, 0.5, 0.866025, -0.732051, 0.0, 0.0],
                       [0.707107, 0.707107, -0.828427, -0.707107, 0.707107, 2.0, 0.0, 0.0]]
KERAS_ROTATED = [[[1.2679, 2.134, 4.3397, 7.7058, 10.3397],
                  [1.4378, 4.8038, 8.1699, 11.5359, 14.6699],
                  [5.2679, 8.634, 12.0, 15.366, 18.7321],
                  [9.3301, 12.4641, 15.8301, 19.1962, 22.5622],
                  [13.6603, 16.2942, 19.6603, 21.866, 22.7321]],
                 [[35.0, 31.4645, 28.5147, 26.2929, 27.0],
                  [38.5355, 35.5858, 32.7574, 29.9289, 27.7071],
                  [42.6569, 39.8284, 37.0, 34.1716, 31.3431],
                  [46.2929, 44.0711, 41.2426, 38.4142, 35.4645],
                  [47.0, 47.7071, 45.4853, 42.5355, 39.0]]]
KERAS_ZOOMED = [[[1.6, 2.9, 4.0, 5.1, 4.8], [4.8, 6.9, 8.0, 9.1, 8.0],
                 [8.0, 10.9, 12.0, 13.1, 11.2], [11.2, 14.9, 16.0, 17.1, 14.4],
                 [14.4, 18.9, 20.0, 21.1, 17.6]],
                [[12.6, 13.05, 13.5, 13.95, 14.4], [28.95, 29.85, 30.75, 31.65, 32.55],
                 [35.2, 36.1, 37.0, 37.9, 38.8], [41.45, 42.35, 43.25, 44.15, 45.05],
                 [22.6, 23.05, 23.5, 23.95, 24.4]]]
KERAS_TRANSLATED = [[[10.0, 10.0, 11.0, 12.0, 13.0], [15.0, 15.0, 16.0, 17.0, 18.0],
                     [20.0, 20.0, 21.0, 22.0, 23.0], [20.0, 20.0, 21.0, 22.0, 23.0],
                     [20.0, 20.0, 21.0, 22.0, 23.0]],
                    [[25.5, 26.5, 27.5, 28.5, 29.0], [25.5, 26.5, 27.5, 28.5, 29.0],
                     [28.0, 29.0, 30.0, 31.0, 31.5], [33.0, 34.0, 35.0, 36.0, 36.5],
                     [38.0, 39.0, 40.0, 41.0, 41.5]]]


def _np(x):
    return lamina.backend.convert_to_numpy(x)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, KERAS_RESIZE_BILINEAR),
    ({"interpolation": "nearest"}, KERAS_RESIZE_NEAREST),
    ({"crop_to_aspect_ratio": True}, KERAS_RESIZE_CROP),
    ({"pad_to_aspect_ratio": True, "fill_value": -1.0}, KERAS_RESIZE_PAD),
])
def test_resizing_matches_keras(kwargs, expected):
    out = Resizing(3, 3, **kwargs)(IMAGE)
    assert tuple(out.shape) == (3, 3, 2)
    np.testing.assert_allclose(_np(out)[..., 0], expected, atol=1e-3)


def test_resizing_channels_first_batched_and_contract():
    first = np.moveaxis(IMAGE, -1, 0)[None]
    out = Resizing(3, 3, data_format="channels_first")(first)
    np.testing.assert_allclose(_np(out)[0, 0], KERAS_RESIZE_BILINEAR, atol=1e-3)
    layer_checks.check_layer(Resizing, {"height": 2, "width": 3}, input_shape=(2, 4, 4, 3),
                             expected_output_shape=(2, 2, 3, 3), expected_trainable=0)
    assert Resizing(2, 3)(np.ones((4, 4, 1), "uint8")).dtype == "float32"
    with pytest.raises(ValueError, match="`height` must be a positive int"):
        Resizing(0, 3)
    with pytest.raises(ValueError, match="unknown interpolation 'cubic'.*Known values"):
        Resizing(2, 2, interpolation="cubic")


def test_center_crop_values_and_upscaling_matches_keras():
    x = np.arange(16.0).reshape(4, 4, 1)
    np.testing.assert_allclose(_np(CenterCrop(2, 2)(x))[..., 0], [[5, 6], [9, 10]])
    np.testing.assert_allclose(_np(CenterCrop(2, 3)(x))[..., 0], x[1:3, 0:3, 0])
    out = CenterCrop(5, 4)(IMAGE)  # larger than the image: crop to aspect ratio, then resize
    np.testing.assert_allclose(_np(out)[..., 0], KERAS_CENTER_CROP_UPSCALED, atol=1e-3)
    first = CenterCrop(2, 2, data_format="channels_first")(np.moveaxis(x, -1, 0))
    np.testing.assert_allclose(_np(first)[0], [[5, 6], [9, 10]])
    layer_checks.check_layer(CenterCrop, {"height": 2, "width": 2}, input_shape=(2, 4, 4, 1),
                             expected_output_shape=(2, 2, 2, 1), expected_trainable=0)


def test_random_crop_is_a_window_and_inference_center_crops():
    x = np.arange(5 * 6, dtype="float32").reshape(5, 6, 1)
    layer = RandomCrop(3, 4, seed=3)
    out = _np(layer(x))[..., 0]
    windows = [x[i:i + 3, j:j + 4, 0] for i in range(3) for j in range(3)]
    assert any(np.array_equal(out, w) for w in windows)
    seen = {tuple(_np(layer(x)).ravel()[:1]) for _ in range(12)}
    assert len(seen) > 1
    inference = _np(RandomCrop(3, 4)(x, training=False))[..., 0]
    expected = np.asarray(ops.image.resize(x[0:5, 0:6][:, :, :], (3, 4),
                                           crop_to_aspect_ratio=True))[..., 0]
    np.testing.assert_allclose(inference, expected, atol=1e-5)
    np.testing.assert_allclose(_np(RandomCrop(3, 2)(np.ones((3, 2, 1)))), np.ones((3, 2, 1)))
    assert RandomCrop(3, 4)(KerasTensor((None, 5, 6, 1))).shape == (None, 3, 4, 1)


def test_random_flip_fixed_transformation_matches_keras():
    layer = RandomFlip("horizontal_and_vertical")
    out = layer._flip(ops.convert_to_tensor(BATCH), ops.convert_to_tensor([True, False]))
    np.testing.assert_allclose(_np(out)[..., 0], KERAS_FLIP)
    horizontal = RandomFlip("horizontal")._flip(ops.convert_to_tensor(BATCH),
                                                ops.convert_to_tensor([True, False]))
    np.testing.assert_allclose(_np(horizontal)[0], BATCH[0, :, ::-1])
    vertical = RandomFlip("vertical", data_format="channels_first")
    first = np.moveaxis(BATCH, -1, 1)
    out = vertical._flip(ops.convert_to_tensor(first), ops.convert_to_tensor([True, True]))
    np.testing.assert_allclose(_np(out), first[:, :, ::-1, :])


def test_random_flip_draws_both_outcomes_and_is_identity_at_inference():
    layer = RandomFlip("horizontal", seed=1)
    x = np.arange(2 * 8, dtype="float32").reshape(8, 1, 2, 1)
    outs = _np(layer(x))
    flipped = [np.array_equal(o, xi[:, ::-1]) for o, xi in zip(outs, x)]
    kept = [np.array_equal(o, xi) for o, xi in zip(outs, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    np.testing.assert_array_equal(_np(RandomFlip(seed=2)(x[0]))[None].shape, x[:1].shape)


def test_rotation_rows_and_output_match_keras():
    rows = image._affine_rows(ops.convert_to_tensor([30.0, -45.0]), 5, 5)
    np.testing.assert_allclose(_np(rows), KERAS_ROTATION_ROWS, atol=1e-5)
    out = ops.image.affine_transform(BATCH, rows, fill_mode="reflect")
    np.testing.assert_allclose(_np(out)[..., 0], KERAS_ROTATED, atol=1e-3)


def test_random_rotation_angle_range_and_fill():
    layer = RandomRotation((0.25, 0.25), fill_mode="constant", interpolation="nearest")
    x = np.arange(9, dtype="float32").reshape(3, 3, 1)
    np.testing.assert_allclose(_np(layer(x))[..., 0], np.rot90(x[..., 0]), atol=1e-4)
    zero = RandomRotation(0.0, seed=0)
    np.testing.assert_allclose(_np(zero(BATCH)), BATCH, atol=1e-4)
    assert layer.get_config()["factor"] == (0.25, 0.25)


def test_zoom_and_translation_match_keras_for_fixed_draws():
    zoom = RandomZoom(0.3, fill_mode="constant")
    rows = image._columns([1.1, 0.9], [0.0, 0.0], [-0.2, 0.2], [0.0, 0.0], [0.8, 1.25],
                          [0.4, -0.5], [0.0, 0.0], [0.0, 0.0])
    out = ops.image.affine_transform(BATCH, rows, fill_mode=zoom.fill_mode)
    np.testing.assert_allclose(_np(out)[..., 0], KERAS_ZOOMED, atol=1e-3)
    shift = image._columns([1.0, 1.0], [0.0, 0.0], [-1.0, 0.5], [0.0, 0.0], [1.0, 1.0],
                           [2.0, -1.5], [0.0, 0.0], [0.0, 0.0])
    out = ops.image.affine_transform(BATCH, shift, fill_mode="nearest")
    np.testing.assert_allclose(_np(out)[..., 0], KERAS_TRANSLATED, atol=1e-3)


def test_random_zoom_and_translation_layers_use_their_ranges():
    x = np.ones((2, 4, 4, 1), "float32")
    fixed_zoom = RandomZoom((0.5, 0.5), fill_mode="constant")  # scale 1.5: zoom out
    out = _np(fixed_zoom(x))
    # Output (0, 0) reads input (-0.75, -0.75): bilinear weight 0.25 * 0.25 on the one pixel in.
    np.testing.assert_allclose(out[:, 0, 0, 0], 0.0625, rtol=1e-5)
    assert out[:, 2, 2, 0].min() == 1.0
    fixed_shift = RandomTranslation((0.5, 0.5), (0.0, 0.0), fill_mode="constant")
    out = _np(fixed_shift(np.arange(16, dtype="float32").reshape(4, 4, 1)))[..., 0]
    np.testing.assert_allclose(out[2:], np.arange(8).reshape(2, 4))  # moved down 2 rows
    np.testing.assert_allclose(out[:2], 0.0)
    with pytest.raises(ValueError, match=r"`height_factor` must be a number or a pair"):
        RandomZoom(-1.0)
    with pytest.raises(ValueError, match="`width_factor`"):
        RandomTranslation(0.1, 2.0)


def test_contrast_and_brightness_formulas():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, size=(3, 4, 4, 3)).astype("float32")
    layer = RandomContrast((0.5, 0.5), seed=1)
    out = _np(layer(x))
    mean = x.mean(axis=(1, 2), keepdims=True)
    # With factor (0.5, 0.5) the contrast c is drawn in [0.5, 1.5]; recover it per image.
    for o, xi, m in zip(out, x, mean):
        c = ((o - m) / (xi - m)).ravel()
        inside = (o > 0) & (o < 255)
        c = c[inside.ravel()]
        assert np.allclose(c, c[0], atol=1e-3) and 0.5 <= c[0] <= 1.5
    assert RandomContrast(0.5).factor == (0, 0.5)  # Keras 3: a number f means (0, f)
    bright = RandomBrightness((0.1, 0.1), value_range=(0, 1))
    np.testing.assert_allclose(_np(bright(np.full((2, 2, 1), 0.5, "float32"))), 0.6, rtol=1e-6)
    np.testing.assert_allclose(_np(bright(np.full((2, 2, 1), 0.95, "float32"))), 1.0)
    np.testing.assert_array_equal(_np(bright(x, training=False)), x)
    with pytest.raises(ValueError, match="`factor` must be a number or a pair"):
        RandomContrast(1.5)
    with pytest.raises(ValueError, match="`value_range`"):
        RandomBrightness(0.1, value_range=(0,))


@pytest.mark.parametrize("cls, kwargs", [
    (RandomFlip, {}), (RandomRotation, {"factor": 0.2}),
    (RandomTranslation, {"height_factor": 0.2, "width_factor": 0.1}),
    (RandomZoom, {"height_factor": 0.2, "width_factor": (-0.1, 0.3)}),
    (RandomContrast, {"factor": 0.3}), (RandomBrightness, {"factor": 0.2}),
    (RandomCrop, {"height": 3, "width": 3}),
])
def test_random_layers_contract(cls, kwargs):
    layer = cls(seed=7, **kwargs)
    out = layer(KerasTensor((None, 4, 4, 3)))
    assert out.shape == (None, 3 if cls is RandomCrop else 4, 3 if cls is RandomCrop else 4, 3)
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    assert tuple(layer(x[0]).shape) == tuple(out.shape[1:])
    clone = cls.from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    # Inside a compiled step the seed state advances through the stateless scope.
    state = [v.value for v in layer.non_trainable_variables]
    step = lamina.backend.transforms.jit(
        lambda s, x: layer.stateless_call([], s, x, training=True))
    out1, state1 = step(state, x)
    out2, _ = step(state1, x)
    assert tuple(out1.shape) == tuple(layer(x).shape)
    if cls not in (RandomCrop,):
        assert not np.allclose(_np(out1), _np(out2))
    channels_first = cls(seed=7, data_format="channels_first", **kwargs)
    assert channels_first(KerasTensor((None, 3, 4, 4))).shape[1] == 3


def test_augmentation_in_fit_and_identity_in_predict():
    model = lamina.Sequential([lamina.layers.Input((4, 4, 1)), RandomFlip(seed=0),
                               RandomBrightness(0.1, value_range=(0, 1), seed=0),
                               lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).uniform(size=(4, 4, 4, 1)).astype("float32")
    model.fit(x, np.zeros((4, 1)), epochs=1, verbose=0)
    dense = model.layers[-1]
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), x.reshape(4, -1) @ kernel + bias,
                               rtol=1e-5, atol=1e-5)


def test_dict_inputs_and_gradients():
    layer = RandomBrightness((0.1, 0.1), value_range=(0, 10))
    out = layer({"images": np.full((2, 2, 1), 1.0, "float32"), "labels": np.array([3])})
    np.testing.assert_allclose(_np(out["images"]), 2.0)
    assert out["labels"].tolist() == [3]
    with pytest.raises(NotImplementedError, match="bounding_boxes"):
        layer({"images": np.ones((2, 2, 1)), "bounding_boxes": {}})
    rotate = RandomRotation((0.1, 0.1), fill_mode="constant", dtype="float64")
    with gradcheck.float64_mode():
        gradcheck.check_grads(lambda x: ops.sum(rotate(x) ** 2),
                              [np.random.default_rng(1).normal(size=(3, 3, 1))])
