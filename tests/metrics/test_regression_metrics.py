import doctest

import numpy as np
import pytest

from lamina import backend, metrics
from lamina.metrics import regression_metrics
from lamina.metrics.regression_metrics import (
    MeanAbsoluteError,
    MeanSquaredError,
    RootMeanSquaredError,
    mean_absolute_error,
    mean_squared_error,
)
from tests.helpers import gradcheck

Y_TRUE = np.array([[0.5, 1.0, -2.0], [1.5, 0.0, 3.0], [-1.0, 2.0, 0.25], [0.0, 0.0, 1.0]],
                  "float32")
Y_PRED = np.array([[1.0, 0.5, -1.0], [1.0, 1.0, 2.5], [0.0, 2.5, 0.0], [0.5, -0.5, 2.0]],
                  "float32")
WEIGHTS = np.array([1.0, 0.5, 2.0, 0.0], "float32")


def two_batches(metric, weights=None):
    for part in (slice(0, 3), slice(3, None)):
        metric.update_state(Y_TRUE[part], Y_PRED[part],
                            sample_weight=None if weights is None else weights[part])
    return metric.result()


def weighted_mean(per_sample, weights):
    return per_sample.mean() if weights is None else (per_sample * weights).sum() / weights.sum()


def test_regression_metrics_module_doctests():
    assert doctest.testmod(regression_metrics).failed == 0


def test_functions_match_numpy():
    np.testing.assert_allclose(mean_squared_error(Y_TRUE, Y_PRED),
                               ((Y_TRUE - Y_PRED) ** 2).mean(axis=-1), rtol=1e-6)
    np.testing.assert_allclose(mean_absolute_error(Y_TRUE, Y_PRED),
                               np.abs(Y_TRUE - Y_PRED).mean(axis=-1), rtol=1e-6)
    # (batch, 1) targets against (batch,) predictions pair up element by element.
    column, flat = Y_TRUE[:, :1], Y_PRED[:, 0]
    np.testing.assert_allclose(mean_squared_error(column, flat), (column[:, 0] - flat) ** 2,
                               rtol=1e-6)


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_metric_classes_over_several_updates(weights):
    squared = ((Y_TRUE - Y_PRED) ** 2).mean(axis=-1)
    absolute = np.abs(Y_TRUE - Y_PRED).mean(axis=-1)
    np.testing.assert_allclose(two_batches(MeanSquaredError(), weights),
                               weighted_mean(squared, weights), rtol=1e-6)
    np.testing.assert_allclose(two_batches(MeanAbsoluteError(), weights),
                               weighted_mean(absolute, weights), rtol=1e-6)
    np.testing.assert_allclose(two_batches(RootMeanSquaredError(), weights),
                               np.sqrt(weighted_mean(squared, weights)), rtol=1e-6)


def test_rmse_with_elementwise_weights():
    weights = np.array([[1.0, 0.0, 2.0], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0], [0.0, 3.0, 0.0]],
                       "float32")
    m = RootMeanSquaredError()
    m.update_state(Y_TRUE, Y_PRED, sample_weight=weights)
    squared = (Y_TRUE - Y_PRED) ** 2
    # Per sample: mean of weighted squares over mean weight, then the root of the ratio of sums.
    expected = np.sqrt((squared * weights).mean(axis=1).sum() / weights.mean(axis=1).sum())
    np.testing.assert_allclose(m.result(), expected, rtol=1e-6)


def test_literals_from_keras_and_hand_arithmetic():
    # MSE of [[0, 1], [0, 0]] vs [[1, 1], [0, 0]] is (1 + 0 + 0 + 0) / 4; weight [1, 0] keeps the
    # first row: MAE 0.5, RMSE sqrt(0.5). Keras 3.15 prints 0.25, 0.5 and 0.70710677.
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    m = MeanSquaredError()
    m.update_state(y_true, y_pred)
    assert float(m.result()) == 0.25
    m = MeanAbsoluteError()
    m.update_state(y_true, y_pred, sample_weight=[1, 0])
    assert float(m.result()) == 0.5
    m = RootMeanSquaredError()
    m.update_state(y_true, y_pred, sample_weight=[1, 0])
    np.testing.assert_allclose(m.result(), 0.70710677, rtol=1e-6)


def test_reset_and_stateless_forms():
    for cls in (MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError):
        stateful, stateless = cls(), cls()
        state = stateless.stateless_reset_state()
        step = backend.transforms.jit(
            lambda s, t, p, w, m=stateless: m.stateless_update_state(s, t, p, sample_weight=w))
        for part in (slice(0, 3), slice(3, None)):
            state = step(state, Y_TRUE[part], Y_PRED[part], WEIGHTS[part])
            stateful.update_state(Y_TRUE[part], Y_PRED[part], sample_weight=WEIGHTS[part])
        np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(),
                                   rtol=1e-6)
        assert [float(v.numpy()) for v in stateless.variables] == [0.0, 0.0]
        stateful.reset_state()
        assert float(stateful.result()) == 0.0


def test_function_gradients():
    y_true = np.array([[0.5, 1.0], [1.5, 0.0]])
    y_pred = np.array([[1.0, 0.4], [1.2, 1.0]])  # no ties: |.| is smooth here

    def mse(t, p):
        return backend.numpy.sum(mean_squared_error(t, p))

    def mae(t, p):
        return backend.numpy.sum(mean_absolute_error(t, p))

    gradcheck.check_grads(mse, [y_true, y_pred])
    gradcheck.check_grads(mae, [y_true, y_pred])


def test_rmse_result_gradient_wrt_predictions():
    y_true = np.array([[0.5, 1.0], [1.5, 0.0], [-1.0, 2.0]])

    def rmse(y_pred):
        m = RootMeanSquaredError(dtype="float64")
        state = m.stateless_update_state(m.stateless_reset_state(), y_true, y_pred,
                                         sample_weight=np.array([1.0, 2.0, 0.5]))
        return m.stateless_result(state)

    gradcheck.check_grads(rmse, [np.array([[1.0, 0.5], [1.0, 1.0], [0.0, 2.5]])])


@pytest.mark.parametrize("cls, name", [(MeanSquaredError, "mean_squared_error"),
                                       (MeanAbsoluteError, "mean_absolute_error"),
                                       (RootMeanSquaredError, "root_mean_squared_error")])
def test_config_round_trip(cls, name):
    m = cls(dtype="float16")
    assert m.get_config() == {"name": name, "dtype": "float16"}
    assert cls.from_config(m.get_config()).get_config() == m.get_config()
    assert type(metrics.deserialize(metrics.serialize(m))) is cls


def test_bad_sample_weight_shape_is_reported():
    with pytest.raises(ValueError, match="MeanSquaredError 'mse_metric'.*sample_weight"):
        MeanSquaredError(name="mse_metric").update_state(Y_TRUE, Y_PRED,
                                                         sample_weight=np.ones((4, 3)))
