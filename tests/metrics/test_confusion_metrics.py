import doctest

import numpy as np
import pytest

from lamina import backend, metrics
from lamina.metrics import confusion_metrics
from lamina.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)

Y_TRUE = np.array([0, 1, 1, 0, 1, 0, 1, 1, 0, 0], "float32")
Y_PRED = np.array([0.1, 0.8, 0.35, 0.5, 0.9, 0.65, 0.2, 0.55, 0.0, 1.0], "float32")
WEIGHTS = np.array([1.0, 0.5, 2.0, 1.5, 1.0, 0.25, 3.0, 1.0, 0.75, 2.0], "float32")
LOGITS = np.array([-2.0, 1.5, -0.5, 0.0, 2.5, 0.7, -1.2, 0.3, -3.0, 4.0], "float32")
Y_TRUE_ML = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]],
                     "float32")
Y_PRED_ML = np.array([[0.9, 0.2, 0.6], [0.3, 0.7, 0.4], [0.6, 0.45, 0.1], [0.2, 0.3, 0.8],
                      [0.4, 0.6, 0.3], [0.7, 0.55, 0.5]], "float32")
WEIGHTS_ML = np.array([1.0, 2.0, 0.5, 1.5, 1.0, 0.75], "float32")


def run(metric, y_true, y_pred, weights=None):
    """Two update_state calls on the two halves, then the result as a NumPy array.

    Equal halves keep one input shape per test, so eager ops compile once.
    """
    split = len(y_true) // 2
    for part in (slice(0, split), slice(split, None)):
        metric.update_state(y_true[part], y_pred[part],
                            sample_weight=None if weights is None else weights[part])
    return np.asarray(metric.result())


def np_counts(y_true, y_pred, thresholds, weights=None):
    """Weighted confusion counts at each threshold, a prediction being positive when p > t."""
    y_true, y_pred = np.ravel(y_true).astype(bool), np.ravel(y_pred)
    weights = np.ones_like(y_pred) if weights is None else np.ravel(weights)
    pos = y_pred[None, :] > np.asarray(thresholds, np.float32)[:, None]
    return {"tp": (pos & y_true) @ weights, "fp": (pos & ~y_true) @ weights,
            "tn": (~pos & ~y_true) @ weights, "fn": (~pos & y_true) @ weights}


def auc_thresholds(num_thresholds):
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [-1e-7] + inner + [1.0 + 1e-7]


def np_roc_auc(c):
    tpr = c["tp"] / np.maximum(c["tp"] + c["fn"], 1e-30)
    fpr = c["fp"] / np.maximum(c["fp"] + c["tn"], 1e-30)
    return np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)


def np_pr_auc_by_integration(c, steps=4000):
    """Area under precision vs. recall, with tp linear in p = tp + fp between thresholds,
    integrated numerically (midpoint rule) rather than in closed form."""
    tp, p = c["tp"], c["tp"] + c["fp"]
    positives = c["tp"][0] + c["fn"][0]
    s = (np.arange(steps) + 0.5) / steps
    area = 0.0
    for i in range(len(tp) - 1):
        dtp, dp = tp[i] - tp[i + 1], p[i] - p[i + 1]
        if dp <= 0:
            continue
        tp_s, p_s = tp[i + 1] + s * dtp, p[i + 1] + s * dp
        area += np.mean(tp_s / p_s) * dtp / positives
    return area


def test_confusion_metrics_module_doctests():
    assert doctest.testmod(confusion_metrics).failed == 0


# -- counts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("thresholds", [None, [0.2, 0.55], [0.0, 0.25, 0.5, 0.75, 1.0]])
@pytest.mark.parametrize("weighted", [False, True])
def test_count_metrics_match_numpy(thresholds, weighted):
    weights = WEIGHTS if weighted else None
    t = [0.5] if thresholds is None else np.atleast_1d(thresholds).tolist()
    expected = np_counts(Y_TRUE, Y_PRED, t, weights)
    for cls, cell in ((TruePositives, "tp"), (FalsePositives, "fp"), (TrueNegatives, "tn"),
                      (FalseNegatives, "fn")):
        got = run(cls(thresholds=thresholds), Y_TRUE, Y_PRED, weights)
        want = expected[cell][0] if len(t) == 1 else expected[cell]
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=f"{cls.__name__} {t}")


