"""Gradient checks: analytic gradients against float64 central finite differences."""

import contextlib

import numpy as np

from lamina import backend


@contextlib.contextmanager
def float64_mode():
    """Real float64 tensors and floatx "float64" for the duration (restored afterwards)."""
    previous = backend.floatx()
    with backend.core.enable_float64():
        backend.set_floatx("float64")
        try:
            yield
        finally:
            backend.set_floatx(previous)


def numeric_grad(fn, args, index, eps=1e-6):
    """Central-difference gradient of scalar `fn(*args)` with respect to `args[index]`."""
    args = [np.array(a, dtype=np.float64) for a in args]
    x = args[index]
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        orig = x[i]
        x[i] = orig + eps
        plus = float(fn(*args))
        x[i] = orig - eps
        minus = float(fn(*args))
        x[i] = orig
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def check_grads(fn, args, rtol=1e-5, atol=1e-7, argnums=None):
    """Assert that backend gradients of scalar `fn` match finite differences for each argument.

    `fn` takes tensors and returns a scalar tensor; it runs in float64 mode.
    """
    argnums = range(len(args)) if argnums is None else argnums
    with float64_mode():
        args64 = [np.asarray(a, dtype=np.float64) for a in args]
        for index in argnums:
            def of_one(x, index=index):
                full = list(args64)
                full[index] = x
                return fn(*full)
            analytic = np.asarray(backend.transforms.grad(of_one)(
                backend.convert_to_tensor(args64[index], dtype="float64")))
            numeric = numeric_grad(fn, args64, index)
            np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                                       err_msg=f"gradient of argument {index}")
