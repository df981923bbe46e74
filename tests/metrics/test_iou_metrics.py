import doctest

import jax
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from lamina import metrics
from lamina.metrics import iou_metrics
from lamina.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU

Y_TRUE = np.array([0, 1, 2, 2, 1, 0, 3, 2, 1, 0])
Y_PRED = np.array([0, 2, 2, 1, 1, 0, 3, 0, 1, 3])
WEIGHTS = np.array([1.0, 0.5, 2.0, 1.5, 1.0, 0.25, 3.0, 1.0, 0.75, 2.0], "float32")


def run(metric, y_true=Y_TRUE, y_pred=Y_PRED, weights=None):
    split = len(y_true) // 2
    for part in (slice(0, split), slice(split, None)):
        metric.update_state(y_true[part], y_pred[part],
                            sample_weight=None if weights is None else weights[part])
    return float(metric.result())


def np_iou(y_true, y_pred, num_classes, ids, weights=None, ignore_class=None):
    """Mean IoU of the classes in `ids` that occur, from sklearn's confusion matrix."""
    keep = np.ones(len(y_true), bool) if ignore_class is None else y_true != ignore_class
    cm = confusion_matrix(y_true[keep], y_pred[keep], labels=list(range(num_classes)),
                          sample_weight=None if weights is None else weights[keep])
    tp = np.diag(cm)
    denom = cm.sum(0) + cm.sum(1) - tp
    ious = [tp[i] / denom[i] for i in ids if denom[i] > 0]
    return np.mean(ious) if ious else 0.0


def test_iou_metrics_module_doctests():
    assert doctest.testmod(iou_metrics).failed == 0


@pytest.mark.parametrize("num_classes, ids, ignore_class", [
    (4, [0, 2], None), (4, [1], 2), (5, [0, 4], None), (4, [0, 1, 2, 3], 0)])
@pytest.mark.parametrize("weighted", [False, True])
def test_iou_matches_sklearn_confusion_matrix(num_classes, ids, ignore_class, weighted):
    weights = WEIGHTS if weighted else None
    got = run(IoU(num_classes, ids, ignore_class=ignore_class, dtype="float32"), weights=weights)
    expected = np_iou(Y_TRUE, Y_PRED, num_classes, ids, weights, ignore_class)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize("kwargs, weighted, expected", [
    ({"num_classes": 4, "target_class_ids": [0, 2]}, True, 0.375),  # int state truncates weights
    ({"num_classes": 4, "target_class_ids": [0, 2], "dtype": "float32"}, True,
     0.34705883264541626),
    ({"num_classes": 4, "target_class_ids": [1], "ignore_class": 2}, True, 0.9999997615814209),
    ({"num_classes": 5, "target_class_ids": [0, 4]}, True, 0.2499999701976776),
    ({"num_classes": 5, "target_class_ids": [0, 4]}, False, 0.4999999403953552),
])
def test_iou_literals_from_keras(kwargs, weighted, expected):
    got = run(IoU(**kwargs), weights=WEIGHTS if weighted else None)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_mean_iou_and_out_of_range_ids():
    np.testing.assert_allclose(run(MeanIoU(4, ignore_class=0)), 0.4374999701976776, rtol=1e-5)
    # Ids outside [0, num_classes) (here -1 and 7) are dropped, not wrapped around.
    m = MeanIoU(3)
    m.update_state([0, 1, -1, 2, 7], [0, 1, 1, 2, 0])
    np.testing.assert_array_equal(np.asarray(m.total_cm.value), np.eye(3, dtype=int))
    assert float(m.result()) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("threshold", [0.5, 0.3])
@pytest.mark.parametrize("ids", [(0, 1), [1], [0]])
def test_binary_iou_matches_sklearn(threshold, ids):
    y_true = np.array([0, 1, 1, 0, 0, 1])
    y_pred = np.array([0.2, 0.7, 0.5, 0.49, 0.9, 0.1], "float32")
    got = run(BinaryIoU(target_class_ids=ids, threshold=threshold), y_true, y_pred)
    expected = np_iou(y_true, (y_pred >= threshold).astype(int), 2, list(ids))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    # Keras 3 literal for threshold 0.3, both classes.
    if threshold == 0.3 and ids == (0, 1):
        np.testing.assert_allclose(got, 0.32499998807907104, rtol=1e-5)


