import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.layers.preprocessing import image_more
from lamina.layers.preprocessing.image import RandomFlip
from lamina.layers.preprocessing.image_more import (
    AugMix,
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    CutMix,
    Equalization,
    MaxNumBoundingBoxes,
    MixUp,
    Pipeline,
    RandAugment,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomElasticTransform,
    RandomErasing,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPerspective,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    Solarization,
)
from lamina.layers.preprocessing.numerical import Rescaling
from lamina.ops.symbolic import KerasTensor

X = (np.arange(36) * 37 % 256).reshape(1, 3, 4, 3).astype("float32")  # one RGB image
G = (np.arange(16) * 53 % 256).reshape(1, 4, 4, 1).astype("float32")
G2 = (np.arange(15) * 71 % 256).reshape(1, 3, 5, 1).astype("float32")
GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140], "float32")

# Keras 3.15 (JAX backend) outputs: the deterministic layers on X / G / G2, and the random
# layers' transform_images with the fixed transformation given in each test.
KERAS_EQUALIZATION = [[[[0.0, 51.0, 102.0], [128.0, 178.0, 230.0], [255.0, 0.0, 51.0],
                        [76.0, 128.0, 178.0]],
                       [[204.0, 255.0, 0.0], [26.0, 76.0, 128.0], [153.0, 204.0, 255.0],
                        [0.0, 51.0, 102.0]],
                       [[128.0, 178.0, 230.0], [255.0, 0.0, 51.0], [76.0, 128.0, 178.0],
                        [204.0, 255.0, 0.0]]]]
KERAS_CLAHE = [[0.0, 55.0767, 106.8209, 161.2586], [212.7632, 10.349, 62.9791, 116.794],
               [167.5413, 221.7017, 18.3547, 72.3293], [122.5825, 177.3353, 230.5882, 29.3645]]
KERAS_CLAHE_PAD = [[0.0, 69.407, 143.245, 213.9589, 29.4971],
                   [99.239, 172.7081, 242.0756, 56.0123, 130.0268],
                   [199.5799, 14.1761, 84.5986, 155.4894, 227.1047]]
KERAS_HUE = [[[29.6, 0.0, 74.0], [140.6, 111.0, 185.0], [222.0, 163.1, 3.0],
              [106.6, 77.0, 151.0]],
             [[6.0, 225.0, 21.1], [72.6, 43.0, 117.0], [183.6, 154.0, 228.0], [38.6, 9.0, 83.0]],
             [[149.6, 120.0, 194.0], [231.0, 172.1, 12.0], [115.6, 86.0, 160.0],
              [15.0, 234.0, 30.1]]]
KERAS_SATURATION = [[[44.4, 59.2, 74.0], [155.4, 170.2, 185.0], [222.0, 134.4, 149.2],
                     [121.4, 136.2, 151.0]],
                    [[210.2, 225.0, 137.4], [87.4, 102.2, 117.0], [198.4, 213.2, 228.0],
                     [53.4, 68.2, 83.0]],
                    [[164.4, 179.2, 194.0], [231.0, 143.4, 158.2], [130.4, 145.2, 160.0],
                     [219.2, 234.0, 146.4]]]
KERAS_SHEAR = [[0.0, 111.0, 222.0, 77.0], [144.5, 89.9, 137.7, 49.8],
               [186.6, 137.12, 118.36, 84.2]]
KERAS_PERSPECTIVE = [[0.0, 65.0883, 141.7994, 206.9095], [136.1682, 89.5605, 98.6507, 103.4274],
                     [147.3402, 171.8174, 142.4921, 130.882]]
KERAS_BLUR = [[46.794, 76.7536, 94.1372, 51.7748], [74.913, 103.1604, 109.2127, 67.1651],
              [71.2482, 93.8648, 86.7236, 62.4069]]
KERAS_AUTOCONTRAST_01 = [[0.0, 0.4805, 0.961, 0.3333], [0.8139, 0.1861, 0.6667, 0.039],
                         [0.5195, 1.0, 0.3723, 0.8528]]

