import os

os.environ.setdefault("LAMINA_BACKEND", "jax")

import numpy as np
import pytest

from lamina.random import set_random_seed


@pytest.fixture(autouse=True)
def _seed():
    set_random_seed(1234)
    np.random.seed(1234)
    yield
