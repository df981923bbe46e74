"""Ops on symbolic tensors (`lamina.Input`): output shapes and dtypes, recorded graph nodes."""

import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.ops.symbolic import KerasTensor, Node, is_keras_tensor

W = np.ones((3, 4), "float32")


def spec(t):
    return t.shape, t.dtype


@pytest.fixture
def x():
    return lamina.Input((3,))


@pytest.mark.parametrize("make,shape,dtype", [
    (lambda x: ops.matmul(x, W), (None, 4), "float32"),
    (lambda x: ops.reshape(x, (-1, 3, 1)), (None, 3, 1), "float32"),
    (lambda x: ops.reshape(x, (-1,)), (None,), "float32"),
    (lambda x: ops.concatenate([x, x], axis=-1), (None, 6), "float32"),
    (lambda x: ops.concatenate([x, ops.ones((1, 3))], axis=0), (None, 3), "float32"),
    (lambda x: ops.sum(x, axis=1), (None,), "float32"),
    (lambda x: ops.sum(x, axis=0), (3,), "float32"),
    (lambda x: ops.sum(x, axis=-1, keepdims=True), (None, 1), "float32"),
    (lambda x: ops.mean(ops.cast(x, "int32"), axis=-1), (None,), "float32"),
    (lambda x: ops.expand_dims(x, 1), (None, 1, 3), "float32"),
    (lambda x: ops.transpose(x), (3, None), "float32"),
    (lambda x: ops.stack([x, x], axis=1), (None, 2, 3), "float32"),
    (lambda x: ops.softmax(x), (None, 3), "float32"),
    (lambda x: ops.one_hot(ops.cast(x, "int32"), 5), (None, 3, 5), "float32"),
    (lambda x: ops.cast(x, "int32"), (None, 3), "int32"),
    (lambda x: ops.argmax(x, axis=-1), (None,), "int32"),
    (lambda x: ops.where(ops.greater(x, 0.0), x, 0.0), (None, 3), "float32"),
    (lambda x: ops.slice(x, (0, 1), (2, 2)), (2, 2), "float32"),
    (lambda x: ops.add(x, lamina.Variable(np.ones(3, "float32"))), (None, 3), "float32"),
    (lambda x: ops.cast(x, "float16") + 1.0, (None, 3), "float16"),
])
def test_op_output_shape_and_dtype(x, make, shape, dtype):
    out = make(x)
    assert isinstance(out, KerasTensor)
    assert spec(out) == (shape, dtype)


@pytest.mark.parametrize("key,shape", [
    ((slice(None), slice(1, None)), (None, 2)), (0, (3,)), ((slice(None), None, slice(None, 2)),
                                                           (None, 1, 2)),
    ((Ellipsis, 1), (None,)),
])
def test_getitem_slices(x, key, shape):
    assert x[key].shape == shape


def test_multi_output_ops(x):
    values, indices = ops.top_k(x, 2)
    assert spec(values) == ((None, 2), "float32") and spec(indices) == ((None, 2), "int32")
    parts = ops.split(x, 3, axis=1)
    assert [p.shape for p in parts] == [(None, 1)] * 3
    mean, variance = ops.moments(x, [0])
    assert mean.shape == (3,) and variance.shape == (3,)


def test_known_batch_axis_stays_known():
    x = lamina.Input((3,), batch_size=2)
    assert ops.matmul(x, W).shape == (2, 4)


def test_shape_errors_surface_at_definition_time(x):
    with pytest.raises((TypeError, ValueError)):
        ops.matmul(x, np.ones((2, 4), "float32"))


@pytest.mark.parametrize("make,op", [
    (lambda x: x + 1.0, ops.add), (lambda x: 2.0 + x, ops.add), (lambda x: x - 1.0, ops.subtract),
    (lambda x: 1.0 - x, ops.subtract), (lambda x: x * x, ops.multiply),
    (lambda x: 3.0 * x, ops.multiply), (lambda x: x / 2.0, ops.divide),
    (lambda x: 1.0 / x, ops.divide), (lambda x: x ** 2, ops.power),
    (lambda x: x @ W, ops.matmul), (lambda x: -x, ops.negative), (lambda x: abs(x), ops.abs),
    (lambda x: x < 0.0, ops.less), (lambda x: x <= 0.0, ops.less_equal),
    (lambda x: x > 0.0, ops.greater), (lambda x: x >= 0.0, ops.greater_equal),
    (lambda x: x[:, 0], ops.getitem),
])
def test_operators_record_graph_nodes(x, make, op):
    out = make(x)
    assert is_keras_tensor(out)
    assert isinstance(out.node, Node)
    assert out.node.operation is op
    assert any(t is x for t in out.node.inputs)


def test_comparison_operators_give_bool(x):
    assert (x < 0.0).dtype == "bool" and (x >= 1.0).dtype == "bool"


def test_nodes_chain_back_to_the_input(x):
    y = ops.relu(x @ W + 1.0)
    ops_seen = []
    t = y
    while t.node is not None and t.node.operation is not None and t is not x:
        ops_seen.append(t.node.operation)
        t = t.node.inputs[0]
    assert ops_seen[:3] == [ops.relu, ops.add, ops.matmul]
    assert t is x


def test_node_replay_computes_concrete_values(x):
    y = ops.multiply(x, 2.0)
    out = y.node.replay([np.array([[1.0, 2.0, 3.0]], "float32"), 2.0], {})
    np.testing.assert_allclose(ops.convert_to_numpy(out), [[2.0, 4.0, 6.0]])


def test_symbolic_tensors_have_no_values(x):
    with pytest.raises(TypeError, match="symbolic.*Model"):
        np.asarray(x)
    with pytest.raises(TypeError, match="no truth value.*ops.cond"):
        bool(x)
    with pytest.raises(TypeError, match="no truth value"):
        if x > 0:
            pass
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(x)
    with pytest.raises(TypeError, match="symbolic"):
        ops.convert_to_numpy(x)


def test_keras_tensor_repr_and_ndim(x):
    assert x.ndim == 2
    assert "shape=(None, 3)" in repr(x) and "float32" in repr(x)


@pytest.mark.parametrize("make", [
    lambda x: x // 2.0, lambda x: x % 2.0, lambda x: x != 0.0, lambda x: (x > 0.0) & (x < 1.0),
    lambda x: (x > 0.0) | (x < 1.0), lambda x: (x > 0.0) ^ (x < 1.0), lambda x: ~(x > 0.0),
], ids=["floordiv", "mod", "ne", "and", "or", "xor", "invert"])
def test_more_keras_operators(x, make):
    out = make(x)
    assert is_keras_tensor(out) and out.shape == (None, 3)


def test_unknown_inner_axes_stay_unknown():
    x = lamina.Input((None, 4))
    assert ops.matmul(x, np.ones((4, 2), "float32")).shape == (None, None, 2)
    assert ops.concatenate([x, x], axis=1).shape == (None, None, 4)
    assert ops.reshape(x, (-1, 2)).shape == (None, 2)


def test_reshape_that_needs_an_even_batch():
    assert ops.reshape(lamina.Input((3,)), (-1, 2)).shape == (None, 2)
