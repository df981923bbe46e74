"""California housing prices: 20,640 census block groups (1990), 8 features, price in dollars.

Features: MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude, Longitude.
"""

import numpy as np

from lamina.datasets import _cache
from lamina.datasets.boston_housing import ALTERNATIVE, shuffle_split

VERSIONS = ("small", "large")


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Load the California housing data, shuffled and split as Keras does.

    Args:
        version: "large" (all 20,640 rows) or "small" (the first 600 rows, taken before the
            shuffle).
        path: Cache file name under `$LAMINA_HOME/datasets`, or an absolute path to an existing
            `california_housing.npz`.
        test_split: Fraction held out as the test set, `0 <= test_split < 1`.
        seed: Seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float features (n, 8) and targets (n,); 16512/4128
        rows ("large") or 480/120 ("small") with the default split.

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), (x_test, y_test) = load_data(version="small")  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((480, 8), (120, 8))
    """
    owner = "california_housing.load_data"
    if version not in VERSIONS:
        raise ValueError(f"{owner}: `version` must be one of {list(VERSIONS)}. Received: "
                         f"version={version!r}")
    shuffle_split(owner, np.zeros(0), np.zeros(0), test_split, seed)   # check before fetching
    with np.load(_cache.fetch(owner, "california_housing.npz", path, alternative=ALTERNATIVE),
                 allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_split(owner, x, y, test_split, seed)
