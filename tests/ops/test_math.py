"""lamina.ops.math against NumPy formulas and hand-computed values."""

import functools
import math

import numpy as np
import pytest

from lamina import backend, ops
from tests.helpers import gradcheck
from tests.ops.batched import batched

M = np.array([[0.5, -1.5, 2.0, 0.1], [3.0, 0.25, -0.75, -2.0]], dtype="float32")


def f64(x):
    return np.asarray(x, dtype="float64")


def check(actual, expected, dtype="float32", rtol=1e-5, atol=1e-6):
    actual = ops.convert_to_numpy(actual)
    assert backend.standardize_dtype(actual.dtype) == dtype
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    np.testing.assert_allclose(actual.astype("float64"), expected, rtol=rtol, atol=atol)


def np_logsumexp(x, axis=None, keepdims=False):
    x = f64(x)
    top = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - top).sum(axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


LOGSUMEXP_CASES = [(None, False), (1, False), (0, True), (-1, True)]
LOGSUMEXP_CALLS = [functools.partial(ops.logsumexp, M, axis=axis, keepdims=keepdims)
                   for axis, keepdims in LOGSUMEXP_CASES]


@pytest.mark.parametrize("index", range(len(LOGSUMEXP_CASES)))
def test_logsumexp(index):
    axis, keepdims = LOGSUMEXP_CASES[index]
    check(batched(LOGSUMEXP_CALLS)[index], np_logsumexp(M, axis, keepdims))


def test_logsumexp_of_large_values_does_not_overflow():
    x = np.array([1000.0, 1000.0, -1000.0], dtype="float32")
    check(ops.logsumexp(x), 1000.0 + math.log(2.0))
    check(ops.logsumexp(np.array([1, 2, 3])), np_logsumexp([1, 2, 3]))


def test_top_k_values_and_indices():
    values, indices = ops.top_k(M, 2)
    order = np.argsort(-M, axis=-1)[:, :2]
    check(values, np.take_along_axis(f64(M), order, axis=-1))
    check(indices, order, dtype="int32")
    values, _ = ops.top_k(np.array([3, 1, 2], "int32"), 3)
    check(values, [3, 2, 1], dtype="int32")


def test_top_k_unsorted_returns_the_same_set():
    values, indices = ops.top_k(M, 3, sorted=False)
    expected = np.sort(M, axis=-1)[:, ::-1][:, :3]
    np.testing.assert_allclose(np.sort(ops.convert_to_numpy(values), -1), np.sort(expected, -1))
    np.testing.assert_allclose(np.take_along_axis(M, ops.convert_to_numpy(indices), -1),
                               ops.convert_to_numpy(values))


def test_in_top_k():
    predictions = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.8, 0.1, 0.1]], "float32")
    targets = np.array([2, 0, 1])
    # Target 2 ranks second; target 0 ties for second (one class scores strictly higher);
    # target 1 ties for second with class 2 behind class 0.
    check(ops.in_top_k(targets, predictions, 1), [False, False, False], dtype="bool")
    check(ops.in_top_k(targets, predictions, 2), [True, True, True], dtype="bool")
    check(ops.in_top_k(np.array([1, 0, 0]), predictions, 1), [True, False, True], dtype="bool")


def test_in_top_k_treats_a_nan_target_score_as_the_lowest():
    predictions = np.array([[np.nan, 0.5, 0.4]], "float32")
    check(ops.in_top_k(np.array([0]), predictions, 2), [False], dtype="bool")
    check(ops.in_top_k(np.array([0]), predictions, 3), [True], dtype="bool")


def test_erf_erfinv_rsqrt():
    x = np.array([-2.0, -0.5, 0.0, 0.3, 1.0, 3.0], dtype="float32")
    check(ops.erf(x), [math.erf(v) for v in f64(x)])
    y = np.array([-0.9, -0.5, 0.0, 0.5, 0.99], dtype="float32")
    # erfinv(0.5) = 0.476936..., and erf undoes erfinv.
    inv = ops.convert_to_numpy(ops.erfinv(y)).astype("float64")
    np.testing.assert_allclose(inv[3], 0.4769362762044699, rtol=1e-5)
    np.testing.assert_allclose([math.erf(v) for v in inv], y, rtol=1e-5, atol=1e-6)
    check(ops.rsqrt(np.array([0.25, 1.0, 4.0], "float32")), [2.0, 1.0, 0.5])
    check(ops.rsqrt(np.array([4, 16])), [0.5, 0.25])


def test_segment_sum_and_max():
    data = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0], [2.0, 2.0]], dtype="float32")
    ids = np.array([0, 0, 2, 0])
    sums = np.zeros((3, 2))
    maxima = np.full((3, 2), -np.inf)
    for row, segment in zip(data, ids):
        sums[segment] += row
        maxima[segment] = np.maximum(maxima[segment], row)
    check(ops.segment_sum(data, ids, num_segments=3), sums)
    out = ops.convert_to_numpy(ops.segment_max(data, ids, num_segments=3))
    np.testing.assert_allclose(out[[0, 2]], maxima[[0, 2]])
    assert np.all(out[1] <= np.finfo("float32").min)  # an empty segment is the identity of max
    check(ops.segment_sum(data, np.array([0, 0, 1, 1]), sorted=True), [[4.0, 1.0], [2.5, 6.0]])


def test_math_gradients():
    x = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])
    w = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2]])
    gradcheck.check_grads(lambda v: ops.sum(ops.logsumexp(v, axis=1) * w[:, 0]), [x])
    gradcheck.check_grads(lambda v: ops.sum(ops.erf(v) * w), [x])
    gradcheck.check_grads(lambda v: ops.sum(ops.rsqrt(v) * w), [np.abs(x) + 0.5])
    gradcheck.check_grads(
        lambda v: ops.sum(ops.segment_sum(v, np.array([1, 0]), num_segments=2) * w), [x])
