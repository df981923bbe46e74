"""Utilities: seeding, label encoding, progress bars, serialization helpers."""

from lamina.random.seed_generator import set_random_seed
from lamina.saving.serialization import (
                                         custom_object_scope,
                                         get_registered_name,
                                         get_registered_object,
                                         register_keras_serializable,
)
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.progbar import Progbar

__all__ = ["Progbar", "custom_object_scope", "get_registered_name", "get_registered_object",
           "normalize", "register_keras_serializable", "set_random_seed", "to_categorical"]
