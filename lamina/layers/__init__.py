"""Layers: the Layer base and one module per family."""

from lamina.layers.activations import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax
from lamina.layers.attention import (
    AdditiveAttention,
    Attention,
    GroupedQueryAttention,
    GroupQueryAttention,
    MultiHeadAttention,
)
from lamina.layers.convolution import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Convolution1D,
    Convolution1DTranspose,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    Convolution3DTranspose,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from lamina.layers.core import Dense, Embedding, Identity, Lambda, Masking
from lamina.layers.einsum_dense import EinsumDense
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.input_spec import InputSpec
from lamina.layers.jax_layer import (
    FlaxLayer,
    JaxLayer,
)
from lamina.layers.layer import Layer
from lamina.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from lamina.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from lamina.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from lamina.layers.pooling_adaptive import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from lamina.layers.preprocessing import (
    AugMix,
    AutoContrast,
    CategoryEncoding,
    CenterCrop,
    ContrastLimitedAdaptiveHistogramEqualization,
    CutMix,
    Discretization,
    Equalization,
    HashedCrossing,
    Hashing,
    IntegerLookup,
    MaxNumBoundingBoxes,
    MelSpectrogram,
    MixUp,
    Normalization,
    Pipeline,
    RandAugment,
    RandomBrightness,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomContrast,
    RandomCrop,
    RandomElasticTransform,
    RandomErasing,
    RandomFlip,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPerspective,
    RandomPosterization,
    RandomRotation,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
    Solarization,
    STFTSpectrogram,
    StringLookup,
    TextVectorization,
)
from lamina.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from lamina.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Flatten,
    Permute,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from lamina.layers.reversible_embedding import (
    ReversibleEmbedding,
)
from lamina.layers.rnn import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    ConvLSTM1D,
    ConvLSTM2D,
    ConvLSTM3D,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
    TimeDistributed,
    Wrapper,
)
from lamina.layers.spectral_normalization import (
    SpectralNormalization,
)
from lamina.layers.torch_module_wrapper import (
    TFSMLayer,
    TorchModuleWrapper,
)
from lamina.saving import serialization

serialization.register_builtins("layers", {cls.__name__: cls for cls in (
    Activation, Dense, Dropout, Flatten, Identity, InputLayer, Layer, Reshape,
    ActivityRegularization, AlphaDropout, ELU, Embedding, GaussianDropout, GaussianNoise, Lambda,
    LeakyReLU, Masking, PReLU, ReLU, Softmax, SpatialDropout1D, SpatialDropout2D,
    SpatialDropout3D,
    Add, Average, Concatenate, Cropping1D, Cropping2D, Cropping3D, Dot, Maximum, Minimum,
    Multiply, Permute, RepeatVector, Subtract, UpSampling1D, UpSampling2D, UpSampling3D,
    ZeroPadding1D, ZeroPadding2D, ZeroPadding3D,
    AveragePooling1D, AveragePooling2D, AveragePooling3D, BatchNormalization,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling1D,
    GlobalMaxPooling2D, GlobalMaxPooling3D, GroupNormalization, LayerNormalization,
    MaxPooling1D, MaxPooling2D, MaxPooling3D, RMSNormalization, UnitNormalization,
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, DepthwiseConv1D,
    DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
    AdditiveAttention, Attention, EinsumDense, GroupedQueryAttention, MultiHeadAttention,
    Bidirectional, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, GRU, GRUCell, LSTM, LSTMCell, RNN,
    SimpleRNN, SimpleRNNCell, StackedRNNCells, TimeDistributed, Wrapper)})
serialization.register_builtins("layers", {"GroupQueryAttention": GroupQueryAttention})
serialization.register_builtins("layers", {cls.__name__: cls for cls in (
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
    MelSpectrogram,
    STFTSpectrogram,
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
    SpectralNormalization,
    ReversibleEmbedding,
    FlaxLayer,
    JaxLayer,
    TFSMLayer,
    TorchModuleWrapper,
)})
serialization.register_builtins("layers", {cls.__name__: cls for cls in (
    CategoryEncoding, CenterCrop, Discretization, HashedCrossing, Hashing, IntegerLookup,
    Normalization, RandomBrightness, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
    RandomTranslation, RandomZoom, Rescaling, Resizing, StringLookup, TextVectorization)})
