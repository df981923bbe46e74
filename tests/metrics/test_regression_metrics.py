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


# --- loss-based regression metrics -----------------------------------------------------------

POSITIVE_TRUE = np.abs(Y_TRUE) + 0.5


def test_cosine_similarity_function_matches_numpy():
    expected = (Y_TRUE * Y_PRED).sum(-1) / (np.linalg.norm(Y_TRUE, axis=-1)
                                            * np.linalg.norm(Y_PRED, axis=-1))
    np.testing.assert_allclose(regression_metrics.cosine_similarity(Y_TRUE, Y_PRED), expected,
                               rtol=1e-5)
    along_batch = (Y_TRUE * Y_PRED).sum(0) / (np.linalg.norm(Y_TRUE, axis=0)
                                              * np.linalg.norm(Y_PRED, axis=0))
    np.testing.assert_allclose(regression_metrics.cosine_similarity(Y_TRUE, Y_PRED, axis=0),
                               along_batch, rtol=1e-5)


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_loss_based_regression_metrics_match_numpy(weights):
    eps = 1e-7
    y_true = POSITIVE_TRUE
    mape = 100 * np.abs((y_true - Y_PRED) / y_true).mean(-1)
    msle = ((np.log(np.maximum(Y_PRED, eps) + 1) - np.log(y_true + 1)) ** 2).mean(-1)
    cosine = (y_true * Y_PRED).sum(-1) / (np.linalg.norm(y_true, axis=-1)
                                          * np.linalg.norm(Y_PRED, axis=-1))
    logcosh = np.log(np.cosh(Y_PRED - y_true)).mean(-1)
    for metric, expected in [(regression_metrics.MeanAbsolutePercentageError(), mape),
                             (regression_metrics.MeanSquaredLogarithmicError(), msle),
                             (regression_metrics.CosineSimilarity(), cosine),
                             (regression_metrics.LogCoshError(), logcosh)]:
        for part in (slice(0, 3), slice(3, None)):
            metric.update_state(y_true[part], Y_PRED[part],
                                sample_weight=None if weights is None else weights[part])
        np.testing.assert_allclose(float(metric.result()), weighted_mean(expected, weights),
                                   rtol=1e-5, err_msg=metric.name)


def test_loss_based_regression_keras_reference_values():
    # Keras 3 (jax backend): Y_TRUE, Y_PRED, weighted by WEIGHTS in one update.
    for metric, expected in [(regression_metrics.MeanSquaredLogarithmicError(),
                              0.05587344244122505),
                             (regression_metrics.CosineSimilarity(), 0.8907853364944458),
                             (regression_metrics.LogCoshError(), 0.20768238604068756)]:
        metric.update_state(Y_TRUE, Y_PRED, sample_weight=WEIGHTS)
        np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-5)


@pytest.mark.parametrize("cls, kwargs, name", [
    (regression_metrics.MeanAbsolutePercentageError, {}, "mean_absolute_percentage_error"),
    (regression_metrics.MeanSquaredLogarithmicError, {}, "mean_squared_logarithmic_error"),
    (regression_metrics.CosineSimilarity, {"axis": 0}, "cosine_similarity"),
    (regression_metrics.LogCoshError, {}, "logcosh"),
])
def test_loss_based_regression_config_round_trip(cls, kwargs, name):
    assert cls().name == name
    metric = cls(name="r", **kwargs)
    config = metric.get_config()
    assert config == {"name": "r", "dtype": "float32", **kwargs}
    assert cls.from_config(config).get_config() == config
    assert type(metrics.deserialize(metrics.serialize(metric))) is cls


def test_loss_based_regression_lookup_and_errors():
    assert type(metrics.get("mape")) is regression_metrics.MeanAbsolutePercentageError
    assert type(metrics.get("MSLE")) is regression_metrics.MeanSquaredLogarithmicError
    assert type(metrics.get("log_cosh_error")) is regression_metrics.LogCoshError
    assert type(metrics.get("cosine_similarity")) is regression_metrics.CosineSimilarity
    with pytest.raises(TypeError, match="CosineSimilarity: `axis`"):
        regression_metrics.CosineSimilarity(axis="last")


# --- R2Score ---------------------------------------------------------------------------------

