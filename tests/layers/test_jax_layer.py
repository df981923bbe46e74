import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lamina
from lamina.layers.jax_layer import FlaxLayer, JaxLayer
from lamina.saving import serialization


def dense_init(rng, inputs):
    w = jax.random.normal(rng, (inputs.shape[-1], 2))
    return {"w": w, "b": jnp.zeros((2,))}


def dense_call(params, inputs):
    return inputs @ params["w"] + params["b"]


def counting_init(inputs):
    return {"scale": jnp.ones(())}, {"count": jnp.zeros((), "int32")}


def counting_call(params, state, inputs, training):
    out = inputs * params["scale"] * (2.0 if training else 1.0)
    return out, {"count": state["count"] + 1}


def test_given_params_become_trainable_variables_and_call_matches_numpy():
    w = np.arange(6, dtype="float32").reshape(3, 2)
    layer = JaxLayer(dense_call, params={"w": w, "b": np.array([1.0, -1.0], "float32")})
    assert layer.built and len(layer.trainable_weights) == 2
    x = np.ones((4, 3), "float32")
    np.testing.assert_allclose(layer(x), x @ w + [1.0, -1.0])


def test_init_fn_builds_weights_and_state_updates():
    layer = JaxLayer(counting_call, init_fn=counting_init)
    x = np.full((2, 3), 1.5, "float32")
    np.testing.assert_allclose(layer(x), x)
    np.testing.assert_allclose(layer(x, training=True), 2 * x)
    assert len(layer.trainable_weights) == 1 and len(layer.non_trainable_weights) == 1
    assert int(layer.state["count"].value) == 2
    _, new_state = layer.stateless_call([v.value for v in layer.trainable_variables],
                                          [v.value for v in layer.non_trainable_variables], x)
    assert int(new_state[0]) == 3 and int(layer.state["count"].value) == 2


def test_init_fn_with_rng_and_gradients_reach_params():
    layer = JaxLayer(dense_call, init_fn=dense_init)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    out = layer(x)
    w, b = layer.params["w"].value, layer.params["b"].value
    np.testing.assert_allclose(out, x @ np.asarray(w) + np.asarray(b), rtol=1e-5, atol=1e-6)

    def loss(trainable):
        y, _ = layer.stateless_call(trainable, [], x)
        return (y ** 2).sum()

    grads = jax.grad(loss)([v.value for v in layer.trainable_variables])
    names = [v.path for v in layer.trainable_variables]
    expected_w = x.T @ (2 * (x @ np.asarray(w) + np.asarray(b)))
    index = next(i for i, v in enumerate(layer.trainable_variables) if v is layer.params["w"])
    np.testing.assert_allclose(grads[index], expected_w, rtol=1e-4, atol=1e-4)
    assert len(names) == 2


def test_rng_is_given_in_training_only_and_seeded():
    def call_fn(rng, inputs):
        if rng is None:
            return inputs
        return inputs + jax.random.uniform(rng, inputs.shape)

    x = np.zeros((2, 2), "float32")
    first, second = JaxLayer(call_fn, seed=3), JaxLayer(call_fn, seed=3)
    np.testing.assert_array_equal(first(x), x)
    a = first(x, training=True)
    np.testing.assert_allclose(a, second(x, training=True))
    assert not np.allclose(a, first(x, training=True))  # the stream moves on


def test_config_round_trip_with_registered_functions():
    call = serialization.register_keras_serializable("test_jax_layer")(dense_call)
    init = serialization.register_keras_serializable("test_jax_layer")(dense_init)
    layer = JaxLayer(call, init_fn=init)
    config = layer.get_config()
    assert config["call_fn"]["class_name"] == "function"
    clone = JaxLayer.from_config(config)
    assert clone.call_fn is call and clone.init_fn is init
    assert clone.get_config() == {**config, "name": clone.name}


def test_errors():
    with pytest.raises(ValueError, match="must take an `inputs` argument"):
        JaxLayer(lambda params: params, params={})
    with pytest.raises(ValueError, match=r"unsupported argument\(s\) \['x'\]"):
        JaxLayer(lambda inputs, x: inputs)
    with pytest.raises(ValueError, match="pass `init_fn`, `params` or `state`"):
        JaxLayer(dense_call)
    with pytest.raises(TypeError, match="`call_fn` must be a function"):
        JaxLayer("dense")


def test_flax_layer_needs_flax():
    try:
        import flax  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install flax"):
            FlaxLayer(object())
    else:
        pytest.skip("flax is installed; the ImportError path does not apply")


def test_refuses_backends_without_jit(monkeypatch):
    monkeypatch.setattr(lamina.backend, "supports", lambda capability: False)
    with pytest.raises(ValueError, match="needs the jax backend"):
        JaxLayer(dense_call, params={"w": np.ones((3, 2)), "b": np.zeros(2)})
