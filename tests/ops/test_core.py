"""lamina.ops.core: conversion and casting rules, control flow, slicing, stop_gradient."""

import numpy as np
import pytest

from lamina import backend, ops
from tests.helpers import gradcheck

jit = backend.transforms.jit


def dtype_of(x):
    return backend.standardize_dtype(x.dtype)


# --- convert_to_tensor and cast -------------------------------------------------------------------
@pytest.mark.parametrize("value,dtype", [
    (1.5, "float32"), (1, "int32"), (True, "bool"), ([1.0, 2.0], "float32"), ([1, 2], "int32"),
    ([1, 2.5], "float32"), ([[1, 2], [3, 4.0]], "float32"), ([True, False], "bool"),
    (np.array([1.5, 2.5]), "float32"), (np.array([1, 2]), "int32"),
    (np.array([1, 2], "int16"), "int16"), (np.array([1.0], "float16"), "float16"),
    (np.float64(1.5), "float32"), (np.float32(1.5), "float32"),
])
def test_convert_to_tensor_dtype_rules(value, dtype):
    x = ops.convert_to_tensor(value)
    assert ops.is_tensor(x)
    assert dtype_of(x) == dtype
    np.testing.assert_array_equal(ops.convert_to_numpy(x), np.asarray(value).astype(dtype))


def test_convert_to_tensor_with_dtype_and_from_variable():
    x = ops.convert_to_tensor([1.7, -1.2], dtype="float16")
    assert dtype_of(x) == "float16"
    v = backend.Variable(np.array([1.0, 2.0], "float32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.convert_to_tensor(v)), [1.0, 2.0])
    with backend.StatelessScope([(v, np.array([5.0, 6.0], "float32"))]):
        np.testing.assert_array_equal(ops.convert_to_numpy(ops.convert_to_tensor(v)), [5.0, 6.0])


def test_convert_to_tensor_of_float_follows_floatx():
    previous = backend.floatx()
    backend.set_floatx("float16")
    try:
        assert dtype_of(ops.convert_to_tensor(1.5)) == "float16"
        assert dtype_of(ops.convert_to_tensor(np.array([1.5]))) == "float16"
    finally:
        backend.set_floatx(previous)


def test_convert_to_tensor_rejects_unknown_dtype():
    with pytest.raises(ValueError, match="Unknown dtype 'floaty'.*float32"):
        ops.convert_to_tensor([1.0], dtype="floaty")


@pytest.mark.parametrize("value,dtype,expected", [
    ([1.7, -1.7, 0.2], "int32", [1, -1, 0]), ([1.7, 0.0], "bool", [True, False]),
    ([1, 2], "float16", [1.0, 2.0]), ([True, False], "float32", [1.0, 0.0]),
    ([300, -1], "uint8", [300 % 256, 255]),
])
def test_cast(value, dtype, expected):
    x = ops.cast(np.asarray(value), dtype)
    assert dtype_of(x) == dtype
    np.testing.assert_array_equal(ops.convert_to_numpy(x), expected)


def test_cast_accepts_numpy_dtypes_and_rejects_unknown_names():
    assert dtype_of(ops.cast([1, 2], np.float32)) == "float32"
    with pytest.raises(ValueError, match="Unknown dtype"):
        ops.cast([1, 2], "int3")


def test_shape_dtype_is_tensor_convert_to_numpy():
    x = ops.ones((2, 3))
    assert ops.shape(x) == (2, 3) and ops.shape(np.ones((4,))) == (4,)
    assert ops.shape([[1, 2, 3]]) == (1, 3) and ops.shape(2.0) == ()
    assert ops.dtype(x) == "float32" and ops.dtype(np.ones(2, "int8")) == "int8"
    assert ops.dtype(1.0) == "float32" and ops.dtype([1, 2]) == "int32"
    assert ops.is_tensor(x) and not ops.is_tensor(np.ones(2)) and not ops.is_tensor([1.0])
    out = ops.convert_to_numpy(x)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)


# --- control flow ---------------------------------------------------------------------------------
def test_cond_with_python_and_tensor_predicates():
    assert float(ops.cond(True, lambda: 1.0, lambda: 2.0)) == 1.0
    assert float(ops.cond(ops.convert_to_tensor(False), lambda: 1.0, lambda: 2.0)) == 2.0

    @jit
    def f(x):
        return ops.cond(ops.sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)

    np.testing.assert_allclose(ops.convert_to_numpy(f(np.array([1.0, 2.0]))), [2.0, 4.0])
    np.testing.assert_allclose(ops.convert_to_numpy(f(np.array([-1.0, -2.0]))), [-2.0, -3.0])


def test_scan_accumulates_and_stacks():
    xs = np.array([1.0, 2.0, 3.0, 4.0], "float32")
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, xs)
    # carries 0, 1, 3, 6 -> 10; outputs carry * x before the update.
    assert float(carry) == 10.0
    np.testing.assert_allclose(ops.convert_to_numpy(ys), [0.0, 2.0, 9.0, 24.0])
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, xs, reverse=True)
    assert float(carry) == 10.0
    np.testing.assert_allclose(ops.convert_to_numpy(ys), [9.0, 7.0, 4.0, 0.0])
    carry, ys = ops.scan(lambda c, _: (c + 1, c), 0, length=3)
    assert int(carry) == 3 and ops.convert_to_numpy(ys).tolist() == [0, 1, 2]