# Every random layer, with arguments that make it change its input.
RANDOM_LAYERS = [
    (AugMix, {"num_chains": 1, "chain_depth": 1, "all_ops": False}),
    (CutMix, {}),
    (MixUp, {"alpha": 1.0}),
    (RandAugment, {"num_ops": 2, "factor": 0.8}),
    (RandomColorDegeneration, {"factor": 0.8}),
    (RandomColorJitter, {"brightness_factor": 0.3, "contrast_factor": 0.3,
                         "saturation_factor": 0.4, "hue_factor": 0.3}),
    (RandomElasticTransform, {"factor": (1.0, 1.0)}),
    (RandomErasing, {"factor": (1.0, 1.0), "scale": (0.3, 0.5)}),
    (RandomGaussianBlur, {"factor": (1.0, 1.0)}),
    (RandomGrayscale, {"factor": 1.0}),
    (RandomHue, {"factor": 0.8}),
    (RandomInvert, {"factor": (1.0, 1.0)}),
    (RandomPerspective, {"factor": (1.0, 1.0)}),
    (RandomPosterization, {"factor": (2, 2)}),
    (RandomSaturation, {"factor": 0.8}),
    (RandomSharpness, {"factor": (0.0, 0.2)}),
    (RandomShear, {"x_factor": 0.5, "y_factor": 0.5}),
    (Solarization, {"threshold_factor": (0.5, 0.5)}),
]
DETERMINISTIC_LAYERS = [
    (AutoContrast, {}),
    (ContrastLimitedAdaptiveHistogramEqualization, {"tile_grid_size": (2, 2)}),
    (Equalization, {}),
]
ALL_LAYERS = RANDOM_LAYERS + DETERMINISTIC_LAYERS


def _np(x):
    return lamina.backend.convert_to_numpy(x)


def _batch(seed=0, shape=(4, 6, 6, 3)):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def _ids(params):
    return [cls.__name__ for cls, _ in params]


# -- deterministic layers against Keras and NumPy ---------------------------------------------
def test_auto_contrast_matches_numpy_and_keras():
    x = _batch()
    low, high = x.min(axis=(1, 2), keepdims=True), x.max(axis=(1, 2), keepdims=True)
    expected = (x - low) * 255.0 / (high - low)
    np.testing.assert_allclose(_np(AutoContrast()(x)), expected, atol=1e-3)
    np.testing.assert_allclose(_np(AutoContrast()(x, training=False)), expected, atol=1e-3)
    first = AutoContrast(data_format="channels_first")(np.moveaxis(x, -1, 1))
    np.testing.assert_allclose(_np(first), np.moveaxis(expected, -1, 1), atol=1e-3)
    out = AutoContrast(value_range=(0, 1))(X[0, ..., :1] / 510.0)
    np.testing.assert_allclose(_np(out)[..., 0], KERAS_AUTOCONTRAST_01, atol=1e-4)
    constant = np.full((3, 3, 1), 7.0, "float32")  # nothing to stretch: unchanged
    np.testing.assert_array_equal(_np(AutoContrast()(constant)), constant)


def test_equalization_matches_keras_and_keeps_single_value_channels():
    np.testing.assert_allclose(_np(Equalization(bins=8)(X)), KERAS_EQUALIZATION, atol=1e-4)
    scaled = Equalization(bins=8, value_range=(0, 1))(X / 255.0)
    np.testing.assert_allclose(_np(scaled), np.array(KERAS_EQUALIZATION) / 255.0, atol=1e-5)
    constant = np.full((2, 3, 3, 1), 100.0, "float32")
    np.testing.assert_array_equal(_np(Equalization()(constant)), constant)
    np.testing.assert_array_equal(_np(Equalization()(X, training=False)), X)


def test_equalization_spreads_a_two_level_image():
    x = np.array([[[10.0], [10.0]], [[20.0], [20.0]]], "float32")  # half 10s, half 20s
    # cdf = [2, 4] over bins 10 and 20: the lookup maps 10 -> 0 and 20 -> 255.
    np.testing.assert_allclose(_np(Equalization()(x))[..., 0], [[0.0, 0.0], [255.0, 255.0]])


def test_clahe_matches_keras_with_and_without_padding():
    out = ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2), clip_limit=1.5)(G)
    np.testing.assert_allclose(_np(out)[0, ..., 0], KERAS_CLAHE, atol=1e-3)
    padded = ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))(G2[0])
    np.testing.assert_allclose(_np(padded)[..., 0], KERAS_CLAHE_PAD, atol=1e-3)
    first = ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(2, 2), clip_limit=1.5, data_format="channels_first",
        value_range=(0, 1))(np.moveaxis(G, -1, 1) / 255.0, training=False)
    np.testing.assert_allclose(_np(first)[0, 0] * 255.0, KERAS_CLAHE, atol=1e-3)


