"""lamina.ops.nn against NumPy formulas written here (float64, numerically stable).

Inputs include +-100, where a naive formula overflows: outputs and gradients must stay finite.
"""

import functools
import math

import numpy as np
import pytest

from lamina import backend, ops
from tests.helpers import gradcheck
from tests.ops.batched import batched

X = np.array([-100.0, -20.0, -3.0, -1.5, -0.5, 0.0, 0.3, 1.0, 2.5, 7.0, 20.0, 100.0],
             dtype="float32")
M = np.array([[0.5, -1.5, 2.0, 0.1], [3.0, 0.25, -0.75, -2.0]], dtype="float32")
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def f64(x):
    return np.asarray(x, dtype="float64")


def np_sigmoid(x):
    x = f64(x)
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def np_softplus(x):
    return np.logaddexp(0.0, f64(x))


def np_softmax(x, axis=-1):
    x = f64(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    x = f64(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_gelu_exact(x):
    return 0.5 * f64(x) * (1 + np.vectorize(math.erf)(f64(x) / math.sqrt(2)))


def np_gelu_tanh(x):
    x = f64(x)
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def np_sparsemax(z):
    """Projection of each row onto the simplex (Martins & Astudillo, 2016), by sorting."""
    z = f64(z)
    out = np.zeros_like(z)
    for i, row in enumerate(z.reshape(-1, z.shape[-1])):
        s = np.sort(row)[::-1]
        k = np.arange(1, len(row) + 1)
        support = 1 + k * s > np.cumsum(s)
        k_max = k[support][-1]
        tau = (np.cumsum(s)[k_max - 1] - 1) / k_max
        out.reshape(-1, z.shape[-1])[i] = np.maximum(row - tau, 0)
    return out


def check(actual, expected, dtype="float32", rtol=1e-5, atol=1e-6):
    actual = ops.convert_to_numpy(actual)
    assert backend.standardize_dtype(actual.dtype) == dtype
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    assert np.all(np.isfinite(actual)), actual
    np.testing.assert_allclose(actual.astype("float64"), expected, rtol=rtol, atol=atol)


# (op, kwargs, NumPy reference)
ACTIVATIONS = [
    ("relu", {}, lambda x: np.maximum(x, 0)),
    ("relu6", {}, lambda x: np.clip(x, 0, 6)),
    ("sigmoid", {}, np_sigmoid),
    ("softplus", {}, np_softplus),
    ("softsign", {}, lambda x: x / (1 + np.abs(x))),
    ("silu", {}, lambda x: x * np_sigmoid(x)),
    ("log_sigmoid", {}, lambda x: -np.logaddexp(0.0, -x)),
    ("leaky_relu", {}, lambda x: np.where(x >= 0, x, 0.2 * x)),
    ("leaky_relu", {"negative_slope": 0.5}, lambda x: np.where(x >= 0, x, 0.5 * x)),
    ("hard_sigmoid", {}, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    ("hard_silu", {}, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    ("elu", {}, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
    ("elu", {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0)))),
    ("selu", {}, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))),
    ("celu", {}, lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(np.minimum(x, 0)))),
    ("celu", {"alpha": 2.0}, lambda x: np.maximum(x, 0)
     + np.minimum(0, 2.0 * np.expm1(np.minimum(x, 0) / 2.0))),
    ("gelu", {}, np_gelu_tanh),
    ("gelu", {"approximate": False}, np_gelu_exact),
    ("tanh_shrink", {}, lambda x: x - np.tanh(x)),
    ("hard_tanh", {}, lambda x: np.clip(x, -1, 1)),
    ("hard_shrink", {}, lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    ("hard_shrink", {"threshold": 2.0}, lambda x: np.where(np.abs(x) > 2.0, x, 0)),
    ("soft_shrink", {}, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0)),
    ("squareplus", {}, lambda x: (x + np.sqrt(x * x + 4)) / 2),
    ("squareplus", {"b": 1}, lambda x: (x + np.sqrt(x * x + 1)) / 2),
    ("sparse_plus", {}, lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4))),
    ("sparse_sigmoid", {}, lambda x: np.clip((x + 1) / 2, 0, 1)),
    ("mish", {}, lambda x: x * np.tanh(np_softplus(x))),
]


ACTIVATION_CALLS = [functools.partial(getattr(ops, name), X, **kwargs)
                    for name, kwargs, _ in ACTIVATIONS]


