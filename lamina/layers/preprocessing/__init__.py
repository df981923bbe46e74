"""Preprocessing layers (Keras 3's): numerical, categorical, text and image."""

from lamina.layers.preprocessing.categorical import (
    CategoryEncoding,
    HashedCrossing,
    Hashing,
    IntegerLookup,
    StringLookup,
)
from lamina.layers.preprocessing.image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from lamina.layers.preprocessing.numerical import Discretization, Normalization, Rescaling
from lamina.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing",
           "IntegerLookup", "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop",
           "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling",
           "Resizing", "StringLookup", "TextVectorization"]
