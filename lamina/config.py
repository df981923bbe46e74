"""Process-wide settings (Keras's `keras.config`): backend, float type, epsilon, image data
format and the dtype policy."""

from lamina.backend.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from lamina.dtype_policies import dtype_policy, set_dtype_policy

__all__ = ["backend", "dtype_policy", "epsilon", "floatx", "image_data_format",
           "set_dtype_policy", "set_epsilon", "set_floatx", "set_image_data_format"]
