"""Inputs and helpers shared by the tests of the image augmentation layers."""

import numpy as np

import lamina
from lamina import ops

X = (np.arange(36) * 37 % 256).reshape(1, 3, 4, 3).astype("float32")  # one RGB image


def to_numpy(x):
    return lamina.backend.convert_to_numpy(x)


def random_batch(seed=0, shape=(4, 6, 6, 3)):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def case_ids(params):
    return [cls.__name__ for cls, _ in params]


def stub(layer, value):
    """Make a sub-augmentation return the constant `value` (or its input for None)."""
    object.__setattr__(layer, "_augment", lambda images: images if value is None else
                       ops.add(ops.multiply(images, 0.0), value))