def test_count_literals_from_keras():
    # Keras 3.15 (jax) on the same data, thresholds [0, 0.25, 0.5, 0.75, 1] (bucketed counting).
    t = [0.0, 0.25, 0.5, 0.75, 1.0]
    expected = {TruePositives: [7.5, 4.5, 2.5, 1.5, 0.0],
                FalsePositives: [4.75, 3.75, 2.25, 2.0, 0.0],
                TrueNegatives: [0.75, 1.75, 3.25, 3.5, 5.5],
                FalseNegatives: [0.0, 3.0, 5.0, 6.0, 7.5]}
    for cls, want in expected.items():
        np.testing.assert_allclose(run(cls(thresholds=t), Y_TRUE, Y_PRED, WEIGHTS), want,
                                   rtol=1e-6)
    assert float(run(TruePositives(), Y_TRUE, Y_PRED)) == 3.0
    assert float(run(FalseNegatives(), Y_TRUE, Y_PRED)) == 2.0


def test_count_metric_reset_and_multi_label_inputs():
    m = TrueNegatives(thresholds=[0.35, 0.5])
    got = run(m, Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML[:, None])
    np.testing.assert_allclose(got, np_counts(Y_TRUE_ML, Y_PRED_ML, [0.35, 0.5],
                                              np.broadcast_to(WEIGHTS_ML[:, None], (6, 3)))["tn"],
                               rtol=1e-6)
    m.reset_state()
    np.testing.assert_array_equal(m.result(), [0.0, 0.0])


# -- precision and recall ----------------------------------------------------------------------
@pytest.mark.parametrize("thresholds", [None, [0.0, 0.3, 0.6, 0.95], [0.0, 0.5, 1.0]])
@pytest.mark.parametrize("weighted", [False, True])
def test_precision_recall_match_numpy(thresholds, weighted):
    weights = WEIGHTS if weighted else None
    t = [0.5] if thresholds is None else thresholds
    c = np_counts(Y_TRUE, Y_PRED, t, weights)
    precision = np.where(c["tp"] + c["fp"] > 0, c["tp"] / np.maximum(c["tp"] + c["fp"], 1e-30), 0)
    recall = np.where(c["tp"] + c["fn"] > 0, c["tp"] / np.maximum(c["tp"] + c["fn"], 1e-30), 0)
    if thresholds is None:
        precision, recall = precision[0], recall[0]
    np.testing.assert_allclose(run(Precision(thresholds), Y_TRUE, Y_PRED, weights), precision,
                               rtol=1e-6)
    np.testing.assert_allclose(run(Recall(thresholds), Y_TRUE, Y_PRED, weights), recall,
                               rtol=1e-6)


def test_precision_recall_literals_from_keras():
    # Keras 3.15 (jax): unweighted / weighted results on the same data.
    cases = [
        (lambda: Precision(thresholds=[0.0, 0.3, 0.6, 0.95]), Y_TRUE, Y_PRED, WEIGHTS,
         [0.5555555820465088, 0.5714285969734192, 0.5, 0.0],
         [0.6122449040412903, 0.5454545617103577, 0.4000000059604645, 0.0]),
        (lambda: Recall(), Y_TRUE, Y_PRED, WEIGHTS, 0.6000000238418579, 0.3333333432674408),
        (lambda: Precision(top_k=2), Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML,
         0.75, 0.7592592835426331),
        (lambda: Precision(class_id=1), Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML,
         0.6666666865348816, 0.7333333492279053),
        (lambda: Precision(top_k=1, class_id=0), Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML,
         0.6666666865348816, 0.6666666865348816),
        (lambda: Recall(top_k=2), Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML, 1.0, 1.0),
        (lambda: Recall(class_id=2, thresholds=[0.0, 0.5, 1.0]), Y_TRUE_ML, Y_PRED_ML,
         WEIGHTS_ML, [1.0, 0.6666666865348816, 0.0], [1.0, 0.5555555820465088, 0.0]),
    ]
    for make, y_true, y_pred, weights, plain, weighted in cases:
        np.testing.assert_allclose(run(make(), y_true, y_pred), plain, rtol=1e-6)
        np.testing.assert_allclose(run(make(), y_true, y_pred, weights), weighted, rtol=1e-6)