@pytest.mark.parametrize("index", range(len(ACTIVATIONS)),
                         ids=[f"{a[0]}-{i}" for i, a in enumerate(ACTIVATIONS)])
def test_activation_matches_numpy_including_extremes(index):
    reference = ACTIVATIONS[index][2]
    check(batched(ACTIVATION_CALLS)[index], reference(f64(X)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "gelu", "log_sigmoid"])
def test_activations_eagerly(name):
    reference = next(a[2] for a in ACTIVATIONS if a[0] == name)
    check(getattr(ops, name)(X), reference(f64(X)), rtol=1e-5, atol=1e-6)


def test_activation_small_magnitudes_are_exact_in_the_tails():
    # Relative accuracy where the value is tiny but a normal float32 (CPUs flush smaller ones to
    # zero): a formula that cancels would be off by orders of magnitude here.
    tail = np.array([-30.0, -20.0], dtype="float32")
    for name, reference in [("sigmoid", np_sigmoid), ("softplus", np_softplus),
                            ("squareplus", lambda x: (x + np.sqrt(x * x + 4)) / 2),
                            ("log_sigmoid", lambda x: -np.logaddexp(0.0, -x))]:
        sign = -1 if name == "log_sigmoid" else 1
        np.testing.assert_allclose(ops.convert_to_numpy(getattr(ops, name)(sign * tail)),
                                   reference(sign * f64(tail)), rtol=1e-4, err_msg=name)


def test_threshold():
    # x == threshold (1.0 is in X) is not above it, so it is replaced.
    check(ops.threshold(X, 1.0, -1.0), np.where(f64(X) > 1.0, X, -1.0))


@pytest.mark.parametrize("x,dtype", [(np.array([-2, 0, 3]), "int32"),
                                     (np.array([-2, 0, 3], "int8"), "int8")])
def test_piecewise_linear_activations_keep_integer_dtypes(x, dtype):
    assert ops.convert_to_numpy(ops.relu(x)).tolist() == [0, 0, 3]
    assert backend.standardize_dtype(ops.relu(x).dtype) == dtype
    assert ops.convert_to_numpy(ops.hard_tanh(x)).tolist() == [-1, 0, 1]
    assert backend.standardize_dtype(ops.hard_tanh(x).dtype) == dtype


def test_smooth_activations_of_integers_give_floatx():
    check(ops.sigmoid(np.array([0, 2])), np_sigmoid([0, 2]))
    check(ops.softplus(np.array([0, 2])), np_softplus([0, 2]))


FLOAT16_CALLS = [functools.partial(getattr(ops, name), X[2:-2].astype("float16"))
                 for name in ("relu", "sigmoid", "gelu", "softmax", "silu", "log_softmax")]


def test_activations_keep_float16():
    for out in batched(FLOAT16_CALLS):
        assert backend.standardize_dtype(out.dtype) == "float16"


def test_glu_splits_the_axis_in_two():
    a, b = M[:, :2], M[:, 2:]
    check(ops.glu(M), f64(a) * np_sigmoid(b))
    a, b = M[:1], M[1:]
    check(ops.glu(M, axis=0), f64(a) * np_sigmoid(b))


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_and_log_softmax(axis):
    check(ops.softmax(M, axis=axis), np_softmax(M, axis=axis))
    check(ops.log_softmax(M, axis=axis), np_log_softmax(M, axis=axis))


def test_softmax_of_extreme_logits_is_finite():
    logits = np.array([[100.0, -100.0, 0.0], [1000.0, 1000.0, -1000.0]], dtype="float32")
    check(ops.softmax(logits), np_softmax(logits))
    check(ops.log_softmax(logits), np_log_softmax(logits), rtol=1e-6, atol=1e-4)


def test_sparsemax_matches_simplex_projection():
    z = np.array([[0.5, -1.5, 2.0, 0.1], [3.0, 2.75, -0.75, -2.0], [0.1, 0.1, 0.1, 0.1]],
                 dtype="float32")
    out = ops.convert_to_numpy(ops.sparsemax(z))
    check(out, np_sparsemax(z))
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-6)
    check(ops.sparsemax(z.T, axis=0), np_sparsemax(z).T)


