import doctest

import numpy as np
import pytest

from lamina import backend, metrics, ops
from lamina.metrics import metric as metric_module
from lamina.metrics.metric import Metric, squeeze_or_expand_to_same_rank
from lamina.saving import serialization


class SumOfSquares(Metric):
    """Test metric: total of squared values and number of values, mean of squares as result."""

    def __init__(self, name="sum_of_squares", dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values):
        values = ops.cast(ops.convert_to_tensor(values), self.dtype)
        self.total.assign(self.total.value + ops.sum(ops.square(values)))
        self.count.assign(self.count.value + ops.cast(values.shape[0], self.dtype))

    def result(self):
        return ops.divide_no_nan(self.total.value, self.count.value)


class Container(Metric):
    """Test metric holding other metrics as attributes."""

    def __init__(self, name="container"):
        super().__init__(name=name)
        self.own = self.add_variable(shape=(2,), initializer="ones", name="own")
        self.first = SumOfSquares(name="first")
        self.rest = [metrics.Mean(name="m1"), metrics.Sum(name="s1")]


def test_metric_module_doctests():
    assert doctest.testmod(metric_module).failed == 0


def test_add_variable_creates_non_trainable_variables_in_order():
    m = SumOfSquares(name="sq")
    assert [v.name for v in m.variables] == ["total", "count"]
    assert [v.path for v in m.variables] == ["sq/total", "sq/count"]
    for v in m.variables:
        assert isinstance(v, backend.Variable)
        assert v.trainable is False
        assert v.shape == ()
        assert v.dtype == "float32"
        assert v.aggregation == "sum"


def test_add_variable_initializers_and_options():
    m = Metric(name="holder")
    ones = m.add_variable(shape=(2, 3), initializer="ones", dtype="int32", name="ones",
                          aggregation="mean")
    custom = m.add_variable(shape=(3,), initializer=lambda shape, dtype: ops.full(shape, 7.0,
                                                                                  dtype=dtype),
                            name="sevens")
    np.testing.assert_array_equal(ones.numpy(), np.ones((2, 3), "int32"))
    assert ones.dtype == "int32" and ones.aggregation == "mean"
    np.testing.assert_array_equal(custom.numpy(), [7.0, 7.0, 7.0])
    assert m.variables == [ones, custom]
    assert m.add_weight(shape=(2,), name="w").numpy().tolist() == [0.0, 0.0]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"shape": (2,), "initializer": "no_such_init"}, ValueError, "(?i)unknown initializer"),
    ({"shape": (2,), "initializer": 3}, TypeError, "initializer"),
    ({"shape": (-1,), "initializer": "zeros"}, ValueError, "non-negative ints"),
    ({"shape": "2", "initializer": "zeros"}, ValueError, "shape"),
    ({"shape": (2,), "initializer": "zeros", "aggregation": "max"}, ValueError, "aggregation"),
])
def test_add_variable_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Metric(name="bad").add_variable(**kwargs)


def test_constructor_validates_name_and_dtype():
    with pytest.raises(TypeError, match="name"):
        Metric(name=3)
    with pytest.raises(ValueError, match="'/'"):
        Metric(name="a/b")
    with pytest.raises(ValueError, match="dtype"):
        Metric(dtype="float17")
    assert Metric(dtype="mixed_float16").dtype == "float16"
    assert Metric(dtype="float64").dtype == "float64"
    assert Metric().dtype == "float32"


def test_auto_names_are_snake_case_and_unique():
    a, b = SumOfSquares(name=None), SumOfSquares(name=None)
    assert a.name.startswith("sum_of_squares") and b.name.startswith("sum_of_squares")
    assert a.name != b.name
    assert metrics.AUC().name.startswith("auc")