def test_precision_top_k_and_class_id_match_numpy():
    # top_k=2: only each row's two largest predictions can be positive.
    order = np.argsort(-Y_PRED_ML, axis=1)[:, :2]
    kept = np.zeros_like(Y_PRED_ML, bool)
    np.put_along_axis(kept, order, True, axis=1)
    tp = (kept & (Y_TRUE_ML == 1)).sum()
    fp = (kept & (Y_TRUE_ML == 0)).sum()
    np.testing.assert_allclose(run(Precision(top_k=2), Y_TRUE_ML, Y_PRED_ML),
                               tp / (tp + fp), rtol=1e-6)
    # class_id=1: column 1 alone at threshold 0.5.
    col_true, col_pred = Y_TRUE_ML[:, 1] == 1, Y_PRED_ML[:, 1] > 0.5
    np.testing.assert_allclose(run(Recall(class_id=1), Y_TRUE_ML, Y_PRED_ML),
                               (col_true & col_pred).sum() / col_true.sum(), rtol=1e-6)


def test_precision_is_zero_without_positive_predictions():
    m = Precision()
    m.update_state([1.0, 0.0], [0.1, 0.2])
    assert float(m.result()) == 0.0


# -- AUC ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("num_thresholds", [5, 200])
@pytest.mark.parametrize("weighted", [False, True])
def test_roc_auc_matches_numpy_trapezoid(num_thresholds, weighted):
    weights = WEIGHTS if weighted else None
    c = np_counts(Y_TRUE, Y_PRED, auc_thresholds(num_thresholds), weights)
    got = run(AUC(num_thresholds=num_thresholds), Y_TRUE, Y_PRED, weights)
    np.testing.assert_allclose(got, np_roc_auc(c), rtol=1e-5)


@pytest.mark.parametrize("num_thresholds", [5, 200])
@pytest.mark.parametrize("weighted", [False, True])
def test_pr_auc_interpolation_matches_numeric_integration(num_thresholds, weighted):
    weights = WEIGHTS if weighted else None
    c = np_counts(Y_TRUE, Y_PRED, auc_thresholds(num_thresholds), weights)
    got = run(AUC(num_thresholds=num_thresholds, curve="PR"), Y_TRUE, Y_PRED, weights)
    np.testing.assert_allclose(got, np_pr_auc_by_integration(c), rtol=1e-4)


def test_roc_auc_approaches_the_exact_rank_statistic():
    rng = np.random.RandomState(0)
    y_true = rng.randint(0, 2, 400).astype("float32")
    y_pred = np.clip(0.3 * y_true + 0.7 * rng.rand(400), 0, 1).astype("float32")
    pos, neg = y_pred[y_true == 1], y_pred[y_true == 0]
    exact = ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()
    m = AUC(num_thresholds=400)
    state = backend.transforms.jit(m.stateless_update_state)(m.stateless_reset_state(), y_true,
                                                              y_pred)
    np.testing.assert_allclose(m.stateless_result(state), exact, atol=2e-3)


