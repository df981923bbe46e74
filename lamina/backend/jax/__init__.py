"""The JAX backend: every module the backend interface names (see lamina/backend/__init__.py)."""

from lamina.backend.jax import core, linalg, math, nn, numpy, random, transforms

NAME = "jax"

__all__ = ["NAME", "core", "linalg", "math", "nn", "numpy", "random", "transforms"]
