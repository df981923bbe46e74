"""Pooling and normalization ops against NumPy references written here (explicit window loops,
float64 formulas), float64 finite differences, and a few literals from Keras 3."""

import doctest
import math

import numpy as np
import pytest

from lamina import backend, ops
from lamina.ops import nn as nn_ops
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck


def np_pool(x, pool_size, strides, padding, data_format, mode):
    """Loop over output positions; each window holds only real elements (padding is skipped),
    so "same" max ignores padding and "same" average divides by the real count."""
    x = np.asarray(x, dtype="float64")
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    out_sizes, lows = [], []
    for size, p, s in zip(spatial, pool_size, strides):
        if padding == "valid":
            out_sizes.append((size - p) // s + 1)
            lows.append(0)
        else:
            out = math.ceil(size / s)
            out_sizes.append(out)
            lows.append(max((out - 1) * s + p - size, 0) // 2)
    result = np.zeros((x.shape[0], *out_sizes, x.shape[-1]))
    for index in np.ndindex(*out_sizes):
        window = tuple(slice(max(i * s - lo, 0), min(i * s - lo + p, size))
                       for i, s, lo, p, size in zip(index, strides, lows, pool_size, spatial))
        values = x[(slice(None), *window, slice(None))].reshape(x.shape[0], -1, x.shape[-1])
        result[(slice(None), *index, slice(None))] = \
            values.max(axis=1) if mode == "max" else values.mean(axis=1)
    return np.moveaxis(result, -1, 1) if data_format == "channels_first" else result


# (input shape, pool_size, strides, padding, data_format): strided, overlapping, non-divisible,
# same-padded, channels_first, 1D/2D/3D; pool_size == strides takes the reshape lowering, the
# others reduce_window.
POOL_CASES = [
    ((2, 7, 3), (2,), (2,), "valid", "channels_last"),
    ((2, 7, 3), (3,), (2,), "same", "channels_last"),
    ((2, 3, 7), (2,), (2,), "same", "channels_first"),
    ((2, 7, 3), (3,), (1,), "valid", "channels_last"),
    ((1, 5, 6, 2), (2, 3), (1, 2), "same", "channels_last"),
    ((1, 5, 6, 2), (2, 2), (2, 2), "valid", "channels_last"),
    ((1, 2, 5, 6), (3, 2), (3, 2), "same", "channels_first"),
    ((1, 2, 5, 6), (2, 3), (2, 1), "valid", "channels_first"),
    ((1, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2), "same", "channels_last"),
    ((1, 4, 5, 3, 2), (2, 3, 2), (2, 1, 1), "valid", "channels_last"),
]


@pytest.mark.parametrize("shape, pool_size, strides, padding, data_format", POOL_CASES)
def test_max_and_average_pool_match_numpy(shape, pool_size, strides, padding, data_format):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    for op, mode in ((ops.max_pool, "max"), (ops.average_pool, "average")):
        out = op(x, pool_size, strides=strides, padding=padding, data_format=data_format)
        expected = np_pool(x, pool_size, strides, padding, data_format, mode)
        assert tuple(out.shape) == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6, err_msg=mode)


def test_pool_int_arguments_and_default_strides():
    x = np.random.default_rng(1).normal(size=(1, 6, 4, 2)).astype("float32")
    np.testing.assert_allclose(ops.max_pool(x, 2),
                               np_pool(x, (2, 2), (2, 2), "valid", "channels_last", "max"))
    np.testing.assert_allclose(ops.average_pool(x, 3, 1, "SAME"),
                               np_pool(x, (3, 3), (1, 1), "same", "channels_last", "average"),
                               rtol=1e-6)


def test_average_pool_same_divides_by_real_elements():
    # Windows of 2 over [0, 1, 2]: [0, 1] and [2, <pad>]: Keras 3 gives 0.5 and 2.0, not 1.0.
    x = np.array([0.0, 1.0, 2.0], "float32").reshape(1, 3, 1)
    assert ops.average_pool(x, 2, padding="same").tolist() == [[[0.5], [2.0]]]


def test_max_pool_keeps_integer_dtype_and_ignores_padding():
    x = np.array([-5, -3, -9], "int32").reshape(1, 3, 1)
    out = ops.max_pool(x, 2, padding="same")
    assert str(out.dtype) == "int32" and out.tolist() == [[[-3], [-9]]]


def test_pool_keras_literals():
    # keras.ops.max_pool / average_pool (Keras 3.15.1, JAX) on arange(12) reshaped (1, 3, 4, 1),
    # pool (2, 2), strides (1, 2), padding "same".
    x = np.arange(12, dtype="float32").reshape(1, 3, 4, 1)
    max_out = ops.max_pool(x, (2, 2), (1, 2), "same")
    avg_out = ops.average_pool(x, (2, 2), (1, 2), "same")
    np.testing.assert_allclose(np.asarray(max_out)[0, :, :, 0], [[5, 7], [9, 11], [9, 11]])
    np.testing.assert_allclose(np.asarray(avg_out)[0, :, :, 0],
                               [[2.5, 4.5], [6.5, 8.5], [8.5, 10.5]])


@pytest.mark.parametrize("pool_size, strides, padding", [
    ((2, 2), (2, 2), "valid"),   # reshape lowering
    ((2, 2), (2, 2), "same"),
    ((3, 2), (1, 1), "same"),    # reduce_window
])
def test_pool_gradients(pool_size, strides, padding):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 5, 3, 2))
    weights = rng.normal(size=np_pool(x, pool_size, strides, padding, "channels_last",
                                      "max").shape)

    def max_loss(x):
        return ops.sum(ops.max_pool(x, pool_size, strides, padding) * weights)

    def average_loss(x):
        return ops.sum(ops.average_pool(x, pool_size, strides, padding) * weights)

    gradcheck.check_grads(backend.transforms.jit(max_loss), [x])
    gradcheck.check_grads(backend.transforms.jit(average_loss), [x])


