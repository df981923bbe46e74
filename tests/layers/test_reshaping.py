import numpy as np
import pytest

import lamina
from lamina import layers
from tests.helpers import layer_checks


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
