"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, and the N-d cropping, zero-padding
and upsampling layers."""

import math
import numbers

import numpy as np

from lamina import ops
from lamina.backend.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class Flatten(Layer):
    """Flattens every axis but the batch axis: `(batch, 4, 5) -> (batch, 20)`.

    Args:
        data_format: "channels_last" (default) or "channels_first"; with channels_first the
            channel axis is moved last first, so the order matches a channels_last model.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        from lamina.backend.config import standardize_data_format
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_first" and len(inputs.shape) > 2:
            inputs = ops.moveaxis(inputs, 1, -1)
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept; one axis may be -1).

    >>> tuple(lamina.layers.Reshape((3, 2))(lamina.ops.ones((4, 6))).shape)
    (4, 3, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (list, tuple)) or \
                not all(isinstance(d, int) and (d > 0 or d == -1) for d in target_shape) or \
                list(target_shape).count(-1) > 1:
            raise ValueError("Reshape: `target_shape` must be a tuple of positive ints with at most "
                             f"one -1, without the batch axis. Received: {target_shape!r}")
        self.target_shape = tuple(target_shape)

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return self.target_shape
        total = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if total % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape):
        return (f"Reshape '{self.name}' cannot reshape inputs of shape {tuple(input_shape)} "
                f"(batch axis first) to (batch, *{self.target_shape}): the sizes of one sample "
                f"differ. Check target_shape.")

    def build(self, input_shape):
        self._resolve(input_shape)

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], *self._resolve(tuple(inputs.shape))))

    def compute_output_shape(self, input_shape):
        shape = self._resolve(input_shape)
        return (input_shape[0], *(None if d == -1 else d for d in shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


# -- argument and shape helpers shared by the layers below -------------------------------------

_LAYOUTS = {
    (1, "channels_last"): "(batch, steps, features)",
    (1, "channels_first"): "(batch, features, steps)",
    (2, "channels_last"): "(batch, rows, cols, channels)",
    (2, "channels_first"): "(batch, channels, rows, cols)",
    (3, "channels_last"): "(batch, dim1, dim2, dim3, channels)",
    (3, "channels_first"): "(batch, channels, dim1, dim2, dim3)",
}


def _int_tuple(value, n, name, owner, allow_zero):
    """`value` as a tuple of `n` ints (an int is repeated), each >= 0 or > 0."""
    kind = "non-negative" if allow_zero else "positive"
    items = (value,) * n if _is_int(value) else value
    valid = isinstance(items, (list, tuple)) and len(items) == n and all(
        _is_int(v) and (v >= 0 if allow_zero else v > 0) for v in items)
    if not valid:
        raise ValueError(f"{owner}: `{name}` must be a {kind} int or a tuple of {n} {kind} ints. "
                         f"Received: {name}={value!r}")
    return tuple(int(v) for v in items)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int_pairs(value, rank, name, owner):
    """`value` as `rank` (before, after) pairs: an int, `rank` ints, or `rank` pairs."""
    if _is_int(value):
        return (_int_tuple(value, 2, name, owner, allow_zero=True),) * rank
    if not isinstance(value, (list, tuple)) or len(value) != rank:
        raise ValueError(f"{owner}: `{name}` must be an int, a tuple of {rank} ints (symmetric "
                         f"amounts per spatial axis) or a tuple of {rank} (before, after) pairs. "
                         f"Received: {name}={value!r}")
    return tuple(_int_tuple(v, 2, f"{name}[{i}]", owner, allow_zero=True)
                 for i, v in enumerate(value))


def _batchless(shape):
    return (None, *tuple(shape)[1:])


class _SpatialLayer(Layer):
    """Shared by the cropping, padding and upsampling layers: where the spatial axes are."""

    _rank = 1

    def _spatial_axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return tuple(range(start, start + self._rank))

    def _check_rank(self, input_shape):
        ndim = self._rank + 2
        if len(input_shape) != ndim:
            layout = _LAYOUTS[(self._rank, self.data_format)]
            raise ValueError(f"{type(self).__name__} '{self.name}' expected inputs of rank {ndim}, "
                             f"shaped {layout}, received shape {tuple(input_shape)} (rank "
                             f"{len(input_shape)}). Reshape the input or check the previous "
                             "layer.")

    def build(self, input_shape):
        self._check_rank(input_shape)
        self.compute_output_shape(input_shape)


class Permute(Layer):
    """Permutes the non-batch axes of its input; `dims` are 1-based axis indices.

    Args:
        dims: Tuple holding each of `1..rank-1` once; `(2, 1)` swaps the two axes of a rank-3
            input.

    Input shape: `(batch, d1, ..., dn)`. Output shape: the `d` axes in the order of `dims`.

    >>> tuple(lamina.layers.Permute((2, 1))(lamina.ops.ones((4, 3, 5))).shape)
    (4, 5, 3)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(dims, (list, tuple)) or \
                any(isinstance(d, bool) or not isinstance(d, int) for d in dims) or \
                sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Permute: `dims` must hold each of 1, ..., n exactly once (axis 0, "
                             f"the batch axis, stays in place). Received: dims={dims!r}")
        self.dims = tuple(dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def build(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"Permute '{self.name}' with dims={self.dims} expected inputs of "
                             f"rank {len(self.dims) + 1}, received shape {tuple(input_shape)} "
                             f"(rank {len(input_shape)}). Give one entry in `dims` per non-batch "
                             "axis.")

    def call(self, inputs):
        return ops.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a batch of vectors `n` times along a new axis 1.

    Args:
        n: Positive int, the number of repetitions.

    Input shape: `(batch, features)`. Output shape: `(batch, n, features)`.

    >>> tuple(lamina.layers.RepeatVector(3)(lamina.ops.ones((2, 4))).shape)
    (2, 3, 4)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector: `n` must be a positive int. Received: n={n!r}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"RepeatVector '{self.name}' expected inputs of rank 2, shaped "
                             f"(batch, features), received shape {tuple(input_shape)}. Flatten "
                             "the input first.")

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class _Cropping(_SpatialLayer):
    """Removes `cropping[i] = (before, after)` entries from each spatial axis."""

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.cropping):
            if shape[axis] is None:
                continue
            shape[axis] -= before + after
            if shape[axis] <= 0:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' cannot crop {self.cropping} from inputs "
                    f"of shape {_batchless(input_shape)}: axis {axis} has size "
                    f"{input_shape[axis]}, and cropping {before + after} from it leaves nothing. "
                    "Use a smaller `cropping`.")
        return tuple(shape)

    def call(self, inputs):
        self.compute_output_shape(tuple(inputs.shape))  # explains a cropping larger than the input
        key = [slice(None)] * len(inputs.shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.cropping):
            key[axis] = slice(before, inputs.shape[axis] - after)
        return ops.getitem(inputs, tuple(key))


class Cropping1D(_Cropping):
    """Crops a batch of sequences along the steps axis.

    Args:
        cropping: Int or `(before, after)` pair: how many steps to remove at each end.

    Input shape: `(batch, steps, features)`. Output shape: `(batch, steps - before - after,
    features)`.

    >>> tuple(lamina.layers.Cropping1D((1, 2))(lamina.ops.ones((2, 6, 3))).shape)
    (2, 3, 3)
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.data_format = "channels_last"
        self.cropping = (_int_tuple(cropping, 2, "cropping", "Cropping1D", allow_zero=True),)
        self.input_spec = InputSpec(ndim=3)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping[0]}


class Cropping2D(_Cropping):
    """Crops a batch of images along the rows and cols axes.

    Args:
        cropping: Int (same on all four sides), a pair `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: "channels_last" (default) or "channels_first".

    Input shape: `(batch, rows, cols, channels)` (channels_last). Output shape: the rows and
    cols reduced by the cropping.

    >>> tuple(lamina.layers.Cropping2D(((1, 0), (2, 2)))(lamina.ops.ones((1, 4, 6, 3))).shape)
    (1, 3, 2, 3)
    """

    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.cropping = _int_pairs(cropping, 2, "cropping", "Cropping2D")
        self.input_spec = InputSpec(ndim=4)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping3D(_Cropping):
    """Crops a batch of volumes along its three spatial axes.

    Args:
        cropping: Int (same everywhere), a tuple of 3 ints (symmetric per axis), or 3
            `(before, after)` pairs.
        data_format: "channels_last" (default) or "channels_first".

    Input shape: `(batch, dim1, dim2, dim3, channels)` (channels_last). Output shape: each spatial
    axis reduced by its cropping.

    >>> tuple(lamina.layers.Cropping3D(1)(lamina.ops.ones((1, 3, 4, 5, 2))).shape)
    (1, 1, 2, 3, 2)
    """

    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.cropping = _int_pairs(cropping, 3, "cropping", "Cropping3D")
        self.input_spec = InputSpec(ndim=5)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class _ZeroPadding(_SpatialLayer):
    """Adds `padding[i] = (before, after)` zeros to each spatial axis."""

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.padding):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def call(self, inputs):
        widths = [(0, 0)] * len(inputs.shape)
        for axis, pair in zip(self._spatial_axes(), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def get_config(self):
        padding = self.padding[0] if self._rank == 1 else self.padding
        return {**super().get_config(), "padding": padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Pads a batch of sequences with zeros at the start and end of the steps axis.

    Args:
        padding: Int or `(before, after)` pair: how many zero steps to add at each end.
        data_format: "channels_last" (default, `(batch, steps, features)`) or "channels_first"
            (`(batch, features, steps)`).

    >>> tuple(lamina.layers.ZeroPadding1D((1, 2))(lamina.ops.ones((2, 3, 4))).shape)
    (2, 6, 4)
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = (_int_tuple(padding, 2, "padding", "ZeroPadding1D", allow_zero=True),)
        self.input_spec = InputSpec(ndim=3)


class ZeroPadding2D(_ZeroPadding):
    """Pads a batch of images with zero rows and columns.

    Args:
        padding: Int (same on all four sides), a pair `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: "channels_last" (default) or "channels_first".

    >>> tuple(lamina.layers.ZeroPadding2D(((1, 0), (2, 2)))(lamina.ops.ones((1, 3, 3, 2))).shape)
    (1, 4, 7, 2)
    """

    _rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = _int_pairs(padding, 2, "padding", "ZeroPadding2D")
        self.input_spec = InputSpec(ndim=4)


class ZeroPadding3D(_ZeroPadding):
    """Pads a batch of volumes with zeros along its three spatial axes.

    Args:
        padding: Int (same everywhere), a tuple of 3 ints (symmetric per axis), or 3
            `(before, after)` pairs.
        data_format: "channels_last" (default) or "channels_first".

    >>> tuple(lamina.layers.ZeroPadding3D(1)(lamina.ops.ones((1, 2, 2, 2, 3))).shape)
    (1, 4, 4, 4, 3)
    """

    _rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = _int_pairs(padding, 3, "padding", "ZeroPadding3D")
        self.input_spec = InputSpec(ndim=5)


class _UpSampling(_SpatialLayer):
    """Repeats each entry `size[i]` times along spatial axis `i` (nearest neighbour)."""

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._spatial_axes(), self.size):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def call(self, inputs):
        for axis, factor in zip(self._spatial_axes(), self.size):
            inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs


class UpSampling1D(_UpSampling):
    """Repeats each step of a batch of sequences `size` times.

    Args:
        size: Positive int, the upsampling factor.

    Input shape: `(batch, steps, features)`. Output shape: `(batch, steps * size, features)`.

    >>> lamina.layers.UpSampling1D(2)(lamina.ops.array([[[1.0], [2.0]]]))[0, :, 0].tolist()
    [1.0, 1.0, 2.0, 2.0]
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ValueError(f"UpSampling1D: `size` must be a positive int. Received: "
                             f"size={size!r}")
        self.data_format = "channels_last"
        self.size = (size,)
        self.input_spec = InputSpec(ndim=3)

    def get_config(self):
        return {**super().get_config(), "size": self.size[0]}


_RESIZE_METHODS = ("nearest", "bilinear")
_KERAS_ONLY_RESIZE_METHODS = ("bicubic", "lanczos3", "lanczos5", "area")


class UpSampling2D(_UpSampling):
    """Upsamples a batch of images by integer factors along rows and cols.

    Args:
        size: Int or `(row_factor, col_factor)` of positive ints.
        data_format: "channels_last" (default) or "channels_first".
        interpolation: "nearest" (repeat each pixel) or "bilinear" (linear interpolation
            between pixel centers, edges clamped, as an image resize with half-pixel centers).

    Input shape: `(batch, rows, cols, channels)` (channels_last). Output shape:
    `(batch, rows * row_factor, cols * col_factor, channels)`.

    >>> x = lamina.ops.array([[[[0.0], [4.0]]]])           # one 1x2 image
    >>> lamina.layers.UpSampling2D((1, 2), interpolation="bilinear")(x)[0, 0, :, 0].tolist()
    [0.0, 1.0, 3.0, 4.0]
    """

    _rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = _int_tuple(size, 2, "size", "UpSampling2D", allow_zero=False)
        method = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if method in _KERAS_ONLY_RESIZE_METHODS:
            raise NotImplementedError(f"UpSampling2D: interpolation={interpolation!r} is not "
                                      f"supported yet; use one of {_RESIZE_METHODS}.")
        if method not in _RESIZE_METHODS:
            raise ValueError(f"UpSampling2D: `interpolation` must be one of {_RESIZE_METHODS}. "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = method
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        for axis, factor in zip(self._spatial_axes(), self.size):
            inputs = _linear_upsample(inputs, axis, factor)
        return inputs

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


def _linear_upsample(x, axis, factor):
    """Linear interpolation of `x` to `factor` times its size along `axis`.

    Output sample `i` sits at input coordinate `(i + 0.5) / factor - 0.5` (pixel centers
    aligned); coordinates beyond the first or last center take the edge value. The gather
    indices and weights depend only on the static size, so they are computed on the host.
    """
    size = x.shape[axis]
    coords = (np.arange(size * factor) + 0.5) / factor - 0.5
    low = np.floor(coords)
    weight = (coords - low).astype("float32")
    low = low.astype("int32")
    below = np.clip(low, 0, size - 1)
    above = np.clip(low + 1, 0, size - 1)
    weight_shape = [1] * len(x.shape)
    weight_shape[axis] = size * factor
    weight = ops.cast(weight.reshape(weight_shape), x.dtype)
    x_below, x_above = ops.take(x, below, axis=axis), ops.take(x, above, axis=axis)
    return ops.add(x_below, ops.multiply(weight, ops.subtract(x_above, x_below)))


class UpSampling3D(_UpSampling):
    """Upsamples a batch of volumes by repeating entries along its three spatial axes.

    Args:
        size: Int or tuple of 3 positive ints, the factor per spatial axis.
        data_format: "channels_last" (default) or "channels_first".

    Input shape: `(batch, dim1, dim2, dim3, channels)` (channels_last). Output shape: each
    spatial axis multiplied by its factor.

    >>> tuple(lamina.layers.UpSampling3D(2)(lamina.ops.ones((1, 1, 2, 3, 4))).shape)
    (1, 2, 4, 6, 4)
    """

    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = _int_tuple(size, 3, "size", "UpSampling3D", allow_zero=False)
        self.input_spec = InputSpec(ndim=5)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
