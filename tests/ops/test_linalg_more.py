"""lamina.ops.linalg: cholesky_inverse, eig, jvp, lstsq, lu_factor, matrix_rank, pinv,
solve_triangular, against NumPy/SciPy, defining identities and finite differences."""

import numpy as np
import pytest
import scipy.linalg

from lamina import backend, ops
from lamina.ops import linalg
from tests.helpers import gradcheck

RNG = np.random.default_rng(3)
jit = backend.transforms.jit
A = np.array([[2.0, 1.0, 0.5], [0.5, 3.0, -1.0], [1.0, -0.5, 4.0]], dtype="float32")
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.0]], dtype="float32")
TALL = RNG.normal(size=(5, 3)).astype("float32")


def np_of(x):
    return np.asarray(ops.convert_to_numpy(x)).astype("float64")


def close(actual, expected, dtype="float32", rtol=1e-5, atol=1e-5):
    assert backend.standardize_dtype(actual.dtype) == dtype
    np.testing.assert_allclose(np_of(actual), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse(upper):
    lower = np.linalg.cholesky(SPD.astype("float64"))
    factor = lower.T if upper else lower
    close(linalg.cholesky_inverse(factor.astype("float32"), upper=upper),
          np.linalg.inv(SPD.astype("float64")), rtol=1e-4)
    batch = np.stack([factor, 2 * factor]).astype("float32")
    close(linalg.cholesky_inverse(batch, upper=upper),
          np.stack([np.linalg.inv(SPD), np.linalg.inv(4 * SPD.astype("float64"))]), rtol=1e-4)


def test_eig_satisfies_its_definition():
    values, vectors = linalg.eig(A)
    assert backend.standardize_dtype(values.dtype) == "complex64"
    values, vectors = ops.convert_to_numpy(values), ops.convert_to_numpy(vectors)
    np.testing.assert_allclose(A @ vectors, vectors * values[None, :], atol=1e-5)
    np.testing.assert_allclose(np.sort_complex(values), np.sort_complex(np.linalg.eigvals(A)),
                               atol=1e-5)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]], "float32")  # eigenvalues +-i
    np.testing.assert_allclose(np.sort_complex(ops.convert_to_numpy(linalg.eig(rotation)[0])),
                               [-1j, 1j], atol=1e-6)


@pytest.mark.parametrize("b_shape", [(5,), (5, 2)])
def test_lstsq_matches_numpy(b_shape):
    b = RNG.normal(size=b_shape).astype("float32")
    close(linalg.lstsq(TALL, b), np.linalg.lstsq(TALL.astype("float64"), b, rcond=None)[0],
          rtol=1e-4)
    # A rank-deficient system: the minimum-norm solution.
    a = np.array([[1.0, 1.0], [1.0, 1.0]], "float32")
    close(linalg.lstsq(a, np.array([2.0, 2.0], "float32")), [1.0, 1.0], rtol=1e-5)


def test_lu_factor_matches_scipy():
    lu, pivots = linalg.lu_factor(A)
    ref_lu, ref_pivots = scipy.linalg.lu_factor(A.astype("float64"))
    close(lu, ref_lu)
    assert backend.standardize_dtype(pivots.dtype) == "int32"
    assert np_of(pivots).tolist() == ref_pivots.tolist()


def test_matrix_rank():
    low_rank = TALL[:, :2] @ RNG.normal(size=(2, 4)).astype("float32")
    rank = linalg.matrix_rank(low_rank)
    assert backend.standardize_dtype(rank.dtype) == "int32" and int(rank) == 2
    assert int(linalg.matrix_rank(np.diag([3.0, 1.0, 0.1]).astype("float32"), tol=0.5)) == 2
    batch = np.stack([np.eye(3), np.zeros((3, 3))]).astype("float32")
    assert np_of(linalg.matrix_rank(batch)).tolist() == [3, 0]


def test_pinv_matches_numpy():
    close(linalg.pinv(TALL), np.linalg.pinv(TALL.astype("float64")), rtol=1e-4)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], "float32")
    close(linalg.pinv(singular), np.linalg.pinv(singular.astype("float64")), rtol=1e-4)
    # rcond drops the small singular value 0.01 (relative 0.01 < 0.1).
    close(linalg.pinv(np.diag([1.0, 0.01]).astype("float32"), rcond=0.1), np.diag([1.0, 0.0]))


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("b_shape", [(3,), (3, 2)])
def test_solve_triangular_matches_scipy(lower, b_shape):
    tri = np.tril(A) if lower else np.triu(A)
    b = RNG.normal(size=b_shape).astype("float32")
    # Only the named triangle is read: the other one holds noise.
    noisy = tri + (np.triu(A, 1) if lower else np.tril(A, -1)) * 7
    close(linalg.solve_triangular(noisy, b, lower=lower),
          scipy.linalg.solve_triangular(tri.astype("float64"), b, lower=lower), rtol=1e-4)


