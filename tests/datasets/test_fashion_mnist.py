import gzip
import hashlib
import inspect

import numpy as np
import pytest

from lamina.datasets import _cache, fashion_mnist

RNG = np.random.RandomState(1)
X_TRAIN = RNG.randint(0, 256, (4, 28, 28)).astype(np.uint8)
Y_TRAIN = np.array([9, 0, 0, 3], np.uint8)
X_TEST = RNG.randint(0, 256, (2, 28, 28)).astype(np.uint8)
Y_TEST = np.array([9, 2], np.uint8)


def idx(array):
    """IDX bytes written from the format's definition: big-endian magic, sizes, then uint8."""
    header = (2048 + array.ndim).to_bytes(4, "big") + b"".join(
        d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


FILES = {"train-labels-idx1-ubyte.gz": Y_TRAIN, "train-images-idx3-ubyte.gz": X_TRAIN,
         "t10k-labels-idx1-ubyte.gz": Y_TEST, "t10k-images-idx3-ubyte.gz": X_TEST}


def check(result):
    (x_train, y_train), (x_test, y_test) = result
    for got, want in ((x_train, X_TRAIN), (y_train, Y_TRAIN), (x_test, X_TEST), (y_test, Y_TEST)):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def serve_all(mirror):
    for name, array in FILES.items():
        raw = idx(array)
        mirror(name, gzip.compress(raw), content_sha256=hashlib.sha256(raw).hexdigest())


def test_signature_is_keras():
    assert str(inspect.signature(fashion_mnist.load_data)) == "()"


def test_download_into_keras_layout_and_reuse(mirror, server, homes):
    serve_all(mirror)
    check(fashion_mnist.load_data())
    check(fashion_mnist.load_data())
    assert sorted(server.requests) == sorted(FILES)
    assert (homes[0] / "datasets" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").is_file()


def test_corrupted_content_is_refused(mirror, server, homes):
    serve_all(mirror)
    bad = idx(Y_TEST[::-1].copy())
    server.files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(bad)
    with pytest.raises(ValueError, match="decompressed content should be"):
        fashion_mnist.load_data()
    assert not (homes[0] / "datasets" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_debian_copy_recompressed_differently_is_accepted(mirror, server, homes, monkeypatch,
                                                          tmp_path):
    serve_all(mirror)
    debian = tmp_path / "debian"
    debian.mkdir()
    for name, array in FILES.items():          # other gzip bytes (mtime), same content
        (debian / name).write_bytes(gzip.compress(idx(array), mtime=0))
    monkeypatch.setattr(fashion_mnist, "DEBIAN_FOLDER", str(debian))
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    check(fashion_mnist.load_data())
    assert server.requests == []


def test_offline_error_names_debian_package(homes, monkeypatch, offline_sources_absent):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    with pytest.raises(_cache.DatasetUnavailableError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert "tf-keras-datasets/train-labels-idx1-ubyte.gz" in message
    assert str(homes[0] / "datasets" / "fashion-mnist" / "train-labels-idx1-ubyte.gz") in message
    assert "apt-get install dataset-fashion-mnist" in message


def test_read_idx_rejects_wrong_magic(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx(Y_TEST)))
    np.testing.assert_array_equal(fashion_mnist.read_idx(str(path), 2049), Y_TEST)
    with pytest.raises(ValueError, match="magic number 2051"):
        fashion_mnist.read_idx(str(path), 2051)
    path.write_bytes(gzip.compress(idx(Y_TEST)[:-1]))
    with pytest.raises(ValueError, match=r"declares shape \(2,\) but holds 1 values"):
        fashion_mnist.read_idx(str(path), 2049)
