import doctest

import numpy as np
import pytest

import lamina
from lamina import metrics
from lamina.metrics import probabilistic_metrics
from lamina.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)

Y_TRUE = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]], "float32")
Y_PRED = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]],
                  "float32")
WEIGHTS = np.array([1.0, 0.5, 2.0, 0.0], "float32")
EPS = 1e-7


def two_batches(metric, y_true=Y_TRUE, y_pred=Y_PRED, weights=None):
    for part in (slice(0, 3), slice(3, None)):
        metric.update_state(y_true[part], y_pred[part],
                            sample_weight=None if weights is None else weights[part])
    return float(metric.result())


def weighted_mean(per_sample, weights):
    return per_sample.mean() if weights is None else (per_sample * weights).sum() / weights.sum()


def np_bce(t, p, smoothing=0.0):
    t = t * (1 - smoothing) + 0.5 * smoothing
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def np_cce(t, p, smoothing=0.0):
    t = t * (1 - smoothing) + smoothing / t.shape[-1]
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def test_probabilistic_metrics_module_doctests():
    assert doctest.testmod(probabilistic_metrics, extraglobs={"lamina": lamina}).failed == 0


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_crossentropy_metrics_match_numpy(weights):
    np.testing.assert_allclose(two_batches(BinaryCrossentropy(label_smoothing=0.1),
                                           weights=weights),
                               weighted_mean(np_bce(Y_TRUE, Y_PRED, 0.1), weights), rtol=1e-5)
    np.testing.assert_allclose(two_batches(CategoricalCrossentropy(label_smoothing=0.1),
                                           weights=weights),
                               weighted_mean(np_cce(Y_TRUE, Y_PRED, 0.1), weights), rtol=1e-5)
    np.testing.assert_allclose(two_batches(SparseCategoricalCrossentropy(),
                                           Y_TRUE.argmax(-1), Y_PRED, weights),
                               weighted_mean(np_cce(Y_TRUE, Y_PRED), weights), rtol=1e-5)
    logits = Y_PRED * 4 - 2
    np.testing.assert_allclose(two_batches(BinaryCrossentropy(from_logits=True), Y_TRUE, logits,
                                           weights),
                               weighted_mean(np_bce(Y_TRUE, 1 / (1 + np.exp(-logits))), weights),
                               rtol=1e-5)


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_kl_divergence_and_poisson_match_numpy(weights):
    soft = Y_TRUE * 0.8 + 0.05
    kld = (soft * np.log(soft / Y_PRED)).sum(-1)
    np.testing.assert_allclose(two_batches(KLDivergence(), soft, Y_PRED, weights),
                               weighted_mean(kld, weights), rtol=1e-5)
    poisson = (Y_PRED - Y_TRUE * np.log(Y_PRED + EPS)).mean(-1)
    np.testing.assert_allclose(two_batches(Poisson(), weights=weights),
                               weighted_mean(poisson, weights), rtol=1e-5)


def test_keras_reference_values():
    # Keras 3 (jax backend), same inputs and weights, one update_state each.
    cases = [(BinaryCrossentropy(label_smoothing=0.1), Y_TRUE, Y_PRED, 0.2899853587150574),
             (BinaryCrossentropy(from_logits=True), Y_TRUE, Y_PRED * 4 - 2, 0.261353999376297),
             (CategoricalCrossentropy(label_smoothing=0.1), Y_TRUE, Y_PRED, 0.44491496682167053),
             (SparseCategoricalCrossentropy(), Y_TRUE.argmax(-1), Y_PRED, 0.32843875885009766),
             (KLDivergence(), Y_TRUE * 0.8 + 0.05, Y_PRED, 0.04901675507426262),
             (Poisson(), Y_TRUE, Y_PRED, 0.44281288981437683)]
    for metric, y_true, y_pred, expected in cases:
        metric.update_state(y_true, y_pred, sample_weight=WEIGHTS)
        np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-5,
                                   err_msg=metric.name)


def test_ignore_class_and_reset():
    metric = SparseCategoricalCrossentropy(ignore_class=0)
    metric.update_state([1, 0], Y_PRED[:2])
    # The ignored entry contributes 0 but still counts as a sample.
    np.testing.assert_allclose(float(metric.result()), -np.log(0.7) / 2, rtol=1e-5)
    metric.reset_state()
    assert float(metric.result()) == 0.0


@pytest.mark.parametrize("cls, kwargs", [
    (BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.2}),
    (CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0.1, "axis": 1}),
    (SparseCategoricalCrossentropy, {"from_logits": True, "ignore_class": 2, "axis": -1}),
    (KLDivergence, {}),
    (Poisson, {}),
])
def test_config_round_trip(cls, kwargs):
    metric = cls(name="m", **kwargs)
    config = metric.get_config()
    assert config == {"name": "m", "dtype": "float32", **kwargs}
    rebuilt = cls.from_config(config)
    assert rebuilt.get_config() == config
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is cls and again.get_config() == config


def test_family_lookup():
    assert type(metrics.get("bce")) is BinaryCrossentropy
    assert type(metrics.get("sparse_categorical_crossentropy")) is SparseCategoricalCrossentropy
    assert type(metrics.get("KLDivergence")) is KLDivergence
    assert metrics.binary_crossentropy is lamina.losses.binary_crossentropy
    fn = metrics.deserialize(metrics.serialize(metrics.poisson))
    assert fn is lamina.losses.poisson
    # Keras 3 also exposes the focal loss functions under keras.metrics.
    assert metrics.binary_focal_crossentropy is lamina.losses.binary_focal_crossentropy
    assert (metrics.deserialize(metrics.serialize(metrics.categorical_focal_crossentropy))
            is lamina.losses.categorical_focal_crossentropy)


def test_invalid_arguments():
    with pytest.raises(TypeError, match="from_logits"):
        BinaryCrossentropy(from_logits="yes")
    with pytest.raises(ValueError, match="label_smoothing"):
        CategoricalCrossentropy(label_smoothing=1.5)
    with pytest.raises(TypeError, match="axis"):
        CategoricalCrossentropy(axis=1.0)
    with pytest.raises(TypeError, match="ignore_class"):
        SparseCategoricalCrossentropy(ignore_class="0")
    with pytest.raises(TypeError, match="name"):
        Poisson(name=3)