def test_pool_symbolic_shapes():
    x = KerasTensor((None, 7, 5, 3))
    assert ops.max_pool(x, 2).shape == (None, 3, 2, 3)
    assert ops.average_pool(x, 3, 2, "same").shape == (None, 4, 3, 3)
    y = KerasTensor((None, 3, None, 5))
    assert ops.max_pool(y, 2, data_format="channels_first").shape == (None, 3, None, 2)


@pytest.mark.parametrize("kwargs, match", [
    ({"pool_size": 0}, r"max_pool: `pool_size` must be an int or a tuple of 2 ints, each > 0.*pool_size=0"),
    ({"pool_size": (2, 2, 2)}, r"tuple of 2 ints, each > 0.*\(2, 2, 2\)"),
    ({"pool_size": 2, "strides": (1, -1)}, r"`strides`.*\(1, -1\)"),
    ({"pool_size": 2, "padding": "full"}, r"'valid' or 'same'.*'full'"),
    ({"pool_size": 2, "data_format": "nhwc"}, r"data_format.*'nhwc'"),
    ({"pool_size": 5}, (r"window \(5, 5\) is larger than the spatial shape \(4, 4\).*"
                        r"padding='same'")),
])
def test_pool_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ops.max_pool(np.zeros((1, 4, 4, 1), "float32"), **kwargs)


def test_pool_rejects_low_rank_inputs():
    with pytest.raises(ValueError, match=r"average_pool: `inputs` must have rank 3.*\(4, 4\)"):
        ops.average_pool(np.zeros((4, 4), "float32"), 2)


# -- normalization ------------------------------------------------------------------------------
X = np.random.default_rng(3).normal(size=(4, 3, 5)).astype("float32") * 2 + 1


def np_normalize_over(x, axes, epsilon):
    x = np.asarray(x, "float64")
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon)


