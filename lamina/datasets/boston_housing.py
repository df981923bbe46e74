"""Boston housing prices: 506 suburbs of Boston (1970s), 13 features, median value in k$.

The data include a feature built on a racial assumption ("B"); it is kept for compatibility with
published results, not as an example of a fair feature.
"""

import numbers

import numpy as np

from lamina.datasets import _cache

ALTERNATIVE = ("no package ships this file; download it on a machine with a network and copy "
               "it to the cache path above.")


def shuffle_split(owner, x, y, test_split, seed):
    """Shuffle rows with `RandomState(seed)` and split at `int(n * (1 - test_split))`, as Keras."""
    if (not isinstance(test_split, numbers.Real) or isinstance(test_split, bool)
            or not 0 <= test_split < 1):
        raise ValueError(f"{owner}: `test_split` must be a number with 0 <= test_split < 1 (the "
                         f"fraction held out for testing). Received: test_split={test_split!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise TypeError(f"{owner}: `seed` must be an int (the shuffle seed). Received: "
                        f"seed={seed!r}")
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Load the Boston housing data, shuffled and split as Keras does.

    Args:
        path: Cache file name under `$LAMINA_HOME/datasets`, or an absolute path to an existing
            `boston_housing.npz`.
        test_split: Fraction held out as the test set, `0 <= test_split < 1`.
        seed: Seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 features (n, 13) and targets (n,), 404
        training and 102 test rows with the defaults.

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((404, 13), (102, 13))
    """
    owner = "boston_housing.load_data"
    shuffle_split(owner, np.zeros(0), np.zeros(0), test_split, seed)   # check before fetching
    with np.load(_cache.fetch(owner, "boston_housing.npz", path, alternative=ALTERNATIVE),
                 allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_split(owner, x, y, test_split, seed)
