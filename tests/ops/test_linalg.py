"""lamina.ops.linalg against numpy.linalg and the defining identities of each factorization."""

import numpy as np
import pytest

from lamina import backend, ops
from tests.helpers import gradcheck

A = np.array([[2.0, 1.0, 0.5], [0.5, 3.0, -1.0], [1.0, -0.5, 4.0]], dtype="float32")
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.0]], dtype="float32")
RECT = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], dtype="float32")


def f64(x):
    return np.asarray(x, dtype="float64")


def np_of(x):
    return ops.convert_to_numpy(x).astype("float64")


def check(actual, expected, dtype="float32", rtol=1e-5, atol=1e-5):
    assert backend.standardize_dtype(actual.dtype) == dtype
    np.testing.assert_allclose(np_of(actual), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": 0, "keepdims": True},
                                    {"ord": 1, "axis": 1}, {"ord": np.inf, "axis": 0},
                                    {"ord": "fro"}, {"ord": 1}, {"ord": 2}])
def test_norm_matches_numpy(kwargs):
    check(ops.norm(RECT, **kwargs), np.linalg.norm(f64(RECT), **kwargs))


def test_norm_of_integers_is_float():
    check(ops.norm(np.array([3, 4])), 5.0)


def test_inv_det_solve():
    check(ops.inv(A), np.linalg.inv(f64(A)))
    check(ops.det(A), np.linalg.det(f64(A)), rtol=1e-5)
    b = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 3.0]], dtype="float32")
    check(ops.solve(A, b), np.linalg.solve(f64(A), f64(b)))
    batch = np.stack([A, SPD])
    check(ops.det(batch), np.linalg.det(f64(batch)), rtol=1e-5)


def test_cholesky_lower_and_upper():
    lower = np_of(ops.cholesky(SPD))
    np.testing.assert_allclose(lower, np.linalg.cholesky(f64(SPD)), rtol=1e-5, atol=1e-6)
    assert np.allclose(np.triu(lower, 1), 0)
    upper = np_of(ops.cholesky(SPD, upper=True))
    np.testing.assert_allclose(upper.T @ upper, SPD, rtol=1e-5, atol=1e-5)
    assert np.allclose(np.tril(upper, -1), 0)


@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_reconstructs_with_orthonormal_q(mode):
    q, r = (np_of(t) for t in ops.qr(RECT, mode=mode))
    assert q.shape == ((3, 2) if mode == "reduced" else (3, 3))
    np.testing.assert_allclose(q @ r, RECT, atol=1e-5)
    np.testing.assert_allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-5)
    assert np.allclose(np.tril(r, -1), 0)


def test_svd():
    u, s, vt = (np_of(t) for t in ops.svd(RECT, full_matrices=False))
    np.testing.assert_allclose(s, np.linalg.svd(f64(RECT), compute_uv=False), rtol=1e-5)
    np.testing.assert_allclose(u @ np.diag(s) @ vt, RECT, atol=1e-5)
    u, s, vt = ops.svd(RECT)
    assert tuple(u.shape) == (3, 3) and tuple(vt.shape) == (2, 2)
    check(ops.svd(RECT, compute_uv=False), np.linalg.svd(f64(RECT), compute_uv=False))


def test_eigh():
    w, v = (np_of(t) for t in ops.eigh(SPD))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(f64(SPD)), rtol=1e-5)
    np.testing.assert_allclose(SPD @ v, v * w, atol=1e-5)


def test_linalg_gradients():
    a = f64(A)
    w = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2], [0.5, 0.1, -0.6]])
    gradcheck.check_grads(lambda x: ops.det(x), [a])
    gradcheck.check_grads(lambda x: ops.sum(ops.inv(x) * w), [a])
    gradcheck.check_grads(lambda x: ops.norm(x), [a])
    gradcheck.check_grads(lambda x, b: ops.sum(ops.solve(x, b) * w[:, :1]),
                          [a, np.array([[1.0], [2.0], [-1.0]])])