# --- one-hot encodings ------------------------------------------------------------------------------
def test_one_hot_matches_eye_indexing():
    labels = np.array([[0, 3], [2, 1]])
    check(ops.one_hot(labels, 4), np.eye(4)[labels])
    check(ops.one_hot(labels, 4, axis=0), np.moveaxis(np.eye(4)[labels], -1, 0))
    check(ops.one_hot(labels, 4, dtype="int32"), np.eye(4)[labels], dtype="int32")


def test_one_hot_of_out_of_range_labels_is_all_zero():
    check(ops.one_hot(np.array([-1, 4, 1]), 4), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0]])


def test_multi_hot():
    labels = np.array([[0, 3], [1, 1], [2, 0]])
    expected = np.zeros((3, 4))
    for row, classes in enumerate(labels):
        expected[row, classes] = 1.0
    check(ops.multi_hot(labels, 4), expected)
    check(ops.multi_hot(np.array([0, 2, 2]), 4), [1, 0, 1, 0])
    check(ops.multi_hot(labels, num_classes=4, dtype="int32"), expected, dtype="int32")
    check(ops.multi_hot(labels, num_tokens=4), expected)


@pytest.mark.parametrize("fn", [ops.one_hot, ops.multi_hot])
@pytest.mark.parametrize("num_classes", [0, -2, 2.5, None, True])
def test_one_hot_rejects_bad_num_classes(fn, num_classes):
    with pytest.raises(ValueError, match="num_classes"):
        fn(np.array([0, 1]), num_classes)


def test_one_hot_rejects_sparse():
    with pytest.raises(ValueError, match="sparse"):
        ops.one_hot(np.array([0, 1]), 2, sparse=True)


# --- cross-entropies ------------------------------------------------------------------------------
EPS = 1e-7
TARGET = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype="float32")
PROBS = np.array([[0.9, 0.2, 1.0], [0.0, 0.7, 0.4]], dtype="float32")
LOGITS = np.array([[100.0, -100.0, 0.3], [-100.0, 2.0, 100.0]], dtype="float32")
CLASS_PROBS = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]], dtype="float32")
CLASS_LABELS = np.array([2, 2])


def np_bce_probs(t, p):
    p = np.clip(f64(p), EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def np_bce_logits(t, x):
    # -t log s(x) - (1 - t) log(1 - s(x)) = softplus(x) - t x, stable for any x.
    return np.logaddexp(0.0, f64(x)) - t * f64(x)


def np_cce_probs(t, p, axis=-1):
    p = f64(p) / f64(p).sum(axis=axis, keepdims=True)
    return -(t * np.log(np.clip(p, EPS, 1 - EPS))).sum(axis=axis)


def test_binary_crossentropy():
    check(ops.binary_crossentropy(TARGET, PROBS), np_bce_probs(TARGET, PROBS), rtol=1e-4)
    check(ops.binary_crossentropy(TARGET, LOGITS, from_logits=True),
          np_bce_logits(TARGET, LOGITS))


def test_binary_crossentropy_uses_the_configured_epsilon():
    previous = backend.epsilon()
    backend.set_epsilon(1e-3)
    try:
        out = ops.binary_crossentropy(np.array([1.0]), np.array([0.0]))
        np.testing.assert_allclose(ops.convert_to_numpy(out), [-np.log(1e-3)], rtol=1e-5)
    finally:
        backend.set_epsilon(previous)


def test_categorical_crossentropy():
    onehot = np.eye(3, dtype="float32")[CLASS_LABELS]
    check(ops.categorical_crossentropy(onehot, CLASS_PROBS), np_cce_probs(onehot, CLASS_PROBS),
          rtol=1e-4)
    unnormalized = CLASS_PROBS * 3.0
    check(ops.categorical_crossentropy(onehot, unnormalized), np_cce_probs(onehot, CLASS_PROBS),
          rtol=1e-4)
    expected = -(TARGET * np_log_softmax(LOGITS)).sum(-1)
    check(ops.categorical_crossentropy(TARGET, LOGITS, from_logits=True), expected)
    check(ops.categorical_crossentropy(TARGET.T, LOGITS.T, from_logits=True, axis=0), expected)


def test_categorical_crossentropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        ops.categorical_crossentropy(TARGET[:, :2], LOGITS)


def test_sparse_categorical_crossentropy():
    onehot = np.eye(3)[CLASS_LABELS]
    check(ops.sparse_categorical_crossentropy(CLASS_LABELS, CLASS_PROBS),
          np_cce_probs(onehot, CLASS_PROBS), rtol=1e-4)
    expected = -(np.eye(3)[[0, 1]] * np_log_softmax(LOGITS)).sum(-1)
    check(ops.sparse_categorical_crossentropy(np.array([0, 1]), LOGITS, from_logits=True),
          expected)
    check(ops.sparse_categorical_crossentropy(np.array([[0], [1]]), LOGITS, from_logits=True),
          expected)
    check(ops.sparse_categorical_crossentropy(np.array([0, 1]), LOGITS.T, from_logits=True,
                                              axis=0), expected)


def test_sparse_categorical_crossentropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        ops.sparse_categorical_crossentropy(np.array([0, 1, 2]), LOGITS, from_logits=True)


# --- moments ------------------------------------------------------------------------------------
@pytest.mark.parametrize("axes,keepdims", [([0], False), ([0, 1], True), ([1], False)])
def test_moments(axes, keepdims):
    mean, variance = ops.moments(M, axes, keepdims=keepdims)
    check(mean, f64(M).mean(axis=tuple(axes), keepdims=keepdims))
    check(variance, f64(M).var(axis=tuple(axes), keepdims=keepdims))


def test_moments_of_float16_are_computed_accurately():
    # float16 cannot hold 1000 + 0.01 steps; accumulating in float32 keeps the variance right.
    x = (1000.0 + 0.25 * np.arange(8)).astype("float16")
    mean, variance = ops.moments(x, [0])
    assert backend.standardize_dtype(mean.dtype) == "float16"
    np.testing.assert_allclose(float(variance), np.var(x.astype("float64")), rtol=1e-3)
    np.testing.assert_allclose(float(mean), np.mean(x.astype("float64")), rtol=1e-3)


# --- gradients ----------------------------------------------------------------------------------
XG = np.array([[-2.0, -0.7, 0.4], [1.3, -0.2, 2.2]])
WG = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2]])
GRAD_ACTIVATIONS = ["relu", "sigmoid", "softplus", "silu", "gelu", "elu", "log_sigmoid",
                    "squareplus"]


