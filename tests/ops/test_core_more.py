"""lamina.ops.core: associative_scan, map, vectorized_map, switch, custom_gradient,
saturate_cast, scatter, scatter_update, unstack, rearrange, against NumPy and hand values."""

import numpy as np
import pytest

from lamina import backend, ops
from lamina.ops import core

RNG = np.random.default_rng(11)


def np_of(x):
    return np.asarray(ops.convert_to_numpy(x))


def close(actual, expected, dtype="float32", rtol=1e-6, atol=1e-6):
    assert backend.standardize_dtype(actual.dtype) == dtype
    np.testing.assert_allclose(np_of(actual).astype("float64"), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_associative_scan_sums_and_products(reverse, axis):
    x = RNG.normal(size=(4, 5)).astype("float32")
    flip = (lambda a: np.flip(a, axis)) if reverse else (lambda a: a)
    close(core.associative_scan(ops.add, x, reverse=reverse, axis=axis),
          flip(np.cumsum(flip(x.astype("float64")), axis=axis)), rtol=1e-5, atol=1e-5)
    close(core.associative_scan(ops.multiply, x, reverse=reverse, axis=axis),
          flip(np.cumprod(flip(x.astype("float64")), axis=axis)), rtol=1e-5, atol=1e-6)


def test_associative_scan_of_a_pytree_composes_affine_maps():
    # Element (a, b) is the map h -> a * h + b; composing them runs the recurrence
    # h_t = a_t * h_{t-1} + b_t from h = 0.
    a, b = RNG.random(6).astype("float32"), RNG.normal(size=6).astype("float32")

    def compose(first, second):
        return first[0] * second[0], second[0] * first[1] + second[1]

    _, h = core.associative_scan(compose, (a, b))
    expected, state = [], 0.0
    for a_t, b_t in zip(a.astype("float64"), b):
        state = a_t * state + b_t
        expected.append(state)
    close(h, expected, rtol=1e-5)


def test_map_and_vectorized_map_match_python_loops():
    x = RNG.normal(size=(3, 4)).astype("float32")
    expected = np.stack([np.outer(row, row).sum(0) for row in x.astype("float64")])
    close(core.map(lambda r: ops.sum(ops.outer(r, r), axis=0), x), expected, rtol=1e-5)
    close(core.vectorized_map(lambda r: ops.sum(ops.outer(r, r), axis=0), x), expected,
          rtol=1e-5)
    out = core.vectorized_map(lambda pair: pair[0] * pair[1], (x, 2 * x))
    close(out, 2 * x.astype("float64") ** 2, rtol=1e-6)
    out = core.map(lambda d: d["a"] - d["b"], {"a": x, "b": x[::-1]})
    close(out, x - x[::-1])


def test_switch_picks_and_clamps():
    branches = [lambda v: v + 1.0, lambda v: v * 10.0, lambda v: -v]
    x = np.array([2.0, 3.0], "float32")
    for index, expected in [(0, [3.0, 4.0]), (1, [20.0, 30.0]), (2, [-2.0, -3.0]),
                            (7, [-2.0, -3.0]), (-4, [3.0, 4.0])]:
        close(core.switch(np.int32(index), branches, x), expected)
        close(core.switch(index, branches, x), expected)
    traced = backend.transforms.jit(lambda i, v: core.switch(i, branches, v))
    close(traced(np.int32(1), x), [20.0, 30.0])


def test_custom_gradient_replaces_the_true_gradient():
    @core.custom_gradient
    def clipped_square(x):
        def grad(upstream):
            # Deliberately not 2 * x: clip to [-1, 1], so the test sees which gradient ran.
            return upstream * ops.clip(2.0 * x, -1.0, 1.0)

        return ops.square(x), grad

    x = np.array([0.2, 3.0, -5.0], "float32")
    close(clipped_square(x), x.astype("float64") ** 2)
    grads = backend.transforms.grad(lambda v: ops.sum(clipped_square(v) * 3.0))(x)
    close(grads, [1.2, 3.0, -3.0], rtol=1e-6)  # true gradient: [1.2, 18.0, -30.0]

    @core.custom_gradient
    def product(a, b):
        return a * b, lambda upstream: (upstream * 10.0, upstream * 20.0)

    variable = backend.Variable(np.float32(3.0))
    close(product(variable, 2.0), 6.0)
    grads = backend.transforms.grad(lambda a, b: product(a, b), )
    assert float(grads(np.float32(3.0), np.float32(2.0))) == 10.0


@pytest.mark.parametrize("dtype, values, expected", [
    ("uint8", [-1.0, 300.0, 2.7, np.inf, -np.inf], [0, 255, 2, 255, 0]),
    ("int8", [-200.0, 100.0, 127.9], [-128, 100, 127]),
    ("int32", [3e9, -3e9, 5.0], [2147483647, -2147483648, 5]),  # as Keras 3.15 on JAX
    ("uint32", [3e9, -3e9, 5.0], [3000000000, 0, 5]),
])
def test_saturate_cast_clips_to_the_target_range(dtype, values, expected):
    out = core.saturate_cast(np.array(values, "float32"), dtype)
    assert backend.standardize_dtype(out.dtype) == dtype
    assert np_of(out).tolist() == expected
    assert np_of(core.saturate_cast(np.array([300, -5], "int32"), "uint8")).tolist() == [255, 0]


def test_scatter_sums_repeated_indices():
    indices = np.array([[0, 1], [1, 0], [0, 1], [2, 2]])
    values = np.array([1.0, 2.0, 3.0, 4.0], "float32")
    expected = np.zeros((3, 3))
    np.add.at(expected, tuple(indices.T), values)
    close(core.scatter(indices, values, (3, 3)), expected)
    rows = core.scatter(np.array([[2], [0]]), np.ones((2, 4), "int32"), (3, 4))
    assert backend.standardize_dtype(rows.dtype) == "int32"
    assert np_of(rows).tolist() == [[1] * 4, [0] * 4, [1] * 4]


@pytest.mark.parametrize("reduction, ufunc", [(None, None), ("add", np.add),
                                              ("max", np.maximum), ("min", np.minimum),
                                              ("mul", np.multiply)])
def test_scatter_update_reductions(reduction, ufunc):
    inputs = RNG.normal(size=(3, 4)).astype("float32")
    indices = np.array([[0, 1], [2, 3], [1, 1]])
    updates = RNG.normal(size=(3,)).astype("float32")
    expected = inputs.astype("float64").copy()
    if ufunc is None:
        expected[tuple(indices.T)] = updates
    else:
        ufunc.at(expected, tuple(indices.T), updates)
    close(core.scatter_update(inputs, indices, updates, reduction=reduction), expected)


def test_unstack():
    x = np.arange(24).reshape(2, 3, 4).astype("int32")
    for axis in (0, 1, -1):
        parts = core.unstack(x, axis=axis)
        assert len(parts) == x.shape[axis]
        for i, part in enumerate(parts):
            assert np_of(part).tolist() == np.take(x, i, axis=axis).tolist()
    assert len(core.unstack(x, num=3, axis=1)) == 3


REARRANGE_CASES = [
    ("b h w c -> b c h w", {}, lambda x: x.transpose(0, 3, 1, 2)),
    ("b h w c -> (b h) w c", {}, lambda x: x.reshape(4 * 6, 2, 3)),
    ("b h w c -> h (b w) c", {}, lambda x: x.transpose(1, 0, 2, 3).reshape(6, 8, 3)),
    ("b h w c -> b (c h w)", {}, lambda x: x.transpose(0, 3, 1, 2).reshape(4, 36)),
    ("b (h1 h) w c -> (b h1) h w c", {"h1": 2},
     lambda x: x.reshape(4, 2, 3, 2, 3).reshape(8, 3, 2, 3)),
    ("b (h h2) (w w2) c -> b h w (c h2 w2)", {"h2": 3, "w2": 2},
     lambda x: x.reshape(4, 2, 3, 1, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(4, 2, 1, 18)),
]


@pytest.mark.parametrize("index", range(len(REARRANGE_CASES)))
def test_rearrange_matches_numpy(index):
    pattern, lengths, reference = REARRANGE_CASES[index]
    x = np.arange(4 * 6 * 2 * 3).reshape(4, 6, 2, 3).astype("float32")
    assert np_of(core.rearrange(x, pattern, **lengths)).tolist() == reference(x).tolist()


def test_symbolic_shapes():
    x = ops.KerasTensor((None, 6, 4))
    assert core.rearrange(x, "b (h h2) w -> b h (w h2)", h2=2).shape == (None, 3, 8)
    assert core.map(lambda r: ops.sum(r, axis=0), x).shape == (None, 4)
    assert core.vectorized_map(lambda r: r[0], x).shape == (None, 4)
    assert core.associative_scan(ops.add, x, axis=1).shape == (None, 6, 4)
    assert [t.shape for t in core.unstack(x, axis=1)] == [(None, 4)] * 6
    assert core.saturate_cast(x, "uint8").dtype == "uint8"
    assert core.scatter_update(x, np.array([[0, 1]]), np.ones((1, 4))).shape == (None, 6, 4)
    assert core.switch(1, [lambda v: v, lambda v: v * 2], x).shape == (None, 6, 4)


ERRORS = [
    (lambda: core.associative_scan(ops.add, np.ones((2, 3)), axis=2), ValueError,
     "associative_scan: `axis` 2 is out of range"),
    (lambda: core.associative_scan(ops.add, (np.ones(2), np.ones(3))), ValueError,
     "associative_scan: every element"),
    (lambda: core.map(1, np.ones(2)), TypeError, "map: `f` must be callable"),
    (lambda: core.vectorized_map(None, np.ones(2)), TypeError, "vectorized_map: `function`"),
    (lambda: core.switch(0, [], 1.0), TypeError, "switch: `branches`"),
    (lambda: core.custom_gradient("f"), TypeError, "custom_gradient: `f`"),
    (lambda: core.saturate_cast(np.ones(2), "float31"), ValueError, "saturate_cast.*float31"),
    (lambda: core.scatter(np.array([[0, 1, 2]]), np.ones(1), (2, 2)), ValueError,
     "scatter: expected `indices`"),
    (lambda: core.scatter_update(np.ones((2, 2)), np.array([[0]]), np.ones((1, 3))),
     ValueError, "scatter_update: expected"),
    (lambda: core.scatter_update(np.ones(2), np.array([[0]]), np.ones(1), "sum"), ValueError,
     "'add', 'max', 'min', 'mul'"),
    (lambda: core.unstack(np.ones((2, 3)), axis=2), ValueError, "unstack: `axis`"),
    (lambda: core.unstack(np.ones((2, 3)), num=3), ValueError, "unstack: `num`"),
    (lambda: core.rearrange(np.ones((2, 3)), "a b c -> a b c"), ValueError, "rank 2"),
    (lambda: core.rearrange(np.ones((2, 3)), "a b -> a"), ValueError, "once on each side"),
    (lambda: core.rearrange(np.ones((2, 3)), "a b"), ValueError, "<input axes> -> <output"),
    (lambda: core.rearrange(np.ones((2, 6)), "a (b c) -> a b c"), ValueError,
     "all but one"),
    (lambda: core.rearrange(np.ones((2, 6)), "a (b c) -> a b c", b=4), ValueError,
     "cannot make an axis of size 6"),
    (lambda: core.rearrange(np.ones((2, 6)), "a b -> b a", c=2), ValueError,
     r"does not have"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_name_the_op_and_argument(index):
    call, kind, message = ERRORS[index]
    with pytest.raises(kind, match=message):
        call()
