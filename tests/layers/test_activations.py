import numpy as np
import pytest

from lamina import layers
from tests.helpers import layer_checks


def test_activation_layer_applies_function():
    x = np.array([[-2.0, 0.5, 3.0]], "float32")
    np.testing.assert_allclose(layers.Activation("sigmoid")(x), 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(layers.Activation("relu")(x), np.maximum(x, 0))


def test_activation_layer_contract():
    layer = layer_checks.check_layer(layers.Activation, {"activation": "tanh"}, (2, 3), (2, 3),
                                     expected_trainable=0)
    assert layer.get_config()["activation"] == "tanh"


def test_activation_layer_rejects_unknown_name():
    with pytest.raises(ValueError, match="sigmoidd"):
        layers.Activation("sigmoidd")
    with pytest.raises(ValueError, match="linear"):
        layers.Activation(None)