@pytest.mark.parametrize("name", GRAD_ACTIVATIONS)
def test_activation_gradients(name):
    gradcheck.check_grads(lambda x: ops.sum(getattr(ops, name)(x) * WG), [XG])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_gradients(name):
    gradcheck.check_grads(lambda x: ops.sum(getattr(ops, name)(x, axis=-1) * WG), [XG])


def test_crossentropy_gradients():
    target = np.array([[1.0, 0.0, 0.0], [0.0, 0.3, 0.7]])
    gradcheck.check_grads(lambda x: ops.sum(ops.binary_crossentropy(target, x, from_logits=True)),
                          [XG])
    probs = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    gradcheck.check_grads(lambda p: ops.sum(ops.binary_crossentropy(target, p)), [probs],
                          rtol=1e-4)
    gradcheck.check_grads(
        lambda x: ops.sum(ops.categorical_crossentropy(target, x, from_logits=True)), [XG])
    gradcheck.check_grads(
        lambda x: ops.sum(ops.sparse_categorical_crossentropy(np.array([0, 2]), x,
                                                               from_logits=True)), [XG])


def test_moments_gradients():
    def fn(x):
        mean, variance = ops.moments(x, [0])
        return ops.sum(mean * WG[0]) + ops.sum(variance * WG[1])
    gradcheck.check_grads(fn, [XG])


def test_gradients_at_extreme_logits_are_finite_and_exact():
    x = np.array([-100.0, -30.0, 30.0, 100.0], dtype="float32")
    t = np.array([1.0, 0.0, 1.0, 0.0], dtype="float32")
    grad = backend.transforms.grad
    # d/dx bce_logits(t, x) = sigmoid(x) - t, d/dx softplus = sigmoid, d/dx log_sigmoid = 1 - sigmoid
    cases = [
        (lambda v: ops.sum(ops.binary_crossentropy(t, v, from_logits=True)), np_sigmoid(x) - t),
        (lambda v: ops.sum(ops.softplus(v)), np_sigmoid(x)),
        (lambda v: ops.sum(ops.log_sigmoid(v)), 1 - np_sigmoid(x)),
        (lambda v: ops.sum(ops.sigmoid(v)), np_sigmoid(x) * (1 - np_sigmoid(x))),
    ]
    for fn, expected in cases:
        g = ops.convert_to_numpy(grad(fn)(ops.convert_to_tensor(x)))
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-7)