# -- random layers on fixed parameters, against Keras and NumPy -----------------------------------
def test_solarization_formula():
    np.testing.assert_allclose(_np(Solarization()(X)), 255.0 - X)  # defaults invert all
    params = {"additions": ops.convert_to_tensor([30.0]),
              "thresholds": ops.convert_to_tensor([128.0])}
    out = Solarization(value_range=(0, 1))._apply(ops.convert_to_tensor(X / 255.0), params)
    shifted = np.clip(X + 30.0, 0, 255)
    np.testing.assert_allclose(_np(out) * 255.0, np.where(shifted < 128, shifted,
                                                          255 - shifted), atol=1e-3)


def test_random_invert_and_grayscale_formulas():
    x = _batch(shape=(2, 3, 3, 3))
    np.testing.assert_allclose(_np(RandomInvert((1.0, 1.0))(x)), 255.0 - x)
    np.testing.assert_array_equal(_np(RandomInvert((0.0, 0.0))(x)), x)
    out = RandomInvert(value_range=(0, 1))._apply(ops.convert_to_tensor(x / 255.0),
                                                  ops.convert_to_tensor([True, False]))
    np.testing.assert_allclose(_np(out), [1 - x[0] / 255.0, x[1] / 255.0], atol=1e-6)
    gray = x @ GRAY_WEIGHTS
    out = _np(RandomGrayscale(1.0)(x))
    np.testing.assert_allclose(out, np.repeat(gray[..., None], 3, axis=-1), atol=1e-3)
    np.testing.assert_array_equal(_np(RandomGrayscale(0.0)(x)), x)


def test_color_degeneration_formula():
    x = _batch(shape=(2, 3, 3, 3))
    out = RandomColorDegeneration(0.5)._apply(ops.convert_to_tensor(x),
                                              ops.convert_to_tensor([0.3, -0.5]))
    gray = (x @ GRAY_WEIGHTS)[..., None]
    factor = np.array([0.3, -0.5]).reshape(2, 1, 1, 1)
    np.testing.assert_allclose(_np(out), np.clip(x + factor * (gray - x), 0, 255), atol=1e-3)


def test_hue_and_saturation_match_keras():
    images = ops.convert_to_tensor(X)
    hue = RandomHue(0.5)._apply(images, ops.convert_to_tensor([0.15]))
    np.testing.assert_allclose(_np(hue)[0], KERAS_HUE, atol=0.05)
    first = RandomHue(0.5, data_format="channels_first")._apply(
        ops.convert_to_tensor(np.moveaxis(X, -1, 1)), ops.convert_to_tensor([0.15]))
    np.testing.assert_allclose(np.moveaxis(_np(first), 1, -1)[0], KERAS_HUE, atol=0.05)
    saturation = RandomSaturation(0.5)._apply(images, ops.convert_to_tensor([0.4]))
    np.testing.assert_allclose(_np(saturation)[0], KERAS_SATURATION, atol=0.05)
    same = RandomSaturation(0.5)._apply(images, ops.convert_to_tensor([1.0]))
    np.testing.assert_allclose(_np(same), X, atol=1e-3)


def test_sharpness_formula():
    x = _batch(shape=(2, 4, 5, 3))
    factor = np.array([0.2, 0.9], "float32")
    out = RandomSharpness(0.5)._apply(ops.convert_to_tensor(x), ops.convert_to_tensor(factor))
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], "float32") / 13.0
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)])
    smooth = sum(kernel[i, j] * padded[:, i:i + 4, j:j + 5] for i in range(3) for j in range(3))
    strength = (1.0 - 2.0 * factor).reshape(2, 1, 1, 1)
    np.testing.assert_allclose(_np(out), np.clip(x + strength * (smooth - x), 0, 255), atol=1e-3)


