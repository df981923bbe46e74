import inspect

import numpy as np
import pytest

from lamina.datasets import california_housing
from tests.datasets._fixtures import npz_bytes


def test_signature_is_keras():
    assert str(inspect.signature(california_housing.load_data)) == (
        "(version='large', path='california_housing.npz', test_split=0.2, seed=113)")


def test_large_shuffle_and_split(mirror):
    x = np.arange(10 * 8, dtype=np.float32).reshape(10, 8)
    mirror("california_housing.npz", npz_bytes(x=x, y=np.arange(10, dtype=np.float32) * 1.5))
    (_, y_train), (x_test, y_test) = california_housing.load_data(test_split=0.25, seed=1)
    # Row order from Keras 3.15.1 on the same file; int(10 * 0.75) = 7 training rows.
    assert (y_train / 1.5).tolist() == [2, 9, 6, 4, 0, 3, 1]
    assert (y_test / 1.5).tolist() == [7, 8, 5]
    np.testing.assert_array_equal(x_test, x[[7, 8, 5]])


def test_small_takes_first_600_rows_before_shuffling(mirror):
    n = 610
    mirror("california_housing.npz", npz_bytes(x=np.arange(n * 8.0).reshape(n, 8),
                                               y=np.arange(n, dtype=np.float64)))
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(version="small")
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8)
    order = np.random.RandomState(113).permutation(600)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), order)


def test_bad_version():
    with pytest.raises(ValueError, match=r"`version` must be one of \['small', 'large'\]"):
        california_housing.load_data(version="medium")
