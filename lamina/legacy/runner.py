"""Run a Keras 0.x/1.x/2.x script with `keras` served by lamina's compatibility layer."""

import os
import runpy
import sys

from lamina.legacy import importer


def run_script(path, args=(), seed=None):
    """Run the script at `path` as `__main__`, with `sys.argv = [path, *args]`.

    Args:
        path: Path of a Python script written for old Keras.
        args: Its command-line arguments.
        seed: Optional int: `lamina.utils.set_random_seed(seed)` before the script runs. When
            None, the environment variable `LAMINA_SEED` is used if set.

    Returns:
        The script's globals after it ran.
    """
    if not isinstance(path, (str, os.PathLike)) or not os.path.isfile(path):
        raise FileNotFoundError(f"lamina.legacy: no script at {path!r}. Usage: python -m "
                                "lamina.legacy script.py [args ...]")
    if seed is None and os.environ.get("LAMINA_SEED", "").strip():
        text = os.environ["LAMINA_SEED"].strip()
        if not text.isdigit():
            raise ValueError(f"lamina.legacy: LAMINA_SEED must be a non-negative integer. "
                             f"Received: {text!r}")
        seed = int(text)
    if seed is not None:
        from lamina.utils import set_random_seed
        set_random_seed(seed)
    path = os.fspath(path)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        with importer.installed():
            return runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