def test_posterization_keeps_top_bits():
    x = np.array([[[[200.0], [77.0], [255.0], [3.0]]]], "float32")
    out = RandomPosterization(4)._apply(ops.convert_to_tensor(np.concatenate([x, x])),
                                        ops.convert_to_tensor([4, 6]))
    np.testing.assert_allclose(_np(out)[0], (x[0].astype(int) >> 4) << 4)
    np.testing.assert_allclose(_np(out)[1], (x[0].astype(int) >> 6) << 6)
    bits = _np(RandomPosterization((1, 5), seed=3)._draw(ops.ones((64, 1, 1, 1))))
    assert set(np.unique(8 - bits)) == {1, 2, 3, 4}  # randint's upper bound is exclusive


def test_shear_perspective_and_blur_match_keras():
    one = ops.convert_to_tensor(X[..., :1])
    sheared = RandomShear(0.3, 0.3)._apply(one, ops.convert_to_tensor([[0.3, -0.2]]))
    np.testing.assert_allclose(_np(sheared)[0, ..., 0], KERAS_SHEAR, atol=1e-3)
    start = np.array([[[0.0, 0.0], [3.0, 0.0], [0.0, 2.0], [3.0, 2.0]]], "float32")
    shift = np.array([[[0.1, -0.2], [0.3, 0.1], [-0.2, 0.2], [0.1, -0.1]]], "float32")
    params = {"apply": ops.convert_to_tensor([True]), "start": start,
              "end": start + start * shift}
    warped = RandomPerspective()._apply(one, params)
    np.testing.assert_allclose(_np(warped)[0, ..., 0], KERAS_PERSPECTIVE, atol=1e-3)
    blur = RandomGaussianBlur(kernel_size=(3, 5))
    params = {"apply": ops.convert_to_tensor([True]), "sigma": ops.convert_to_tensor([0.7, 1.2])}
    np.testing.assert_allclose(_np(blur._apply(one, params))[0, ..., 0], KERAS_BLUR, atol=1e-3)


def test_erasing_fills_the_box():
    x = _batch(shape=(2, 4, 4, 3))
    masks = np.zeros((2, 4, 4, 1), bool)
    masks[0, 1:3, 2:4] = True
    params = {"masks": masks, "apply": ops.convert_to_tensor([True, True]),
              "fill": np.full(x.shape, 9.0, "float32")}
    out = _np(RandomErasing()._apply(ops.convert_to_tensor(x), params))
    expected = x.copy()
    expected[0, 1:3, 2:4] = 9.0
    np.testing.assert_array_equal(out, expected)
    layer = RandomErasing(factor=(1.0, 1.0), scale=(0.25, 0.25), fill_value=(1.0, 2.0, 3.0),
                          seed=4)
    out = _np(layer(np.full((1, 8, 8, 3), 100.0, "float32")))
    erased = out[0, ..., 0] == 1.0
    assert erased.sum() == 16 and (out[0][erased] == [1.0, 2.0, 3.0]).all()  # a 4x4 box
    rows, cols = np.nonzero(erased)
    assert rows.max() - rows.min() == 3 and cols.max() - cols.min() == 3


def test_mixup_and_cutmix_mix_images_and_labels():
    x = _batch(shape=(3, 4, 4, 1))
    labels = np.eye(3, dtype="float32")
    params = {"permutation": ops.convert_to_tensor([2, 0, 1]),
              "label_weight": ops.convert_to_tensor([0.25, 0.5, 1.0])}
    mixup = MixUp()
    w = np.array([0.25, 0.5, 1.0]).reshape(3, 1, 1, 1)
    np.testing.assert_allclose(_np(mixup._apply(ops.convert_to_tensor(x), params)),
                               w * x + (1 - w) * x[[2, 0, 1]], atol=1e-4)
    np.testing.assert_allclose(_np(mixup._mix_labels(ops.convert_to_tensor(labels), params)),
                               w[:, :, 0, 0] * labels + (1 - w[:, :, 0, 0]) * labels[[2, 0, 1]])
    masks = np.zeros((3, 4, 4, 1), bool)
    masks[:, :2, :2] = True
    cut = _np(CutMix()._apply(ops.convert_to_tensor(x), {**params, "masks": masks}))
    np.testing.assert_array_equal(cut, np.where(masks, x[[2, 0, 1]], x))
    out = MixUp(alpha=0.5, seed=2)({"images": x, "labels": labels})
    np.testing.assert_allclose(_np(out["labels"]).sum(axis=1), 1.0, rtol=1e-5)
    out = CutMix(seed=5)({"images": x, "labels": labels})
    np.testing.assert_allclose(_np(out["labels"]).sum(axis=1), 1.0, rtol=1e-5)
    # The label weight is the share of the image outside the box: the pixel count's share up
    # to the box's fractional edges (at most one pixel row and column each side).
    params = CutMix(seed=6)._draw(ops.zeros((8, 16, 16, 1)))
    outside = 1.0 - _np(params["masks"]).mean(axis=(1, 2, 3))
    assert np.all(np.abs(outside - _np(params["label_weight"])) <= 4 / 16)
    assert sorted(_np(params["permutation"]).tolist()) == list(range(8))
    single = _batch(shape=(4, 4, 3))
    np.testing.assert_array_equal(_np(CutMix(seed=1)(single)), single)


