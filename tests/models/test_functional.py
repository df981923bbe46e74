import numpy as np
import pytest

import lamina
from lamina import layers, ops


def _two_in_two_out():
    a = lamina.Input((3,), name="a")
    b = lamina.Input((2,), name="b")
    h = layers.Dense(4, name="ha")(a)
    joined = ops.concatenate([h, b], axis=-1)
    out1 = layers.Dense(1, name="out1")(joined)
    out2 = layers.Dense(2, name="out2")(joined)
    return lamina.Model(inputs=[a, b], outputs=[out1, out2], name="two")


def test_functional_replays_graph_like_numpy():
    model = _two_in_two_out()
    assert isinstance(model, lamina.models.Functional)
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(5, 3)).astype("float32"), rng.normal(size=(5, 2)).astype("float32")
    w = {layer.name: layer.get_weights() for layer in model.layers if layer.weights}
    joined = np.concatenate([xa @ w["ha"][0] + w["ha"][1], xb], axis=-1)
    out1, out2 = model([xa, xb])
    np.testing.assert_allclose(out1, joined @ w["out1"][0] + w["out1"][1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out2, joined @ w["out2"][0] + w["out2"][1], rtol=1e-5, atol=1e-6)
    by_name = model({"a": xa, "b": xb})
    np.testing.assert_allclose(by_name[0], out1, rtol=1e-6)


def test_functional_layers_shapes_and_names():
    model = _two_in_two_out()
    # Keras 3.15's order for the same graph (deepest first): a, ha, b, (concatenate), out1, out2.
    assert [layer.name for layer in model.layers] == ["a", "ha", "b", "out1", "out2"]
    assert model.input_shape == [(None, 3), (None, 2)]
    assert model.output_shape == [(None, 1), (None, 2)]
    assert model.get_layer("ha").units == 4
    with pytest.raises(ValueError, match="no layer named 'missing'"):
        model.get_layer("missing")


def test_dict_inputs_and_outputs():
    x = lamina.Input((2,), name="x")
    model = lamina.Model({"x": x}, {"double": ops.multiply(x, 2.0), "neg": ops.negative(x)})
    out = model({"x": np.array([[1.0, -2.0]], "float32")})
    np.testing.assert_allclose(out["double"], [[2.0, -4.0]])
    np.testing.assert_allclose(out["neg"], [[-1.0, 2.0]])


def test_disconnected_input_is_explained():
    a = lamina.Input((3,), name="used")
    other = lamina.Input((3,), name="forgotten")
    out = layers.Add()([a, other]) if hasattr(layers, "Add") else ops.add(a, other)
    with pytest.raises(ValueError, match="forgotten.*not among the model's `inputs`"):
        lamina.Model(a, out)


def test_non_symbolic_outputs_rejected():
    a = lamina.Input((3,))
    with pytest.raises(ValueError, match="must be symbolic tensors"):
        lamina.Model(a, np.ones((1, 3)))


def test_wrong_number_of_inputs():
    model = _two_in_two_out()
    with pytest.raises(ValueError, match=r"expects 2 input\(s\)"):
        model(np.ones((1, 3), "float32"))


def test_shape_error_at_definition_time():
    a = lamina.Input((3,))
    dense = layers.Dense(2)
    dense(lamina.Input((5,)))
    with pytest.raises(ValueError, match=r"last axis 5.*\(None, 3\)"):
        dense(a)


def test_shared_layer_and_nested_model():
    inner_in = lamina.Input((2,))
    inner = lamina.Model(inner_in, layers.Dense(2, name="shared_dense")(inner_in), name="inner")
    x = lamina.Input((2,))
    y = inner(inner(x))
    outer = lamina.Model(x, y)
    assert len(outer.trainable_weights) == 2
    data = np.array([[1.0, 2.0]], "float32")
    kernel, bias = inner.get_weights()
    np.testing.assert_allclose(outer(data), (data @ kernel + bias) @ kernel + bias, rtol=1e-5)


def test_functional_config_round_trip():
    model = _two_in_two_out.__wrapped__() if hasattr(_two_in_two_out, "__wrapped__") else None
    a = lamina.Input((3,), name="in")
    h = layers.Dense(4, activation="relu", name="h")(a)
    out = layers.Dense(1, name="o")(layers.Dropout(0.1, name="d")(h))
    model = lamina.Model(a, out, name="f")
    config = model.get_config()
    assert config["input_layers"] == [["in", 0, 0]]
    assert config["output_layers"] == [["o", 0, 0]]
    clone = lamina.models.Functional.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(1).normal(size=(3, 3)).astype("float32")
    np.testing.assert_allclose(clone(x), model(x), rtol=1e-6)
    assert [layer.name for layer in clone.layers] == ["in", "h", "d", "o"]


def test_input_dtype_is_applied():
    x = lamina.Input((2,), dtype="int32")
    model = lamina.Model(x, ops.multiply(x, 3))
    out = model(np.array([[1.5, 2.0]]))
    assert str(out.dtype) == "int32" and out.tolist() == [[3, 6]]


def test_clone_model_copies_architecture_with_fresh_weights():
    a = lamina.Input((3,), name="x")
    model = lamina.Model(a, layers.Dense(2, name="d")(a))
    clone = lamina.models.clone_model(model)
    assert clone.output_shape == (None, 2) and clone.layers[1] is not model.layers[1]
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])
    seq = lamina.Sequential([lamina.Input((4,)), layers.Dense(3)])
    seq_clone = lamina.models.clone_model(seq)
    assert isinstance(seq_clone, lamina.Sequential) and seq_clone.count_params() == 15


def test_output_spec_for_the_graphs_own_inputs_is_read_not_traced():
    from lamina.ops.symbolic import KerasTensor

    class Counting(layers.Layer):
        calls = 0

        def call(self, x):
            Counting.calls += 1
            return x * 2.0

    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, layers.Dense(2)(Counting()(inputs)))
    before = Counting.calls
    spec = model.compute_output_spec(KerasTensor((None, 3), "float32"))
    assert Counting.calls == before and spec.shape == (None, 2) and spec.dtype == "float32"
    # Another batch size is traced (and its shapes come out of the trace).
    spec = model.compute_output_spec(KerasTensor((5, 3), "float32"))
    assert Counting.calls > before and spec.shape == (5, 2)
