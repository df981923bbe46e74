"""Variable: construction, dtype inference, assignment, operators (lamina/backend/common)."""

import numpy as np
import pytest

from lamina import backend

Variable = backend.Variable


def values(x):
    return np.asarray(x).tolist()


@pytest.mark.parametrize("initial,dtype", [
    (1.5, "float32"), (3, "int32"), (True, "bool"), ([1, 2], "int32"), ([1.0, 2], "float32"),
    ([1, 2.5], "float32"), ([[True], [False]], "bool"), (np.zeros(2), "float32"),
    (np.zeros(2, "int64"), "int32"), (np.zeros(2, "float16"), "float16"),
    (np.zeros(2, "uint8"), "uint8"), (np.float64(2.0), "float32"),
])
def test_dtype_is_inferred_like_convert_to_tensor(initial, dtype):
    v = Variable(initial)
    assert v.dtype == dtype
    assert backend.standardize_dtype(v.value.dtype) == dtype  # the stored values agree
    np.testing.assert_array_equal(v.numpy(), np.asarray(initial).astype(dtype))


def test_mixed_python_list_keeps_fractions():
    assert values(Variable([1, 2.5])) == [1.0, 2.5]


def test_explicit_dtype_casts_the_initial_value():
    v = Variable([1.7, -2.2], dtype="int32")
    assert v.dtype == "int32" and values(v) == [1, -2]


def test_callable_initializer_needs_a_shape():
    v = Variable(lambda shape, dtype: np.full(shape, 2.0), shape=(2, 3), dtype="float16")
    assert v.shape == (2, 3) and v.dtype == "float16" and v.ndim == 2 and len(v) == 2
    np.testing.assert_array_equal(v.numpy(), np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match="`shape` is required when the initializer is a callable"):
        Variable(lambda shape, dtype: np.zeros(shape))


def test_callable_initializer_receives_shape_and_dtype():
    seen = {}

    def init(shape, dtype=None):
        seen.update(shape=shape, dtype=dtype)
        return np.zeros(shape)

    Variable(init, shape=[3], dtype="bfloat16")
    assert seen == {"shape": (3,), "dtype": "bfloat16"}


def test_construction_errors():
    with pytest.raises(ValueError, match=r"initial value has shape \(2,\), expected shape \(3,\)"):
        Variable(np.zeros(2), shape=(3,))
    with pytest.raises(ValueError, match="without '/'"):
        Variable(1.0, name="a/b")
    with pytest.raises(TypeError, match=r"string initializer.*initializers.get\('zeros'\)"):
        Variable("zeros", shape=(2,))
    with pytest.raises(ValueError, match="Unknown dtype 'floaty'"):
        Variable(1.0, dtype="floaty")


def test_name_path_trainable():
    v = Variable(1.0, name="kernel", trainable=False)
    assert v.name == "kernel" and v.path == "kernel" and v.trainable is False
    a, b = Variable(1.0), Variable(1.0)
    assert a.name != b.name  # automatic names are unique
    assert v.regularizer is None and v.constraint is None


def test_assign_assign_add_assign_sub():
    v = Variable(np.zeros(2, "float32"), name="w")
    v.assign([1.0, 2.0])
    assert values(v) == [1.0, 2.0]
    v.assign_add(np.array([0.5, 0.5]))
    assert values(v) == [1.5, 2.5]
    out = v.assign_sub(1.0)
    assert values(v) == [0.5, 1.5] and values(out) == [0.5, 1.5]
    assert v.dtype == "float32" and backend.standardize_dtype(v.value.dtype) == "float32"
    v.assign(Variable(np.array([3.0, 4.0], "float32")))
    assert values(v) == [3.0, 4.0]


def test_assign_casts_to_the_variable_dtype():
    v = Variable(np.zeros(2, "int32"))
    v.assign(np.array([1.9, -1.9]))
    assert values(v) == [1, -1] and backend.standardize_dtype(v.value.dtype) == "int32"


def test_assign_with_the_wrong_shape_names_both_shapes():
    v = Variable(np.zeros((2, 3)), name="kernel")
    with pytest.raises(ValueError, match=r"'kernel' has shape \(2, 3\); cannot assign a value of "
                                         r"shape \(3, 2\)"):
        v.assign(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="cannot assign"):
        v.assign_add(np.zeros((1, 3, 1)))
    assert values(v) == np.zeros((2, 3)).tolist()


X = np.array([1.5, -2.0], "float32")


@pytest.mark.parametrize("op,expected", [
    (lambda v: v + 1, X + 1), (lambda v: 1 + v, 1 + X), (lambda v: v - 1, X - 1),
    (lambda v: 1 - v, 1 - X), (lambda v: v * 2, X * 2), (lambda v: 2 * v, 2 * X),
    (lambda v: v / 2, X / 2), (lambda v: 3 / v, 3 / X), (lambda v: v ** 2, X ** 2),
    (lambda v: 2 ** v, 2 ** X), (lambda v: v // 1, X // 1), (lambda v: 5 // v, 5 // X),
    (lambda v: v % 1, X % 1), (lambda v: 5 % v, 5 % X), (lambda v: -v, -X),
    (lambda v: +v, X), (lambda v: abs(v), np.abs(X)), (lambda v: v @ v, X @ X),
    (lambda v: v < 0, X < 0), (lambda v: v <= 1.5, X <= 1.5), (lambda v: v > 0, X > 0),
    (lambda v: v >= -2, X >= -2), (lambda v: v[1], X[1]),
    (lambda v: v + Variable(X), X + X),
])
def test_arithmetic_operators_use_the_current_value(op, expected):
    out = op(Variable(X))
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6)


def test_bitwise_operators_on_integer_and_bool_variables():
    i = Variable(np.array([6, 3], "int32"))
    assert values(i & 5) == [4, 1] and values(i | 1) == [7, 3] and values(i ^ 5) == [3, 6]
    assert values(~i) == [-7, -4] and values(5 & i) == [4, 1]
    b = Variable(np.array([True, False]))
    assert values(~b) == [False, True] and values(b | True) == [True, True]


def test_python_conversions():
    assert float(Variable(2.5)) == 2.5 and int(Variable(3)) == 3
    np.testing.assert_array_equal(np.asarray(Variable(X)), X)
    assert np.asarray(Variable(X), dtype="int32").dtype == np.int32
    with pytest.raises(TypeError, match="cannot be used as a Python bool"):
        bool(Variable(1.0, name="flag"))
    assert "shape=(2,)" in repr(Variable(X)) and "float32" in repr(Variable(X))


def test_operators_read_the_stateless_scope_value():
    v = Variable(X)
    with backend.StatelessScope([(v, np.array([10.0, 20.0], "float32"))]):
        assert values(v + 1) == [11.0, 21.0]
        assert values(v.numpy()) == [10.0, 20.0]
    assert values(v + 1) == [2.5, -1.0]
