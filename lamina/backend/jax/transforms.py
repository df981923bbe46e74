"""The few program transforms the trainer needs, each a thin wrapper over JAX's."""

import jax
from jax import lax


# XLA:CPU's default copy insertion copies a loop-carried buffer that is read after the point
# where the loop body updates it in place: in a training loop, every weight that both the
# forward and the backward pass read (a hidden Dense kernel, 1 MiB for 512x512) was copied on
# every step. The region-based analysis sees that the reads come first and drops the copies.
LOOP_OPTIONS = {"xla_cpu_copy_insertion_use_region_analysis": True}


def jit(fn, donate_argnums=(), static_argnums=(), fast_compile=False, top_level=False):
    """`jax.jit`. `top_level=True` marks a program that is never called inside another traced
    function (the trainer's compiled steps and loops): only such a program can take XLA
    options, and it gets `LOOP_OPTIONS`. `fast_compile` (top level only) asks XLA for its
    least optimised code, which compiles about twice as fast: the right trade for toy-sized
    programs whose run time is negligible."""
    options = None
    if top_level:
        options = dict(LOOP_OPTIONS)
        if fast_compile:
            options["xla_backend_optimization_level"] = 0
    return jax.jit(fn, donate_argnums=donate_argnums, static_argnums=static_argnums,
                   compiler_options=options)


def value_and_grad(fn, has_aux=False):
    return jax.value_and_grad(fn, has_aux=has_aux)


def grad(fn, has_aux=False):
    return jax.grad(fn, has_aux=has_aux)


def scan(fn, init, xs=None, length=None, reverse=False, unroll=1):
    return lax.scan(fn, init, xs, length=length, reverse=reverse, unroll=unroll)


def fori_loop(lower, upper, body_fn, init_val):
    return lax.fori_loop(lower, upper, body_fn, init_val)


def while_loop(cond_fn, body_fn, init_val):
    return lax.while_loop(cond_fn, body_fn, init_val)


def cond(pred, true_fn, false_fn, *operands):
    return lax.cond(pred, true_fn, false_fn, *operands)


def stop_gradient(x):
    return lax.stop_gradient(x)


def tree_map(fn, *trees):
    return jax.tree_util.tree_map(fn, *trees)


def tree_flatten(tree):
    return jax.tree_util.tree_flatten(tree)


def tree_unflatten(treedef, leaves):
    return jax.tree_util.tree_unflatten(treedef, leaves)


def associative_scan(fn, elems, reverse=False, axis=0):
    return lax.associative_scan(fn, elems, reverse=reverse, axis=axis)


def map(fn, xs):
    return lax.map(fn, xs)


def switch(index, branches, *operands):
    return lax.switch(index, branches, *operands)


def vectorized_map(fn, elements):
    return jax.vmap(fn)(elements)


def custom_gradient(fn):
    return jax.custom_gradient(fn)


def jvp(fn, primals, tangents, has_aux=False):
    return jax.jvp(fn, primals, tangents, has_aux=has_aux)


def remat(fn):
    """`fn` recomputed during the backward pass instead of keeping its intermediates."""
    return jax.checkpoint(fn)