# Keras 3.15 (jax) on Y_TRUE / Y_PRED in two halves: (kwargs, unweighted, weighted).
KERAS_AUC = [
    ({}, 0.5999999642372131, 0.41818180680274963),
    ({"num_thresholds": 5}, 0.6399999856948853, 0.43030300736427307),
    ({"curve": "PR"}, 0.518410861492157, 0.48595917224884033),
    ({"curve": "PR", "num_thresholds": 5}, 0.6153287887573242, 0.5188252925872803),
    ({"summation_method": "minoring"}, 0.5999999642372131, 0.41818180680274963),
    ({"curve": "PR", "summation_method": "majoring"}, 0.5926190614700317, 0.5553125143051147),
    ({"curve": "PRGAIN"}, 0.18888887763023376, 0.028925642371177673),
    ({"thresholds": [0.3, 0.6, 0.7]}, 0.5999999642372131, 0.40909090638160706),
]
# Keras 3.15 (jax) on Y_TRUE_ML / Y_PRED_ML in two halves.
KERAS_AUC_ML = [
    ({"multi_label": True}, 0.8148147463798523, 0.8786931037902832),
    ({"multi_label": True, "curve": "PR"}, 0.8140026926994324, 0.8757294416427612),
    ({"multi_label": True, "label_weights": [0.5, 1.0, 2.0]}, 0.8412697911262512,
     0.8688206672668457),
    ({"label_weights": [0.5, 1.0, 2.0]}, 0.8503400683403015, 0.8701417446136475),
    ({}, 0.8209876418113708, 0.8762195110321045),
    ({"multi_label": True, "num_labels": 3, "thresholds": [0.35, 0.5]}, 0.8333333730697632,
     0.8791871070861816),
]


@pytest.mark.parametrize("kwargs, plain, weighted", KERAS_AUC)
def test_auc_literals_from_keras(kwargs, plain, weighted):
    np.testing.assert_allclose(run(AUC(**kwargs), Y_TRUE, Y_PRED), plain, rtol=1e-5)
    np.testing.assert_allclose(run(AUC(**kwargs), Y_TRUE, Y_PRED, WEIGHTS), weighted, rtol=1e-5)


@pytest.mark.parametrize("kwargs, plain, weighted", KERAS_AUC_ML)
def test_multi_label_auc_literals_from_keras(kwargs, plain, weighted):
    np.testing.assert_allclose(run(AUC(**kwargs), Y_TRUE_ML, Y_PRED_ML), plain,
                               rtol=1e-5)
    np.testing.assert_allclose(run(AUC(**kwargs), Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML),
                               weighted, rtol=1e-5)


def test_multi_label_auc_is_the_mean_of_per_label_aucs():
    per_label = []
    for j in range(3):
        c = np_counts(Y_TRUE_ML[:, j], Y_PRED_ML[:, j], auc_thresholds(200), WEIGHTS_ML)
        per_label.append(np_roc_auc(c))
    got = run(AUC(multi_label=True), Y_TRUE_ML, Y_PRED_ML, WEIGHTS_ML)
    np.testing.assert_allclose(got, np.mean(per_label), rtol=1e-5)
    got = run(AUC(multi_label=True, label_weights=[0.5, 1.0, 2.0]), Y_TRUE_ML, Y_PRED_ML,
              WEIGHTS_ML)
    np.testing.assert_allclose(got, np.dot(per_label, [0.5, 1.0, 2.0]) / 3.5, rtol=1e-5)


def test_auc_from_logits_equals_auc_of_probabilities():
    probabilities = 1.0 / (1.0 + np.exp(-LOGITS))
    expected = run(AUC(), Y_TRUE, probabilities.astype("float32"), WEIGHTS)
    np.testing.assert_allclose(run(AUC(from_logits=True), Y_TRUE, LOGITS, WEIGHTS), expected,
                               rtol=1e-6)
    np.testing.assert_allclose(expected, 0.41818180680274963, rtol=1e-5)  # Keras 3.15


