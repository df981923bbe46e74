"""lamina: a Keras-3-compatible deep learning toolkit on JAX."""

__version__ = "0.1.0"
