"""What every convolution layer shares: its geometry arguments, input checks, bias, activation.

Subclasses (`conv.py`, `conv_transpose.py`, `depthwise_conv.py`, `separable_conv.py`) add their
weights in `build` and their op in `call`, and say how many channels and how long an output is.
"""

import numbers

from lamina import activations, backend, constraints, initializers, ops, regularizers
from lamina.backend.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

_SPATIAL_NAMES = {1: ("steps",), 2: ("rows", "cols"), 3: ("dim1", "dim2", "dim3")}


def standardize_tuple(owner, name, value, n, allow_zero=False):
    """`value` (an int, or `n` ints) as a tuple of `n` ints > 0 (>= 0 with `allow_zero`).

    Args:
        owner: Class name used in the error message.
        name: Argument name used in the error message.
        value: Int or sequence of ints.
        n: Number of spatial axes.
        allow_zero: Whether 0 is allowed.

    Returns:
        A tuple of `n` Python ints.

    >>> standardize_tuple("Conv2D", "strides", 2, 2)
    (2, 2)
    """
    values = (value,) * n if isinstance(value, numbers.Integral) else value
    least = 0 if allow_zero else 1
    if isinstance(values, (list, tuple)) and len(values) == n and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= least
            for v in values):
        return tuple(int(v) for v in values)
    raise ValueError(f"{owner}: `{name}` must be an int or a tuple of {n} ints, each "
                     f"{'>= 0' if allow_zero else '> 0'} (one per spatial axis). "
                     f"Received: {name}={value!r}")


def standardize_padding(owner, padding, allow_causal=False):
    """Lower-cased padding name, checked against the ones `owner` accepts."""
    known = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if isinstance(padding, str) and padding.lower() in known:
        return padding.lower()
    raise ValueError(f"{owner}: `padding` must be one of {list(known)}. "
                     f"Received: padding={padding!r}")


def conv_output_length(size, kernel_size, stride, padding, dilation):
    """Length of a convolution's output along one axis (None stays None).

    >>> conv_output_length(8, 3, 2, "valid", 1), conv_output_length(8, 3, 2, "same", 1)
    (3, 4)
    """
    if size is None:
        return None
    if padding == "valid":
        return (size - ((kernel_size - 1) * dilation + 1)) // stride + 1
    return (size - 1) // stride + 1  # "same" and "causal"


def conv_transpose_output_length(size, kernel_size, stride, padding, output_padding, dilation):
    """Length of a transposed convolution's output along one axis (None stays None).

    >>> conv_transpose_output_length(3, 3, 2, "valid", None, 1)
    7
    """
    if size is None:
        return None
    k = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k % 2 + output_padding


def _batchless(shape):
    """The shape as shown in messages: batch axis None, as in a model summary."""
    return (None, *tuple(shape)[1:])


