"""Host-side label helpers (lamina/utils/numerical_utils.py) against NumPy."""

import numpy as np
import pytest

from lamina.utils import numerical_utils


@pytest.mark.parametrize("labels,num_classes", [
    ([0, 2, 1], None), ([0, 2, 1], 5), (np.array([[0, 1], [2, 0]]), None),
    (np.array([3], "uint8"), 4), (np.array([1.0, 0.0]), None), (np.array([True, False]), None),
])
def test_to_categorical_matches_eye_indexing(labels, num_classes):
    labels = np.asarray(labels)
    n = num_classes or int(labels.max()) + 1
    out = numerical_utils.to_categorical(labels, num_classes)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(n)[labels.astype(int)])


def test_to_categorical_squeezes_a_trailing_unit_axis():
    out = numerical_utils.to_categorical(np.array([[0], [2]]), 3)
    np.testing.assert_array_equal(out, np.eye(3)[[0, 2]])


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="label 3 does not fit num_classes=3"):
        numerical_utils.to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match="non-negative. Found -1"):
        numerical_utils.to_categorical([-1, 0])
    with pytest.raises(ValueError, match=r"must be integers.*\[0.5, 1.0\]"):
        numerical_utils.to_categorical([0.5, 1.0])
    with pytest.raises(ValueError, match="labels must be integers.*dtype <U1"):
        numerical_utils.to_categorical(["a", "b"])
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="`num_classes` must be a positive int"):
            numerical_utils.to_categorical([0, 1], num_classes=bad)


@pytest.mark.parametrize("order,axis", [(2, -1), (1, -1), (2, 0)])
def test_normalize_matches_numpy_norm(order, axis):
    x = np.array([[3.0, 4.0, 0.0], [1.0, -2.0, 2.0]])
    expected = x / np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    np.testing.assert_allclose(numerical_utils.normalize(x, axis=axis, order=order), expected,
                               rtol=1e-6)


def test_normalize_leaves_zero_vectors_at_zero():
    out = numerical_utils.normalize(np.array([[0.0, 0.0], [3.0, 4.0]]))
    np.testing.assert_allclose(out, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)
