import doctest

import jax
import numpy as np
import pytest

from lamina import metrics
from lamina.metrics import correlation_metrics
from lamina.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)

A = np.array([[0.1, 0.5, 0.9, 0.3], [1.0, 2.0, 0.5, 0.2], [0.3, 0.3, 0.8, 0.1]], "float32")
B = np.array([[0.2, 0.4, 1.0, 0.1], [0.9, 1.5, 0.7, 0.0], [0.5, 0.1, 0.6, 0.4]], "float32")
W = np.array([1.0, 2.0, 0.5], "float32")


def np_pearson(x, y, axis=-1):
    x, y = np.moveaxis(x, axis, -1).astype(np.float64), np.moveaxis(y, axis, -1)
    return np.array([np.corrcoef(a, b)[0, 1] for a, b in zip(x, y)])


def np_concordance(x, y, axis=-1):
    """Keras 3's formula: y_true centred on the *prediction* mean in the covariance term."""
    x, y = np.moveaxis(x, axis, -1).astype(np.float64), np.moveaxis(y, axis, -1)
    mx, my = x.mean(-1, keepdims=True), y.mean(-1, keepdims=True)
    norm = x.var(-1) + y.var(-1) + (mx - my)[:, 0] ** 2
    return np.mean(2 * (x - my) * (y - my), axis=-1) / (norm + 1e-7)


def test_correlation_metrics_module_doctests():
    assert doctest.testmod(correlation_metrics).failed == 0


@pytest.mark.parametrize("axis", [-1, 0])
def test_functions_match_numpy(axis):
    np.testing.assert_allclose(pearson_correlation(A, B, axis=axis), np_pearson(A, B, axis),
                               rtol=1e-5)
    np.testing.assert_allclose(concordance_correlation(A, B, axis=axis),
                               np_concordance(A, B, axis), rtol=1e-5)


def test_concordance_of_identical_inputs_is_one():
    np.testing.assert_allclose(concordance_correlation(A, A), np.ones(3), rtol=1e-5)


@pytest.mark.parametrize("cls, fn", [(PearsonCorrelation, np_pearson),
                                     (ConcordanceCorrelation, np_concordance)])
def test_metric_is_weighted_mean_over_samples(cls, fn):
    m = cls()
    m.update_state(A, B)
    m.update_state(B, A, sample_weight=W)
    values = np.concatenate([fn(A, B), fn(B, A)])
    weights = np.concatenate([np.ones(3), W])
    np.testing.assert_allclose(float(m.result()), np.sum(values * weights) / weights.sum(),
                               rtol=1e-5)


@pytest.mark.parametrize("cls, axis, expected", [
    (PearsonCorrelation, -1, 0.8419125080108643), (PearsonCorrelation, 0, 0.4372033178806305),
    (ConcordanceCorrelation, -1, 0.8056209087371826),
    (ConcordanceCorrelation, 0, 0.44027179479599)])
def test_literals_from_keras(cls, axis, expected):
    m = cls(axis=axis)
    m.update_state(A, B)
    if axis == -1:
        m.update_state(B, A, sample_weight=W)
    np.testing.assert_allclose(float(m.result()), expected, rtol=1e-5)


def test_stateless_under_jit_and_reset():
    stateful, stateless = PearsonCorrelation(), PearsonCorrelation()
    stateful.update_state(A, B)
    state = jax.jit(stateless.stateless_update_state)(stateless.stateless_reset_state(), A, B)
    np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(), rtol=1e-6)
    stateful.reset_state()
    assert float(stateful.result()) == 0.0


@pytest.mark.parametrize("metric", [PearsonCorrelation(), ConcordanceCorrelation(axis=0,
                                                                                 name="c")])
def test_config_round_trip(metric):
    config = metric.get_config()
    assert type(metric).from_config(config).get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config


def test_config_contents_and_names():
    assert PearsonCorrelation().get_config() == {"name": "pearson_correlation",
                                                 "dtype": "float32", "axis": -1}
    assert ConcordanceCorrelation(axis=1).get_config() == {"name": "concordance_correlation",
                                                           "dtype": "float32", "axis": 1}
    assert type(metrics.get("pearson_correlation")) is PearsonCorrelation
    fn = metrics.deserialize(metrics.serialize(concordance_correlation))
    assert fn is concordance_correlation


def test_constructor_errors():
    with pytest.raises(ValueError, match="axis"):
        PearsonCorrelation(axis="last")
    with pytest.raises(ValueError, match="axis"):
        ConcordanceCorrelation(axis=1.0)
