import inspect

import numpy as np
import pytest

from lamina.datasets import cifar100
from tests.datasets.test_cifar10 import batch, channels_last, tar_of


def split(n, seed):
    b = batch(n, seed, label_key=b"fine_labels", labels=list(range(90, 90 + n)))
    b[b"coarse_labels"] = list(range(n))
    return b


BATCHES = {"train": split(4, 1), "test": split(2, 2), "meta": {b"fine_label_names": []}}


def test_signature_is_keras():
    assert str(inspect.signature(cifar100.load_data)) == "(label_mode='fine')"


@pytest.mark.parametrize("mode", ["fine", "coarse"])
def test_label_modes(mirror, mode):
    mirror("cifar-100-python-target", tar_of("cifar-100-python", BATCHES))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=mode)
    np.testing.assert_array_equal(x_train, channels_last(BATCHES["train"][b"data"]))
    assert x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (4, 1) and y_train.dtype == np.int64    # as Keras returns them
    assert y_train[:, 0].tolist() == ([90, 91, 92, 93] if mode == "fine" else [0, 1, 2, 3])
    assert y_test[:, 0].tolist() == ([90, 91] if mode == "fine" else [0, 1])


def test_bad_label_mode():
    with pytest.raises(ValueError, match=r"`label_mode` must be one of \['fine', 'coarse'\]"):
        cifar100.load_data(label_mode="medium")
