"""Benchmarks: the same workloads on lamina, Keras 3, PyTorch and JAX (`python -m benchmarks.run`)."""
