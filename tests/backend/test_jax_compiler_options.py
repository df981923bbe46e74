"""lamina's top-level jit (the trainer's steps and loops) compiles training loops without a
per-step copy of the weights; a nested jit takes no options."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from lamina.backend.jax import transforms


def _train(params, xs):
    """A three-layer ReLU net's SGD loop: the hidden kernel is read by the forward pass and
    by the backward pass (for the first layer's gradient) before the step replaces it."""
    def loss(p, x):
        h = jnp.maximum(x @ p[0], 0.0)
        h = jnp.maximum(h @ p[1], 0.0)
        return jnp.sum(h @ p[2])

    def body(i, p):
        g = jax.grad(loss)(p, xs[i])
        return [w - 0.1 * gw for w, gw in zip(p, g)]
    return lax.fori_loop(0, xs.shape[0], body, params)


def _inputs():
    rng = np.random.default_rng(0)
    shapes = ((8, 24), (24, 24), (24, 3))
    params = [jnp.asarray(rng.standard_normal(s), jnp.float32) for s in shapes]
    return params, jnp.asarray(rng.standard_normal((5, 4, 8)), jnp.float32)


def _hidden_kernel_copies(jitted):
    text = jitted.lower(*_inputs()).compile().as_text()
    return re.findall(r"= f32\[24,24\]\{1,0\} copy\(", text)


def test_plain_jax_jit_copies_the_hidden_kernel_every_step():
    # The premise: with XLA:CPU's default copy insertion the loop copies the kernel.
    assert len(_hidden_kernel_copies(jax.jit(_train, donate_argnums=0))) == 1


def test_lamina_jit_compiles_the_loop_without_the_copy():
    assert _hidden_kernel_copies(transforms.jit(_train, donate_argnums=0, top_level=True)) == []


def test_the_loop_computes_the_same_weights():
    params, xs = _inputs()
    expected = jax.jit(_train)(params, xs)
    got = transforms.jit(_train, top_level=True)(params, xs)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(e))


def test_fast_compile_keeps_the_option():
    assert _hidden_kernel_copies(transforms.jit(_train, donate_argnums=0, fast_compile=True,
                                                top_level=True)) == []


def test_a_jit_that_is_not_top_level_can_run_inside_another_trace():
    # JAX refuses compiler options on a nested jit: only top-level programs get them.
    inner = transforms.jit(lambda v: v * 2.0)
    outer = jax.jit(lambda v: jax.grad(lambda w: inner(w).sum())(v))
    np.testing.assert_array_equal(np.asarray(outer(jnp.ones(3))), np.full(3, 2.0))
    nested_top_level = transforms.jit(lambda v: v * 2.0, top_level=True)
    with pytest.raises(ValueError, match="compiler_options"):
        jax.jit(lambda v: nested_top_level(v))(jnp.ones(3))
