"""Public saving functions (lamina/saving/saving_api.py) and the Model methods over them:
to_json/model_from_json, argument checks, custom objects, compile config."""

import json

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.saving import saving_api, serialization


def _functional():
    a, b = lamina.Input((3,), name="a"), lamina.Input((2,), name="b")
    return lamina.Model([a, b], layers.Dense(2)(layers.Concatenate()([a, b])))


def test_to_json_round_trips_architecture():
    model = _functional()
    text = model.to_json()
    config = json.loads(text)
    assert config["class_name"] == "Functional"
    assert config["module"] == "keras.src.models.functional"
    rebuilt = saving_api.model_from_json(text)
    assert [type(layer) for layer in rebuilt.layers] == [type(layer) for layer in model.layers]
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in model.weights]
    # Same architecture, fresh weights: copying the weights gives the same function.
    rebuilt.set_weights(model.get_weights())
    x = [np.ones((2, 3), "float32"), np.full((2, 2), 2.0, "float32")]
    kernel, bias = model.get_weights()
    expected = np.concatenate(x, axis=1) @ kernel + bias
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), expected, rtol=1e-6)


def test_to_json_passes_json_kwargs_and_includes_compile_config():
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.5), loss="mae",
                  metrics=["mse"])
    text = model.to_json(indent=2)
    assert "\n  " in text
    compile_config = json.loads(text)["compile_config"]
    assert compile_config["loss"] == "mae" and compile_config["metrics"] == ["mse"]
    assert compile_config["optimizer"]["class_name"] == "SGD"
    assert compile_config["optimizer"]["config"]["learning_rate"] == 0.5


def test_model_from_json_errors():
    with pytest.raises(TypeError, match="JSON string"):
        saving_api.model_from_json({"class_name": "Sequential"})
    with pytest.raises(ValueError, match="not valid JSON"):
        saving_api.model_from_json("{nope")
    with pytest.raises(ValueError, match="expected a dict with 'class_name'"):
        saving_api.model_from_json("[1, 2]")


def test_get_compile_config_and_compile_from_config():
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(2)])
    assert model.get_compile_config() is None
    model.compile(optimizer="adam", loss=lamina.losses.Huber(delta=2.0),
                  metrics=[lamina.metrics.MeanAbsoluteError(name="m")],
                  steps_per_execution=3)
    config = json.loads(json.dumps(model.get_compile_config()))
    other = lamina.Sequential([lamina.Input((2,)), layers.Dense(2)])
    other.compile_from_config(config)
    assert type(other.optimizer).__name__ == "Adam"
    assert other.steps_per_execution == 3
    assert other._compile_args["loss"].delta == 2.0
    assert other._compile_args["metrics"][0].name == "m"
    with pytest.raises(TypeError, match="compile_from_config: expected a dict"):
        other.compile_from_config("adam")


@serialization.register_keras_serializable(package="TestApi")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.offset = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                      name="offset")

    def call(self, inputs):
        return ops.add(ops.multiply(inputs, self.factor), self.offset)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


def test_registered_custom_layer_round_trip(tmp_path):
    model = lamina.Sequential([lamina.Input((2,)), Scale(3.0)])
    model.layers[0].offset.assign(np.array([1.0, -1.0], "float32"))
    model.save(tmp_path / "m.keras")
    loaded = saving_api.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2)), verbose=0), [[4.0, 2.0]])
    assert "TestApi>Scale" in lamina.saving.get_custom_objects()


def test_unregistered_layer_needs_custom_objects(tmp_path):
    model = lamina.Sequential([lamina.Input((2,)), Unregistered(3.0)])
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"Unknown layer: 'Unregistered'.*custom_objects"):
        saving_api.load_model(tmp_path / "m.keras")
    loaded = saving_api.load_model(tmp_path / "m.keras",
                                   custom_objects={"Unregistered": Unregistered})
    assert isinstance(loaded.layers[0], Unregistered)
    with serialization.CustomObjectScope({"Unregistered": Unregistered}):
        assert isinstance(saving_api.load_model(tmp_path / "m.keras").layers[0], Unregistered)


def test_model_methods_delegate(tmp_path):
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    other = lamina.Sequential([lamina.Input((2,)), layers.Dense(2)])
    other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])
    other.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])


@pytest.mark.parametrize("name", ["m.h5", "m.weights.h5", "m", "m.keras.zip"])
def test_save_model_suffix_error(tmp_path, name):
    with pytest.raises(ValueError, match=r"expects a `\.keras` extension"):
        lamina.Sequential([lamina.Input((2,)), layers.Dense(1)]).save(tmp_path / name)


def test_load_model_suffix_and_missing_file_errors(tmp_path):
    with pytest.raises(ValueError, match=r"expects a `\.keras` extension"):
        saving_api.load_model(tmp_path / "m.weights.h5")
    with pytest.raises(FileNotFoundError, match="no file"):
        saving_api.load_model(tmp_path / "absent.keras")


def test_argument_validation(tmp_path):
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])
    with pytest.raises(TypeError, match="unrecognized keyword argument.*include_optimizer"):
        model.save(tmp_path / "m.keras", include_optimizer=False)
    with pytest.raises(ValueError, match="zipped=False"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(TypeError, match="`model` must be a lamina Model"):
        saving_api.save_model(layers.Dense(1), tmp_path / "m.keras")
    with pytest.raises(TypeError, match="custom_objects"):
        saving_api.load_model(tmp_path / "m.keras", custom_objects=[Scale])
    with pytest.raises(TypeError, match="safe_mode"):
        saving_api.load_model(tmp_path / "m.keras", safe_mode="no")
    with pytest.raises(TypeError, match="unrecognized keyword argument"):
        model.load_weights(tmp_path / "m.weights.h5", by_name=True)


def test_unbuilt_model_save_warns(tmp_path):
    model = lamina.Sequential([layers.Dense(1)])
    with pytest.warns(UserWarning, match="not built"):
        model.save(tmp_path / "m.keras")
