import numpy as np

from lamina import ops
from lamina.layers.preprocessing.image_geometric import (
    RandomElasticTransform,
    RandomPerspective,
    RandomShear,
)
from tests.layers.preprocessing._image_cases import X, random_batch, to_numpy

# Keras 3.15 (JAX backend) outputs: transform_images on X with the fixed transformation
# given in each test.
KERAS_SHEAR = [[0.0, 111.0, 222.0, 77.0], [144.5, 89.9, 137.7, 49.8],
               [186.6, 137.12, 118.36, 84.2]]
KERAS_PERSPECTIVE = [[0.0, 65.0883, 141.7994, 206.9095], [136.1682, 89.5605, 98.6507, 103.4274],
                     [147.3402, 171.8174, 142.4921, 130.882]]


def test_shear_and_perspective_match_keras():
    one = ops.convert_to_tensor(X[..., :1])
    sheared = RandomShear(0.3, 0.3)._apply(one, ops.convert_to_tensor([[0.3, -0.2]]))
    np.testing.assert_allclose(to_numpy(sheared)[0, ..., 0], KERAS_SHEAR, atol=1e-3)
    start = np.array([[[0.0, 0.0], [3.0, 0.0], [0.0, 2.0], [3.0, 2.0]]], "float32")
    shift = np.array([[[0.1, -0.2], [0.3, 0.1], [-0.2, 0.2], [0.1, -0.1]]], "float32")
    params = {"apply": ops.convert_to_tensor([True]), "start": start,
              "end": start + start * shift}
    warped = RandomPerspective()._apply(one, params)
    np.testing.assert_allclose(to_numpy(warped)[0, ..., 0], KERAS_PERSPECTIVE, atol=1e-3)


def test_elastic_transform_moves_pixels_within_range():
    x = random_batch(shape=(2, 10, 10, 1))
    layer = RandomElasticTransform(factor=(1.0, 1.0), scale=(1.0, 1.0), seed=3,
                                   value_range=(0, 255))
    out = to_numpy(layer(x))
    assert not np.allclose(out, x) and out.min() >= 0 and out.max() <= 255
    assert abs(out.mean() - x.mean()) < 30  # a warp moves pixels, it does not rescale them
    still = RandomElasticTransform(factor=(1.0, 1.0), scale=0.0, seed=3)
    np.testing.assert_array_equal(to_numpy(still(x)), x)