def test_forgetting_super_init_is_reported():
    class Broken(Metric):
        def __init__(self):
            pass

        def update_state(self, x):
            pass

    with pytest.raises(RuntimeError, match="super"):
        Broken().add_variable(shape=(), initializer="zeros")
    with pytest.raises(RuntimeError, match="super"):
        Broken()(1.0)


def test_update_result_reset_and_call():
    m = SumOfSquares()
    m.update_state([1.0, 2.0])
    m.update_state([3.0])
    np.testing.assert_allclose(m.result(), (1 + 4 + 9) / 3, rtol=1e-6)
    # __call__ updates, then returns the new result.
    np.testing.assert_allclose(m([4.0]), (1 + 4 + 9 + 16) / 4, rtol=1e-6)
    m.reset_state()
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0]
    np.testing.assert_allclose(m.result(), 0.0)


def test_default_reset_assigns_zeros_even_to_ones_initialized_variables():
    m = Container()
    m.reset_state()
    for v in m.variables:
        np.testing.assert_array_equal(v.numpy(), np.zeros(v.shape))


def test_nested_metrics_contribute_variables_in_order():
    m = Container()
    assert [v.path for v in m.variables] == ["container/own", "first/total", "first/count",
                                             "m1/total", "m1/count", "s1/total"]


def test_base_methods_must_be_implemented():
    m = Metric()
    with pytest.raises(NotImplementedError):
        m.update_state(1.0)
    with pytest.raises(NotImplementedError):
        m.result()


def test_stateless_update_agrees_with_stateful_and_mutates_nothing():
    stateful, stateless = SumOfSquares(), SumOfSquares()
    batches = [np.array([1.0, -2.0]), np.array([0.5, 3.0, 1.0])]
    state = [v.value for v in stateless.variables]
    for batch in batches:
        stateful.update_state(batch)
        state = stateless.stateless_update_state(state, batch)
    # The stateless metric's own variables are untouched.
    assert [float(v.numpy()) for v in stateless.variables] == [0.0, 0.0]
    np.testing.assert_allclose(state[0], 1 + 4 + 0.25 + 9 + 1, rtol=1e-6)
    np.testing.assert_allclose(state[1], 5.0)
    np.testing.assert_allclose([np.asarray(s) for s in state],
                               [v.numpy() for v in stateful.variables], rtol=1e-6)
    np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(), rtol=1e-6)
    np.testing.assert_allclose(stateless.result(), 0.0)


def test_stateless_reset_returns_zeros_without_mutating():
    m = SumOfSquares()
    m.update_state([2.0])
    values = m.stateless_reset_state()
    assert [np.asarray(v).tolist() for v in values] == [0.0, 0.0]
    assert [float(v.numpy()) for v in m.variables] == [4.0, 1.0]


