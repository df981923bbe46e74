import doctest

import numpy as np
import pytest

from lamina import backend, ops
from lamina.metrics import reduction_metrics
from lamina.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from lamina.saving import serialization
from tests.helpers import gradcheck

BATCHES = [np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]], "float32"),
           np.array([[2.0, 2.0, 2.0], [0.0, -3.0, 1.0], [5.0, 1.0, 0.0]], "float32")]
WEIGHTS = [np.array([0.5, 2.0], "float32"), np.array([1.0, 0.0, 3.0], "float32")]
WEIGHTS_2D = [np.array([[1.0, 0.0, 2.0], [0.5, 0.5, 1.0]], "float32"),
              np.array([[0.0, 1.0, 1.0], [2.0, 2.0, 0.0], [1.0, 3.0, 0.5]], "float32")]


def np_mean(batches, weights=None):
    """Keras semantics: each sample's values are averaged first; a sample counts its weight."""
    if weights is None:
        per_sample = np.concatenate([b.mean(axis=1) for b in batches])
        return per_sample.mean()
    if weights[0].ndim == 1:
        total = sum((b.mean(axis=1) * w).sum() for b, w in zip(batches, weights))
        return total / sum(w.sum() for w in weights)
    # Weights of the values' shape: per sample, the mean of weighted values over the mean weight.
    total = sum((b * w).mean(axis=1).sum() for b, w in zip(batches, weights))
    return total / sum(w.mean(axis=1).sum() for w in weights)


def test_reduction_metrics_module_doctests():
    assert doctest.testmod(reduction_metrics).failed == 0


@pytest.mark.parametrize("weights", [None, WEIGHTS, WEIGHTS_2D])
def test_mean_over_several_updates(weights):
    m = Mean()
    for i, batch in enumerate(BATCHES):
        m.update_state(batch, sample_weight=None if weights is None else weights[i])
    np.testing.assert_allclose(m.result(), np_mean(BATCHES, weights), rtol=1e-6)


def test_mean_literal_values():
    # Hand arithmetic: mean(1, 3, 5, 7) = 4; weighted (1*1 + 3*1) / 2 = 2.
    m = Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0
    m.reset_state()
    m.update_state(6.0)
    m.update_state(2.0)
    assert float(m.result()) == 4.0


def test_mean_with_a_scalar_weight_scales_total_and_count():
    # A scalar weight w on a batch adds w * mean(batch) to the total and w to the count.
    m = Mean()
    m.update_state([1.0, 3.0], sample_weight=3.0)
    m.update_state([10.0], sample_weight=1.0)
    np.testing.assert_allclose(m.result(), (3.0 * 2.0 + 10.0) / 4.0, rtol=1e-6)


def test_mean_weight_column_shape_and_rank3_values():
    values = np.arange(12, dtype="float32").reshape(2, 3, 2)
    weights = np.array([[1.0], [3.0]], "float32")
    m = Mean()
    m.update_state(values, sample_weight=weights)
    per_sample = values.reshape(2, -1).mean(axis=1)
    np.testing.assert_allclose(m.result(), (per_sample * [1.0, 3.0]).sum() / 4.0, rtol=1e-6)


def test_mean_empty_is_zero_and_reset():
    m = Mean()
    assert float(m.result()) == 0.0
    m.update_state([1.0, 2.0])
    m.reset_state()
    assert float(m.result()) == 0.0
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0]


@pytest.mark.parametrize("weights", [None, WEIGHTS, WEIGHTS_2D])
def test_sum_over_several_updates(weights):
    m = Sum()
    for i, batch in enumerate(BATCHES):
        m.update_state(batch, sample_weight=None if weights is None else weights[i])
    if weights is None:
        expected = sum(b.sum() for b in BATCHES)
    elif weights[0].ndim == 1:
        expected = sum((b.sum(axis=1) * w).sum() for b, w in zip(BATCHES, weights))
    else:
        expected = sum((b * w).sum() for b, w in zip(BATCHES, weights))
    np.testing.assert_allclose(m.result(), expected, rtol=1e-6)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_sum_and_mean_dtype():
    m = Mean(dtype="float16")
    assert [v.dtype for v in m.variables] == ["float16", "float16"]
    m.update_state([1, 2])
    assert ops.dtype(m.result()) == "float16"
    assert Sum(dtype="bfloat16").total.dtype == "bfloat16"


