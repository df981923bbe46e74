import doctest

import numpy as np
import pytest

import lamina
from lamina import metrics
from lamina.metrics import hinge_metrics
from lamina.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge

Y_TRUE = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]], "float32")
Y_PRED = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]],
                  "float32")
WEIGHTS = np.array([1.0, 0.5, 2.0, 0.0], "float32")


def two_batches(metric, y_pred, weights=None):
    for part in (slice(0, 3), slice(3, None)):
        metric.update_state(Y_TRUE[part], y_pred[part],
                            sample_weight=None if weights is None else weights[part])
    return float(metric.result())


def weighted_mean(per_sample, weights):
    return per_sample.mean() if weights is None else (per_sample * weights).sum() / weights.sum()


def test_hinge_metrics_module_doctests():
    assert doctest.testmod(hinge_metrics, extraglobs={"lamina": lamina}).failed == 0


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_hinge_metrics_match_numpy(weights):
    signed = 2 * Y_TRUE - 1
    scores = Y_PRED * 2 - 1
    margin = np.maximum(1 - signed * scores, 0)
    np.testing.assert_allclose(two_batches(Hinge(), scores, weights),
                               weighted_mean(margin.mean(-1), weights), rtol=1e-6)
    np.testing.assert_allclose(two_batches(SquaredHinge(), scores, weights),
                               weighted_mean((margin ** 2).mean(-1), weights), rtol=1e-6)
    pos = (Y_TRUE * Y_PRED).sum(-1)
    neg = ((1 - Y_TRUE) * Y_PRED).max(-1)
    np.testing.assert_allclose(two_batches(CategoricalHinge(), Y_PRED, weights),
                               weighted_mean(np.maximum(0, 1 + neg - pos), weights), rtol=1e-6)


def test_keras_reference_values():
    # Keras 3 (jax backend), same inputs, weighted by WEIGHTS in one update.
    for metric, y_pred, expected in [(Hinge(), Y_PRED * 2 - 1, 0.3619047701358795),
                                     (SquaredHinge(), Y_PRED * 2 - 1, 0.17142857611179352),
                                     (CategoricalHinge(), Y_PRED, 0.4285714328289032)]:
        metric.update_state(Y_TRUE, y_pred, sample_weight=WEIGHTS)
        np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-5)


@pytest.mark.parametrize("cls", [Hinge, SquaredHinge, CategoricalHinge])
def test_config_round_trip_and_lookup(cls):
    metric = cls(name="h", dtype="float32")
    assert metric.get_config() == {"name": "h", "dtype": "float32"}
    assert cls.from_config(metric.get_config()).get_config() == metric.get_config()
    assert type(metrics.deserialize(metrics.serialize(metric))) is cls
    assert type(metrics.get(cls.__name__)) is cls
    with pytest.raises(TypeError, match="name"):
        cls(name=1)
