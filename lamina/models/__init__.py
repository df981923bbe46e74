"""Models: Model (functional or subclassed), Sequential, cloning."""

from lamina.models.cloning import clone_model
from lamina.models.functional import Functional
from lamina.models.model import Model
from lamina.models.sequential import Sequential
from lamina.saving.saving_api import load_model, model_from_json, save_model

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]

from lamina.saving import serialization as _serialization

_serialization.register_builtins("layers", {"Functional": Functional, "Model": Model,
                                            "Sequential": Sequential})
