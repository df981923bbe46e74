import numpy as np

from lamina import ops
from lamina.layers.preprocessing.image_regional import RandomErasing, RandomGaussianBlur
from tests.layers.preprocessing._image_cases import X, random_batch, to_numpy

# Keras 3.15 (JAX backend) outputs: transform_images on X with the fixed sigmas given in the test.
KERAS_BLUR = [[46.794, 76.7536, 94.1372, 51.7748], [74.913, 103.1604, 109.2127, 67.1651],
              [71.2482, 93.8648, 86.7236, 62.4069]]


def test_erasing_fills_the_box():
    x = random_batch(shape=(2, 4, 4, 3))
    masks = np.zeros((2, 4, 4, 1), bool)
    masks[0, 1:3, 2:4] = True
    params = {"masks": masks, "apply": ops.convert_to_tensor([True, True]),
              "fill": np.full(x.shape, 9.0, "float32")}
    out = to_numpy(RandomErasing()._apply(ops.convert_to_tensor(x), params))
    expected = x.copy()
    expected[0, 1:3, 2:4] = 9.0
    np.testing.assert_array_equal(out, expected)
    layer = RandomErasing(factor=(1.0, 1.0), scale=(0.25, 0.25), fill_value=(1.0, 2.0, 3.0),
                          seed=4)
    out = to_numpy(layer(np.full((1, 8, 8, 3), 100.0, "float32")))
    erased = out[0, ..., 0] == 1.0
    assert erased.sum() == 16 and (out[0][erased] == [1.0, 2.0, 3.0]).all()  # a 4x4 box
    rows, cols = np.nonzero(erased)
    assert rows.max() - rows.min() == 3 and cols.max() - cols.min() == 3


def test_gaussian_blur_matches_keras():
    one = ops.convert_to_tensor(X[..., :1])
    blur = RandomGaussianBlur(kernel_size=(3, 5))
    params = {"apply": ops.convert_to_tensor([True]), "sigma": ops.convert_to_tensor([0.7, 1.2])}
    np.testing.assert_allclose(to_numpy(blur._apply(one, params))[0, ..., 0], KERAS_BLUR, atol=1e-3)