R2_TRUE = np.array([[1.0, 2.0], [2.0, 2.0], [4.0, 2.0], [5.0, 2.0]], "float32")
R2_PRED = np.array([[1.5, 2.0], [2.0, 1.0], [3.0, 2.5], [5.5, 2.0]], "float32")
R2_WEIGHTS = np.array([1.0, 2.0, 0.5, 1.0], "float32")


def np_r2_columns(y_true, y_pred, weights):
    w = np.broadcast_to(weights[:, None], y_true.shape)
    mean = (w * y_true).sum(0) / w.sum(0)
    return 1 - (w * (y_true - y_pred) ** 2).sum(0) / (w * (y_true - mean) ** 2).sum(0)


def test_r2_score_matches_numpy_over_batches():
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=(7, 3)).astype("float32")
    y_pred = (y_true + 0.5 * rng.normal(size=(7, 3))).astype("float32")
    weights = rng.uniform(0.5, 2.0, size=7).astype("float32")
    columns = np_r2_columns(y_true, y_pred, weights)
    variances = [np.cov(y_true[:, i], aweights=weights, bias=True) for i in range(3)]
    expected = {"uniform_average": columns.mean(),
                "variance_weighted_average": (columns * variances).sum() / np.sum(variances),
                None: columns}
    for aggregation, value in expected.items():
        metric = regression_metrics.R2Score(class_aggregation=aggregation)
        metric.update_state(y_true[:4], y_pred[:4], sample_weight=weights[:4])
        metric.update_state(y_true[4:], y_pred[4:], sample_weight=weights[4:, None])
        np.testing.assert_allclose(metric.result(), value, rtol=1e-4)
    adjusted = regression_metrics.R2Score(num_regressors=2)
    adjusted.update_state(y_true, y_pred, sample_weight=weights)
    n = y_true.size  # every (sample, output) entry counts, as in Keras 3
    np.testing.assert_allclose(float(adjusted.result()),
                               1 - (1 - columns.mean()) * (n - 1) / (n - 2 - 1), rtol=1e-4)


def test_r2_score_keras_reference_values():
    # Keras 3 (jax backend) on R2_TRUE / R2_PRED; the second column is constant, so it scores 0
    # and has no weight in the variance-weighted average.
    cases = [({}, None, 0.425), ({"class_aggregation": "variance_weighted_average"}, None, 0.85),
             ({"class_aggregation": None}, None, [0.85, 0.0]), ({"num_regressors": 1}, None,
                                                                0.32916665),
             ({"num_regressors": 5}, None, -1.0125), ({"num_regressors": 7}, None, 0.425),
             ({"class_aggregation": None}, R2_WEIGHTS, [0.9, 0.0])]
    for kwargs, weights, expected in cases:
        metric = regression_metrics.R2Score(**kwargs)
        metric.update_state(R2_TRUE, R2_PRED, sample_weight=weights)
        np.testing.assert_allclose(metric.result(), expected, rtol=1e-5, err_msg=str(kwargs))


def test_r2_score_stateless_and_reset():
    metric = regression_metrics.R2Score()
    assert float(metric.result()) == 0.0  # nothing seen yet
    metric.update_state(R2_TRUE[:1], R2_PRED[:1])
    metric.reset_state()
    state = metric.stateless_update_state([v.value for v in metric.variables], R2_TRUE, R2_PRED)
    np.testing.assert_allclose(float(metric.stateless_result(state)), 0.425, rtol=1e-5)
    assert float(metric.stateless_result([v.value for v in metric.variables])) != 0.425


def test_r2_score_config_and_errors():
    metric = regression_metrics.R2Score(class_aggregation=None, num_regressors=2, name="r2")
    config = metric.get_config()
    assert config == {"name": "r2", "dtype": "float32", "class_aggregation": None,
                      "num_regressors": 2}
    assert regression_metrics.R2Score.from_config(config).get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config
    assert type(metrics.get("r2_score")) is regression_metrics.R2Score
    with pytest.raises(ValueError, match="`class_aggregation` must be one of"):
        regression_metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="`num_regressors` must be a non-negative int"):
        regression_metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match=r"shape \(batch, num_outputs\)"):
        regression_metrics.R2Score().update_state(R2_TRUE[:, 0], R2_PRED[:, 0])
    built = regression_metrics.R2Score()
    built.update_state(R2_TRUE, R2_PRED)
    with pytest.raises(ValueError, match=r"must both have shape \(batch, 2\)"):
        built.update_state(R2_TRUE[:, :1], R2_PRED[:, :1])