def test_auc_state_shapes_lazy_build_and_reset():
    m = AUC(num_thresholds=11)
    assert [v.shape for v in m.variables] == [(11,)] * 4
    assert [v.name for v in m.variables] == ["true_positives", "false_positives",
                                             "true_negatives", "false_negatives"]
    assert len(m.thresholds) == 11 and m.thresholds[0] < 0 and m.thresholds[-1] > 1
    lazy = AUC(multi_label=True)
    assert lazy.variables == []
    lazy.update_state(Y_TRUE_ML, Y_PRED_ML)
    assert [v.shape for v in lazy.variables] == [(200, 3)] * 4
    with pytest.raises(ValueError, match=r"shape \(batch, 3\)"):
        lazy.update_state(Y_TRUE, Y_PRED)
    lazy.reset_state()
    assert all(not v.numpy().any() for v in lazy.variables)


def test_auc_stateless_under_jit_matches_stateful():
    for kwargs in ({"curve": "PR"}, {"thresholds": [0.3, 0.6, 0.7]}):
        stateful, stateless = AUC(**kwargs), AUC(**kwargs)
        step = backend.transforms.jit(
            lambda s, t, p, w, m=stateless: m.stateless_update_state(s, t, p, sample_weight=w))
        state = stateless.stateless_reset_state()
        for part in (slice(0, 5), slice(5, None)):
            state = step(state, Y_TRUE[part], Y_PRED[part], WEIGHTS[part])
            stateful.update_state(Y_TRUE[part], Y_PRED[part], sample_weight=WEIGHTS[part])
        np.testing.assert_allclose(backend.transforms.jit(stateless.stateless_result)(state),
                                   stateful.result(), rtol=1e-6)
        assert not any(v.numpy().any() for v in stateless.variables)


def test_precision_stateless_forms():
    stateful, stateless = Precision(top_k=2), Precision(top_k=2)
    state = stateless.stateless_reset_state()
    for part in (slice(0, 3), slice(3, None)):
        state = stateless.stateless_update_state(state, Y_TRUE_ML[part], Y_PRED_ML[part])
        stateful.update_state(Y_TRUE_ML[part], Y_PRED_ML[part])
    np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(), rtol=1e-6)
    assert not any(v.numpy().any() for v in stateless.variables)


# -- config and errors -------------------------------------------------------------------------
@pytest.mark.parametrize("metric", [
    TruePositives(), FalsePositives(thresholds=[0.2, 0.8], name="fp"), TrueNegatives(0.3),
    FalseNegatives(dtype="float16"), Precision(thresholds=[0.3, 0.7], class_id=1),
    Recall(top_k=2, name="r"),
    AUC(), AUC(num_thresholds=50, curve="PR", summation_method="minoring", from_logits=True),
    AUC(thresholds=[0.9, 0.3, 0.6]),
    AUC(multi_label=True, num_labels=3, label_weights=[0.5, 1.0, 2.0]),
])
def test_config_round_trip(metric):
    config = metric.get_config()
    clone = type(metric).from_config(config)
    assert clone.get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config
    if isinstance(metric, AUC):
        assert [v.shape for v in clone.variables] == [v.shape for v in metric.variables]


def test_config_contents_match_keras():
    # Default names are "precision", "true_positives", then "_1", "_2", ... suffixed.
    config = Precision().get_config()
    assert config.pop("name").startswith("precision")
    assert config == {"dtype": "float32", "thresholds": None, "top_k": None, "class_id": None}
    config = TruePositives().get_config()
    assert config.pop("name").startswith("true_positives")
    assert config == {"dtype": "float32", "thresholds": None}
    config = AUC(num_thresholds=10, name="auc_x").get_config()
    assert config == {"name": "auc_x", "dtype": "float32", "num_thresholds": 10, "curve": "ROC",
                      "summation_method": "interpolation", "multi_label": False,
                      "num_labels": None, "label_weights": None, "from_logits": False}
    config = AUC(thresholds=[0.7, 0.2]).get_config()
    assert config["thresholds"] == [0.2, 0.7] and config["num_thresholds"] == 4


