import inspect
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from lamina.backend import config
from lamina.datasets import _cache, cifar10


def batch(n, seed, label_key=b"labels", labels=None):
    rng = np.random.RandomState(seed)
    data = rng.randint(0, 256, (n, 3072)).astype(np.uint8)
    labels = list(rng.randint(0, 10, n)) if labels is None else labels
    return {b"batch_label": b"fixture", label_key: [int(v) for v in labels], b"data": data}


def tar_of(folder, batches, extra=()):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, content in list(batches.items()) + list(extra):
            raw = pickle.dumps(content, protocol=4) if isinstance(content, dict) else content
            info = tarfile.TarInfo(f"{folder}/{name}" if not name.startswith("/") else name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


def channels_last(data):
    """x[n, h, w, c] = data[n, c * 1024 + h * 32 + w] (CIFAR stores each colour plane whole)."""
    n = len(data)
    out = np.zeros((n, 32, 32, 3), np.uint8)
    for c in range(3):
        out[..., c] = data[:, c * 1024:(c + 1) * 1024].reshape(n, 32, 32)
    return out


BATCHES = {**{f"data_batch_{i}": batch(2, i) for i in range(1, 6)}, "test_batch": batch(3, 9)}


def test_signature_is_keras():
    assert str(inspect.signature(cifar10.load_data)) == "()"


def test_load_from_downloaded_archive(mirror, server, homes):
    mirror("cifar-10-batches-py-target", tar_of("cifar-10-batches-py", BATCHES))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    train = [BATCHES[f"data_batch_{i}"] for i in range(1, 6)]
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, channels_last(np.concatenate([b[b"data"]
                                                                         for b in train])))
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert y_train[:, 0].tolist() == [label for b in train for label in b[b"labels"]]
    np.testing.assert_array_equal(x_test, channels_last(BATCHES["test_batch"][b"data"]))
    assert y_test.shape == (3, 1) and y_test.dtype == np.uint8
    datasets = homes[0] / "datasets"
    assert (datasets / "cifar-10-batches-py-target_archive").is_file()
    assert (datasets / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch"
            ).is_file()
    cifar10.load_data()
    assert server.requests == ["cifar-10-python.tar.gz"]


def test_channels_first_layout(mirror, monkeypatch):
    mirror("cifar-10-batches-py-target", tar_of("cifar-10-batches-py", BATCHES))
    monkeypatch.setattr(config, "_IMAGE_DATA_FORMAT", "channels_first")
    (_, _), (x_test, _) = cifar10.load_data()
    assert x_test.shape == (3, 3, 32, 32)
    np.testing.assert_array_equal(x_test[1, 2, 5, 7], BATCHES["test_batch"][b"data"][1, 2048 +
                                                                                    5 * 32 + 7])


def test_traversal_archive_is_refused(mirror, homes, tmp_path):
    evil = tar_of("cifar-10-batches-py", BATCHES,
                  extra=[("../../evil", b"x"), (str(tmp_path / "abs_evil"), b"x")])
    mirror("cifar-10-batches-py-target", evil)
    with pytest.raises(ValueError, match="unsafe members"):
        cifar10.load_data()
    assert not (tmp_path / "abs_evil").exists() and not (homes[0] / "evil").exists()
    assert not (homes[0] / "datasets" / "cifar-10-batches-py-target").exists()


def test_batch_with_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load"):
        cifar10.load_batch(str(path))
    path.write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8)}))
    with pytest.raises(ValueError, match=r"lacks the keys \['labels'\]"):
        cifar10.load_batch(str(path))


def test_offline_error(homes, monkeypatch):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    with pytest.raises(_cache.DatasetUnavailableError, match="cifar-10-python.tar.gz") as info:
        cifar10.load_data()
    assert str(homes[0] / "datasets" / "cifar-10-batches-py-target_archive") in str(info.value)


def test_archive_in_keras_cache_is_extracted_into_lamina_cache(mirror, server, homes,
                                                               monkeypatch):
    archive = tar_of("cifar-10-batches-py", BATCHES)
    mirror("cifar-10-batches-py-target", archive)
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    keras_archive = homes[1] / "datasets" / "cifar-10-batches-py-target_archive"
    keras_archive.parent.mkdir(parents=True)
    keras_archive.write_bytes(archive)
    (_, _), (x_test, _) = cifar10.load_data()
    np.testing.assert_array_equal(x_test, channels_last(BATCHES["test_batch"][b"data"]))
    assert (homes[0] / "datasets" / "cifar-10-batches-py-target").is_dir()
    assert not (homes[1] / "datasets" / "cifar-10-batches-py-target").exists()  # read-only use
    assert server.requests == []