@pytest.mark.parametrize("axis", [-1, 1])
def test_batch_normalization_matches_formula(axis):
    rng = np.random.default_rng(4)
    size = X.shape[axis]
    mean, variance = rng.normal(size=size), rng.uniform(0.5, 2, size=size)
    offset, scale = rng.normal(size=size), rng.normal(size=size)
    shape = [1, 1, 1]
    shape[axis] = size
    expected = (X - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + 1e-3) \
        * scale.reshape(shape) + offset.reshape(shape)
    out = ops.batch_normalization(X, mean.astype("float32"), variance.astype("float32"), axis,
                                  offset=offset.astype("float32"), scale=scale.astype("float32"))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    bare = ops.batch_normalization(X, mean.astype("float32"), variance.astype("float32"), axis,
                                   epsilon=0.1)
    np.testing.assert_allclose(bare, (X - mean.reshape(shape)) /
                               np.sqrt(variance.reshape(shape) + 0.1), rtol=1e-5, atol=1e-5)


def test_batch_normalization_keras_literal():
    # keras.ops.batch_normalization on these arrays (Keras 3.15.1, JAX).
    x = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], "float32")
    out = ops.batch_normalization(x, [0.4, 0.5, 0.6], [0.67, 0.67, 0.67], axis=-1)
    np.testing.assert_allclose(out, [[-0.36623514, -0.3662351, -0.36623514], [0, 0, 0],
                                     [0.36623508, 0.36623514, 0.36623502]], atol=1e-7)


def test_batch_normalization_rejects_wrong_vector_length():
    with pytest.raises(ValueError, match=r"`variance` must be a vector of length.*= 5.*\(3,\)"):
        ops.batch_normalization(X, np.zeros(5, "float32"), np.ones(3, "float32"), axis=-1)


@pytest.mark.parametrize("axis", [-1, [1, 2], 1])
def test_layer_normalization_matches_formula(axis):
    axes = tuple(axis) if isinstance(axis, list) else (axis,)
    param_shape = tuple(X.shape[a] for a in axes)
    rng = np.random.default_rng(5)
    gamma, beta = rng.normal(size=param_shape), rng.normal(size=param_shape)
    view = [1, 1, 1]
    for a in axes:
        view[a] = X.shape[a]
    expected = np_normalize_over(X, axes, 1e-3) * gamma.reshape(view) + beta.reshape(view)
    out = ops.layer_normalization(X, gamma.astype("float32"), beta.astype("float32"), axis=axis,
                                  epsilon=1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ops.layer_normalization(X, axis=axis),
                               np_normalize_over(X, axes, 1e-7), rtol=1e-4, atol=1e-5)


def test_layer_normalization_keras_literal():
    # keras.ops.layer_normalization(arange(5.0)): the docstring example of Keras 3.
    np.testing.assert_allclose(ops.layer_normalization(np.arange(5, dtype="float32")),
                               [-1.4142135, -0.70710677, 0.0, 0.7071067, 1.4142135], rtol=1e-6)


def test_layer_normalization_rms_scaling_is_deprecated_variance_scaling():
    gamma = np.array([1.0, 2.0, 0.5, 1.0, 3.0], "float32")
    with pytest.warns(UserWarning, match="deprecated"):
        out = ops.layer_normalization(X, gamma, axis=-1, epsilon=1e-3, rms_scaling=True)
    expected = X / np.sqrt(X.astype("float64").var(axis=-1, keepdims=True) + 1e-3) * gamma
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_rms_normalization_matches_formula(axis):
    axes = tuple(axis) if isinstance(axis, list) else (axis,)
    scale = np.random.default_rng(6).normal(size=tuple(X.shape[a] for a in axes))
    x64 = X.astype("float64")
    expected = x64 / np.sqrt((x64 ** 2).mean(axis=axes, keepdims=True) + 1e-6) * scale
    out = ops.rms_normalization(X, scale.astype("float32"), axis=axis, epsilon=1e-6)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_rms_normalization_scale_on_a_middle_axis_broadcasts_along_it():
    scale = np.array([1.0, 2.0, 3.0], "float32")  # X.shape[1] == 3
    x64 = X.astype("float64")
    expected = x64 / np.sqrt((x64 ** 2).mean(axis=1, keepdims=True) + 1e-7) \
        * scale.reshape(1, 3, 1)
    np.testing.assert_allclose(ops.rms_normalization(X, scale, axis=1), expected, rtol=1e-5)


