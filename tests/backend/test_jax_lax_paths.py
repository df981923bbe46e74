"""The JAX backend's direct lax paths for common ops inside traced code (add, subtract,
multiply, divide, divide_no_nan, sum, mean, square, matmul by a matrix, sigmoid) give what
jax.numpy gives in the same compiled program, with the same dtypes, shapes and errors."""

import numpy as np
import pytest

from lamina import backend

pytestmark = pytest.mark.skipif(backend.backend() != "jax", reason="JAX backend internals")

if backend.backend() == "jax":
    import jax
    import jax.numpy as jnp

    from lamina.backend.jax import nn as jax_nn
    from lamina.backend.jax import numpy as jax_numpy

SHAPES = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((), (2, 3)), ((5,), (2, 5)),
          ((2, 1, 3), (4, 1)), ((2, 3), ())]


def _operands(dtype, s1, s2, seed=0):
    rng = np.random.default_rng(seed)
    a = (rng.normal(size=s1) * 5).astype(dtype)
    b = (rng.normal(size=s2) * 5).astype(dtype)
    if dtype != "bool":
        b = np.where(b == 0, 1, b).astype(dtype)
    return jnp.asarray(a), jnp.asarray(b)


def _float_divide(x, y):
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x, y = x.astype("float32"), y.astype("float32")
    return jnp.divide(x, y)


REFERENCES = {"add": jnp.add, "subtract": jnp.subtract, "multiply": jnp.multiply,
              "divide": _float_divide} if backend.backend() == "jax" else {}


@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "bool", "float16"])
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide"])
def test_binary_ops_match_jax_numpy_in_compiled_code(name, dtype):
    if dtype == "bool" and name == "subtract":
        pytest.skip("NumPy has no boolean subtract")
    ours, reference = jax.jit(getattr(jax_numpy, name)), jax.jit(REFERENCES[name])
    for s1, s2 in SHAPES:
        a, b = _operands(dtype, s1, s2)
        got, expected = ours(a, b), reference(a, b)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    # bool arithmetic stays logic: True + True is True, True * False is False
    t, f = jnp.asarray([True, True]), jnp.asarray([True, False])
    np.testing.assert_array_equal(np.asarray(jax.jit(jax_numpy.add)(t, f)), [True, True])
    np.testing.assert_array_equal(np.asarray(jax.jit(jax_numpy.multiply)(t, f)), [True, False])


def test_shapes_that_do_not_broadcast_still_raise():
    with pytest.raises((TypeError, ValueError), match=r"(?i)incompatible|broadcast"):
        jax.jit(jax_numpy.add)(jnp.ones((2, 3)), jnp.ones((4,)))


def test_divide_no_nan_is_zero_where_the_divisor_is_zero():
    x, y = jnp.asarray([1.0, 2.0, 3.0]), jnp.asarray([0.0, 4.0, 0.0])
    got = jax.jit(jax_numpy.divide_no_nan)(x, y)
    np.testing.assert_array_equal(np.asarray(got), [0.0, 0.5, 0.0])
    np.testing.assert_array_equal(
        np.asarray(jax.jit(jax_numpy.divide_no_nan)(x, jnp.asarray(0.0))), [0.0, 0.0, 0.0])
    # the gradient through a zero divisor is finite (no inf * 0)
    grad = jax.grad(lambda d: jax_numpy.sum(jax_numpy.divide_no_nan(x, d)))(y)
    assert np.isfinite(np.asarray(grad)).all()
    np.testing.assert_allclose(np.asarray(grad), [0.0, -2.0 / 16.0, 0.0])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (2, -3), [1]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_float_reductions_match_jax_numpy(axis, keepdims):
    a = jnp.asarray(np.random.default_rng(1).normal(size=(3, 4, 5)).astype("float32"))
    for ours, reference in ((jax_numpy.sum, jnp.sum), (jax_numpy.mean, jnp.mean)):
        got = jax.jit(lambda x: ours(x, axis=axis, keepdims=keepdims))(a)
        expected = jax.jit(lambda x: reference(x, axis=axis, keepdims=keepdims))(a)
        assert got.shape == expected.shape and got.dtype == np.float32
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    # against NumPy in float64
    np.testing.assert_allclose(
        np.asarray(jax.jit(lambda x: jax_numpy.mean(x, axis=axis, keepdims=keepdims))(a)),
        np.asarray(a, "float64").mean(axis=None if axis is None else tuple(np.atleast_1d(axis)),
                                      keepdims=keepdims), rtol=1e-5)


