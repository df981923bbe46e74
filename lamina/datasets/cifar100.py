"""CIFAR-100: 50,000 training and 10,000 test 32x32 colour images, 100 fine or 20 coarse classes."""

import os

import numpy as np

from lamina.datasets import _cache
from lamina.datasets.cifar10 import ALTERNATIVE, load_batch, to_layout

LABEL_MODES = ("fine", "coarse")


def load_data(label_mode="fine"):
    """Load CIFAR-100 as NumPy arrays, from a local copy when one exists, else the network.

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shapes (50000, 32, 32, 3) and
        (10000, 32, 32, 3) (channels first under `image_data_format() == "channels_first"`), and
        int64 labels of shapes (50000, 1) and (10000, 1), as Keras returns them.

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), _ = load_data(label_mode="coarse")  # doctest: +SKIP
    >>> int(y_train.max())  # doctest: +SKIP
    19
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(f"cifar100.load_data: `label_mode` must be one of {list(LABEL_MODES)}. "
                         f"Received: label_mode={label_mode!r}")
    folder = _cache.fetch("cifar100.load_data", "cifar-100-python-target", extract=True,
                          alternative=ALTERNATIVE)
    folder = os.path.join(folder, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(folder, "test"), label_key=key)
    # Keras turns the label lists into int64 arrays here (CIFAR-10's are uint8).
    y_train = np.asarray(y_train, np.int64).reshape(-1, 1)
    y_test = np.asarray(y_test, np.int64).reshape(-1, 1)
    return (to_layout(x_train), y_train), (to_layout(x_test), y_test)