def test_elastic_transform_moves_pixels_within_range():
    x = _batch(shape=(2, 10, 10, 1))
    layer = RandomElasticTransform(factor=(1.0, 1.0), scale=(1.0, 1.0), seed=3,
                                   value_range=(0, 255))
    out = _np(layer(x))
    assert not np.allclose(out, x) and out.min() >= 0 and out.max() <= 255
    assert abs(out.mean() - x.mean()) < 30  # a warp moves pixels, it does not rescale them
    still = RandomElasticTransform(factor=(1.0, 1.0), scale=0.0, seed=3)
    np.testing.assert_array_equal(_np(still(x)), x)


def test_max_num_bounding_boxes_pads_and_truncates():
    boxes = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)
    labels = np.array([[1, 2, 3], [4, 5, 6]], "int32")
    data = {"images": np.ones((2, 4, 4, 3)), "bounding_boxes": {"boxes": boxes,
                                                                "labels": labels}}
    out = MaxNumBoundingBoxes(5, fill_value=-2)(data)["bounding_boxes"]
    np.testing.assert_array_equal(_np(out["boxes"])[:, :3], boxes)
    np.testing.assert_array_equal(_np(out["boxes"])[:, 3:], -2)
    np.testing.assert_array_equal(_np(out["labels"]), [[1, 2, 3, -2, -2], [4, 5, 6, -2, -2]])
    cut = MaxNumBoundingBoxes(2)(data)["bounding_boxes"]
    np.testing.assert_array_equal(_np(cut["boxes"]), boxes[:, :2])
    single = MaxNumBoundingBoxes(4)({"bounding_boxes": {"boxes": boxes[0],
                                                        "labels": labels[0]}})
    assert tuple(single["bounding_boxes"]["boxes"].shape) == (4, 4)
    shapes = MaxNumBoundingBoxes(4).compute_output_shape(
        {"images": (2, 4, 4, 3), "bounding_boxes": {"boxes": (2, 3, 4), "labels": (2, 3)}})
    assert shapes["bounding_boxes"] == {"boxes": (2, 4, 4), "labels": (2, 4)}
    np.testing.assert_array_equal(_np(MaxNumBoundingBoxes(2)(np.ones((2, 2)))), 1.0)
    with pytest.raises(KeyError, match="unsupported keys"):
        MaxNumBoundingBoxes(2)({"bounding_boxes": {"boxes": boxes, "labels": labels,
                                                   "scores": labels}})


# -- contract of every layer: inference, seeds, shapes, configs, tracing --------------------------
@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=_ids(RANDOM_LAYERS))
def test_random_layer_identity_at_inference_and_changes_in_training(cls, kwargs):
    x = _batch()
    layer = cls(seed=7, **kwargs)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    changed = any(not np.allclose(_np(layer(x)), x, atol=1e-3) for _ in range(3))
    assert changed


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=_ids(RANDOM_LAYERS))
def test_random_layer_seeded_reproducibility(cls, kwargs):
    x = _batch(1)
    first, second = cls(seed=11, **kwargs), cls(seed=11, **kwargs)
    a1, a2 = _np(first(x)), _np(first(x))
    np.testing.assert_allclose(a1, _np(second(x)), atol=1e-5)
    np.testing.assert_allclose(a2, _np(second(x)), atol=1e-5)