def test_stateless_forms_reject_wrong_state_length():
    m = SumOfSquares()
    with pytest.raises(ValueError, match="list of 2 values"):
        m.stateless_update_state([0.0], [1.0])
    with pytest.raises(ValueError, match="list of 2 values"):
        m.stateless_result((0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="list of 2 values"):
        m.stateless_result(np.zeros(2))


def test_stateless_update_traces_under_jit():
    m = SumOfSquares()
    traces = []

    def step(state, x):
        traces.append(1)
        state = m.stateless_update_state(state, x)
        return state, m.stateless_result(state)

    step = backend.transforms.jit(step)
    state = m.stateless_reset_state()
    state, _ = step(state, np.array([1.0, 2.0], "float32"))
    state, result = step(state, np.array([3.0, 4.0], "float32"))
    np.testing.assert_allclose(result, (1 + 4 + 9 + 16) / 4, rtol=1e-6)
    assert len(traces) == 1


def test_config_round_trip():
    m = SumOfSquares(name="squares", dtype="float64")
    config = m.get_config()
    assert config == {"name": "squares", "dtype": "float64"}
    clone = SumOfSquares.from_config(config)
    assert clone.get_config() == config
    assert clone is not m and clone.variables[0] is not m.variables[0]
    assert repr(clone) == "<SumOfSquares name=squares>"


@pytest.mark.parametrize("shapes, expand, expected", [
    (((3, 1), (3,)), True, ((3, 1), (3, 1))),
    (((3, 1), (3,)), False, ((3,), (3,))),
    (((3,), (3, 1)), True, ((3, 1), (3, 1))),
    (((2, 4, 1), (2, 4)), True, ((2, 4), (2, 4))),
    (((2, 4), (2, 4, 1)), True, ((2, 4), (2, 4))),
    (((2, 4), (2,)), True, ((2, 4), (2,))),
    (((2, 3), (2, 3)), True, ((2, 3), (2, 3))),
])
def test_squeeze_or_expand_to_same_rank(shapes, expand, expected):
    a, b = squeeze_or_expand_to_same_rank(ops.ones(shapes[0]), ops.ones(shapes[1]),
                                          expand_rank_1=expand)
    assert (tuple(a.shape), tuple(b.shape)) == expected


# -- the family's get / serialize / deserialize ------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("mse", metrics.MeanSquaredError), ("MSE", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("MAE", metrics.MeanAbsoluteError), ("accuracy", metrics.Accuracy),
    ("Accuracy", metrics.Accuracy), ("auc", metrics.AUC), ("AUC", metrics.AUC),
    ("binary_accuracy", metrics.BinaryAccuracy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy),
    ("root_mean_squared_error", metrics.RootMeanSquaredError), ("mean", metrics.Mean),
    ("sum", metrics.Sum), ("true_positives", metrics.TruePositives),
    ("precision", metrics.Precision), ("Recall", metrics.Recall),
])
def test_get_resolves_names_to_instances_like_keras(name, cls):
    obj = metrics.get(name)
    assert type(obj) is cls


def test_get_other_identifiers():
    assert metrics.get(None) is None
    instance = metrics.Mean()
    assert metrics.get(instance) is instance
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    assert type(metrics.get(metrics.AUC)) is metrics.AUC
    auc = metrics.get({"class_name": "AUC", "config": {"num_thresholds": 10, "curve": "PR"}})
    assert auc.num_thresholds == 10 and auc.curve == "PR"
    with pytest.raises(ValueError, match="Known names"):
        metrics.get("acc")
    with pytest.raises(ValueError, match="Could not interpret"):
        metrics.get(3)
    with pytest.raises(ValueError, match="subclass"):
        metrics.get(dict)


def test_serialize_deserialize_round_trip_for_classes_and_functions():
    m = metrics.Precision(thresholds=[0.3, 0.7], class_id=1, name="p")
    config = metrics.serialize(m)
    assert config["class_name"] == "Precision" and config["module"] == "keras.metrics"
    clone = metrics.deserialize(config)
    assert type(clone) is metrics.Precision and clone.get_config() == m.get_config()
    fn_config = metrics.serialize(metrics.sparse_categorical_accuracy)
    assert fn_config["class_name"] == "function"
    assert metrics.deserialize(fn_config) is metrics.sparse_categorical_accuracy
    # A bare name means the class, as in Keras 3.
    assert metrics.deserialize("mean_squared_error") is metrics.MeanSquaredError
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.deserialize({"class_name": "NoSuchMetric", "config": {}})
    with pytest.raises(TypeError, match="Metric instance or a metric function"):
        metrics.serialize(3)


def test_deserialize_custom_metric_class():
    config = metrics.serialize(SumOfSquares(name="custom"))
    with pytest.raises(ValueError, match="custom_objects"):
        metrics.deserialize(config)
    clone = metrics.deserialize(config, custom_objects={"SumOfSquares": SumOfSquares})
    assert type(clone) is SumOfSquares and clone.name == "custom"
    with serialization.custom_object_scope({"SumOfSquares": SumOfSquares}):
        assert type(metrics.deserialize(config)) is SumOfSquares
