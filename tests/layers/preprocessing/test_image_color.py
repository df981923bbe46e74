import numpy as np
import pytest

from lamina import ops
from lamina.layers.preprocessing.image_color import (
    RandomColorDegeneration,
    RandomColorJitter,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    Solarization,
)
from tests.layers.preprocessing._image_cases import X, random_batch, to_numpy

GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140], "float32")

# Keras 3.15 (JAX backend) outputs: transform_images on X with the fixed transformation
# given in each test.
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


def test_solarization_formula():
    np.testing.assert_allclose(to_numpy(Solarization()(X)), 255.0 - X)  # defaults invert all
    params = {"additions": ops.convert_to_tensor([30.0]),
              "thresholds": ops.convert_to_tensor([128.0])}
    out = Solarization(value_range=(0, 1))._apply(ops.convert_to_tensor(X / 255.0), params)
    shifted = np.clip(X + 30.0, 0, 255)
    np.testing.assert_allclose(to_numpy(out) * 255.0, np.where(shifted < 128, shifted,
                                                          255 - shifted), atol=1e-3)


def test_random_invert_and_grayscale_formulas():
    x = random_batch(shape=(2, 3, 3, 3))
    np.testing.assert_allclose(to_numpy(RandomInvert((1.0, 1.0))(x)), 255.0 - x)
    np.testing.assert_array_equal(to_numpy(RandomInvert((0.0, 0.0))(x)), x)
    out = RandomInvert(value_range=(0, 1))._apply(ops.convert_to_tensor(x / 255.0),
                                                  ops.convert_to_tensor([True, False]))
    np.testing.assert_allclose(to_numpy(out), [1 - x[0] / 255.0, x[1] / 255.0], atol=1e-6)
    gray = x @ GRAY_WEIGHTS
    out = to_numpy(RandomGrayscale(1.0)(x))
    np.testing.assert_allclose(out, np.repeat(gray[..., None], 3, axis=-1), atol=1e-3)
    np.testing.assert_array_equal(to_numpy(RandomGrayscale(0.0)(x)), x)


def test_color_degeneration_formula():
    x = random_batch(shape=(2, 3, 3, 3))
    out = RandomColorDegeneration(0.5)._apply(ops.convert_to_tensor(x),
                                              ops.convert_to_tensor([0.3, -0.5]))
    gray = (x @ GRAY_WEIGHTS)[..., None]
    factor = np.array([0.3, -0.5]).reshape(2, 1, 1, 1)
    np.testing.assert_allclose(to_numpy(out), np.clip(x + factor * (gray - x), 0, 255), atol=1e-3)


def test_hue_and_saturation_match_keras():
    images = ops.convert_to_tensor(X)
    hue = RandomHue(0.5)._apply(images, ops.convert_to_tensor([0.15]))
    np.testing.assert_allclose(to_numpy(hue)[0], KERAS_HUE, atol=0.05)
    first = RandomHue(0.5, data_format="channels_first")._apply(
        ops.convert_to_tensor(np.moveaxis(X, -1, 1)), ops.convert_to_tensor([0.15]))
    np.testing.assert_allclose(np.moveaxis(to_numpy(first), 1, -1)[0], KERAS_HUE, atol=0.05)
    saturation = RandomSaturation(0.5)._apply(images, ops.convert_to_tensor([0.4]))
    np.testing.assert_allclose(to_numpy(saturation)[0], KERAS_SATURATION, atol=0.05)
    same = RandomSaturation(0.5)._apply(images, ops.convert_to_tensor([1.0]))
    np.testing.assert_allclose(to_numpy(same), X, atol=1e-3)


def test_sharpness_formula():
    x = random_batch(shape=(2, 4, 5, 3))
    factor = np.array([0.2, 0.9], "float32")
    out = RandomSharpness(0.5)._apply(ops.convert_to_tensor(x), ops.convert_to_tensor(factor))
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], "float32") / 13.0
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)])
    smooth = sum(kernel[i, j] * padded[:, i:i + 4, j:j + 5] for i in range(3) for j in range(3))
    strength = (1.0 - 2.0 * factor).reshape(2, 1, 1, 1)
    np.testing.assert_allclose(to_numpy(out), np.clip(x + strength * (smooth - x), 0, 255),
                               atol=1e-3)


def test_posterization_keeps_top_bits():
    x = np.array([[[[200.0], [77.0], [255.0], [3.0]]]], "float32")
    out = RandomPosterization(4)._apply(ops.convert_to_tensor(np.concatenate([x, x])),
                                        ops.convert_to_tensor([4, 6]))
    np.testing.assert_allclose(to_numpy(out)[0], (x[0].astype(int) >> 4) << 4)
    np.testing.assert_allclose(to_numpy(out)[1], (x[0].astype(int) >> 6) << 6)
    bits = to_numpy(RandomPosterization((1, 5), seed=3)._draw(ops.ones((64, 1, 1, 1))))
    assert set(np.unique(8 - bits)) == {1, 2, 3, 4}  # randint's upper bound is exclusive


def test_color_jitter_with_no_factors_is_identity_and_chains_steps():
    x = random_batch()
    np.testing.assert_array_equal(to_numpy(RandomColorJitter()(x)), x)
    jitter = RandomColorJitter(brightness_factor=(0.2, 0.2), seed=1)
    np.testing.assert_allclose(to_numpy(jitter(x)), np.clip(x + 0.2 * 255, 0, 255), atol=1e-3)
    assert len(RandomColorJitter(hue_factor=0.1, contrast_factor=0.2).layers) == 2


def test_rgb_layers_reject_other_channel_counts():
    with pytest.raises(ValueError, match="expects RGB images"):
        RandomHue(0.5).compute_output_shape((2, 4, 4, 4))
    with pytest.raises(ValueError, match="rank-3 image or a rank-4 batch"):
        RandomInvert()(np.ones((4, 4)))