class BaseConv(Layer):
    """Base of the convolution layers: validates and stores the arguments they share.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        kernel_size: Int or tuple of `rank` ints, the window size.
        strides: Int or tuple of `rank` ints, the step between windows.
        padding: "valid" (no padding), "same" (output size `ceil(size / stride)`) or, where
            `allow_causal`, "causal" (pad only at the start, so output `t` sees inputs `<= t`).
        data_format: "channels_last" (`(batch, *spatial, channels)`) or "channels_first"
            (`(batch, channels, *spatial)`); defaults to `image_data_format()`.
        dilation_rate: Int or tuple of `rank` ints, the spacing between kernel taps.
        activation: Activation name or callable applied to the outputs; None means linear.
        use_bias: Whether to add a learned bias per output channel.
        bias_initializer / bias_regularizer / bias_constraint: For the bias.
        activity_regularizer: Regularizer applied to the outputs.
    """

    @property
    def _slow_in_compiled_loops(self):
        """Whether the trainer should compile this layer's training steps one by one where the
        backend runs convolution gradients slowly inside compiled loops (XLA:CPU). The JAX
        backend lowers small ungrouped kernels to patches plus a matmul, which loops run well
        (W3, one epoch as one loop: 6 s CPU, against 12 s step by step with XLA's conv)."""
        kernel = getattr(self, "kernel", None)
        # Transposed, depthwise and separable convolutions (no `groups`) keep XLA's conv.
        if kernel is None or not hasattr(self, "groups"):
            return not backend.supports("fast_convolution_in_loops")
        return not backend.supports("fast_convolution_in_loops", kernel_shape=kernel.shape,
                                    groups=self.groups)

    def __init__(self, rank, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, bias_initializer="zeros",
                 bias_regularizer=None, activity_regularizer=None, bias_constraint=None,
                 allow_causal=False, strided_dilation=True, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.rank = rank
        self.kernel_size = standardize_tuple(owner, "kernel_size", kernel_size, rank)
        self.strides = standardize_tuple(owner, "strides", strides, rank)
        self.dilation_rate = standardize_tuple(owner, "dilation_rate", dilation_rate, rank)
        self.padding = standardize_padding(owner, padding, allow_causal)
        try:
            self.data_format = standardize_data_format(data_format)
        except ValueError:
            raise ValueError(f"{owner}: `data_format` must be 'channels_last' or "
                             f"'channels_first'. Received: data_format={data_format!r}") from None
        if not strided_dilation and max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides` > 1 cannot be combined with `dilation_rate` > 1 "
                             f"(as in Keras). Received: strides={self.strides}, "
                             f"dilation_rate={self.dilation_rate}. Set one of them to 1.")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    @staticmethod
    def _positive_int(owner, name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise ValueError(f"{owner}: `{name}` must be a positive int. "
                             f"Received: {name}={value!r}")
        return int(value)

    # -- shapes -----------------------------------------------------------------------------------
    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _layout(self):
        names = ("batch", *_SPATIAL_NAMES[self.rank])
        if self.data_format == "channels_last":
            return f"({', '.join((*names, 'channels'))})"
        return f"({', '.join((names[0], 'channels', *names[1:]))})"

    def _describe(self):
        return f"{type(self).__name__} '{self.name}'"

    def _input_channels(self, input_shape):
        """Check rank and channel axis of `input_shape`; return the number of channels."""
        shape = tuple(input_shape)
        if len(shape) != self.rank + 2:
            hint = ""
            if len(shape) == self.rank + 1:
                hint = (" If the data has a single channel, add a channel axis of size 1, e.g. "
                        f"reshape to {(*_batchless(shape), 1)}.")
            raise ValueError(f"{self._describe()} expected inputs of rank {self.rank + 2}, "
                             f"{self._layout()} for data_format='{self.data_format}', received "
                             f"shape {_batchless(shape)} (rank {len(shape)}).{hint}")
        channels = shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"{self._describe()} needs a known channel axis (axis "
                             f"{self._channel_axis}, data_format='{self.data_format}') to create "
                             f"its weights. Received input shape {_batchless(shape)}.")
        return channels

    def _spatial(self, input_shape):
        shape = tuple(input_shape)
        return shape[1:-1] if self.data_format == "channels_last" else shape[2:]

    def _output_spatial(self, input_shape):
        """Output spatial sizes of an ordinary (non-transposed) convolution, checked non-empty."""
        spatial = self._spatial(input_shape)
        out = tuple(conv_output_length(size, k, s, self.padding, d) for size, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(o is not None and o <= 0 for o in out):
            dilated = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
            raise ValueError(
                f"{self._describe()} received inputs of shape {_batchless(input_shape)}, whose "
                f"spatial size {spatial} is smaller than the kernel's span {dilated} "
                f"(kernel_size={self.kernel_size}, dilation_rate={self.dilation_rate}) with "
                "padding='valid', so the output would be empty. Use padding='same', a smaller "
                "kernel_size, or larger inputs.")
        return out

    def _output_channels(self, input_channels):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        channels = self._output_channels(self._input_channels(input_shape))
        spatial = self._output_spatial(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, channels)
        return (input_shape[0], channels, *spatial)

    # -- weights and outputs ----------------------------------------------------------------------
    def _check_and_spec(self, input_shape):
        """Validate `input_shape` before creating weights; pin the channel axis for later calls."""
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        return channels

    def _add_bias(self, size):
        if not self.use_bias:
            return None
        return self.add_weight(shape=(size,), initializer=self.bias_initializer, name="bias",
                               regularizer=self.bias_regularizer,
                               constraint=self.bias_constraint)

    def _finish(self, outputs):
        """Add the bias (along the channel axis) and apply the activation."""
        if self.bias is not None:
            bias = self.bias
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (-1,) + (1,) * self.rank)
            outputs = ops.add(outputs, bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
