"""Transposed convolution layers: Conv1DTranspose, Conv2DTranspose, Conv3DTranspose."""

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.convolution.base_conv import (
    BaseConv,
    conv_transpose_output_length,
    standardize_tuple,
)


class ConvTranspose(BaseConv):
    """N-D transposed convolution, the gradient of a convolution with respect to its input.

    It maps each input position to a `kernel_size` window of the output, `strides` apart, so
    it upsamples: along an axis of size `n`, the output has `n * stride` positions with
    "same" padding and `(n - 1) * stride + max(kernel, stride)` with "valid" (the kernel size
    counted with dilation).

    Args:
        rank: Number of spatial axes.
        filters: Positive int, the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: As
            `BaseConv`. `strides` > 1 cannot be combined with `dilation_rate` > 1.
        output_padding: None, or an int or tuple of `rank` ints, each smaller than its stride:
            the output size is then `(n - 1) * stride + kernel + output_padding` ("valid") or
            `(n - 1) * stride + kernel % 2 + output_padding` ("same").
        kernel_initializer / kernel_regularizer / kernel_constraint: For the kernel, of shape
            `(*kernel_size, filters, input_channels)`.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, strided_dilation=False, **kwargs)
        owner = type(self).__name__
        self.filters = self._positive_int(owner, "filters", filters)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(owner, "output_padding", output_padding,
                                                    rank, allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"{owner}: each `output_padding` must be smaller than its "
                                 f"stride. Received: output_padding={self.output_padding}, "
                                 f"strides={self.strides}.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def _output_channels(self, input_channels):
        return self.filters

    def _output_spatial(self, input_shape):
        extras = self.output_padding or (None,) * self.rank
        return tuple(conv_transpose_output_length(size, k, s, self.padding, p, d)
                     for size, k, s, p, d in zip(self._spatial(input_shape), self.kernel_size,
                                                 self.strides, extras, self.dilation_rate))

    def build(self, input_shape):
        channels = self._check_and_spec(input_shape)
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, channels), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)

    def call(self, inputs):
        outputs = ops.conv_transpose(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, output_padding=self.output_padding,
                                     data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._finish(outputs)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "output_padding": self.output_padding,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint)}


class Conv1DTranspose(ConvTranspose):
    """1-D transposed convolution (upsampling along steps).

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int, the window length.
        strides: Int, the upsampling factor.
        padding: "valid" or "same".
        output_padding: None or an int smaller than `strides` (see `ConvTranspose`).
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int, the spacing between kernel taps.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: As in
            `Dense`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, new_steps, filters)`.

    >>> layer = lamina.layers.Conv1DTranspose(4, 3, strides=2, padding="same")
    >>> tuple(layer(lamina.ops.ones((2, 5, 3))).shape)
    (2, 10, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(ConvTranspose):
    """2-D transposed convolution (learned upsampling of images).

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int or 2-tuple, the window size.
        strides: Int or 2-tuple, the upsampling factors.
        padding: "valid" or "same".
        output_padding: None, or an int or 2-tuple smaller than `strides`.
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int or 2-tuple, the spacing between kernel taps.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: As in
            `Dense`.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, new_rows, new_cols, filters)`.

    >>> layer = lamina.layers.Conv2DTranspose(4, 3, strides=2)
    >>> tuple(layer(lamina.ops.ones((2, 3, 3, 2))).shape)
    (2, 7, 7, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3DTranspose(ConvTranspose):
    """3-D transposed convolution (learned upsampling of volumes).

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int or 3-tuple, the window size.
        strides: Int or 3-tuple, the upsampling factors.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".
        output_padding: None, or an int or 3-tuple smaller than `strides`.
        dilation_rate: Int or 3-tuple, the spacing between kernel taps.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: As in
            `Dense`.

    Input shape: `(batch, dim1, dim2, dim3, channels)`. Output shape:
    `(batch, new_dim1, new_dim2, new_dim3, filters)`.

    >>> layer = lamina.layers.Conv3DTranspose(4, 2, strides=2)
    >>> tuple(layer(lamina.ops.ones((1, 2, 2, 2, 3))).shape)
    (1, 4, 4, 4, 4)
    """

    # Keras puts `data_format` before `output_padding` here (only here).
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
