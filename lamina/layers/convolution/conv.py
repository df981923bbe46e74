"""Convolution layers: Conv1D, Conv2D, Conv3D."""

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.convolution.base_conv import BaseConv


class Conv(BaseConv):
    """N-D convolution: `outputs = activation(conv(inputs, kernel) + bias)`.

    Args:
        rank: Number of spatial axes.
        filters: Positive int, the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: As
            `BaseConv`. "causal" padding is accepted when `rank` is 1. `strides` > 1 cannot be
            combined with `dilation_rate` > 1.
        groups: Positive int dividing both the input channels and `filters`: the channels are
            split into `groups` groups, each convolved with its own `filters // groups` filters.
        kernel_initializer / kernel_regularizer / kernel_constraint: For the kernel, of shape
            `(*kernel_size, input_channels // groups, filters)`.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, allow_causal=rank == 1,
                         strided_dilation=False, **kwargs)
        owner = type(self).__name__
        self.filters = self._positive_int(owner, "filters", filters)
        self.groups = self._positive_int(owner, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(f"{owner}: `filters` must be divisible by `groups`. Received: "
                             f"filters={filters}, groups={groups}.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def _output_channels(self, input_channels):
        return self.filters

    def build(self, input_shape):
        channels = self._check_and_spec(input_shape)
        if channels % self.groups:
            raise ValueError(f"{self._describe()}: the input channels ({channels}) must be "
                             f"divisible by groups={self.groups}. Received input shape "
                             f"{(None, *tuple(input_shape)[1:])}.")
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels // self.groups, self.filters), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)

    def call(self, inputs):
        padding = self.padding
        if padding == "causal":
            # Pad only the start so that output step t depends on inputs up to t.
            pad = [[0, 0], [0, 0], [0, 0]]
            pad[1 if self.data_format == "channels_last" else 2][0] = \
                self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs, padding = ops.pad(inputs, pad), "valid"
        outputs = ops.conv(inputs, self.kernel, strides=self.strides, padding=padding,
                           data_format=self.data_format, dilation_rate=self.dilation_rate)
        return self._finish(outputs)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint)}


class Conv1D(Conv):
    """1-D convolution over steps, e.g. of time series or token embeddings.

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int (or 1-tuple), the window length.
        strides: Int, the step between windows.
        padding: "valid", "same" or "causal" (pad only the start: output `t` sees inputs
            `<= t`, as in WaveNet).
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int, the spacing between kernel taps.
        groups: Number of channel groups convolved separately.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: As in
            `Dense`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, new_steps, filters)`
    (channels first for "channels_first").

    >>> layer = lamina.layers.Conv1D(4, 3, padding="causal")
    >>> tuple(layer(lamina.ops.ones((2, 10, 3))).shape)
    (2, 10, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv2D(Conv):
    """2-D convolution over images.

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int or 2-tuple, the window's height and width.
        strides: Int or 2-tuple, the step between windows.
        padding: "valid" (no padding) or "same" (output size `ceil(size / stride)`).
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int or 2-tuple, the spacing between kernel taps.
        groups: Number of channel groups convolved separately.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: As in
            `Dense`.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, new_rows, new_cols, filters)` (channels first for "channels_first").

    >>> layer = lamina.layers.Conv2D(4, 3)
    >>> tuple(layer(lamina.ops.ones((2, 8, 8, 3))).shape)
    (2, 6, 6, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv3D(Conv):
    """3-D convolution over volumes (or video: frames, rows, cols).

    Args:
        filters: Positive int, the number of output channels.
        kernel_size: Int or 3-tuple, the window size.
        strides: Int or 3-tuple, the step between windows.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: Int or 3-tuple, the spacing between kernel taps.
        groups: Number of channel groups convolved separately.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: As in
            `Dense`.

    Input shape: `(batch, dim1, dim2, dim3, channels)`. Output shape:
    `(batch, new_dim1, new_dim2, new_dim3, filters)` (channels first for "channels_first").

    >>> layer = lamina.layers.Conv3D(4, 3, padding="same")
    >>> tuple(layer(lamina.ops.ones((1, 4, 4, 4, 2))).shape)
    (1, 4, 4, 4, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
