"""Linear algebra ops."""

import numbers

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


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(backend.convert_to_tensor(x).shape)


def _check_matrices(op, name, x, square=False):
    """`x`'s shape, after checking it is a (batch of) matrix, square if asked."""
    shape = _shape(x)
    if len(shape) < 2 or (square and shape[-1] is not None and shape[-2] != shape[-1]):
        kind = "square matrices" if square else "matrices"
        raise ValueError(f"{op}: `{name}` must be a tensor of {kind} (..., M, "
                         f"{'M' if square else 'N'}). Received: {name}.shape={shape}")
    return shape


def _check_tolerance(op, name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                              or value < 0):
        raise ValueError(f"{op}: `{name}` must be a non-negative float or None. Received: "
                         f"{name}={value!r}")


def cholesky_inverse(x, upper=False):
    """Inverse of a symmetric positive-definite matrix given its Cholesky factor.

    Args:
        x: Lower-triangular factor `L` of `A = L @ L.T` (or the upper factor `U` of
            `A = U.T @ U` when `upper`), shape `(..., M, M)`.
        upper: Whether `x` is the upper factor.

    Returns:
        `A^-1`, shape `(..., M, M)`.

    >>> cholesky_inverse([[2.0, 0.0], [0.0, 4.0]]).tolist()
    [[0.25, 0.0], [0.0, 0.0625]]
    """
    _check_matrices("cholesky_inverse", "x", x, square=True)
    return run(cholesky_inverse, backend.linalg.cholesky_inverse, x, upper=bool(upper))


def eig(x):
    """Eigenvalues and right eigenvectors of a general square matrix.

    Args:
        x: Tensor `(..., M, M)`.

    Returns:
        `(eigenvalues, eigenvectors)`: complex `(..., M)` and `(..., M, M)`, the eigenvectors
        in the columns, normalized to unit length.

    >>> [complex(v) for v in eig([[2.0, 0.0], [0.0, 3.0]])[0]]
    [(2+0j), (3+0j)]
    """
    _check_matrices("eig", "x", x, square=True)
    return run(eig, backend.linalg.eig, x)


def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product: `fun(*primals)` and its derivative along `tangents`.

    Args:
        fun: Function of tensors returning a tensor (or a pytree of tensors); with `has_aux`,
            a pair `(output, aux)`.
        primals: Tuple or list of inputs to `fun`.
        tangents: Tuple or list of tangents, shaped like `primals`.
        has_aux: Whether `fun` returns auxiliary data next to its output.

    Returns:
        `(primals_out, tangents_out)`, plus `aux` when `has_aux`.

    >>> out, tangent = jvp(lambda x: x * x, (3.0,), (1.0,))
    >>> float(tangent)
    6.0
    """
    if not callable(fun):
        raise TypeError(f"jvp: `fun` must be callable. Received: fun={fun!r}")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)) or \
            len(primals) != len(tangents):
        raise ValueError("jvp: `primals` and `tangents` must be tuples or lists of the same "
                         f"length. Received: primals={primals!r}, tangents={tangents!r}")
    to_tensor = backend.convert_to_tensor
    primals = tuple(to_tensor(p) for p in primals)
    tangents = tuple(to_tensor(t, dtype=backend.standardize_dtype(p.dtype))
                     for p, t in zip(primals, tangents))
    return backend.transforms.jvp(fun, primals, tangents, has_aux=has_aux)


def lstsq(a, b, rcond=None):
    """Least-squares solution `x` minimizing `||a @ x - b||`.

    Args:
        a: Matrix `(M, N)`.
        b: Tensor `(M,)` or `(M, K)`.
        rcond: Singular values of `a` below `rcond * max(singular values)` count as zero;
            defaults to machine epsilon times `max(M, N)`.

    Returns:
        `x`, shape `(N,)` or `(N, K)`.

    >>> lstsq([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], [1.0, 4.0, 5.0]).tolist()
    [1.0, 2.0]
    """
    a_shape, b_shape = _check_matrices("lstsq", "a", a), _shape(b)
    if len(a_shape) != 2 or len(b_shape) not in (1, 2) or b_shape[0] != a_shape[0]:
        raise ValueError("lstsq: expected `a` of shape (M, N) and `b` of shape (M,) or (M, K). "
                         f"Received: a.shape={a_shape}, b.shape={b_shape}")
    _check_tolerance("lstsq", "rcond", rcond)
    return run(lstsq, backend.linalg.lstsq, a, b, rcond=rcond)


def lu_factor(x):
    """LU factorization with partial pivoting, packed as in LAPACK's getrf.

    Args:
        x: Tensor `(..., M, N)`.

    Returns:
        `(lu, pivots)`: `lu` holds `U` on and above the diagonal and the unit-diagonal `L`
        below it; int32 `pivots` says row `i` was swapped with row `pivots[i]`.

    >>> lu, pivots = lu_factor([[1.0, 2.0], [3.0, 4.0]])
    >>> pivots.tolist()
    [1, 1]
    """
    _check_matrices("lu_factor", "x", x)
    return run(lu_factor, backend.linalg.lu_factor, x)


def matrix_rank(x, tol=None):
    """Number of singular values of `x` above a tolerance.

    Args:
        x: Tensor `(..., M, N)`.
        tol: Absolute threshold; defaults to `max(singular values) * eps * max(M, N)`.

    Returns:
        int32 tensor `(...)`.

    >>> int(matrix_rank([[1.0, 2.0], [2.0, 4.0]]))
    1
    """
    _check_matrices("matrix_rank", "x", x)
    _check_tolerance("matrix_rank", "tol", tol)
    return run(matrix_rank, backend.linalg.matrix_rank, x, tol=tol)


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse, from the singular value decomposition.

    Args:
        x: Tensor `(..., M, N)`.
        rcond: Singular values below `rcond * max(singular values)` count as zero; defaults
            to machine epsilon times `max(M, N)`.

    Returns:
        Tensor `(..., N, M)`.

    >>> pinv([[2.0, 0.0], [0.0, 0.0]]).tolist()
    [[0.5, 0.0], [0.0, 0.0]]
    """
    _check_matrices("pinv", "x", x)
    _check_tolerance("pinv", "rcond", rcond)
    return run(pinv, backend.linalg.pinv, x, rcond=rcond)


def solve_triangular(a, b, lower=False):
    """Solve `a @ x = b` for triangular `a`, reading only its lower or upper triangle.

    Args:
        a: Triangular matrices `(..., M, M)`.
        b: Tensor `(..., M)` or `(..., M, K)`.
        lower: Whether `a` is lower-triangular (else upper).

    Returns:
        `x`, shaped like `b`.

    >>> solve_triangular([[2.0, 0.0], [1.0, 1.0]], [2.0, 3.0], lower=True).tolist()
    [1.0, 2.0]
    """
    a_shape, b_shape = _check_matrices("solve_triangular", "a", a, square=True), _shape(b)
    if not b_shape or a_shape[-1] not in b_shape[-2:]:
        raise ValueError(f"solve_triangular: `b` must have {a_shape[-1]} rows, like `a`. "
                         f"Received: a.shape={a_shape}, b.shape={b_shape}")
    return run(solve_triangular, backend.linalg.solve_triangular, a, b, lower=bool(lower))


__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd"]