def test_numpy_integers_and_arrays_are_accepted():
    m = Precision(thresholds=np.array([0.25, 0.75]), top_k=np.int64(2), class_id=np.int32(1))
    assert m.get_config()["thresholds"] == [0.25, 0.75]
    assert type(m.top_k) is int and type(m.class_id) is int
    assert AUC(num_thresholds=np.int64(10)).num_thresholds == 10


@pytest.mark.parametrize("make, error, match", [
    (lambda: TruePositives(thresholds=1.5), ValueError, r"\[0, 1\]"),
    (lambda: Precision(thresholds=[0.5, -0.1]), ValueError, r"\[0, 1\]"),
    (lambda: Recall(thresholds=[]), ValueError, "non-empty"),
    (lambda: Precision(top_k=0), ValueError, "top_k"),
    (lambda: Recall(class_id=-1), ValueError, "class_id"),
    (lambda: AUC(num_thresholds=1), ValueError, "num_thresholds"),
    (lambda: AUC(curve="XY"), ValueError, r"\['ROC', 'PR', 'PRGAIN'\]"),
    (lambda: AUC(summation_method="simpson"), ValueError, "interpolation"),
    (lambda: AUC(num_labels=3), ValueError, "multi_label"),
    (lambda: AUC(multi_label="yes"), TypeError, "multi_label"),
    (lambda: AUC(label_weights=[1.0, -1.0]), ValueError, "non-negative"),
    (lambda: AUC(multi_label=True, num_labels=2, label_weights=[1.0, 1.0, 1.0]), ValueError,
     "one per label"),
])
def test_constructor_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_update_errors():
    with pytest.raises(ValueError, match="same shape"):
        TruePositives().update_state([1.0, 0.0, 1.0], [0.5, 0.2])
    with pytest.raises(ValueError, match="class_id=5"):
        Precision(class_id=5).update_state(Y_TRUE_ML, Y_PRED_ML)
    with pytest.raises(ValueError, match="top_k=4"):
        Recall(top_k=4).update_state(Y_TRUE_ML, Y_PRED_ML)
    with pytest.raises(ValueError, match="sample_weight"):
        AUC().update_state(Y_TRUE, Y_PRED, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="rank 2"):
        AUC(multi_label=True).update_state(Y_TRUE, Y_PRED)


# -- one rate at a constraint on another -------------------------------------------------------
def at_thresholds(num_thresholds):
    if num_thresholds == 1:
        return [0.5]
    return list(np.arange(num_thresholds) / (num_thresholds - 1))


