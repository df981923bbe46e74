"""Config serialization (lamina/saving/serialization.py): round trips, custom objects, safety."""

import numpy as np
import pytest

from lamina import saving
from lamina.saving import serialization


@saving.register_keras_serializable(package="TestPkg")
class Scaler:
    def __init__(self, factor=1.0, offset=(0, 0)):
        self.factor = factor
        self.offset = offset

    def get_config(self):
        return {"factor": self.factor, "offset": self.offset}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Unregistered:
    def __init__(self, size=2):
        self.size = size

    def get_config(self):
        return {"size": self.size}


@saving.register_keras_serializable(package="TestPkg", name="double_it")
def double(x):
    return 2 * x


def plain_function(x):
    return x


def test_serialize_gives_the_keras_3_dict():
    config = serialization.serialize_keras_object(Scaler(3.0, (1, 2)))
    assert config == {"module": Scaler.__module__, "class_name": "Scaler",
                      "config": {"factor": 3.0, "offset": (1, 2)},
                      "registered_name": "TestPkg>Scaler"}


def test_registered_class_round_trips():
    restored = serialization.deserialize_keras_object(
        serialization.serialize_keras_object(Scaler(3.0, (1, 2))))
    assert isinstance(restored, Scaler)
    assert restored.factor == 3.0 and tuple(restored.offset) == (1, 2)
    assert serialization.get_registered_object("TestPkg>Scaler") is Scaler
    assert serialization.get_registered_name(Scaler) == "TestPkg>Scaler"


def test_registered_function_round_trips_by_its_registered_name():
    config = serialization.serialize_keras_object(double)
    assert config["class_name"] == "function" and config["registered_name"] == "TestPkg>double_it"
    assert serialization.deserialize_keras_object(config) is double
    assert serialization.deserialize_keras_object("TestPkg>double_it") is double


def test_unregistered_objects_need_custom_objects():
    config = serialization.serialize_keras_object(Unregistered(5))
    with pytest.raises(ValueError, match="Unknown object: 'Unregistered'.*custom_objects="):
        serialization.deserialize_keras_object(config)
    restored = serialization.deserialize_keras_object(
        config, custom_objects={"Unregistered": Unregistered})
    assert isinstance(restored, Unregistered) and restored.size == 5
    fn_config = serialization.serialize_keras_object(plain_function)
    assert serialization.deserialize_keras_object(
        fn_config, custom_objects={"plain_function": plain_function}) is plain_function


def test_custom_object_scope_nests_and_unwinds():
    config = serialization.serialize_keras_object(Unregistered(7))
    with saving.custom_object_scope({"Unregistered": Unregistered}):
        assert serialization.deserialize_keras_object(config).size == 7
        with saving.CustomObjectScope({"Other": Scaler}):
            assert serialization.deserialize_keras_object(config).size == 7
            assert serialization.get_registered_object("Other") is Scaler
        assert serialization.get_registered_object("Other") is None
    with pytest.raises(ValueError, match="Unknown object"):
        serialization.deserialize_keras_object(config)


def test_custom_objects_win_over_the_registry_and_family_table():
    class Replacement(Scaler):
        pass

    restored = serialization.deserialize_keras_object(
        {"class_name": "Scaler", "config": {"factor": 2.0}},
        custom_objects={"Scaler": Replacement}, module_objects={"Scaler": Unregistered})
    assert type(restored) is Replacement


def test_unknown_names_list_the_family_table_and_suggest_custom_objects():
    table = {"mean_squared_error": object(), "mse": object(), "_private": object()}
    with pytest.raises(ValueError) as info:
        serialization.deserialize_keras_object("nope", module_objects=table, family="loss")
    message = str(info.value)
    assert "Unknown loss: 'nope'" in message
    assert "Known names: ['mean_squared_error', 'mse']" in message
    assert "custom_objects={'nope': ...}" in message and "register_keras_serializable" in message


@pytest.mark.parametrize("config", [
    {"module": "os", "class_name": "system", "config": "echo pwned"},
    {"module": "os", "class_name": "function", "config": "system", "registered_name": "system"},
    {"module": "builtins", "class_name": "eval", "config": {}},
    {"module": "subprocess", "class_name": "Popen", "config": {"args": ["true"]}},
    "os.system",
])
def test_configs_naming_arbitrary_modules_are_never_imported_or_resolved(config):
    with pytest.raises(ValueError, match="Unknown object"):
        serialization.deserialize_keras_object(config)


def test_the_module_field_does_not_change_how_a_name_resolves():
    config = {"module": "somewhere.evil", "class_name": "Scaler", "config": {"factor": 4.0},
              "registered_name": "TestPkg>Scaler"}
    assert serialization.deserialize_keras_object(config).factor == 4.0


def test_plain_values_and_containers():
    assert serialization.serialize_keras_object(None) is None
    assert serialization.serialize_keras_object({"a": [1, (2.5, "x")], "b": True}) == \
        {"a": [1, (2.5, "x")], "b": True}
    assert serialization.serialize_keras_object(np.float32(1.5)) == 1.5
    assert type(serialization.serialize_keras_object(np.int64(3))) is int
    assert serialization.deserialize_keras_object(3) == 3
    assert serialization.deserialize_keras_object([1, "TestPkg>double_it"]) == [1, double]


def test_numpy_arrays_and_bytes_use_tagged_dicts():
    array = np.array([[1, 2], [3, 4]], dtype="int16")
    config = serialization.serialize_keras_object(array)
    assert config == {"class_name": "__numpy__",
                      "config": {"value": [[1, 2], [3, 4]], "dtype": "int16"}}
    restored = serialization.deserialize_keras_object(config)
    assert restored.dtype == np.int16 and np.array_equal(restored, array)
    config = serialization.serialize_keras_object(b"ab")
    assert config == {"class_name": "__bytes__", "config": {"value": "ab"}}
    assert serialization.deserialize_keras_object(config) == b"ab"


def test_objects_without_get_config_cannot_be_serialized():
    with pytest.raises(TypeError, match="no get_config"):
        serialization.serialize_keras_object(object())


def test_registering_a_class_without_get_config_fails():
    with pytest.raises(ValueError, match="must define get_config"):
        saving.register_keras_serializable()(type("NoConfig", (), {}))


def test_malformed_configs_are_rejected():
    with pytest.raises(ValueError, match="expected a name or a dict with 'class_name'"):
        serialization.deserialize_keras_object({"config": {}})


def test_family_tables():
    serialization.register_builtins("test_family", {"Scaler": Scaler})
    assert serialization.builtins("test_family") == {"Scaler": Scaler}
    assert serialization.builtins("no_such_family") == {}
    restored = serialization.deserialize_keras_object(
        {"class_name": "Scaler", "config": {"factor": 5.0}},
        module_objects=serialization.builtins("test_family"), family="test_family")
    assert restored.factor == 5.0
