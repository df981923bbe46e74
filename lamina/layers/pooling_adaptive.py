"""Adaptive pooling layers: average or max pooling to a fixed output size, whatever the input's.

Output position `i` of a spatial axis of size `n` pools input positions
`[floor(i * n / output_size), ceil((i + 1) * n / output_size))`, as PyTorch's adaptive pools.
Each comes in 1D (`(batch, steps, channels)`), 2D (`(batch, height, width, channels)`) and 3D
(`(batch, dim1, dim2, dim3, channels)`) forms; `data_format="channels_first"` moves the channel
axis to position 1.
"""

import numbers

from lamina import backend, ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


def _output_size(layer_name, value, num_spatial):
    """`value` as a tuple of `num_spatial` positive ints (an int repeats)."""
    values = value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * num_spatial
    if not isinstance(values, (list, tuple)) or len(values) != num_spatial or any(
            isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in values):
        raise TypeError(f"{layer_name}: `output_size` must be a positive int or a tuple of "
                        f"{num_spatial} positive ints. Received: output_size={value!r}")
    return tuple(int(v) for v in values)


class _AdaptivePooling(Layer):
    """Shared plumbing: output_size and data_format checks, shapes, config."""

    _num_spatial = None
    _pool = None

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.output_size = _output_size(name, output_size, self._num_spatial)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"{name}: `data_format` must be 'channels_last', 'channels_first' "
                             f"or None. Received: data_format={data_format!r}")
        self.data_format = backend.config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._num_spatial + 2)

    def call(self, inputs):
        pool = getattr(ops, self._pool)
        return pool(inputs, output_size=self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self._num_spatial + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected inputs of rank "
                             f"{self._num_spatial + 2}, received shape {input_shape}.")
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Averages each channel over `output_size` adaptive windows of the steps axis.

    Args:
        output_size: Positive int (or 1-tuple), the number of output steps.
        data_format: "channels_last" (`(batch, steps, channels)`), "channels_first"
            (`(batch, channels, steps)`) or None (the configured default).

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, output_size, channels)`.

    >>> layer = lamina.layers.AdaptiveAveragePooling1D(2)
    >>> layer(np.array([[[1.0], [2.0], [3.0], [5.0]]])).tolist()
    [[[1.5], [4.0]]]
    """

    _num_spatial = 1
    _pool = "adaptive_average_pool"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Averages each channel over an `output_size` grid of adaptive windows.

    Args:
        output_size: Positive int or `(height, width)` pair, the output's spatial size.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Input shape: `(batch, height, width, channels)`. Output shape:
    `(batch, *output_size, channels)` (channels first for "channels_first").

    >>> tuple(lamina.layers.AdaptiveAveragePooling2D((2, 3))(np.ones((1, 5, 7, 4))).shape)
    (1, 2, 3, 4)
    """

    _num_spatial = 2
    _pool = "adaptive_average_pool"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Averages each channel over an `output_size` grid of adaptive 3D windows.

    Args:
        output_size: Positive int or `(dim1, dim2, dim3)` triple, the output's spatial size.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Input shape: `(batch, dim1, dim2, dim3, channels)`. Output shape:
    `(batch, *output_size, channels)` (channels first for "channels_first").

    >>> tuple(lamina.layers.AdaptiveAveragePooling3D(2)(np.ones((1, 3, 4, 5, 2))).shape)
    (1, 2, 2, 2, 2)
    """

    _num_spatial = 3
    _pool = "adaptive_average_pool"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Takes each channel's maximum over `output_size` adaptive windows of the steps axis.

    Args:
        output_size: Positive int (or 1-tuple), the number of output steps.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, output_size, channels)`.

    >>> layer = lamina.layers.AdaptiveMaxPooling1D(2)
    >>> layer(np.array([[[1.0], [2.0], [3.0], [5.0]]])).tolist()
    [[[2.0], [5.0]]]
    """

    _num_spatial = 1
    _pool = "adaptive_max_pool"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Takes each channel's maximum over an `output_size` grid of adaptive windows.

    Args:
        output_size: Positive int or `(height, width)` pair, the output's spatial size.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Input shape: `(batch, height, width, channels)`. Output shape:
    `(batch, *output_size, channels)` (channels first for "channels_first").

    >>> tuple(lamina.layers.AdaptiveMaxPooling2D(3)(np.ones((1, 5, 7, 4))).shape)
    (1, 3, 3, 4)
    """

    _num_spatial = 2
    _pool = "adaptive_max_pool"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Takes each channel's maximum over an `output_size` grid of adaptive 3D windows.

    Args:
        output_size: Positive int or `(dim1, dim2, dim3)` triple, the output's spatial size.
        data_format: "channels_last", "channels_first" or None (the configured default).

    Input shape: `(batch, dim1, dim2, dim3, channels)`. Output shape:
    `(batch, *output_size, channels)` (channels first for "channels_first").

    >>> tuple(lamina.layers.AdaptiveMaxPooling3D((1, 2, 3))(np.ones((1, 3, 4, 5, 2))).shape)
    (1, 1, 2, 3, 2)
    """

    _num_spatial = 3
    _pool = "adaptive_max_pool"
