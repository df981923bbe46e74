import numpy as np
import pytest

from lamina import regularizers
from lamina.legacy import compat


def test_cosine_proximity_is_keras1s_mean():
    a = np.array([[1.0, 2.0, 2.0]], dtype="float32")
    b = np.array([[2.0, 0.0, 1.0]], dtype="float32")
    an, bn = a / np.linalg.norm(a), b / np.linalg.norm(b)
    np.testing.assert_allclose(compat.cosine_proximity(a, b), -(an * bn).mean(-1), rtol=1e-6)


def test_objective_aliases():
    names = compat.objectives_names()
    y, p = np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])
    np.testing.assert_allclose(names["mse"](y, p), [0.25])
    np.testing.assert_allclose(names["mae"](y, p), [0.5])


def test_era_metric_functions():
    names = compat.metrics_names()
    np.testing.assert_allclose(names["binary_accuracy"](np.array([[1.0, 0.0]]),
                                                        np.array([[0.7, 0.6]])), [0.5])
    np.testing.assert_allclose(names["categorical_accuracy"](np.eye(2), np.array(
        [[0.9, 0.1], [0.8, 0.2]])), [1.0, 0.0])


def test_regularizer_and_constraint_names():
    names = compat.regularizers_names()
    l1l2 = names["l1l2"](l1=0.1, l2=0.2)
    assert isinstance(l1l2, regularizers.L1L2)
    w = np.array([1.0, -2.0], dtype="float32")
    assert float(l1l2(w)) == pytest.approx(0.1 * 3 + 0.2 * 5)
    assert float(names["activity_l2"](0.5)(w)) == pytest.approx(2.5)
    assert compat.constraints_names()["maxnorm"] is compat.constraints.MaxNorm


def test_initialization_functions():
    names = compat.initializations_names()
    assert np.asarray(names["one"]((2, 2))).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    values = np.asarray(names["uniform"]((500,), scale=0.1))
    assert values.min() >= -0.1 and values.max() <= 0.1 and values.std() > 0.03