@pytest.mark.parametrize("axis", [3, -4, (0, 0), (1, -2)])
def test_bad_reduction_axes_still_raise(axis):
    a = jnp.ones((3, 4, 5))
    with pytest.raises(ValueError):
        jax.jit(lambda x: jax_numpy.sum(x, axis=axis))(a)


def test_integer_and_half_reductions_keep_their_jnp_dtypes():
    assert jax.jit(jax_numpy.sum)(jnp.ones((2, 2), "int32")).dtype == np.int32
    assert jax.jit(jax_numpy.mean)(jnp.ones((2,), "int32")).dtype == np.float32
    assert jax.jit(jax_numpy.mean)(jnp.ones((2,), "float16")).dtype == np.float16


def test_matmul_square_and_sigmoid_match():
    rng = np.random.default_rng(2)
    a = jnp.asarray(rng.normal(size=(5, 3)).astype("float32"))
    b = jnp.asarray(rng.normal(size=(3, 2)).astype("float32"))
    np.testing.assert_array_equal(np.asarray(jax.jit(jax_numpy.matmul)(a, b)),
                                  np.asarray(jax.jit(jnp.matmul)(a, b)))
    np.testing.assert_allclose(np.asarray(jax.jit(jax_numpy.matmul)(a, b)),
                               np.asarray(a, "float64") @ np.asarray(b, "float64"), rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(jax.jit(jax_numpy.square)(a)), np.asarray(a) ** 2)
    np.testing.assert_allclose(np.asarray(jax.jit(jax_nn.sigmoid)(a)),
                               1.0 / (1.0 + np.exp(-np.asarray(a, "float64"))), rtol=1e-6)
    with pytest.raises((TypeError, ValueError)):
        jax.jit(jax_numpy.matmul)(a, a)


@pytest.mark.parametrize("shape", [(4, 3), (5, 4, 3), (2, 3, 4, 3)])
def test_matmul_of_a_stack_by_a_matrix_matches_and_keeps_the_leading_axes(shape):
    rng = np.random.default_rng(3)
    a = rng.normal(size=shape).astype("float32")
    w = rng.normal(size=(3, 6)).astype("float32")
    got = np.asarray(jax.jit(jax_numpy.matmul)(jnp.asarray(a), jnp.asarray(w)))
    assert got.shape == (*shape[:-1], 6)
    np.testing.assert_allclose(got, np.asarray(a, "float64") @ np.asarray(w, "float64"),
                               rtol=1e-5, atol=1e-6)
    # The kernel's gradient: the sum over every leading position of outer products.
    g = rng.normal(size=(*shape[:-1], 6)).astype("float32")
    grad = jax.jit(jax.grad(lambda w_: jnp.sum(jax_numpy.matmul(jnp.asarray(a), w_) * g)))
    expected = np.asarray(a, "float64").reshape(-1, 3).T @ np.asarray(g, "float64").reshape(-1, 6)
    np.testing.assert_allclose(np.asarray(grad(jnp.asarray(w))), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape,kernel", [((2, 3, 0), (0, 4)), ((0, 3, 2), (2, 4))])
def test_matmul_of_an_empty_stack_gives_the_empty_or_zero_result(shape, kernel):
    got = jax.jit(jax_numpy.matmul)(jnp.ones(shape), jnp.ones(kernel))
    expected = np.ones(shape) @ np.ones(kernel)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(got), expected)


def _kernel_gradient_text(matmul):
    x, w, g = jnp.ones((5, 4, 3)), jnp.ones((3, 8)), jnp.ones((5, 4, 8))
    fn = jax.jit(jax.grad(lambda w_, x_, g_: jnp.sum(matmul(x_, w_) * g_)))
    return fn.lower(w, x, g).compile().as_text()


def test_kernel_gradient_of_a_sequence_projection_does_not_transpose_the_gradient():
    # jnp.matmul's kernel gradient contracts two axes and XLA:CPU first transposes the
    # incoming gradient (here to f32[8,20]); folding the leading axes avoids that copy.
    assert "f32[8,20]" in _kernel_gradient_text(jnp.matmul)
    assert "f32[8,20]" not in _kernel_gradient_text(jax_numpy.matmul)
