"""Process-wide settings (lamina/backend/config.py): backend choice, floatx, epsilon, layout."""

import numpy as np
import pytest

from lamina import backend
from lamina.backend import config


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("LAMINA_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    return monkeypatch


def test_default_backend_is_jax(clean_env):
    assert config._choose_backend() == "jax"
    assert backend.backend() == "jax"


def test_keras_backend_is_honoured(clean_env):
    clean_env.setenv("KERAS_BACKEND", " JAX ")
    assert config._choose_backend() == "jax"


def test_lamina_backend_takes_precedence_over_keras_backend(clean_env):
    clean_env.setenv("KERAS_BACKEND", "tensorflow")
    clean_env.setenv("LAMINA_BACKEND", "jax")
    assert config._choose_backend() == "jax"


def test_empty_variable_is_ignored(clean_env):
    clean_env.setenv("LAMINA_BACKEND", "")
    clean_env.setenv("KERAS_BACKEND", "jax")
    assert config._choose_backend() == "jax"


@pytest.mark.parametrize("var", ["LAMINA_BACKEND", "KERAS_BACKEND"])
def test_unknown_backend_names_the_variable_and_the_choices(clean_env, var):
    clean_env.setenv(var, "theano")
    with pytest.raises(ValueError, match=rf"{var}='theano' names no lamina backend. "
                                         r"Available backends: \['jax', 'numpy'\]"):
        config._choose_backend()


def test_floatx_round_trip_and_validation():
    previous = backend.floatx()
    try:
        backend.set_floatx("float16")
        assert backend.floatx() == "float16"
        with pytest.raises(ValueError, match="float32.*Received: 'int32'"):
            backend.set_floatx("int32")
        assert backend.floatx() == "float16"
    finally:
        backend.set_floatx(previous)
    assert backend.floatx() == "float32"


def test_epsilon_round_trip():
    previous = backend.epsilon()
    assert previous == 1e-7
    try:
        backend.set_epsilon(1e-4)
        assert backend.epsilon() == 1e-4
    finally:
        backend.set_epsilon(previous)


def test_image_data_format():
    assert backend.image_data_format() == "channels_last"
    try:
        backend.set_image_data_format("Channels_First")
        assert backend.image_data_format() == "channels_first"
        with pytest.raises(ValueError, match="channels_first"):
            backend.set_image_data_format("nhwc")
    finally:
        backend.set_image_data_format("channels_last")
    assert config.standardize_data_format(None) == "channels_last"
    assert config.standardize_data_format("CHANNELS_FIRST") == "channels_first"
    with pytest.raises(ValueError, match="data_format"):
        config.standardize_data_format("nchw")


def test_supports_capabilities():
    assert backend.supports("jit") is True
    assert backend.supports("no_such_capability") is False


def test_uids_dtype_predicates_and_clear_session():
    import lamina
    from lamina import backend
    backend.clear_session()
    assert [backend.get_uid("block"), backend.get_uid("block"), backend.get_uid()] == [1, 2, 1]
    assert backend.is_float_dtype("bfloat16") and not backend.is_float_dtype("int32")
    assert backend.is_int_dtype("uint8") and not backend.is_int_dtype("bool")
    assert backend.is_keras_tensor(lamina.Input((2,)))
    assert not backend.is_keras_tensor(np.zeros(2))
    lamina.layers.Dense(1)
    backend.clear_session()
    # Names and uids start again after a cleared session.
    assert lamina.layers.Dense(1).name == "dense"
    assert backend.get_uid("block") == 1
