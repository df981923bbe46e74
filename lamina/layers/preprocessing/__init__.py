"""Preprocessing layers (Keras 3's): numerical, categorical, text and image."""

from lamina.layers.preprocessing.audio import MelSpectrogram, STFTSpectrogram
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
from lamina.layers.preprocessing.image_more import (
    AugMix,
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    CutMix,
    Equalization,
    MaxNumBoundingBoxes,
    MixUp,
    Pipeline,
    RandAugment,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomElasticTransform,
    RandomErasing,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPerspective,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    Solarization,
)
from lamina.layers.preprocessing.numerical import Discretization, Normalization, Rescaling
from lamina.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["AugMix", "AutoContrast", "CategoryEncoding", "CenterCrop",
           "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Discretization",
           "Equalization", "HashedCrossing", "Hashing", "IntegerLookup", "MaxNumBoundingBoxes",
           "MelSpectrogram", "MixUp", "Normalization", "Pipeline", "RandAugment",
           "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast",
           "RandomCrop", "RandomElasticTransform", "RandomErasing", "RandomFlip",
           "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
           "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation",
           "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling",
           "Resizing", "STFTSpectrogram", "Solarization", "StringLookup", "TextVectorization"]