def test_gradients():
    a = RNG.normal(size=(4, 3))
    b = RNG.normal(size=(4, 2))
    gradcheck.check_grads(jit(lambda x: ops.sum(ops.square(linalg.pinv(x)))), [a], rtol=1e-4)
    gradcheck.check_grads(jit(lambda x, y: ops.sum(ops.square(linalg.lstsq(x, y)))), [a, b],
                          rtol=1e-4)
    tri = np.tril(A.astype("float64")) + 2 * np.eye(3)
    gradcheck.check_grads(
        jit(lambda x, y: ops.sum(ops.square(linalg.solve_triangular(x, y, lower=True)))),
        [tri, b[:3]], rtol=1e-4)
    factor = np.linalg.cholesky(SPD.astype("float64"))
    gradcheck.check_grads(jit(lambda x: ops.sum(linalg.cholesky_inverse(x))), [factor],
                          rtol=1e-4)


def test_jvp_matches_finite_differences():
    def fun(x, y):
        return ops.sin(x) * y + ops.square(x)

    x, y = RNG.normal(size=(3,)), RNG.normal(size=(3,))
    dx, dy = RNG.normal(size=(3,)), RNG.normal(size=(3,))
    with gradcheck.float64_mode():
        out, tangent = linalg.jvp(fun, (x, y), (dx, dy))
        eps = 1e-6
        numeric = (np_of(fun(x + eps * dx, y + eps * dy)) -
                   np_of(fun(x - eps * dx, y - eps * dy))) / (2 * eps)
    np.testing.assert_allclose(np_of(out), np.sin(x) * y + x * x, rtol=1e-12)
    np.testing.assert_allclose(np_of(tangent), numeric, rtol=1e-6, atol=1e-9)
    out, tangent, aux = linalg.jvp(lambda v: (ops.sum(v * v), v + 1), (x.astype("float32"),),
                                   (dx.astype("float32"),), has_aux=True)
    np.testing.assert_allclose(np_of(tangent), 2 * np.sum(x * dx), rtol=1e-5)
    np.testing.assert_allclose(np_of(aux), x + 1, rtol=1e-6)


def test_symbolic_shapes():
    x = ops.KerasTensor((None, 4, 3))
    assert linalg.pinv(x).shape == (None, 3, 4)
    assert linalg.matrix_rank(x).shape == (None,) and linalg.matrix_rank(x).dtype == "int32"
    sq = ops.KerasTensor((2, 3, 3))
    values, vectors = linalg.eig(sq)
    assert values.shape == (2, 3) and values.dtype == "complex64"
    assert vectors.shape == (2, 3, 3) and vectors.dtype == "complex64"
    lu, pivots = linalg.lu_factor(sq)
    assert lu.shape == (2, 3, 3) and pivots.shape == (2, 3) and pivots.dtype == "int32"
    assert linalg.solve_triangular(sq, ops.KerasTensor((2, 3, 5))).shape == (2, 3, 5)
    assert linalg.lstsq(ops.KerasTensor((5, 3)), ops.KerasTensor((5, 2))).shape == (3, 2)


ERRORS = [
    (lambda: linalg.cholesky_inverse(TALL), ValueError, "cholesky_inverse.*square"),
    (lambda: linalg.eig(np.ones((3,))), ValueError, "eig.*square"),
    (lambda: linalg.lstsq(TALL, np.ones((4,))), ValueError, "lstsq.*b.shape=\\(4,\\)"),
    (lambda: linalg.lstsq(TALL, np.ones((5,)), rcond=-1), ValueError, "lstsq.*rcond"),
    (lambda: linalg.matrix_rank(np.ones((3,))), ValueError, "matrix_rank.*matrices"),
    (lambda: linalg.pinv(TALL, rcond="x"), ValueError, "pinv.*rcond"),
    (lambda: linalg.solve_triangular(A, np.ones((4,))), ValueError, "solve_triangular.*rows"),
    (lambda: linalg.jvp(lambda x: x, (1.0,), (1.0, 2.0)), ValueError, "jvp.*same length"),
    (lambda: linalg.jvp("f", (1.0,), (1.0,)), TypeError, "jvp.*callable"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_name_the_op_and_argument(index):
    call, kind, message = ERRORS[index]
    with pytest.raises(kind, match=message):
        call()