@pytest.mark.parametrize("cls, kwargs", ALL_LAYERS, ids=_ids(ALL_LAYERS))
def test_shapes_for_both_formats_batched_and_unbatched(cls, kwargs):
    x = _batch(2, shape=(2, 5, 6, 3))
    first = np.moveaxis(x, -1, 1)
    assert tuple(cls(**kwargs)(x).shape) == x.shape
    layer = cls(data_format="channels_first", **kwargs)
    assert tuple(layer(first).shape) == first.shape
    assert tuple(layer(first[0]).shape) == first[0].shape
    last = cls(data_format="channels_last", **kwargs)
    assert tuple(last(x[0]).shape) == x[0].shape
    assert last(KerasTensor((None, 5, 6, 3))).shape == (None, 5, 6, 3)
    assert tuple(last.compute_output_shape((2, 5, 6, 3))) == (2, 5, 6, 3)


@pytest.mark.parametrize("cls, kwargs", ALL_LAYERS, ids=_ids(ALL_LAYERS))
def test_config_round_trip(cls, kwargs):
    layer = cls(data_format="channels_first", **kwargs)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    assert config["data_format"] == "channels_first"
    if (cls, kwargs) in DETERMINISTIC_LAYERS:
        assert "seed" not in config
        x = _batch(3, shape=(1, 3, 6, 6))
        np.testing.assert_allclose(_np(clone(x)), _np(layer(x)), atol=1e-5)


