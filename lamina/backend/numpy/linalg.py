"""Linear algebra on NumPy."""

import builtins

import numpy as np

from lamina.backend.numpy.numpy import _float_input


def qr(x, mode="reduced"):
    return np.linalg.qr(_float_input(x), mode=mode)


def norm(x, ord=None, axis=None, keepdims=False):
    x = _float_input(x)
    return np.asarray(np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims), dtype=x.dtype)


def inv(x):
    return np.linalg.inv(_float_input(x))


def det(x):
    return np.linalg.det(_float_input(x))


def solve(a, b):
    return np.linalg.solve(_float_input(a), _float_input(b))


def cholesky(x, upper=False):
    lower = np.linalg.cholesky(_float_input(x))
    return np.swapaxes(lower, -1, -2) if upper else lower


def svd(x, full_matrices=True, compute_uv=True):
    return np.linalg.svd(_float_input(x), full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(x):
    return np.linalg.eigh(_float_input(x))


def _solve_triangular(a, b, lower):
    """`a^-1 b` for triangular `a` (batched); SciPy's solver when installed, else NumPy's."""
    try:
        from scipy.linalg import solve_triangular as scipy_solve
    except ImportError:
        scipy_solve = None
    if scipy_solve is not None and a.ndim == 2:
        return scipy_solve(a, b, lower=lower).astype(a.dtype)
    # A triangle solved as a general system: the other triangle is zeroed first.
    a = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(a, b)


def cholesky_inverse(x, upper=False):
    factor = _float_input(x)
    identity = np.broadcast_to(np.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    # x = L @ L^H, so x^-1 = L^-H @ L^-1; two triangular solves keep the factor's accuracy.
    lower = np.swapaxes(factor, -1, -2).conj() if upper else factor
    inv_lower = _solve_triangular(lower, identity, lower=True)
    return np.swapaxes(inv_lower, -1, -2).conj() @ inv_lower


def eig(x):
    x = _float_input(x)
    complex_dtype = np.result_type(x.dtype, np.complex64)
    values, vectors = np.linalg.eig(x)
    # JAX always answers in complex numbers; NumPy only when some eigenvalue is complex.
    return values.astype(complex_dtype), vectors.astype(complex_dtype)


def lstsq(a, b, rcond=None):
    a, b = _float_input(a), _float_input(b)
    dtype = np.promote_types(a.dtype, b.dtype)
    return np.linalg.lstsq(a.astype(dtype), b.astype(dtype), rcond=rcond)[0]


def lu_factor(x):
    x = _float_input(x)
    try:
        from scipy.linalg import lu_factor as scipy_lu_factor
    except ImportError:
        scipy_lu_factor = None
    if scipy_lu_factor is not None and x.ndim == 2:
        lu, pivots = scipy_lu_factor(x)
        return lu.astype(x.dtype), pivots.astype(np.int32)
    return _lu_factor(x)


def _lu_factor(x):
    """LU with partial pivoting, LAPACK's getrf layout: L (unit diagonal) and U in one matrix,
    and `pivots[i]` the row swapped with row i."""
    lu = np.array(x, copy=True)
    n = lu.shape[-1]
    pivots = np.zeros((*lu.shape[:-2], builtins.min(lu.shape[-2:])), np.int32)
    for index in np.ndindex(*lu.shape[:-2]):
        m = lu[index]
        for k in range(builtins.min(m.shape)):
            p = k + int(np.argmax(np.abs(m[k:, k])))
            pivots[index + (k,)] = p
            if p != k:
                m[[k, p]] = m[[p, k]]
            if m[k, k] != 0:
                m[k + 1:, k] /= m[k, k]
                m[k + 1:, k + 1:n] -= np.outer(m[k + 1:, k], m[k, k + 1:n])
    return lu, pivots


def _default_rcond(x):
    return np.finfo(x.dtype).eps * builtins.max(x.shape[-2:])


def matrix_rank(x, tol=None):
    x = _float_input(x)
    s = np.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = np.max(s, axis=-1, keepdims=True) * _default_rcond(x)
    else:
        tol = np.expand_dims(np.asarray(tol, s.dtype), -1)
    return np.sum(s > tol, axis=-1).astype(np.int32)


def pinv(x, rcond=None):
    x = _float_input(x)
    # `rcond` is relative to the largest singular value; JAX's default is eps * max(M, N).
    rcond = _default_rcond(x) if rcond is None else rcond
    return np.linalg.pinv(x, rcond=rcond).astype(x.dtype)


def solve_triangular(a, b, lower=False):
    a, b = _float_input(a), _float_input(b)
    dtype = np.promote_types(a.dtype, b.dtype)
    return _solve_triangular(a.astype(dtype), b.astype(dtype), lower)
