"""The JAX backend: every module the backend interface names (see lamina/backend/__init__.py)."""

import os

import jax

from lamina.backend.jax import core, linalg, math, nn, numpy, random, transforms

NAME = "jax"


def _enable_compilation_cache():
    """Keep compiled XLA programs on disk so a program's second run skips compilation.

    LAMINA_COMPILATION_CACHE names the folder (default: ~/.cache/lamina/xla, or under
    XDG_CACHE_HOME); "0" turns it off. A cache the user configured in JAX is left alone.
    """
    setting = os.environ.get("LAMINA_COMPILATION_CACHE", "")
    if setting == "0" or jax.config.jax_compilation_cache_dir:
        return
    folder = setting or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "lamina", "xla")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return  # a read-only home: run without the cache
    jax.config.update("jax_compilation_cache_dir", folder)
    # Only programs that took a while to compile are worth a file.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.05)


_enable_compilation_cache()

__all__ = ["NAME", "core", "linalg", "math", "nn", "numpy", "random", "transforms"]
