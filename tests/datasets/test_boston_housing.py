import inspect

import numpy as np
import pytest

from lamina.datasets import boston_housing
from tests.datasets._fixtures import npz_bytes

X = np.arange(10 * 13, dtype=np.float64).reshape(10, 13)
Y = np.arange(10, dtype=np.float64) * 1.5


@pytest.fixture
def boston_file(mirror):
    mirror("boston_housing.npz", npz_bytes(x=X, y=Y))


def test_signature_is_keras():
    assert str(inspect.signature(boston_housing.load_data)) == (
        "(path='boston_housing.npz', test_split=0.2, seed=113)")


def test_default_shuffle_and_split(boston_file):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    # Row order from Keras 3.15.1 on the same file: [9, 3, 6, 1, 0, 7, 4, 8 | 2, 5].
    assert (y_train / 1.5).tolist() == [9, 3, 6, 1, 0, 7, 4, 8]
    assert (y_test / 1.5).tolist() == [2, 5]
    np.testing.assert_array_equal(x_train, X[[9, 3, 6, 1, 0, 7, 4, 8]])
    assert x_train.dtype == np.float64 and x_test.shape == (2, 13)


def test_other_split_and_seed(boston_file):
    (_, y_train), (_, y_test) = boston_housing.load_data(test_split=0.3, seed=5)
    assert (y_train / 1.5).tolist() == [9, 5, 2, 4, 7, 1, 0]
    assert (y_test / 1.5).tolist() == [8, 6, 3]


def test_explicit_absolute_path(homes, tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    path = tmp_path / "my_boston.npz"
    path.write_bytes(npz_bytes(x=X, y=Y))
    (x_train, _), _ = boston_housing.load_data(path=str(path))
    assert x_train.shape == (8, 13)


@pytest.mark.parametrize("split", [1, -0.5, None])
def test_bad_arguments(split):
    with pytest.raises(ValueError, match="0 <= test_split < 1"):
        boston_housing.load_data(test_split=split)
    with pytest.raises(TypeError, match="`seed` must be an int"):
        boston_housing.load_data(seed="113")