def np_rate_at(kind, value, num_thresholds, weights=None, y_true=Y_TRUE, y_pred=Y_PRED):
    c = np_counts(y_true, y_pred, at_thresholds(num_thresholds), weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        sens = np.nan_to_num(c["tp"] / (c["tp"] + c["fn"]))
        spec = np.nan_to_num(c["tn"] / (c["tn"] + c["fp"]))
        prec = np.nan_to_num(c["tp"] / (c["tp"] + c["fp"]))
    constrained, dependent = {"sens_at_spec": (spec, sens), "spec_at_sens": (sens, spec),
                              "prec_at_rec": (sens, prec), "rec_at_prec": (prec, sens)}[kind]
    feasible = dependent[constrained >= value]
    return max(feasible.max(), 0.0) if feasible.size else 0.0


AT_CLASSES = {"sens_at_spec": SensitivityAtSpecificity, "spec_at_sens": SpecificityAtSensitivity,
              "prec_at_rec": PrecisionAtRecall, "rec_at_prec": RecallAtPrecision}


@pytest.mark.parametrize("kind", list(AT_CLASSES))
@pytest.mark.parametrize("value", [0.0, 0.4, 0.8, 1.0])
@pytest.mark.parametrize("num_thresholds", [1, 7, 200])
@pytest.mark.parametrize("weighted", [False, True])
def test_rate_at_constraint_matches_numpy(kind, value, num_thresholds, weighted):
    weights = WEIGHTS if weighted else None
    got = run(AT_CLASSES[kind](value, num_thresholds=num_thresholds), Y_TRUE, Y_PRED, weights)
    expected = np_rate_at(kind, value, num_thresholds, weights)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind, value, num_thresholds, weighted, expected", [
    ("sens_at_spec", 0.4, 1, False, 0.6000000238418579),
    ("sens_at_spec", 0.8, 7, False, 0.4000000059604645),
    ("sens_at_spec", 0.4, 200, True, 0.3333333432674408),
    ("spec_at_sens", 0.4, 7, True, 0.3181818127632141),
    ("spec_at_sens", 0.8, 200, False, 0.4000000059604645),
    ("prec_at_rec", 0.8, 200, False, 0.625),
    ("prec_at_rec", 0.8, 7, True, 0.6666666865348816),
    ("rec_at_prec", 0.4, 1, True, 0.3333333432674408),
    ("rec_at_prec", 0.4, 200, False, 1.0),
    ("rec_at_prec", 0.8, 200, True, 0.0),
])
def test_rate_at_constraint_literals_from_keras(kind, value, num_thresholds, weighted,
                                                expected):
    got = run(AT_CLASSES[kind](value, num_thresholds=num_thresholds), Y_TRUE, Y_PRED,
              WEIGHTS if weighted else None)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_rate_at_constraint_class_id_and_stateless_jit():
    import jax

    got = run(PrecisionAtRecall(0.5, num_thresholds=11, class_id=2), Y_TRUE_ML, Y_PRED_ML)
    expected = np_rate_at("prec_at_rec", 0.5, 11, y_true=Y_TRUE_ML[:, 2],
                          y_pred=Y_PRED_ML[:, 2])
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    stateful, stateless = RecallAtPrecision(0.6), RecallAtPrecision(0.6)
    expected = run(stateful, Y_TRUE, Y_PRED, WEIGHTS)
    update = jax.jit(stateless.stateless_update_state)
    state = stateless.stateless_reset_state()
    for part in (slice(0, 5), slice(5, None)):
        state = update(state, Y_TRUE[part], Y_PRED[part], WEIGHTS[part])
    np.testing.assert_allclose(jax.jit(stateless.stateless_result)(state), expected, rtol=1e-6)
    stateful.reset_state()
    assert all(not np.asarray(v.value).any() for v in stateful.variables)
    assert [tuple(v.shape) for v in stateful.variables] == [(200,)] * 4


@pytest.mark.parametrize("metric, value_arg", [
    (SensitivityAtSpecificity(0.5), "specificity"),
    (SpecificityAtSensitivity(0.25, num_thresholds=1, name="s"), "sensitivity"),
    (PrecisionAtRecall(0.5, class_id=1), "recall"),
    (RecallAtPrecision(1.0, num_thresholds=20, dtype="float16"), "precision"),
])
def test_rate_at_constraint_config(metric, value_arg):
    config = metric.get_config()
    assert set(config) == {"name", "dtype", "class_id", "num_thresholds", value_arg}
    assert type(metric).from_config(config).get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config
    assert SensitivityAtSpecificity(0.5).get_config()["name"].startswith(
        "sensitivity_at_specificity")


@pytest.mark.parametrize("make, match", [
    (lambda: SensitivityAtSpecificity(1.5), r"`specificity` must be a float in \[0, 1\]"),
    (lambda: SpecificityAtSensitivity(-0.1), "sensitivity"),
    (lambda: PrecisionAtRecall("high"), "recall"),
    (lambda: RecallAtPrecision(0.5, num_thresholds=0), "num_thresholds"),
    (lambda: RecallAtPrecision(0.5, class_id=-2), "class_id"),
])
def test_rate_at_constraint_constructor_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
