"""Serialization of configs (`get_config` / `from_config` tables); archives come with issue 6."""

from lamina.saving.serialization import (
                                         CustomObjectScope,
                                         custom_object_scope,
                                         deserialize_keras_object,
                                         get_registered_name,
                                         get_registered_object,
                                         register_keras_serializable,
                                         serialize_keras_object,
)

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
           "get_registered_name", "get_registered_object", "register_keras_serializable",
           "serialize_keras_object"]
