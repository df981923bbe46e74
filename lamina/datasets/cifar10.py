"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes.

Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship,
9 truck. The archive is unpacked safely once; its pickled batches are read with an unpickler that
builds NumPy arrays and nothing else.
"""

import os

import numpy as np

from lamina.backend import image_data_format
from lamina.datasets import _cache

ALTERNATIVE = ("no package ships CIFAR; download the archive on a machine with a network and "
               "copy it to the cache path above.")


def load_batch(fpath, label_key="labels"):
    """Read one pickled CIFAR batch: images (n, 3, 32, 32) uint8 and a list of int labels.

    Args:
        fpath: Path of the batch file (`data_batch_1`, `test_batch`, `train`, ...).
        label_key: Key of the labels: "labels" (CIFAR-10), "fine_labels" or "coarse_labels".

    Returns:
        `(data, labels)`.
    """
    with open(fpath, "rb") as f:
        batch = _cache.restricted_load(f, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"CIFAR batch {fpath} holds a {type(batch).__name__}, not a dict. "
                         "Delete the cached archive and its folder to fetch a good copy.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    missing = [k for k in ("data", label_key) if k not in batch]
    if missing:
        raise ValueError(f"CIFAR batch {fpath} lacks the keys {missing}; it has "
                         f"{sorted(batch)}. Delete the cached archive and its folder to fetch "
                         "a good copy.")
    data = np.asarray(batch["data"], np.uint8)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"CIFAR batch {fpath}: expected data of shape (n, 3072), received "
                         f"{data.shape}.")
    return data.reshape(len(data), 3, 32, 32), batch[label_key]


def to_layout(x):
    """Channels-first batches (n, 3, 32, 32) in the configured image layout."""
    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x


def load_data():
    """Load CIFAR-10 as NumPy arrays, from a local copy when one exists, else the network.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shapes (50000, 32, 32, 3) and
        (10000, 32, 32, 3) (channels first under `image_data_format() == "channels_first"`), and
        uint8 labels 0-9 of shapes (50000, 1) and (10000, 1).

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.shape  # doctest: +SKIP
    ((50000, 32, 32, 3), (50000, 1))
    """
    folder = _cache.fetch("cifar10.load_data", "cifar-10-batches-py-target", extract=True,
                          alternative=ALTERNATIVE)
    folder = os.path.join(folder, "cifar-10-batches-py")
    batches = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in batches])
    y_train = np.concatenate([np.asarray(y, np.uint8) for _, y in batches]).reshape(-1, 1)
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_test = np.asarray(y_test, np.uint8).reshape(-1, 1)
    return (to_layout(x_train), y_train), (to_layout(x_test), y_test)
