"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 grey images of 10 kinds of clothing.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot. Offline, the Debian package `dataset-fashion-mnist` ships the same four
files in `/usr/share/datasets/fashion-mnist`; every copy is checked by the sha256 of its
decompressed content (Debian recompressed the files, so their gzip bytes differ).
"""

import gzip
import os

import numpy as np

from lamina.datasets import _cache

DEBIAN_FOLDER = "/usr/share/datasets/fashion-mnist"
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
ALTERNATIVE = ("install the Debian package: `apt-get install dataset-fashion-mnist` (or "
               "`apt-get download dataset-fashion-mnist` and `dpkg -x` it, then copy "
               "usr/share/datasets/fashion-mnist/*.gz into the cache folder above).")


def load_data():
    """Load Fashion-MNIST as NumPy arrays, from a local copy when one exists, else the network.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shapes (60000, 28, 28) and
        (10000, 28, 28), and uint8 labels 0-9 of shapes (60000,) and (10000,).

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    paths = []
    for name in FILES:
        debian = os.path.join(DEBIAN_FOLDER, name)

        def from_debian(debian=debian, name=name):
            return _cache.content_verified(debian, name)

        paths.append(_cache.fetch("fashion_mnist.load_data", name,
                                  offline_sources=[from_debian], alternative=ALTERNATIVE))
    y_train, y_test = read_idx(paths[0], 2049), read_idx(paths[2], 2049)
    x_train, x_test = read_idx(paths[1], 2051), read_idx(paths[3], 2051)
    return (x_train, y_train), (x_test, y_test)


def read_idx(path, magic):
    """Read a gzip-compressed IDX file of uint8 values (labels: magic 2049; images: 2051).

    Args:
        path: Path of the `.gz` file.
        magic: The expected magic number.

    Returns:
        A uint8 array: labels (n,), or images (n, rows, cols).
    """
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = magic - 2048
    header = 4 + 4 * ndim
    if len(data) < header or int.from_bytes(data[:4], "big") != magic:
        raise ValueError(f"fashion_mnist.load_data: {path} is not an IDX file with magic number "
                         f"{magic}. Delete it so that a good copy is fetched.")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    values = np.frombuffer(data, np.uint8, offset=header)
    if values.size != int(np.prod(shape)):
        raise ValueError(f"fashion_mnist.load_data: {path} declares shape {shape} but holds "
                         f"{values.size} values. Delete it so that a good copy is fetched.")
    return values.reshape(shape)
