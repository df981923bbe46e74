import numpy as np
import pytest

import lamina
from lamina.backend.common.scopes import RematScope, current_name_scope, name_scope
from tests.helpers.gradcheck import check_grads, float64_mode


def test_name_scope_prefixes_variable_paths():
    with name_scope("block1"):
        layer = lamina.layers.Dense(2, name="proj")
        layer.build((None, 3))
        with name_scope("inner"):
            variable = lamina.Variable(1.0, name="v")
        assert current_name_scope() == ["block1"]
    assert layer.kernel.path == "block1/proj/kernel"
    assert variable.path == "block1/inner/v"
    assert current_name_scope() == []
    with pytest.raises(ValueError, match="without '/'"):
        name_scope("a/b")


@pytest.mark.parametrize("scope_kwargs", [{"mode": "full"}, {"mode": "activations"},
                                          {"mode": "larger_than", "output_size_threshold": 4},
                                          {"mode": "list_of_layers", "layer_names": ["hid"]}])
def test_remat_keeps_values_and_gradients(scope_kwargs):
    x = np.random.default_rng(0).normal(size=(3, 4))
    with float64_mode():
        with RematScope(**scope_kwargs):
            layer = lamina.layers.Dense(5, activation="tanh", name="hid")
        layer.build((None, 4))
        kernel = np.asarray(layer.kernel.value, "float64")

        def fn(k, inputs):
            out, _ = layer.stateless_call([k, layer.bias.value], [], inputs)
            return lamina.ops.sum(out ** 2)

        np.testing.assert_allclose(float(fn(kernel, x)), np.sum(np.tanh(x @ kernel) ** 2),
                                   rtol=1e-10)
        check_grads(fn, [kernel, x])
        # The layer's call really is rematerialized: the traced program holds a checkpoint.
        import jax
        assert "checkpoint" in str(jax.make_jaxpr(lambda k: fn(k, x))(kernel)) or \
            "remat" in str(jax.make_jaxpr(lambda k: fn(k, x))(kernel))


def test_layers_outside_the_scope_choice_are_not_rematerialized():
    import jax
    with RematScope(mode="list_of_layers", layer_names=["other"]):
        layer = lamina.layers.Dense(5, name="plain")
    layer.build((None, 4))
    program = str(jax.make_jaxpr(lambda x: layer(x))(np.ones((2, 4), "float32")))
    assert "checkpoint" not in program and "remat" not in program


def test_remat_function_and_bad_mode():
    f = lamina.remat(lambda x: lamina.ops.sin(x) * 2.0)
    np.testing.assert_allclose(np.asarray(f(np.float32(0.5))), 2 * np.sin(0.5), rtol=1e-6)
    with pytest.raises(ValueError, match="mode"):
        RematScope(mode="some")
    with pytest.raises(TypeError, match="function or layer"):
        lamina.remat(3)


def test_device_scope():
    with lamina.device("cpu:0"):
        x = lamina.ops.ones((2,))
    assert "cpu" in str(next(iter(x.devices()))).lower()
    with pytest.raises(ValueError, match="Available devices"), lamina.device("tpu:7"):
        pass