# Keras 3's long convolution names (Convolution2D, SeparableConvolution1D, ...) load as the same
# classes.
serialization.register_builtins("layers", {name: cls for name, cls in (
    ("Convolution1D", Conv1D), ("Convolution2D", Conv2D), ("Convolution3D", Conv3D),
    ("Convolution1DTranspose", Conv1DTranspose), ("Convolution2DTranspose", Conv2DTranspose),
    ("Convolution3DTranspose", Conv3DTranspose), ("SeparableConvolution1D", SeparableConv1D),
    ("SeparableConvolution2D", SeparableConv2D))})
# Keras 3's short pooling names (MaxPool2D, GlobalAvgPool1D, ...) load as the same classes.
serialization.register_builtins("layers", {"MaxPool1D": MaxPool1D, "MaxPool2D": MaxPool2D,
    "MaxPool3D": MaxPool3D, "AvgPool1D": AvgPool1D, "AvgPool2D": AvgPool2D,
    "AvgPool3D": AvgPool3D, "GlobalMaxPool1D": GlobalMaxPool1D,
    "GlobalMaxPool2D": GlobalMaxPool2D, "GlobalMaxPool3D": GlobalMaxPool3D,
    "GlobalAvgPool1D": GlobalAvgPool1D, "GlobalAvgPool2D": GlobalAvgPool2D,
    "GlobalAvgPool3D": GlobalAvgPool3D})


def serialize(layer):
    """Config dict of a layer (Keras 3 layout)."""
    return serialization.serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer rebuilt from its config; names resolve only through lamina's layer table,
    registered classes and `custom_objects`."""
    return serialization.deserialize_keras_object(
        config, custom_objects=custom_objects,
        module_objects=serialization.builtins("layers"), family="layer")


def get(identifier, custom_objects=None):
    if isinstance(identifier, Layer):
        return identifier
    return deserialize(identifier, custom_objects=custom_objects)


__all__ = ["ELU", "GRU", "LSTM", "RNN", "Activation", "ActivityRegularization",
           "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "Add",
           "AdditiveAttention", "AlphaDropout", "Attention", "AugMix", "AutoContrast", "Average",
           "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D",
           "AvgPool3D", "BatchNormalization", "Bidirectional", "CategoryEncoding", "CenterCrop",
           "Concatenate", "ContrastLimitedAdaptiveHistogramEqualization", "Conv1D",
           "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose",
           "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Convolution1D", "Convolution1DTranspose",
           "Convolution2D", "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose",
           "Cropping1D", "Cropping2D", "Cropping3D", "CutMix", "Dense", "DepthwiseConv1D",
           "DepthwiseConv2D", "Discretization", "Dot", "Dropout", "EinsumDense", "Embedding",
           "Equalization", "Flatten", "FlaxLayer", "GRUCell", "GaussianDropout", "GaussianNoise",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
           "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "GlobalMaxPooling3D", "GroupNormalization", "GroupQueryAttention",
           "GroupedQueryAttention", "HashedCrossing", "Hashing", "Identity", "Input", "InputLayer",
           "InputSpec", "IntegerLookup", "JaxLayer", "LSTMCell", "Lambda", "Layer",
           "LayerNormalization", "LeakyReLU", "Masking", "MaxNumBoundingBoxes", "MaxPool1D",
           "MaxPool2D", "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum",
           "MelSpectrogram", "Minimum", "MixUp", "MultiHeadAttention", "Multiply", "Normalization",
           "PReLU", "Permute", "Pipeline", "RMSNormalization", "RandAugment", "RandomBrightness",
           "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop",
           "RandomElasticTransform", "RandomErasing", "RandomFlip", "RandomGaussianBlur",
           "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective",
           "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness",
           "RandomShear", "RandomTranslation", "RandomZoom", "ReLU", "RepeatVector", "Rescaling",
           "Reshape", "Resizing", "ReversibleEmbedding", "STFTSpectrogram", "SeparableConv1D",
           "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D", "SimpleRNN",
           "SimpleRNNCell", "Softmax", "Solarization", "SpatialDropout1D", "SpatialDropout2D",
           "SpatialDropout3D", "SpectralNormalization", "StackedRNNCells", "StringLookup",
           "Subtract", "TFSMLayer", "TextVectorization", "TimeDistributed", "TorchModuleWrapper",
           "UnitNormalization", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Wrapper",
           "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "add", "average", "concatenate",
           "deserialize", "dot", "get", "maximum", "minimum", "multiply", "serialize", "subtract"]
