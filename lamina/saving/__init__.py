"""Saving: config serialization, `.keras` archives and `.weights.h5` files (Keras 3 layouts)."""

from lamina.saving.errors import LoadError
from lamina.saving.saving_api import (
    load_model,
    load_weights,
    model_from_json,
    save_model,
    save_weights,
)
from lamina.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)

__all__ = ["CustomObjectScope", "LoadError", "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_registered_name", "get_registered_object", "load_model",
           "load_weights", "model_from_json", "register_keras_serializable", "save_model",
           "save_weights", "serialize_keras_object"]