@pytest.mark.parametrize("cls, kwargs", [
    (RandomHue, {"factor": 0.5}), (RandomErasing, {}), (CutMix, {}), (Equalization, {}),
    (RandomElasticTransform, {}), (RandomPosterization, {"factor": 4}), (RandomShear, {}),
    (RandomGaussianBlur, {}), (RandomPerspective, {}), (AugMix, {"num_chains": 2}),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_runs_compiled_and_advances_its_seed(cls, kwargs):
    layer = cls(**kwargs) if cls is Equalization else cls(seed=3, **kwargs)
    x = _batch(4, shape=(2, 4, 4, 3))
    for sub in getattr(layer, "augmenters", ()):  # each is compiled in its own case
        _stub(sub, 50.0)

    def step(non_trainable, images):
        return layer.stateless_call([], non_trainable, images, training=True)

    values = [v.value for v in layer.non_trainable_variables]
    out, new_values = lamina.backend.transforms.jit(step)(values, x)
    assert tuple(out.shape) == x.shape and np.isfinite(_np(out)).all()
    if cls is not Equalization:  # the random ones draw: their seed state moves on
        assert any(not np.array_equal(_np(a), _np(b)) for a, b in zip(values, new_values))


def test_layers_pass_other_dict_entries_through():
    x = _batch(shape=(2, 4, 4, 3))
    labels = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    out = RandomHue(0.5, seed=1)({"images": x, "labels": labels})
    np.testing.assert_array_equal(_np(out["labels"]), labels)
    with pytest.raises(ValueError, match="'images' entry"):
        RandomInvert()({"pixels": x})


def test_color_jitter_with_no_factors_is_identity_and_chains_steps():
    x = _batch()
    np.testing.assert_array_equal(_np(RandomColorJitter()(x)), x)
    jitter = RandomColorJitter(brightness_factor=(0.2, 0.2), seed=1)
    np.testing.assert_allclose(_np(jitter(x)), np.clip(x + 0.2 * 255, 0, 255), atol=1e-3)
    assert len(RandomColorJitter(hue_factor=0.1, contrast_factor=0.2).layers) == 2


def _stub(layer, value):
    """Make a sub-augmentation return the constant `value` (or its input for None)."""
    object.__setattr__(layer, "_augment", lambda images: images if value is None else
                       ops.add(ops.multiply(images, 0.0), value))


def test_rand_augment_applies_one_drawn_operation_per_step():
    x = _batch(shape=(2, 6, 6, 3))
    layer = RandAugment(num_ops=2, seed=2)
    assert len(layer.augmenters) == 11
    for k, sub in enumerate(layer.augmenters):
        _stub(sub, float(k))
    seen = set()
    for _ in range(8):
        out = _np(layer(x))
        assert np.all(out == out.flat[0]) and out.flat[0] in range(11)
        seen.add(float(out.flat[0]))
    assert len(seen) > 2


def test_aug_mix_weights_form_a_convex_mixture():
    x = _batch(shape=(2, 6, 6, 3))
    layer = AugMix(num_chains=2, chain_depth=1, all_ops=False, seed=4)
    assert len(layer.augmenters) == 7
    out = _np(layer(x))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    for sub in layer.augmenters:
        _stub(sub, None)  # identity augmentations: the mixture must give the input back
    np.testing.assert_allclose(_np(layer(x)), x, rtol=1e-5, atol=1e-3)
    for sub in layer.augmenters:
        _stub(sub, 100.0)  # every chain constant or skipped: between the input and 100
    out = _np(layer(x))
    assert np.all(out >= np.minimum(x, 100.0) - 1e-3) and np.all(out <= np.maximum(x, 100) + 1e-3)


def test_pipeline_applies_layers_in_order_and_round_trips():
    x = np.arange(8, dtype="float32").reshape(1, 2, 2, 2)
    pipe = Pipeline([Rescaling(2.0), Rescaling(1.0, offset=1.0)])
    np.testing.assert_allclose(_np(pipe(x)), 2 * x + 1)
    assert len(pipe.layers) == 2
    config = pipe.get_config()
    assert set(config) == {"layers", "name"}
    clone = Pipeline.from_config(config)
    np.testing.assert_allclose(_np(clone(x)), 2 * x + 1)
    flip = Pipeline([RandomFlip("horizontal", seed=1)])
    np.testing.assert_array_equal(_np(flip(x, training=False)), x)
    flips = [_np(flip(x)) for _ in range(6)]
    assert any(np.array_equal(f, x[:, :, ::-1]) for f in flips)
    with pytest.raises(ValueError, match="list of Layer instances"):
        Pipeline([lambda t: t])
    with pytest.raises(ValueError, match="`layers` list"):
        Pipeline.from_config({"name": "p"})


@pytest.mark.parametrize("make, message", [
    (lambda: RandomHue(1.5), r"`factor` must be a number or a pair of numbers in \[0, 1\]"),
    (lambda: RandomSaturation(0.5, value_range=(0,)), "`value_range` must be a pair"),
    (lambda: RandomGaussianBlur(kernel_size=4), "`kernel_size` must be an odd"),
    (lambda: RandomGaussianBlur(sigma=2.0), r"`sigma` must be a number .* in \[0, 1\]"),
    (lambda: RandomErasing(fill_value=(1, 2)), "`fill_value` must be None"),
    (lambda: RandomShear(x_factor=1.5), "`x_factor`"),
    (lambda: RandomPerspective(scale=2.0), r"`scale` must be a number in \[0, 1\]"),
    (lambda: RandomElasticTransform(fill_mode="edge"), "unknown fill_mode 'edge'.*Known"),
    (lambda: RandomGrayscale(factor=2), r"`factor` must be a number in \[0, 1\]"),
    (lambda: RandomPosterization(9), r"in \[1, 8\]"),
    (lambda: Solarization(addition_factor=-0.1), "`addition_factor`"),
    (lambda: MixUp(alpha=0), "`alpha` must be a positive number"),
    (lambda: RandAugment(num_ops=0), "`num_ops` must be a positive int"),
    (lambda: AugMix(interpolation="cubic"), "unknown interpolation 'cubic'"),
    (lambda: Equalization(bins=0), "`bins` must be a positive int"),
    (lambda: ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(0, 2)),
     "`tile_grid_size` must be a pair of positive ints"),
    (lambda: MaxNumBoundingBoxes(0), "`max_number` must be a positive int"),
    (lambda: RandomInvert(seed="x"), "`seed` must be an int"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rgb_layers_reject_other_channel_counts():
    with pytest.raises(ValueError, match="expects RGB images"):
        RandomHue(0.5).compute_output_shape((2, 4, 4, 4))
    with pytest.raises(ValueError, match="rank-3 image or a rank-4 batch"):
        RandomInvert()(np.ones((4, 4)))


def test_module_exports_every_layer():
    names = ["AugMix", "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix",
             "Equalization", "MaxNumBoundingBoxes", "MixUp", "RandAugment",
             "RandomColorDegeneration", "RandomColorJitter", "RandomElasticTransform",
             "RandomErasing", "RandomGaussianBlur", "RandomGrayscale", "RandomHue",
             "RandomInvert", "RandomPerspective", "RandomPosterization", "RandomSaturation",
             "RandomSharpness", "RandomShear", "Solarization", "Pipeline"]
    assert all(isinstance(getattr(image_more, n), type) for n in names)
