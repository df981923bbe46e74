import os

os.environ.setdefault("LAMINA_BACKEND", "jax")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lamina.random import set_random_seed  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    set_random_seed(1234)
    np.random.seed(1234)
    yield
