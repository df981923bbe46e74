import doctest

import numpy as np
import pytest

from lamina import backend, metrics
from lamina.metrics import accuracy_metrics
from lamina.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)

SCORES = np.array([[0.1, 0.5, 0.3, 0.1],
                   [0.7, 0.1, 0.1, 0.1],
                   [0.2, 0.2, 0.5, 0.1],
                   [0.05, 0.15, 0.2, 0.6],
                   [0.3, 0.3, 0.2, 0.2]], "float32")
LABELS = np.array([1, 2, 2, 0, 1])
ONE_HOT = np.eye(4, dtype="float32")[LABELS]
WEIGHTS = np.array([1.0, 0.5, 2.0, 1.5, 0.25], "float32")


def np_top_k_hits(labels, scores, k):
    """A label is in the top k when fewer than k classes score strictly higher (ties count)."""
    target = scores[np.arange(len(labels)), labels]
    return ((scores > target[:, None]).sum(axis=1) < k).astype("float32")


def weighted_mean(values, weights=None):
    return values.mean() if weights is None else (values * weights).sum() / weights.sum()


def test_accuracy_metrics_module_doctests():
    assert doctest.testmod(accuracy_metrics).failed == 0


def test_binary_accuracy_function():
    y_true = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
    y_pred = np.array([0.9, 0.5, 0.5, 0.2, 0.51])
    expected = ((y_pred > 0.5) == (y_true == 1)).astype("float32")
    np.testing.assert_array_equal(binary_accuracy(y_true, y_pred), expected)
    np.testing.assert_array_equal(binary_accuracy(y_true, y_pred, threshold=0.1), [1, 1, 0, 0, 1])
    # (batch, 1) labels against (batch,) predictions line up instead of broadcasting.
    assert tuple(binary_accuracy(y_true[:, None], y_pred).shape) == (5, 1)
    with pytest.raises(TypeError, match="threshold"):
        binary_accuracy(y_true, y_pred, threshold="0.5")


def test_categorical_and_sparse_categorical_accuracy_functions():
    expected = (SCORES.argmax(axis=1) == LABELS).astype("float32")  # first max wins ties
    np.testing.assert_array_equal(categorical_accuracy(ONE_HOT, SCORES), expected)
    np.testing.assert_array_equal(sparse_categorical_accuracy(LABELS, SCORES), expected)
    np.testing.assert_array_equal(sparse_categorical_accuracy(LABELS[:, None], SCORES), expected)
    seq = np.stack([SCORES, SCORES[::-1]], axis=1)  # (5, 2, 4)
    seq_labels = np.stack([LABELS, LABELS[::-1]], axis=1)
    np.testing.assert_array_equal(sparse_categorical_accuracy(seq_labels, seq),
                                  (seq.argmax(-1) == seq_labels).astype("float32"))
    with pytest.raises(ValueError, match="rank"):
        categorical_accuracy(1.0, 2.0)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_functions_match_numpy(k):
    expected = np_top_k_hits(LABELS, SCORES, k)
    np.testing.assert_array_equal(top_k_categorical_accuracy(ONE_HOT, SCORES, k=k), expected)
    np.testing.assert_array_equal(sparse_top_k_categorical_accuracy(LABELS, SCORES, k=k),
                                  expected)
    got = sparse_top_k_categorical_accuracy(LABELS[:, None], SCORES, k=k)
    np.testing.assert_array_equal(got, expected[:, None])


def test_top_k_ties_count_as_hits():
    # Row 4 scores classes 0 and 1 equally (0.3): with k=1 both labels count as top-1.
    assert sparse_top_k_categorical_accuracy([0, 1], SCORES[[4, 4]], k=1).tolist() == [1.0, 1.0]


def test_sparse_top_k_from_sorted_ids():
    ids = np.array([[3, 1, 0], [1, 2, 3], [2, 2, 0]])
    got = sparse_top_k_categorical_accuracy([1, 3, 0], ids, k=2, from_sorted_ids=True)
    assert got.tolist() == [1.0, 0.0, 0.0]
    got = sparse_top_k_categorical_accuracy([1, 3, 0], ids, k=3, from_sorted_ids=True)
    assert got.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("fn", [top_k_categorical_accuracy, sparse_top_k_categorical_accuracy])
@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_top_k_rejects_bad_k(fn, k):
    with pytest.raises(ValueError, match="`k` must be a positive int"):
        fn(LABELS, SCORES, k=k)


