import io
import pickle

import numpy as np
import pytest

from lamina.datasets import _cache, boston_housing
from tests.datasets._fixtures import closed_port_url, npz_bytes, object_array

X = np.arange(4 * 13, dtype=np.float64).reshape(4, 13)


def test_origin_of_uses_mirror(monkeypatch):
    monkeypatch.delenv("LAMINA_DATASETS_BASE_URL", raising=False)
    assert _cache.origin_of("cifar-10-batches-py-target") == (
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz")
    monkeypatch.setenv("LAMINA_DATASETS_BASE_URL", "http://mirror.local/data/")
    assert _cache.origin_of("mnist.npz") == "http://mirror.local/data/mnist.npz"


def test_unreachable_network_gives_dataset_error(homes, monkeypatch):
    url = closed_port_url("boston_housing.npz")
    monkeypatch.setenv("LAMINA_DATASETS_BASE_URL", url.rsplit("/", 1)[0])
    with pytest.raises(_cache.DatasetUnavailableError) as info:
        boston_housing.load_data()
    message = str(info.value)
    assert message.startswith("boston_housing.load_data: no local copy of boston_housing.npz")
    assert url in message and str(homes[0] / "datasets" / "boston_housing.npz") in message
    assert "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5" in message


def test_absolute_path_that_does_not_exist_is_the_download_target(mirror, tmp_path):
    mirror("boston_housing.npz", npz_bytes(x=X, y=np.arange(4.0)))
    target = tmp_path / "elsewhere" / "b.npz"
    (x_train, _), (x_test, _) = boston_housing.load_data(path=str(target))
    assert target.is_file() and x_train.shape == (3, 13) and x_test.shape == (1, 13)


def test_path_must_be_a_name_or_absolute(homes):
    with pytest.raises(ValueError, match="`path` must be a file name .* or an absolute path"):
        boston_housing.load_data(path="sub/boston.npz")
    with pytest.raises(TypeError, match="`path` must be a file name or an absolute path"):
        boston_housing.load_data(path=3)


def test_load_npz_reads_numeric_and_ragged_arrays(tmp_path):
    path = tmp_path / "a.npz"
    path.write_bytes(npz_bytes(n=np.arange(3), r=object_array([[1], [2, 3]])))
    arrays = _cache.load_npz(str(path))
    assert arrays["n"].tolist() == [0, 1, 2]
    assert arrays["r"].dtype == object and [list(x) for x in arrays["r"]] == [[1], [2, 3]]


def test_restricted_unpickler_allows_arrays_only():
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    loaded = _cache.restricted_load(io.BytesIO(pickle.dumps({"a": array, "b": [1, "x"]})))
    np.testing.assert_array_equal(loaded["a"], array)
    assert loaded["a"].dtype == np.int16 and loaded["b"] == [1, "x"]
    with pytest.raises(pickle.UnpicklingError, match="`collections.OrderedDict`"):
        _cache.restricted_load(io.BytesIO(pickle.dumps(__import__("collections").OrderedDict())))
