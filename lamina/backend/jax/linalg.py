"""Linear algebra on JAX."""

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
