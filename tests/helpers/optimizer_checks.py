"""Shared fixtures for optimizer tests: two variables, three fixed gradient steps, and the
checks every optimizer gets (stateless_apply against apply, slot names)."""

import numpy as np

from lamina import backend

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
GRADS = [(np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([1.0, -1.0], "float32")),
         (np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[2.0, -1.0], [0.5, -0.3]], "float32"), np.array([-0.7, 0.05], "float32"))]


def run(optimizer):
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    for gw, gb in GRADS:
        optimizer.apply([gw, gb], [kernel, bias])
    return kernel.numpy(), bias.numpy()


def check_stateless_matches_apply(make):
    stateful, stateless = make(), make()
    w, b = run(stateful)
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    stateless.build([kernel, bias])
    initial = [v.numpy() for v in stateless.variables]
    trainable, values = [kernel.value, bias.value], [v.value for v in stateless.variables]
    for gw, gb in GRADS:
        trainable, values = stateless.stateless_apply(values, [gw, gb], trainable)
    np.testing.assert_allclose(trainable[0], w, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(trainable[1], b, rtol=1e-6, atol=1e-7)
    for value, variable in zip(values, stateful.variables):
        np.testing.assert_allclose(value, variable.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(kernel.numpy(), W0)
    for before, variable in zip(initial, stateless.variables):
        np.testing.assert_array_equal(variable.numpy(), before)


def slot_names(optimizer):
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    optimizer.build([kernel, bias])
    return [(v.name, tuple(v.shape)) for v in optimizer.variables][2:]