def test_scan_over_nested_structures():
    xs = {"a": np.arange(3.0), "b": np.ones((3, 2))}
    carry, ys = ops.scan(lambda c, x: (c + x["a"] * x["b"], x["a"]), np.zeros(2), xs)
    np.testing.assert_allclose(ops.convert_to_numpy(carry), [3.0, 3.0])
    np.testing.assert_allclose(ops.convert_to_numpy(ys), [0.0, 1.0, 2.0])


def test_fori_loop():
    assert int(ops.fori_loop(0, 5, lambda i, v: v + i, 0)) == 10
    assert float(ops.fori_loop(2, 4, lambda i, v: v * i, 1.0)) == 6.0
    out = jit(lambda n: ops.fori_loop(0, n, lambda i, v: v + 1, 0))(7)
    assert int(out) == 7


def test_while_loop_single_variable():
    assert int(ops.while_loop(lambda v: v < 10, lambda v: v * 2, 1)) == 16


def test_while_loop_unpacks_tuples_like_keras():
    i, total = ops.while_loop(lambda i, total: i < 4, lambda i, total: (i + 1, total + i), (0, 0))
    assert (int(i), int(total)) == (4, 6)
    out = ops.while_loop(lambda a, b: a < 3, lambda a, b: [a + 1, b * 2], [0, 1])
    assert isinstance(out, tuple) and [int(v) for v in out] == [3, 8]


def test_while_loop_maximum_iterations():
    assert int(ops.while_loop(lambda v: v < 100, lambda v: v + 1, 0, maximum_iterations=5)) == 5
    i, total = ops.while_loop(lambda i, t: i < 100, lambda i, t: (i + 1, t + 2), (0, 0),
                              maximum_iterations=3)
    assert (int(i), int(total)) == (3, 6)
    with pytest.raises(ValueError, match="maximum_iterations"):
        ops.while_loop(lambda v: v < 1, lambda v: v + 1, 0, maximum_iterations=-1)


def test_while_loop_body_must_return_every_variable():
    with pytest.raises(ValueError, match="must return 2 loop variables"):
        ops.while_loop(lambda a, b: a < 3, lambda a, b: (a + 1,), (0, 1))


def test_while_loop_traces_under_jit():
    f = jit(lambda x: ops.while_loop(lambda v: ops.sum(v) < 50.0, lambda v: v * 2.0, x))
    np.testing.assert_allclose(ops.convert_to_numpy(f(np.array([1.0, 2.0]))), [32.0, 64.0])


# --- slicing and indexing -------------------------------------------------------------------------
X = np.arange(12, dtype="float32").reshape(3, 4)


def test_slice_static_and_with_minus_one():
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.slice(X, (1, 1), (2, 2))), X[1:3, 1:3])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.slice(X, (1, 2), (-1, -1))), X[1:, 2:])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.slice(X, np.array([0, 1]), (1, 3))),
                                  X[:1, 1:])


def test_slice_with_traced_start_indices():
    f = jit(lambda start: ops.slice(X, start, (2, 2)))
    np.testing.assert_array_equal(ops.convert_to_numpy(f(np.array([1, 2]))), X[1:3, 2:4])
    # As in Keras (lax.dynamic_slice), a start past the end is clamped to keep the block inside.
    np.testing.assert_array_equal(ops.convert_to_numpy(f(np.array([2, 3]))), X[1:3, 2:4])


def test_slice_rejects_a_shape_of_the_wrong_rank():
    with pytest.raises(ValueError, match="one size per axis"):
        ops.slice(X, (0, 0), (2,))


def test_slice_update():
    out = ops.slice_update(X, (1, 2), np.array([[-1.0, -2.0]], "float32"))
    expected = X.copy()
    expected[1, 2:4] = [-1.0, -2.0]
    np.testing.assert_array_equal(ops.convert_to_numpy(out), expected)
    f = jit(lambda start: ops.slice_update(X, start, np.zeros((2, 2), "float32")))
    expected = X.copy()
    expected[0:2, 1:3] = 0
    np.testing.assert_array_equal(ops.convert_to_numpy(f(np.array([0, 1]))), expected)


@pytest.mark.parametrize("key", [1, (slice(None), 2), (slice(1, None), slice(None, None, 2)),
                                 (Ellipsis, -1), (None, 0)])
def test_getitem_matches_numpy_indexing(key):
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.getitem(X, key)), X[key])


# --- stop_gradient ----------------------------------------------------------------------------------
def test_stop_gradient_blocks_the_gradient():
    x = np.array([1.0, -2.0, 3.0])
    grad = backend.transforms.grad(lambda v: ops.sum(ops.stop_gradient(v) * v))
    # d/dv sum(c * v) with c = v held constant is v, not 2 v.
    np.testing.assert_allclose(ops.convert_to_numpy(grad(ops.convert_to_tensor(x))), x)
    gradcheck.check_grads(lambda v: ops.sum(ops.square(v) + ops.stop_gradient(v) * 0.0), [x])


def test_stop_gradient_of_a_variable_returns_its_value():
    v = backend.Variable(np.array([1.0, 2.0], "float32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.stop_gradient(v)), [1.0, 2.0])
