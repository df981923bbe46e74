"""Depthwise-separable convolution layers: SeparableConv1D, SeparableConv2D."""

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.convolution.base_conv import BaseConv


class SeparableConv(BaseConv):
    """N-D separable convolution: a depthwise convolution, then a 1x1 convolution mixing channels.

    It factors a full convolution into a per-channel spatial filter and a channel mixer, with
    far fewer weights: `k * c * m + c * m * filters` instead of `k * c * filters`.

    Args:
        rank: Number of spatial axes.
        depth_multiplier: Positive int, depthwise filters per input channel.
        filters: Positive int, the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: As
            `BaseConv`; `strides`, `padding` and `dilation_rate` apply to the depthwise step.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: For
            `depthwise_kernel`, of shape `(*kernel_size, input_channels, depth_multiplier)`.
        pointwise_initializer / pointwise_regularizer / pointwise_constraint: For
            `pointwise_kernel`, of shape `(1, ..., 1, input_channels * depth_multiplier,
            filters)`.
    """

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        owner = type(self).__name__
        self.depth_multiplier = self._positive_int(owner, "depth_multiplier", depth_multiplier)
        self.filters = self._positive_int(owner, "filters", filters)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def _output_channels(self, input_channels):
        return self.filters

    def build(self, input_shape):
        channels = self._check_and_spec(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier), name="depthwise_kernel",
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            shape=(*(1,) * self.rank, channels * self.depth_multiplier, self.filters),
            name="pointwise_kernel", initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = self._add_bias(self.filters)

    def call(self, inputs):
        outputs = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                     strides=self.strides, padding=self.padding,
                                     data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._finish(outputs)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "filters": self.filters,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "pointwise_constraint": constraints.serialize(self.pointwise_constraint)}


class SeparableConv1D(SeparableConv):
    """1-D depthwise-separable convolution.

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int, the window length.
        strides: Int, the step between windows.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int, the spacing between kernel taps.
        depth_multiplier: Positive int, depthwise filters per input channel.
        activation, use_bias, bias_initializer, bias_regularizer, activity_regularizer,
            bias_constraint: As in `Dense`.
        depthwise_initializer, pointwise_initializer, depthwise_regularizer,
            pointwise_regularizer, depthwise_constraint, pointwise_constraint: For
            `depthwise_kernel` and `pointwise_kernel`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, new_steps, filters)`.

    >>> layer = lamina.layers.SeparableConv1D(4, 3)
    >>> tuple(layer(lamina.ops.ones((2, 10, 3))).shape)
    (2, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, depth_multiplier, filters, kernel_size, strides, padding,
                         data_format, dilation_rate, activation, use_bias,
                         depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, pointwise_constraint,
                         bias_constraint, **kwargs)


class SeparableConv2D(SeparableConv):
    """2-D depthwise-separable convolution (as in Xception and MobileNet).

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int or 2-tuple, the window size.
        strides: Int or 2-tuple, the step between windows.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int or 2-tuple, the spacing between kernel taps.
        depth_multiplier: Positive int, depthwise filters per input channel.
        activation, use_bias, bias_initializer, bias_regularizer, activity_regularizer,
            bias_constraint: As in `Dense`.
        depthwise_initializer, pointwise_initializer, depthwise_regularizer,
            pointwise_regularizer, depthwise_constraint, pointwise_constraint: For
            `depthwise_kernel` and `pointwise_kernel`.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, new_rows, new_cols, filters)`.

    >>> layer = lamina.layers.SeparableConv2D(4, 3, padding="same")
    >>> tuple(layer(lamina.ops.ones((2, 8, 8, 3))).shape)
    (2, 8, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, filters, kernel_size, strides, padding,
                         data_format, dilation_rate, activation, use_bias,
                         depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, pointwise_constraint,
                         bias_constraint, **kwargs)


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