def test_one_hot_iou_is_iou_of_argmax():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 8)
    one_hot = np.eye(3, dtype="float32")[labels]
    scores = rng.random((8, 3)).astype("float32")
    expected = np_iou(labels, scores.argmax(-1), 3, [0, 2])
    np.testing.assert_allclose(run(OneHotIoU(3, [0, 2]), one_hot, scores), expected, rtol=1e-5)
    expected = np_iou(labels, scores.argmax(-1), 3, [0, 1, 2])
    np.testing.assert_allclose(run(OneHotMeanIoU(3), one_hot, scores), expected, rtol=1e-5)
    sparse = OneHotMeanIoU(3, sparse_y_pred=True)
    np.testing.assert_allclose(run(sparse, one_hot, scores.argmax(-1)), expected, rtol=1e-5)


def test_stateless_under_jit_matches_stateful_and_reset():
    stateful, stateless = MeanIoU(4, dtype="float32"), MeanIoU(4, dtype="float32")
    expected = run(stateful, weights=WEIGHTS)
    update = jax.jit(stateless.stateless_update_state)
    state = stateless.stateless_reset_state()
    for part in (slice(0, 5), slice(5, None)):
        state = update(state, Y_TRUE[part], Y_PRED[part], WEIGHTS[part])
    np.testing.assert_allclose(jax.jit(stateless.stateless_result)(state), expected, rtol=1e-6)
    stateful.reset_state()
    assert not np.asarray(stateful.total_cm.value).any()
    assert float(stateful.result()) == 0.0


@pytest.mark.parametrize("metric", [
    IoU(3, [1]), IoU(4, (0, 2), ignore_class=3, sparse_y_true=False, axis=1, dtype="float32"),
    BinaryIoU(), BinaryIoU([1], threshold=0.3, name="b"), MeanIoU(5, ignore_class=255),
    OneHotIoU(3, [0, 2], sparse_y_pred=True), OneHotMeanIoU(4)])
def test_config_round_trip(metric):
    config = metric.get_config()
    assert type(metric).from_config(config).get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config


def test_config_contents_match_keras():
    assert IoU(3, [1], name="x").get_config() == {
        "name": "x", "dtype": "int32", "num_classes": 3, "target_class_ids": [1],
        "ignore_class": None, "sparse_y_true": True, "sparse_y_pred": True, "axis": -1}
    assert MeanIoU(3, name="x").get_config() == {
        "num_classes": 3, "name": "x", "dtype": "int32", "ignore_class": None,
        "sparse_y_true": True, "sparse_y_pred": True, "axis": -1}
    assert OneHotIoU(3, [1], name="x").get_config() == {
        "num_classes": 3, "target_class_ids": [1], "name": "x", "dtype": "int32",
        "ignore_class": None, "sparse_y_pred": False, "axis": -1}
    assert BinaryIoU(name="x").get_config() == {"target_class_ids": [0, 1], "threshold": 0.5,
                                                "name": "x", "dtype": "int32"}
    assert MeanIoU(2).name.startswith("mean_io_u") and IoU(2, [0]).name.startswith("io_u")


@pytest.mark.parametrize("make, error, match", [
    (lambda: IoU(0, [0]), ValueError, "num_classes"),
    (lambda: IoU(3, [3]), ValueError, r"\[0, 3\)"),
    (lambda: IoU(3, []), ValueError, "non-empty"),
    (lambda: MeanIoU(2.5), ValueError, "num_classes"),
    (lambda: MeanIoU(3, ignore_class="void"), ValueError, "ignore_class"),
    (lambda: IoU(3, [0], sparse_y_true=1), TypeError, "sparse_y_true"),
    (lambda: BinaryIoU(threshold="0.5"), ValueError, "threshold"),
])
def test_constructor_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_update_errors():
    with pytest.raises(ValueError, match="same number"):
        MeanIoU(3).update_state([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="sample_weight"):
        MeanIoU(3).update_state([0, 1, 2], [0, 1, 2], sample_weight=[1, 2])
