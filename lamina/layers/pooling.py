"""Pooling layers: max and average over sliding windows, and global max and average.

Each comes in 1D (`(batch, steps, channels)`), 2D (`(batch, height, width, channels)`) and 3D
(`(batch, dim1, dim2, dim3, channels)`) forms; `data_format="channels_first"` moves the channel
axis to position 1. Keras 3's short names (`MaxPool2D`, `GlobalAvgPool1D`, ...) are aliases.
"""

import numbers

from lamina import backend, ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


def _standardize_tuple(layer_name, arg_name, value, num_spatial):
    """`value` as a tuple of `num_spatial` positive ints (an int repeats)."""
    values = value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * num_spatial
    if not isinstance(values, (list, tuple)) or len(values) != num_spatial or any(
            isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in values):
        raise ValueError(f"{layer_name}: `{arg_name}` must be a positive int or a tuple of "
                         f"{num_spatial} positive ints. Received: {arg_name}={value!r}")
    return tuple(int(v) for v in values)


class _Pooling(Layer):
    """Max or average over windows of `pool_size` moved by `strides` along each spatial axis."""

    @property
    def _slow_in_compiled_loops(self):
        """Windows other than tiles (strides != pool_size) lower to reduce_window, whose
        gradient is slow in compiled loops on XLA:CPU; tiles lower to reshape-then-reduce,
        which loops run well. See BaseConv."""
        return tuple(self.strides) != tuple(self.pool_size)

    _num_spatial = None
    _mode = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        cls = type(self).__name__
        self.pool_size = _standardize_tuple(cls, "pool_size", pool_size, self._num_spatial)
        self.strides = self.pool_size if strides is None else \
            _standardize_tuple(cls, "strides", strides, self._num_spatial)
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise ValueError(f"{cls}: `padding` must be 'valid' or 'same'. Received: "
                             f"padding={padding!r}")
        self.padding = padding.lower()
        self.data_format = backend.config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._num_spatial + 2)
        self.built = True

    def call(self, inputs):
        self.compute_output_shape(tuple(inputs.shape))  # names this layer if the window is too big
        pool = ops.max_pool if self._mode == "max" else ops.average_pool
        return pool(inputs, pool_size=self.pool_size, strides=self.strides,
                    padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self._num_spatial + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected inputs of rank "
                             f"{self._num_spatial + 2}, received shape {input_shape}.")
        where = slice(1, -1) if self.data_format == "channels_last" else slice(2, None)
        spatial = []
        for size, p, s in zip(input_shape[where], self.pool_size, self.strides):
            if size is None:
                spatial.append(None)
            elif self.padding == "same":
                spatial.append(-(-size // s))
            elif size < p:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the pooling window {self.pool_size} "
                    f"is larger than the spatial shape {tuple(input_shape[where])} of inputs "
                    f"with shape {input_shape} ({self.data_format}), so padding='valid' leaves "
                    "no output. Use a smaller pool_size, padding='same', or a larger input.")
            else:
                spatial.append((size - p) // s + 1)
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, input_shape[-1])
        return (input_shape[0], input_shape[1], *spatial)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Max over windows of `pool_size` steps, moved by `strides` (temporal data).

    Args:
        pool_size: Int, the window size. Defaults to 2.
        strides: Int, or None for `pool_size`.
        padding: "valid" (windows inside the input) or "same" (pad so that the output has
            `ceil(steps / strides)` steps; padding never wins the max).
        data_format: "channels_last" (`(batch, steps, features)`) or "channels_first"
            (`(batch, features, steps)`); defaults to `image_data_format()`.

    Input shape: `(batch, steps, features)`. Output shape: `(batch, pooled_steps, features)`.

    >>> layer = lamina.layers.MaxPooling1D(2)
    >>> layer(lamina.ops.convert_to_tensor([[[1.0], [3.0], [2.0], [0.0]]])).tolist()
    [[[3.0], [2.0]]]
    """

    _num_spatial, _mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(_Pooling):
    """Max over `pool_size` windows of height and width, moved by `strides`.

    Args:
        pool_size: Int or tuple of 2 ints. Defaults to (2, 2).
        strides: Int, tuple of 2 ints, or None for `pool_size`.
        padding: "valid" or "same" (output size `ceil(size / strides)`).
        data_format: "channels_last" (`(batch, height, width, channels)`) or "channels_first"
            (`(batch, channels, height, width)`); defaults to `image_data_format()`.

    Output shape: `(batch, pooled_height, pooled_width, channels)` (channels_last).

    >>> layer = lamina.layers.MaxPooling2D()
    >>> tuple(layer(lamina.ops.ones((1, 4, 5, 3))).shape)
    (1, 2, 2, 3)
    """

    _num_spatial, _mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling3D(_Pooling):
    """Max over `pool_size` windows of three spatial axes, moved by `strides`.

    Args:
        pool_size: Int or tuple of 3 ints. Defaults to (2, 2, 2).
        strides: Int, tuple of 3 ints, or None for `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" (`(batch, d1, d2, d3, channels)`) or "channels_first".

    >>> layer = lamina.layers.MaxPooling3D()
    >>> tuple(layer(lamina.ops.ones((1, 4, 4, 4, 2))).shape)
    (1, 2, 2, 2, 2)
    """

    _num_spatial, _mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows of `pool_size` steps, moved by `strides` (temporal data).

    Args:
        pool_size: Int, the window size (required).
        strides: Int, or None for `pool_size`.
        padding: "valid", or "same" (windows at the edges average only their real elements).
        data_format: "channels_last" or "channels_first".

    >>> layer = lamina.layers.AveragePooling1D(2, strides=1)
    >>> layer(lamina.ops.convert_to_tensor([[[1.0], [3.0], [2.0]]])).tolist()
    [[[2.0], [2.5]]]
    """

    _num_spatial, _mode = 1, "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over `pool_size` windows of height and width, moved by `strides`.

    Args:
        pool_size: Int or tuple of 2 ints (required).
        strides: Int, tuple of 2 ints, or None for `pool_size`.
        padding: "valid", or "same" (windows at the edges average only their real elements).
        data_format: "channels_last" or "channels_first".

    >>> layer = lamina.layers.AveragePooling2D(2)
    >>> layer(lamina.ops.ones((1, 2, 2, 1))).tolist()
    [[[[1.0]]]]
    """

    _num_spatial, _mode = 2, "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over `pool_size` windows of three spatial axes, moved by `strides`.

    Args:
        pool_size: Int or tuple of 3 ints (required).
        strides: Int, tuple of 3 ints, or None for `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".

    >>> layer = lamina.layers.AveragePooling3D(2, padding="same")
    >>> tuple(layer(lamina.ops.ones((1, 3, 3, 3, 2))).shape)
    (1, 2, 2, 2, 2)
    """

    _num_spatial, _mode = 3, "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class _GlobalPooling(Layer):
    """Reduces every spatial axis: `(batch, *spatial, channels)` -> `(batch, channels)`."""

    _num_spatial = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.config.standardize_data_format(data_format)
        if not isinstance(keepdims, bool):
            raise ValueError(f"{type(self).__name__}: `keepdims` must be True or False. "
                             f"Received: keepdims={keepdims!r}")
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self._num_spatial + 2)
        self.built = True

    def _spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._num_spatial))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            batch, channels = input_shape[0], input_shape[-1]
            return (batch, *(1,) * self._num_spatial, channels) if self.keepdims \
                else (batch, channels)
        batch, channels = input_shape[0], input_shape[1]
        return (batch, channels, *(1,) * self._num_spatial) if self.keepdims \
            else (batch, channels)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class _GlobalMaxPooling(_GlobalPooling):
    def call(self, inputs):
        return ops.max(inputs, axis=self._spatial_axes(), keepdims=self.keepdims)


class _GlobalAveragePooling(_GlobalPooling):
    def call(self, inputs):
        return ops.mean(inputs, axis=self._spatial_axes(), keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalMaxPooling):
    """Max over the steps axis: `(batch, steps, features)` -> `(batch, features)`.

    Args:
        data_format: "channels_last" (`(batch, steps, features)`) or "channels_first"
            (`(batch, features, steps)`); defaults to `image_data_format()`.
        keepdims: Keep the reduced axis with length 1.

    >>> x = lamina.ops.convert_to_tensor([[[1.0, 5.0], [3.0, 2.0]]])
    >>> lamina.layers.GlobalMaxPooling1D()(x).tolist()
    [[3.0, 5.0]]
    """

    _num_spatial = 1


class GlobalMaxPooling2D(_GlobalMaxPooling):
    """Max over height and width: `(batch, height, width, channels)` -> `(batch, channels)`.

    Args:
        data_format: "channels_last" or "channels_first".
        keepdims: Keep the reduced axes with length 1.

    >>> tuple(lamina.layers.GlobalMaxPooling2D(keepdims=True)(
    ...     lamina.ops.ones((2, 4, 5, 3))).shape)
    (2, 1, 1, 3)
    """

    _num_spatial = 2


class GlobalMaxPooling3D(_GlobalMaxPooling):
    """Max over three spatial axes: `(batch, d1, d2, d3, channels)` -> `(batch, channels)`.

    Args:
        data_format: "channels_last" or "channels_first".
        keepdims: Keep the reduced axes with length 1.

    >>> tuple(lamina.layers.GlobalMaxPooling3D()(lamina.ops.ones((2, 3, 3, 3, 4))).shape)
    (2, 4)
    """

    _num_spatial = 3


class GlobalAveragePooling1D(_GlobalAveragePooling):
    """Mean over the steps axis: `(batch, steps, features)` -> `(batch, features)`.

    Args:
        data_format: "channels_last" or "channels_first".
        keepdims: Keep the reduced axis with length 1.

    Call arguments:
        mask: Optional `(batch, steps)` booleans: only True steps are averaged (a row with no
            True step divides by zero, as in Keras). The output carries no mask.

    >>> layer = lamina.layers.GlobalAveragePooling1D()
    >>> x = lamina.ops.convert_to_tensor([[[1.0], [3.0], [8.0]]])
    >>> layer(x, mask=lamina.ops.convert_to_tensor([[True, True, False]])).tolist()
    [[2.0]]
    """

    _num_spatial = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps_axis = self._spatial_axes()[0]
        mask = ops.convert_to_tensor(mask)
        expected = (inputs.shape[0], inputs.shape[steps_axis])
        if len(mask.shape) != 2 or any(a is not None and b is not None and a != b
                                       for a, b in zip(mask.shape, expected)):
            raise ValueError(f"GlobalAveragePooling1D '{self.name}' expected a mask of shape "
                             f"(batch, steps) = {expected}, received shape "
                             f"{tuple(mask.shape)} for inputs of shape {tuple(inputs.shape)}.")
        mask = ops.expand_dims(ops.cast(mask, "bool"), 2 if steps_axis == 1 else 1)
        total = ops.sum(ops.where(mask, inputs, ops.zeros_like(inputs)), axis=steps_axis,
                        keepdims=self.keepdims)
        count = ops.sum(ops.cast(mask, inputs.dtype), axis=steps_axis, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalAveragePooling):
    """Mean over height and width: `(batch, height, width, channels)` -> `(batch, channels)`.

    Args:
        data_format: "channels_last" or "channels_first".
        keepdims: Keep the reduced axes with length 1.

    >>> lamina.layers.GlobalAveragePooling2D()(lamina.ops.ones((1, 2, 2, 3))).tolist()
    [[1.0, 1.0, 1.0]]
    """

    _num_spatial = 2


class GlobalAveragePooling3D(_GlobalAveragePooling):
    """Mean over three spatial axes: `(batch, d1, d2, d3, channels)` -> `(batch, channels)`.

    Args:
        data_format: "channels_last" or "channels_first".
        keepdims: Keep the reduced axes with length 1.

    >>> tuple(lamina.layers.GlobalAveragePooling3D()(lamina.ops.ones((2, 3, 3, 3, 4))).shape)
    (2, 4)
    """

    _num_spatial = 3


# Keras 3's short names: the same classes.
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = \
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = \
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D