def test_mismatched_sample_weight_is_reported():
    with pytest.raises(ValueError, match=r"sample_weight.*\(3,\).*\(2,\)"):
        Mean(name="m").update_state([1.0, 2.0], sample_weight=[1.0, 1.0, 1.0])


def test_stateless_mean_matches_stateful_and_mutates_nothing():
    stateful, stateless = Mean(), Mean()
    state = stateless.stateless_reset_state()
    for batch, w in zip(BATCHES, WEIGHTS):
        stateful.update_state(batch, sample_weight=w)
        state = stateless.stateless_update_state(state, batch, sample_weight=w)
    np.testing.assert_allclose(stateless.stateless_result(state), np_mean(BATCHES, WEIGHTS),
                               rtol=1e-6)
    np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(), rtol=1e-6)
    assert [float(v.numpy()) for v in stateless.variables] == [0.0, 0.0]


def test_stateless_sum_under_jit():
    m = Sum()
    step = backend.transforms.jit(lambda state, x, w: m.stateless_update_state(state, x,
                                                                                sample_weight=w))
    state = m.stateless_reset_state()
    for batch, w in zip(BATCHES, WEIGHTS):
        state = step(state, batch, w)
    expected = sum((b.sum(axis=1) * w).sum() for b, w in zip(BATCHES, WEIGHTS))
    np.testing.assert_allclose(m.stateless_result(state), expected, rtol=1e-6)


def test_mean_gradient_wrt_values():
    weights = np.array([0.5, 2.0, 1.0])

    def fn(values):
        m = Mean(dtype="float64")
        state = m.stateless_update_state(m.stateless_reset_state(), values,
                                         sample_weight=weights)
        return m.stateless_result(state)

    gradcheck.check_grads(fn, [np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]])])


def abs_diff(y_true, y_pred, scale=1.0):
    return ops.multiply(ops.abs(ops.subtract(y_true, y_pred)), scale)


def test_mean_metric_wrapper_with_fn_kwargs_and_weights():
    m = MeanMetricWrapper(abs_diff, name="abs_diff", scale=2.0)
    y_true = [np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0])]
    y_pred = [np.array([1.0, 1.0, 0.0]), np.array([0.0, 3.0])]
    weights = [np.array([1.0, 2.0, 1.0]), np.array([0.5, 0.5])]
    for t, p, w in zip(y_true, y_pred, weights):
        m.update_state(t, p, sample_weight=w)
    diffs = [2.0 * np.abs(t - p) for t, p in zip(y_true, y_pred)]
    expected = sum((d * w).sum() for d, w in zip(diffs, weights)) / sum(w.sum() for w in weights)
    np.testing.assert_allclose(m.result(), expected, rtol=1e-6)


def test_mean_metric_wrapper_config_round_trip():
    m = MeanMetricWrapper(abs_diff, name="abs_diff", scale=3.0)
    config = m.get_config()
    assert config["name"] == "abs_diff" and config["scale"] == 3.0
    assert config["fn"]["class_name"] == "function"
    with serialization.custom_object_scope({"abs_diff": abs_diff}):
        clone = MeanMetricWrapper.from_config(config)
    clone.update_state([0.0], [1.0])
    assert float(clone.result()) == 3.0
    assert clone.get_config() == config
    # A built-in metric function resolves without custom objects.
    from lamina.metrics import binary_accuracy
    wrapped = MeanMetricWrapper(binary_accuracy, threshold=0.3)
    assert wrapped.name.startswith("mean_metric_wrapper")
    clone = MeanMetricWrapper.from_config(wrapped.get_config())
    clone.update_state([1.0, 0.0], [0.4, 0.2])
    assert float(clone.result()) == 1.0


def test_mean_metric_wrapper_rejects_non_callable():
    with pytest.raises(TypeError, match="`fn` must be a callable"):
        MeanMetricWrapper("not a function")
