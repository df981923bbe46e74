"""Linear algebra on JAX."""

import jax
import jax.numpy as jnp

from lamina.backend.jax.numpy import _float_input


def qr(x, mode="reduced"):
    return jnp.linalg.qr(_float_input(x), mode=mode)


def norm(x, ord=None, axis=None, keepdims=False):
    return jnp.linalg.norm(_float_input(x), ord=ord, axis=axis, keepdims=keepdims)


def inv(x):
    return jnp.linalg.inv(_float_input(x))


def det(x):
    return jnp.linalg.det(_float_input(x))


def solve(a, b):
    return jnp.linalg.solve(_float_input(a), _float_input(b))


def cholesky(x, upper=False):
    lower = jnp.linalg.cholesky(_float_input(x))
    return jnp.swapaxes(lower, -1, -2) if upper else lower


def svd(x, full_matrices=True, compute_uv=True):
    return jnp.linalg.svd(_float_input(x), full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(x):
    return jnp.linalg.eigh(_float_input(x))


def cholesky_inverse(x, upper=False):
    factor = _float_input(x)
    identity = jnp.broadcast_to(jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    # x = L @ L^H, so x^-1 = L^-H @ L^-1; two triangular solves keep the factor's accuracy.
    lower = jnp.swapaxes(factor, -1, -2).conj() if upper else factor
    inv_lower = jax.scipy.linalg.solve_triangular(lower, identity, lower=True)
    return jnp.swapaxes(inv_lower, -1, -2).conj() @ inv_lower


def eig(x):
    return jnp.linalg.eig(_float_input(x))


def lstsq(a, b, rcond=None):
    a, b = _float_input(a), _float_input(b)
    dtype = jnp.promote_types(a.dtype, b.dtype)
    return jnp.linalg.lstsq(a.astype(dtype), b.astype(dtype), rcond=rcond)[0]


def lu_factor(x):
    lu, pivots = jax.scipy.linalg.lu_factor(_float_input(x))
    return lu, pivots.astype(jnp.int32)


def _default_rcond(x):
    return jnp.finfo(x.dtype).eps * max(x.shape[-2:])


def matrix_rank(x, tol=None):
    x = _float_input(x)
    s = jnp.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = jnp.max(s, axis=-1, keepdims=True) * _default_rcond(x)
    else:
        tol = jnp.expand_dims(jnp.asarray(tol, s.dtype), -1)
    return jnp.sum(s > tol, axis=-1).astype(jnp.int32)


def pinv(x, rcond=None):
    # `rcond` is relative to the largest singular value, which JAX calls `rtol`.
    return jnp.linalg.pinv(_float_input(x), rtol=rcond)


def solve_triangular(a, b, lower=False):
    a, b = _float_input(a), _float_input(b)
    dtype = jnp.promote_types(a.dtype, b.dtype)
    return jax.scipy.linalg.solve_triangular(a.astype(dtype), b.astype(dtype), lower=lower)