def test_normalize_matches_formula():
    x64 = X.astype("float64")
    np.testing.assert_allclose(ops.normalize(X),
                               x64 / np.linalg.norm(x64, axis=-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(ops.normalize(X, axis=1, order=1),
                               x64 / np.abs(x64).sum(axis=1, keepdims=True), rtol=1e-5)
    zeros = ops.normalize(np.zeros((2, 3), "float32"))
    assert np.all(np.asarray(zeros) == 0)


def test_normalize_rejects_bad_order():
    with pytest.raises(ValueError, match=r"normalize: `order` must be an int >= 1.*0.5"):
        ops.normalize(X, order=0.5)


def test_normalization_gradients():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3))
    vec = [rng.normal(size=3), rng.uniform(0.5, 2, size=3), rng.normal(size=3),
           rng.normal(size=3)]
    weights = rng.normal(size=(2, 3))

    def batch_norm(x, mean, variance, offset, scale):
        return ops.sum(ops.batch_normalization(x, mean, variance, -1, offset, scale) * weights)

    def layer_norm(x, gamma, beta):
        return ops.sum(ops.layer_normalization(x, gamma, beta, epsilon=1e-3) * weights)

    def rms_norm(x, scale):
        return ops.sum(ops.rms_normalization(x, scale, epsilon=1e-3) * weights)

    def unit_norm(x):
        return ops.sum(ops.normalize(x, axis=-1) * weights)

    jit = backend.transforms.jit  # compiled once, the finite differences run fast
    gradcheck.check_grads(jit(batch_norm), [x, *vec], rtol=1e-5, atol=1e-6)
    gradcheck.check_grads(jit(layer_norm), [x, vec[2], vec[3]], rtol=1e-5, atol=1e-6)
    gradcheck.check_grads(jit(rms_norm), [x, vec[2]], rtol=1e-5, atol=1e-6)
    gradcheck.check_grads(jit(unit_norm), [x], rtol=1e-5, atol=1e-6)


def test_normalize_gradient_of_a_zero_vector_is_finite():
    def loss(x):
        return ops.sum(ops.normalize(x))

    with gradcheck.float64_mode():
        grad = backend.transforms.grad(loss)(backend.convert_to_tensor(np.zeros((1, 3))))
    assert np.all(np.isfinite(np.asarray(grad)))


def test_normalization_ops_symbolic_shapes():
    x = KerasTensor((None, 3, 5))
    assert ops.layer_normalization(x).shape == (None, 3, 5)
    assert ops.rms_normalization(x, axis=[1, 2]).shape == (None, 3, 5)
    assert ops.normalize(x).shape == (None, 3, 5)
    mean = np.zeros(5, "float32")
    assert ops.batch_normalization(x, mean, mean + 1, axis=-1).shape == (None, 3, 5)


def test_normalization_ops_reject_bad_arguments():
    with pytest.raises(TypeError, match=r"layer_normalization: `axis`.*'last'"):
        ops.layer_normalization(X, axis="last")
    with pytest.raises(ValueError, match=r"rms_normalization: `epsilon`.*-1"):
        ops.rms_normalization(X, epsilon=-1)
    with pytest.raises(TypeError, match=r"layer_normalization: unexpected.*'center'"):
        ops.layer_normalization(X, center=True)


def test_pool_norm_docstring_examples():
    for fn in (nn_ops.max_pool, nn_ops.average_pool, nn_ops.batch_normalization,
               nn_ops.layer_normalization, nn_ops.rms_normalization, nn_ops.normalize):
        finder = doctest.DocTestFinder()
        runner = doctest.DocTestRunner()
        for test in finder.find(fn, fn.__name__, globs=vars(nn_ops)):
            runner.run(test)
        assert runner.failures == 0, fn.__name__
