"""The NumPy backend: inference (predict, evaluate) without JAX, and no training.

Every module of the backend interface (see lamina/backend/__init__.py) exists here with the JAX
backend's functions, names and dtype rules; `transforms` says what NumPy cannot do (gradients).
"""

from lamina.backend.numpy import core, image, linalg, math, nn, numpy, random, transforms

NAME = "numpy"

__all__ = ["NAME", "core", "image", "linalg", "math", "nn", "numpy", "random", "transforms"]
