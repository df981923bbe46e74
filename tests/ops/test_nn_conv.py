"""lamina.ops conv, depthwise_conv, separable_conv and conv_transpose against NumPy loops.

The references here are direct loops over output positions and kernel taps ("same" padding
puts the smaller half of the padding first, as TensorFlow and Keras define it). The transposed
convolution's reference is the adjoint (matrix transpose) of the reference convolution, built
column by column; a few literal outputs come from Keras 3 with the same weights.
"""

import functools

import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck
from tests.ops.batched import batched

RNG = np.random.default_rng(7)


def f64(x):
    return np.asarray(x, dtype="float64")


def _tup(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


def np_conv(x, w, strides=1, padding="valid", dilation=1, data_format="channels_last"):
    """Grouped N-D cross-correlation by loops; `w` is (*kernel, in // groups, filters)."""
    x, w = f64(x), f64(w)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    n = x.ndim - 2
    strides, dilation = _tup(strides, n), _tup(dilation, n)
    size, ksize = x.shape[1:-1], w.shape[:n]
    eff = [(k - 1) * d + 1 for k, d in zip(ksize, dilation)]
    if padding == "same":
        out = [-(-s // st) for s, st in zip(size, strides)]
        total = [max((o - 1) * st + e - s, 0) for o, st, e, s in zip(out, strides, eff, size)]
        pads = [(t // 2, t - t // 2) for t in total]
    else:
        out = [(s - e) // st + 1 for s, e, st in zip(size, eff, strides)]
        pads = [(0, 0)] * n
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    in_per_group, filters = w.shape[-2], w.shape[-1]
    groups = x.shape[-1] // in_per_group
    per_group = filters // groups
    y = np.zeros((x.shape[0], *out, filters))
    for o in np.ndindex(*out):
        for k in np.ndindex(*ksize):
            pos = tuple(oi * si + ki * di for oi, si, ki, di in zip(o, strides, k, dilation))
            patch = xp[(slice(None), *pos)]
            for g in range(groups):
                cin = slice(g * in_per_group, (g + 1) * in_per_group)
                cout = slice(g * per_group, (g + 1) * per_group)
                y[(slice(None), *o, cout)] += patch[:, cin] @ w[k][:, cout]
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def np_depthwise(x, w, strides=1, padding="valid", dilation=1, data_format="channels_last"):
    """Output channel c * multiplier + m: channel c convolved with w[..., c, m]."""
    axis = -1 if data_format == "channels_last" else 1
    outs = []
    for c in range(w.shape[-2]):
        xc = np.take(f64(x), [c], axis=axis)
        for m in range(w.shape[-1]):
            outs.append(np_conv(xc, w[..., c:c + 1, m:m + 1], strides, padding, dilation,
                                data_format))
    return np.concatenate(outs, axis=axis)


def np_separable(x, dw, pw, strides=1, padding="valid", dilation=1,
                 data_format="channels_last"):
    return np_conv(np_depthwise(x, dw, strides, padding, dilation, data_format), pw,
                   data_format=data_format)


def np_conv_transpose(x, w, out_spatial, strides=1, padding="valid", dilation=1,
                      data_format="channels_last"):
    """The adjoint of `np_conv` from `out_spatial` to x's spatial size, with `w` read as the
    forward kernel (*kernel, filters, channels)."""
    x = f64(x)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    filters = w.shape[-2]
    y = np.zeros((x.shape[0], *out_spatial, filters))
    for j in np.ndindex(*out_spatial, filters):
        basis = np.zeros((1, *out_spatial, filters))
        basis[(0, *j)] = 1.0
        column = np_conv(basis, w, strides, padding, dilation)[0]
        assert column.shape == x.shape[1:], "forward conv does not map back to the input size"
        y[(slice(None), *j)] = np.tensordot(x, column, axes=x.ndim - 1)
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def _data(shape):
    return RNG.normal(size=shape).astype("float32")


def _channels_first(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


# (x shape channels_last, kernel shape, strides, padding, dilation, data_format)
CONV_CASES = [
    ((2, 7, 3), (3, 3, 4), 1, "valid", 1, "channels_last"),
    ((2, 7, 3), (3, 3, 4), 2, "same", 1, "channels_last"),
    ((2, 8, 3), (2, 3, 2), 3, "same", 1, "channels_first"),
    ((1, 9, 2), (3, 2, 2), 1, "same", 2, "channels_last"),
    ((2, 6, 5, 3), (3, 2, 3, 4), 1, "valid", 1, "channels_last"),
    ((2, 6, 5, 3), (3, 3, 3, 4), (2, 1), "same", 1, "channels_last"),
    ((1, 7, 7, 2), (3, 3, 2, 3), 1, "valid", (2, 1), "channels_first"),
    ((1, 6, 6, 2), (2, 2, 2, 2), 2, "same", 1, "channels_first"),
    ((1, 6, 6, 4), (3, 3, 2, 6), 1, "same", 1, "channels_last"),  # 2 groups
    ((1, 5, 5, 3), (3, 3, 1, 3), 2, "valid", 1, "channels_first"),  # 3 groups
    ((1, 4, 5, 3, 2), (2, 3, 2, 2, 3), 1, "valid", 1, "channels_last"),
    ((1, 4, 4, 4, 2), (3, 3, 3, 2, 2), (1, 2, 2), "same", 1, "channels_first"),
]
CONV_DATA = [(_data(xs), _data(ks)) for xs, ks, *_ in CONV_CASES]


@functools.lru_cache
def _conv_calls():
    calls = []
    for (x, k), (_, _, s, p, d, df) in zip(CONV_DATA, CONV_CASES):
        xin = _channels_first(x) if df == "channels_first" else x
        calls.append(functools.partial(ops.conv, xin, k, s, p, df, d))
    return calls


@pytest.mark.parametrize("index", range(len(CONV_CASES)))
def test_conv_matches_numpy_loops(index):
    (x, k), (_, _, s, p, d, df) = CONV_DATA[index], CONV_CASES[index]
    xin = _channels_first(x) if df == "channels_first" else x
    expected = np_conv(xin, k, s, p, d, df)
    out = batched(_conv_calls())[index]
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


# (x shape channels_last, kernel (*k, channels, multiplier), strides, padding, dilation, format)
DEPTHWISE_CASES = [
    ((2, 7, 3), (3, 3, 2), 1, "valid", 1, "channels_last"),
    ((2, 7, 3), (2, 3, 1), 2, "same", 1, "channels_first"),
    ((1, 6, 5, 2), (3, 3, 2, 2), 1, "same", (1, 2), "channels_last"),
    ((1, 6, 6, 3), (2, 2, 3, 1), 2, "valid", 1, "channels_first"),
]
DEPTHWISE_DATA = [(_data(xs), _data(ks), _data((*(1,) * (len(xs) - 2), ks[-2] * ks[-1], 4)))
                  for xs, ks, *_ in DEPTHWISE_CASES]


@functools.lru_cache
def _depthwise_calls():
    calls = []
    for (x, k, pw), (_, _, s, p, d, df) in zip(DEPTHWISE_DATA, DEPTHWISE_CASES):
        xin = _channels_first(x) if df == "channels_first" else x
        calls.append(functools.partial(ops.depthwise_conv, xin, k, s, p, df, d))
        calls.append(functools.partial(ops.separable_conv, xin, k, pw, s, p, df, d))
    return calls


@pytest.mark.parametrize("index", range(len(DEPTHWISE_CASES)))
def test_depthwise_and_separable_conv_match_numpy(index):
    (x, k, pw), (_, _, s, p, d, df) = DEPTHWISE_DATA[index], DEPTHWISE_CASES[index]
    xin = _channels_first(x) if df == "channels_first" else x
    depthwise, separable = batched(_depthwise_calls())[2 * index:2 * index + 2]
    np.testing.assert_allclose(depthwise, np_depthwise(xin, k, s, p, d, df), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(separable, np_separable(xin, k, pw, s, p, d, df), rtol=1e-5,
                               atol=1e-5)


# (x shape channels_last, kernel (*k, filters, channels), strides, padding, output_padding,
#  dilation, format, expected output spatial size)
TRANSPOSE_CASES = [
    ((2, 4, 3), (3, 2, 3), 1, "valid", None, 1, "channels_last", (6,)),
    ((2, 4, 3), (3, 2, 3), 2, "valid", None, 1, "channels_last", (9,)),
    ((1, 3, 2), (2, 2, 2), 3, "valid", None, 1, "channels_first", (9,)),  # stride > kernel
    ((2, 4, 3), (3, 2, 3), 2, "same", None, 1, "channels_last", (8,)),
    ((1, 4, 2), (3, 2, 2), 2, "valid", 1, 1, "channels_last", (10,)),
    ((1, 4, 2), (3, 1, 2), 1, "same", None, 2, "channels_first", (4,)),
    ((1, 3, 2, 2), (3, 3, 2, 2), 2, "same", None, 1, "channels_last", (6, 4)),
    ((1, 3, 3, 2), (3, 2, 3, 2), (2, 1), "valid", (1, 0), 1, "channels_first", (8, 4)),
    ((1, 2, 2, 2, 2), (2, 2, 2, 2, 2), 2, "same", None, 1, "channels_last", (4, 4, 4)),
]
TRANSPOSE_DATA = [(_data(c[0]), _data(c[1])) for c in TRANSPOSE_CASES]


@functools.lru_cache
def _transpose_calls():
    calls = []
    for (x, k), (_, _, s, p, op, d, df, _) in zip(TRANSPOSE_DATA, TRANSPOSE_CASES):
        xin = _channels_first(x) if df == "channels_first" else x
        calls.append(functools.partial(ops.conv_transpose, xin, k, s, p, op, df, d))
    return calls


@pytest.mark.parametrize("index", range(len(TRANSPOSE_CASES)))
def test_conv_transpose_is_the_adjoint_of_conv(index):
    (x, k), (_, _, s, p, _, d, df, size) = TRANSPOSE_DATA[index], TRANSPOSE_CASES[index]
    xin = _channels_first(x) if df == "channels_first" else x
    expected = np_conv_transpose(xin, k, size, s, p, d, df)
    out = batched(_transpose_calls())[index]
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def _lin(shape, low=-1.0, high=1.0):
    return np.linspace(low, high, int(np.prod(shape))).reshape(shape).astype("float32")


@pytest.mark.keras_parity
def test_conv_transpose_even_kernel_same_padding_matches_keras_literal():
    # Keras 3: Conv1DTranspose(1, 2, strides=2, padding="same", output_padding=1) with the
    # kernel linspace(-1, 1, 2) and bias 0.1 on linspace(-2, 2, 3).
    out = ops.conv_transpose(_lin((1, 3, 1), -2, 2), _lin((2, 1, 1)), 2, "same", 1)
    np.testing.assert_allclose(np.asarray(out).ravel() + 0.1,
                               [2.1, -1.9, 0.1, 0.1, -1.9], atol=1e-5)


def test_conv_transpose_output_sizes_follow_keras_rules():
    # valid: (n - 1) * s + max(k, s) + 0; same: n * s; with output_padding p:
    # valid (n - 1) * s + k + p, same (n - 1) * s + k % 2 + p (k counts dilation).
    x = np.ones((1, 5, 1), "float32")
    for k, s, p, op, d, expected in [(3, 2, "valid", None, 1, 11), (2, 4, "valid", None, 1, 20),
                                     (3, 2, "same", None, 1, 10), (4, 3, "same", 2, 1, 14),
                                     (3, 1, "valid", None, 2, 9), (2, 2, "same", 1, 1, 9)]:
        out = ops.conv_transpose(x, np.ones((k, 1, 1), "float32"), s, p, op, dilation_rate=d)
        assert out.shape == (1, expected, 1), (k, s, p, op, d)


def _loss(op, *args, **kwargs):
    def fn(*tensors):
        return ops.sum(ops.square(op(*tensors, *args, **kwargs)))
    return fn


def test_conv_gradients():
    gradcheck.check_grads(_loss(ops.conv, strides=2, padding="same"),
                          [_data((1, 5, 4, 2)), _data((3, 2, 2, 3))])
    gradcheck.check_grads(_loss(ops.conv, padding="valid", dilation_rate=2,
                                data_format="channels_first"),
                          [_data((1, 2, 7)), _data((2, 1, 4))])


def test_depthwise_and_separable_conv_gradients():
    gradcheck.check_grads(_loss(ops.depthwise_conv, strides=1, padding="same"),
                          [_data((1, 4, 4, 2)), _data((2, 3, 2, 2))])
    gradcheck.check_grads(_loss(ops.separable_conv, strides=2, padding="valid"),
                          [_data((1, 5, 5, 2)), _data((3, 3, 2, 1)), _data((1, 1, 2, 2))])


def test_conv_transpose_gradients():
    gradcheck.check_grads(_loss(ops.conv_transpose, strides=2, padding="same"),
                          [_data((1, 3, 3, 2)), _data((3, 3, 2, 2))])
    gradcheck.check_grads(_loss(ops.conv_transpose, strides=3, padding="valid",
                                output_padding=1),
                          [_data((1, 3, 2)), _data((2, 2, 2))])


def test_conv_ops_infer_symbolic_shapes():
    x = KerasTensor((None, 8, None, 3))
    assert ops.conv(x, _data((3, 3, 3, 5)), strides=2, padding="same").shape == \
        (None, 4, None, 5)
    assert ops.conv(x, _data((3, 3, 1, 6))).shape == (None, 6, None, 6)  # 3 groups
    assert ops.depthwise_conv(x, _data((3, 3, 3, 2))).shape == (None, 6, None, 6)
    assert ops.separable_conv(x, _data((3, 3, 3, 1)), _data((1, 1, 3, 4))).shape == \
        (None, 6, None, 4)
    assert ops.conv_transpose(x, _data((3, 3, 4, 3)), strides=2).shape == (None, 17, None, 4)
    first = KerasTensor((None, 3, 8, 8))
    assert ops.conv(first, _data((3, 3, 3, 5)), data_format="channels_first").shape == \
        (None, 5, 6, 6)


def test_conv_runs_under_jit_and_casts_inputs_to_kernel_dtype():
    x, k = _data((1, 5, 2)), _data((2, 2, 3))
    jitted = lamina.backend.transforms.jit(lambda a, b: ops.conv(a, b, padding="same"))
    np.testing.assert_allclose(jitted(x, k), np_conv(x, k, padding="same"), rtol=1e-5,
                               atol=1e-5)
    out = ops.conv(np.arange(10, dtype="int32").reshape(1, 5, 2), k)
    assert lamina.backend.standardize_dtype(out.dtype) == "float32"
    np.testing.assert_allclose(out, np_conv(np.arange(10).reshape(1, 5, 2), k), rtol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: ops.conv(np.ones((2, 3)), np.ones((3, 3))), r"rank >= 3.*\(2, 3\)"),
    (lambda: ops.conv(np.ones((1, 5, 2)), np.ones((3, 3, 2, 4))), r"same rank"),
    (lambda: ops.conv(np.ones((1, 5, 2)), np.ones((3, 2, 4)), padding="full"),
     r"'valid' or 'same'.*'full'"),
    (lambda: ops.conv(np.ones((1, 5, 2)), np.ones((3, 2, 4)), data_format="NHWC"),
     r"channels_last.*'NHWC'"),
    (lambda: ops.conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4)), strides=(1, 0)),
     r"`strides`.*tuple of 2 ints.*\(1, 0\)"),
    (lambda: ops.conv(np.ones((1, 5, 2)), np.ones((3, 2, 4)), dilation_rate=(1, 1)),
     r"`dilation_rate`.*tuple of 1 ints"),
    (lambda: ops.conv(np.ones((1, 5, 5)), np.ones((3, 2, 4))), r"multiple of.*\(1, 5, 5\)"),
    (lambda: ops.conv(np.ones((1, 2, 2, 2)), np.ones((3, 3, 2, 4))),
     r"at least as long.*\(1, 2, 2, 2\).*\(3, 3, 2, 4\)"),
    (lambda: ops.conv(np.ones((1, 6, 2)), np.ones((3, 2, 4)), dilation_rate=3),
     r"at least as long"),
    (lambda: ops.depthwise_conv(np.ones((1, 5, 3)), np.ones((3, 2, 1))), r"equal to.*= 2"),
    (lambda: ops.separable_conv(np.ones((1, 5, 2)), np.ones((3, 2, 2)), np.ones((1, 2, 4))),
     r"pointwise_kernel.*\(1, 4, 'filters'\)"),
    (lambda: ops.conv_transpose(np.ones((1, 5, 2)), np.ones((3, 2, 4))), r"equal to.*= 4"),
    (lambda: ops.conv_transpose(np.ones((1, 5, 2)), np.ones((3, 4, 2)), 2, output_padding=2),
     r"output_padding.*smaller than its stride"),
])
def test_conv_ops_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_conv_ops_docstring_examples():
    import doctest
    for fn in (ops.conv, ops.depthwise_conv, ops.separable_conv, ops.conv_transpose):
        finder = doctest.DocTestFinder()
        runner = doctest.DocTestRunner()
        for test in finder.find(fn, fn.__name__, globs={"lamina": lamina}):
            runner.run(test)
        assert runner.failures == 0, fn.__name__
