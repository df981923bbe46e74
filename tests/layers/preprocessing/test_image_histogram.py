import numpy as np

from lamina.layers.preprocessing.image_histogram import (
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    Equalization,
)
from tests.layers.preprocessing._image_cases import X, random_batch, to_numpy

G = (np.arange(16) * 53 % 256).reshape(1, 4, 4, 1).astype("float32")
G2 = (np.arange(15) * 71 % 256).reshape(1, 3, 5, 1).astype("float32")

# Keras 3.15 (JAX backend) outputs on X, G and G2.
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
KERAS_AUTOCONTRAST_01 = [[0.0, 0.4805, 0.961, 0.3333], [0.8139, 0.1861, 0.6667, 0.039],
                         [0.5195, 1.0, 0.3723, 0.8528]]


def test_auto_contrast_matches_numpy_and_keras():
    x = random_batch()
    low, high = x.min(axis=(1, 2), keepdims=True), x.max(axis=(1, 2), keepdims=True)
    expected = (x - low) * 255.0 / (high - low)
    np.testing.assert_allclose(to_numpy(AutoContrast()(x)), expected, atol=1e-3)
    np.testing.assert_allclose(to_numpy(AutoContrast()(x, training=False)), expected, atol=1e-3)
    first = AutoContrast(data_format="channels_first")(np.moveaxis(x, -1, 1))
    np.testing.assert_allclose(to_numpy(first), np.moveaxis(expected, -1, 1), atol=1e-3)
    out = AutoContrast(value_range=(0, 1))(X[0, ..., :1] / 510.0)
    np.testing.assert_allclose(to_numpy(out)[..., 0], KERAS_AUTOCONTRAST_01, atol=1e-4)
    constant = np.full((3, 3, 1), 7.0, "float32")  # nothing to stretch: unchanged
    np.testing.assert_array_equal(to_numpy(AutoContrast()(constant)), constant)


def test_equalization_matches_keras_and_keeps_single_value_channels():
    np.testing.assert_allclose(to_numpy(Equalization(bins=8)(X)), KERAS_EQUALIZATION, atol=1e-4)
    scaled = Equalization(bins=8, value_range=(0, 1))(X / 255.0)
    np.testing.assert_allclose(to_numpy(scaled), np.array(KERAS_EQUALIZATION) / 255.0, atol=1e-5)
    constant = np.full((2, 3, 3, 1), 100.0, "float32")
    np.testing.assert_array_equal(to_numpy(Equalization()(constant)), constant)
    np.testing.assert_array_equal(to_numpy(Equalization()(X, training=False)), X)


def test_equalization_spreads_a_two_level_image():
    x = np.array([[[10.0], [10.0]], [[20.0], [20.0]]], "float32")  # half 10s, half 20s
    # cdf = [2, 4] over bins 10 and 20: the lookup maps 10 -> 0 and 20 -> 255.
    np.testing.assert_allclose(to_numpy(Equalization()(x))[..., 0], [[0.0, 0.0], [255.0, 255.0]])


def test_clahe_matches_keras_with_and_without_padding():
    out = ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2), clip_limit=1.5)(G)
    np.testing.assert_allclose(to_numpy(out)[0, ..., 0], KERAS_CLAHE, atol=1e-3)
    padded = ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))(G2[0])
    np.testing.assert_allclose(to_numpy(padded)[..., 0], KERAS_CLAHE_PAD, atol=1e-3)
    first = ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(2, 2), clip_limit=1.5, data_format="channels_first",
        value_range=(0, 1))(np.moveaxis(G, -1, 1) / 255.0, training=False)
    np.testing.assert_allclose(to_numpy(first)[0, 0] * 255.0, KERAS_CLAHE, atol=1e-3)
