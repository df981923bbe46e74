"""Depthwise convolution layers: DepthwiseConv1D, DepthwiseConv2D."""

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.convolution.base_conv import BaseConv


class DepthwiseConv(BaseConv):
    """N-D depthwise convolution: each input channel is convolved with its own filters.

    Output channel `c * depth_multiplier + m` is input channel `c` convolved with
    `kernel[..., c, m]`; channels never mix (a `SeparableConv` mixes them afterwards).

    Args:
        rank: Number of spatial axes.
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: As
            `BaseConv`.
        depth_multiplier: Positive int, the number of filters per input channel.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: For the kernel,
            of shape `(*kernel_size, input_channels, depth_multiplier)`.
    """

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = self._positive_int(type(self).__name__, "depth_multiplier",
                                                   depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _output_channels(self, input_channels):
        return input_channels * self.depth_multiplier

    def build(self, input_shape):
        channels = self._check_and_spec(input_shape)
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.depth_multiplier), name="kernel",
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = self._add_bias(channels * self.depth_multiplier)

    def call(self, inputs):
        outputs = ops.depthwise_conv(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._finish(outputs)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint)}


class DepthwiseConv1D(DepthwiseConv):
    """1-D depthwise convolution: each channel filtered on its own along steps.

    Args:
        kernel_size: Int, the window length.
        strides: Int, the step between windows.
        padding: "valid" or "same".
        depth_multiplier: Positive int, filters per input channel.
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int, the spacing between kernel taps.
        activation, use_bias, bias_initializer, bias_regularizer, activity_regularizer,
            bias_constraint: As in `Dense`.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: For the kernel.

    Input shape: `(batch, steps, channels)`. Output shape:
    `(batch, new_steps, channels * depth_multiplier)`.

    >>> layer = lamina.layers.DepthwiseConv1D(3, depth_multiplier=2)
    >>> tuple(layer(lamina.ops.ones((2, 10, 3))).shape)
    (2, 8, 6)
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class DepthwiseConv2D(DepthwiseConv):
    """2-D depthwise convolution: each channel of an image filtered on its own.

    Args:
        kernel_size: Int or 2-tuple, the window size.
        strides: Int or 2-tuple, the step between windows.
        padding: "valid" or "same".
        depth_multiplier: Positive int, filters per input channel.
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int or 2-tuple, the spacing between kernel taps.
        activation, use_bias, bias_initializer, bias_regularizer, activity_regularizer,
            bias_constraint: As in `Dense`.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: For the kernel.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, new_rows, new_cols, channels * depth_multiplier)`.

    >>> layer = lamina.layers.DepthwiseConv2D(3, padding="same")
    >>> tuple(layer(lamina.ops.ones((2, 8, 8, 3))).shape)
    (2, 8, 8, 3)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
