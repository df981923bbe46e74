"""Process-wide settings: which backend runs, the default float type, epsilon, image layout.

The backend is chosen once, at import: `LAMINA_BACKEND`, else `KERAS_BACKEND`, else "jax".
"jax" trains and infers; "numpy" runs inference only (predict, evaluate), with no JAX needed.
"""

import os

AVAILABLE_BACKENDS = ("jax", "numpy")

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def _choose_backend():
    for var in ("LAMINA_BACKEND", "KERAS_BACKEND"):
        name = os.environ.get(var)
        if name:
            name = name.strip().lower()
            if name not in AVAILABLE_BACKENDS:
                raise ValueError(
                    f"{var}={name!r} names no lamina backend. Available backends: "
                    f"{list(AVAILABLE_BACKENDS)}. Set LAMINA_BACKEND=jax, or LAMINA_BACKEND=numpy for "
                    f"inference without JAX (LAMINA_BACKEND takes precedence over "
                    f"KERAS_BACKEND).")
            return name
    return "jax"


_BACKEND = _choose_backend()


def backend():
    """Name of the backend chosen for this process: `backend() == "jax"`."""
    return _BACKEND


def floatx():
    """Default float dtype name for weights and float inputs, "float32" unless changed."""
    return _FLOATX


def set_floatx(value):
    """Set the default float dtype: one of "float16", "bfloat16", "float32", "float64"."""
    global _FLOATX
    accepted = ("float16", "bfloat16", "float32", "float64")
    if value not in accepted:
        raise ValueError(f"set_floatx: expected one of {accepted}. Received: {value!r}")
    _FLOATX = str(value)


def epsilon():
    """Fuzz factor used to keep divisions and logarithms finite, 1e-7 unless changed."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by `epsilon()`."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Default image layout: "channels_last" (NHWC) unless changed."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Set the default image layout: "channels_last" or "channels_first"."""
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("set_image_data_format: expected 'channels_first' or 'channels_last'. "
                         f"Received: {data_format!r}")
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format):
    """`None` means the configured default; otherwise validate and lower-case the name."""
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("data_format must be 'channels_first' or 'channels_last'. "
                         f"Received: data_format={data_format!r}")
    return data_format
