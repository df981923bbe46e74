import numpy as np
import pytest

import lamina
from lamina import layers


def test_input_shape_on_first_layer_builds_immediately():
    model = lamina.Sequential()
    model.add(layers.Dense(2, input_shape=(3,)))
    model.add(layers.Activation("relu"))
    assert model.built and model.input_shape == (None, 3) and model.output_shape == (None, 2)
    assert [layer.name for layer in model.layers] == [model.layers[0].name,
                                                      model.layers[1].name]
    assert model.count_params() == 3 * 2 + 2


def test_input_dim_is_accepted():
    model = lamina.Sequential([layers.Dense(4, input_dim=5), layers.Dense(1)])
    assert model.output_shape == (None, 1) and model.count_params() == 5 * 4 + 4 + 4 + 1


def test_lazy_sequential_builds_on_first_call():
    model = lamina.Sequential([layers.Dense(3), layers.Dense(2)])
    assert not model.built
    x = np.ones((4, 7), "float32")
    out = model(x)
    assert tuple(out.shape) == (4, 2) and model.built
    kernel1, bias1, kernel2, bias2 = model.get_weights()
    np.testing.assert_allclose(out, (x @ kernel1 + bias1) @ kernel2 + bias2, rtol=1e-5)


def test_pop_removes_last_layer():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4), layers.Dense(2)])
    popped = model.pop()
    assert isinstance(popped, layers.Dense) and popped.units == 2
    assert model.output_shape == (None, 4) and len(model.layers) == 1


def test_add_rejects_non_layers_and_duplicates():
    model = lamina.Sequential()
    with pytest.raises(ValueError, match="Dense\\(10\\) instead of Dense"):
        model.add(layers.Dense)
    dense = layers.Dense(1)
    model.add(dense)
    with pytest.raises(ValueError, match="already in the model"):
        model.add(dense)


def test_sequential_wrong_input_shape_message():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"expects shape \(None, 3\).*\(2, 4\)"):
        model(np.ones((2, 4), "float32"))


def test_sequential_config_round_trip_keeps_architecture():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, activation="relu"),
                               layers.Dropout(0.2), layers.Dense(1)], name="stack")
    config = model.get_config()
    assert [entry["class_name"] for entry in config["layers"]] == [
        "InputLayer", "Dense", "Dropout", "Dense"]
    clone = lamina.Sequential.from_config(config)
    assert clone.name == "stack" and clone.output_shape == (None, 1)
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_summary_lists_layers_shapes_and_totals():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="hidden"),
                               layers.Dense(1, name="out")], name="tiny")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "tiny"' in text
    assert "hidden (Dense)" in text and "(None, 4)" in text and "16" in text
    assert "out (Dense)" in text and "(None, 1)" in text
    assert "Total params: 21" in text and "Trainable params: 21" in text
    assert "Non-trainable params: 0" in text


def test_subclassed_model_build_creates_weights_for_summary():
    class Net(lamina.Model):
        def __init__(self):
            super().__init__(name="net")
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(2)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = Net()
    model.build((None, 5))
    assert model.built and model.count_params() == 5 * 8 + 8 + 8 * 2 + 2
    lines = []
    model.summary(print_fn=lines.append)
    assert any("Total params: 66" in line for line in lines)
    with pytest.raises(ValueError, match=r"shape tuple such as \(None, 784\)"):
        Net().build(5)


def test_config_records_build_input_shape_as_keras():
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    config = model.get_config()
    assert config["build_input_shape"] == (None, 3)
    # A config without an InputLayer entry (as Keras writes for a model built with build())
    # is built from build_input_shape.
    config["layers"] = [e for e in config["layers"] if e["class_name"] != "InputLayer"]
    clone = lamina.Sequential.from_config(config)
    assert clone.built and [tuple(w.shape) for w in clone.weights] == [(3, 2), (2,)]