def run_two_batches(metric, y_true, y_pred, weights=None):
    for part in (slice(0, 2), slice(2, None)):
        metric.update_state(y_true[part], y_pred[part],
                            sample_weight=None if weights is None else weights[part])
    return metric.result()


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_accuracy_metric_classes_over_several_updates(weights):
    hits_argmax = (SCORES.argmax(axis=1) == LABELS).astype("float32")
    y_bin = np.array([1.0, 0.0, 1.0, 1.0, 0.0], "float32")
    p_bin = np.array([0.8, 0.6, 0.4, 0.7, 0.1], "float32")
    cases = [
        (Accuracy(), LABELS.astype("float32"), SCORES.argmax(axis=1).astype("float32"),
         hits_argmax),
        (BinaryAccuracy(), y_bin, p_bin, ((p_bin > 0.5) == (y_bin == 1)).astype("float32")),
        (BinaryAccuracy(threshold=0.65), y_bin, p_bin,
         ((p_bin > 0.65) == (y_bin == 1)).astype("float32")),
        (CategoricalAccuracy(), ONE_HOT, SCORES, hits_argmax),
        (SparseCategoricalAccuracy(), LABELS, SCORES, hits_argmax),
        (TopKCategoricalAccuracy(k=2), ONE_HOT, SCORES, np_top_k_hits(LABELS, SCORES, 2)),
        (SparseTopKCategoricalAccuracy(k=2), LABELS, SCORES, np_top_k_hits(LABELS, SCORES, 2)),
    ]
    for metric, y_true, y_pred, hits in cases:
        got = run_two_batches(metric, y_true, y_pred, weights)
        np.testing.assert_allclose(got, weighted_mean(hits, weights), rtol=1e-6,
                                   err_msg=type(metric).__name__)
        metric.reset_state()
        assert float(metric.result()) == 0.0


def test_accuracy_literals_from_keras():
    # Reference values produced by Keras 3.15 (jax backend) on the same inputs.
    cases = [
        (BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1], 0.5),
        (CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
         [0.7, 0.3], 0.3),
        (SparseTopKCategoricalAccuracy(k=1), [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
         [0.7, 0.3], 0.3),
        (Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0], 0.5),
    ]
    for metric, y_true, y_pred, weights, expected in cases:
        metric.update_state(y_true, y_pred, sample_weight=weights)
        np.testing.assert_allclose(metric.result(), expected, rtol=1e-6)


def test_stateless_accuracy_under_jit_matches_stateful():
    stateful, stateless = SparseCategoricalAccuracy(), SparseCategoricalAccuracy()
    step = backend.transforms.jit(
        lambda state, t, p, w: stateless.stateless_update_state(state, t, p, sample_weight=w))
    state = stateless.stateless_reset_state()
    for part in (slice(0, 2), slice(2, None)):
        state = step(state, LABELS[part], SCORES[part], WEIGHTS[part])
        stateful.update_state(LABELS[part], SCORES[part], sample_weight=WEIGHTS[part])
    np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(), rtol=1e-6)
    assert float(stateless.result()) == 0.0


@pytest.mark.parametrize("metric, expected", [
    (Accuracy(name="acc"), {"name": "acc", "dtype": "float32"}),
    (BinaryAccuracy(threshold=0.7), {"name": "binary_accuracy", "dtype": "float32",
                                     "threshold": 0.7}),
    (CategoricalAccuracy(dtype="float16"), {"name": "categorical_accuracy",
                                            "dtype": "float16"}),
    (SparseCategoricalAccuracy(), {"name": "sparse_categorical_accuracy", "dtype": "float32"}),
    (TopKCategoricalAccuracy(k=3), {"name": "top_k_categorical_accuracy", "dtype": "float32",
                                    "k": 3}),
    (SparseTopKCategoricalAccuracy(k=2), {"name": "sparse_top_k_categorical_accuracy",
                                          "dtype": "float32", "k": 2}),
    (SparseTopKCategoricalAccuracy(from_sorted_ids=True),
     {"name": "sparse_top_k_categorical_accuracy", "dtype": "float32", "k": 5,
      "from_sorted_ids": True}),
])
def test_config_round_trip(metric, expected):
    assert metric.get_config() == expected
    clone = type(metric).from_config(metric.get_config())
    assert clone.get_config() == expected
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == expected


def test_numpy_scalars_are_accepted_and_stored_as_python_numbers():
    m = BinaryAccuracy(threshold=np.float32(0.25))
    assert m.get_config()["threshold"] == 0.25 and type(m.threshold) is float
    m = TopKCategoricalAccuracy(k=np.int64(2))
    assert m.get_config()["k"] == 2 and type(m.k) is int


def test_constructor_errors():
    with pytest.raises(ValueError, match="TopKCategoricalAccuracy: `k`"):
        TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="SparseTopKCategoricalAccuracy: `k`"):
        SparseTopKCategoricalAccuracy(k="5")
    with pytest.raises(TypeError, match="BinaryAccuracy: `threshold`"):
        BinaryAccuracy(threshold=None)
