"""Linear algebra ops."""

from lamina import backend
from lamina.ops.dispatch import run


def qr(x, mode="reduced"):
    """QR decomposition."""
    return run(qr, backend.linalg.qr, x, mode=mode)


def norm(x, ord=None, axis=None, keepdims=False):
    """Matrix or vector norm."""
    return run(norm, backend.linalg.norm, x, ord=ord, axis=axis, keepdims=keepdims)


def inv(x):
    """Matrix inverse."""
    return run(inv, backend.linalg.inv, x)


def det(x):
    """Determinant."""
    return run(det, backend.linalg.det, x)


def solve(a, b):
    """Solve `a @ x = b`."""
    return run(solve, backend.linalg.solve, a, b)


def cholesky(x, upper=False):
    """Cholesky factor of a symmetric positive-definite matrix: lower `L` (`x = L @ L.T`), or the
    upper factor `L.T` when `upper`."""
    return run(cholesky, backend.linalg.cholesky, x, upper=upper)


def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition."""
    return run(svd, backend.linalg.svd, x, full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(x):
    """Eigen-decomposition of a symmetric matrix."""
    return run(eigh, backend.linalg.eigh, x)


__all__ = ["cholesky", "det", "eigh", "inv", "norm", "qr", "solve", "svd"]
