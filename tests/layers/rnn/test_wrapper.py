import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.rnn.wrapper import Wrapper
from lamina.saving import serialization


class Twice(Wrapper):
    """Applies the inner layer two times (a minimal concrete wrapper for the tests)."""

    def call(self, inputs):
        return self.layer(self.layer(inputs))


def test_wrapper_weights_are_the_inner_layers():
    wrapper = Twice(layers.Dense(3, name="inner"), name="twice")
    wrapper(np.ones((2, 3), "float32"))
    assert [w.name for w in wrapper.weights] == ["kernel", "bias"]
    assert all(a is b for a, b in zip(wrapper.weights, wrapper.layer.weights))
    assert [w.path for w in wrapper.weights] == ["twice/inner/kernel", "twice/inner/bias"]


def test_wrapper_matches_numpy_composition():
    wrapper = Twice(layers.Dense(2, activation="relu"))
    wrapper.build((None, 2))
    kernel, bias = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.1, -0.2])
    wrapper.set_weights([kernel, bias])
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], "float32")
    once = np.maximum(x @ kernel + bias, 0.0)
    np.testing.assert_allclose(wrapper(x), np.maximum(once @ kernel + bias, 0.0), rtol=1e-6)


def test_wrapper_build_keeps_an_already_built_layer():
    inner = layers.Dense(2, name="prebuilt")
    inner.build((None, 2))
    kernel = inner.get_weights()[0]
    wrapper = Twice(inner)
    wrapper.build((None, 2))
    np.testing.assert_array_equal(wrapper.get_weights()[0], kernel)
    assert inner.kernel.path == "prebuilt/kernel"


def test_wrapper_config_round_trip():
    wrapper = Twice(layers.Dense(4, use_bias=False, name="d"), name="w")
    config = wrapper.get_config()
    assert config["name"] == "w"
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["config"]["units"] == 4
    clone = Twice.from_config(config)
    assert isinstance(clone.layer, layers.Dense) and clone.layer.use_bias is False
    assert clone.get_config() == config


def test_wrapper_from_config_resolves_custom_inner_layers():
    class Scale(layers.Layer):
        def call(self, inputs):
            return ops.multiply(inputs, 3.0)

    config = Twice(Scale(name="s")).get_config()
    with pytest.raises(ValueError, match="Scale"):
        Twice.from_config(config)
    clone = Twice.from_config(config, custom_objects={"Scale": Scale})
    np.testing.assert_allclose(clone(np.ones((1, 2), "float32")), [[9.0, 9.0]])


def test_wrapper_serializes_through_the_registry_format():
    entry = serialization.serialize_keras_object(Twice(layers.Dense(2)))
    assert entry["class_name"] == "Twice" and entry["config"]["layer"]["class_name"] == "Dense"


@pytest.mark.parametrize("bad", [None, 3, layers.Dense, "dense"])
def test_wrapper_rejects_non_layer(bad):
    with pytest.raises(ValueError, match=r"Twice: `layer` must be a lamina Layer instance"):
        Twice(bad)


def test_wrapper_rejects_layer_class_with_hint():
    with pytest.raises(ValueError, match=r"Dense\(4\)"):
        Twice(layers.Dense)
