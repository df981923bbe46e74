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
from lamina.layers.preprocessing.image_color import (
    RandomColorDegeneration,
    RandomColorJitter,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    Solarization,
)
from lamina.layers.preprocessing.image_compound import (
    AugMix,
    MaxNumBoundingBoxes,
    Pipeline,
    RandAugment,
)
from lamina.layers.preprocessing.image_geometric import (
    RandomElasticTransform,
    RandomPerspective,
    RandomShear,
)
from lamina.layers.preprocessing.image_histogram import (
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    Equalization,
)
from lamina.layers.preprocessing.image_mixing import CutMix, MixUp
from lamina.layers.preprocessing.image_regional import RandomErasing, RandomGaussianBlur
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
