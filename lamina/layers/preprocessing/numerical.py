"""Numerical preprocessing layers: Normalization, Discretization, Rescaling.

`adapt()` runs on the host over NumPy arrays (or an iterable of batches); `call` is pure ops code
that runs inside compiled steps.
"""

import numpy as np

from lamina import backend, ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _utils
from lamina.ops.symbolic import KerasTensor
from lamina.saving import serialization


def _axes(owner, axis):
    if axis is None:
        return ()
    if _utils.is_int(axis):
        return (int(axis),)
    if isinstance(axis, (list, tuple)) and all(_utils.is_int(a) for a in axis):
        return tuple(int(a) for a in axis)
    raise TypeError(f"{owner}: `axis` must be an int, a tuple of ints or None. Received: "
                    f"axis={axis!r}")


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance: `(x - mean) / sqrt(variance)`.

    The statistics come from `mean` and `variance`, or from `adapt(data)`, which computes them
    over every axis not in `axis` and stores them in the non-trainable weights `mean`,
    `variance` and `count`.

    Args:
        axis: Int, tuple of ints or None: the axes that keep their own statistics (default -1,
            one mean per feature). None computes one mean and variance over everything.
        mean: Optional mean, a number or an array broadcastable to the kept axes.
        variance: Optional variance, given together with `mean`.
        invert: If True, undo the normalization: `mean + x * sqrt(variance)`.

    The standard deviation is floored at `backend.epsilon()`, so constant features stay finite.

    >>> layer = lamina.layers.Normalization()
    >>> layer.adapt(np.array([[1.0], [3.0]]))
    >>> layer(np.array([[3.0]])).tolist()
    [[1.0]]
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes("Normalization", axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both `mean` and `variance`, or neither (then "
                             f"call adapt()). Received: mean={mean!r}, variance={variance!r}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("Normalization: `mean` and `variance` must have the same shape. "
                                 f"Received shapes {np.shape(mean)} and {np.shape(variance)}.")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"Normalization: `mean` has rank {len(np.shape(mean))}, more "
                                 f"than the {len(self.axis)} kept axes axis={self.axis}. Give "
                                 "one value per kept axis position.")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization '{self.name}': every axis must be in "
                             f"[-{ndim}, {ndim}) for inputs of shape {tuple(input_shape)}. "
                             f"Received axis={self.axis}.")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(f"Normalization '{self.name}': kept axis {a} must have a known "
                                 f"size. Received input shape {tuple(input_shape)}.")
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1
                                      for a in range(ndim))
        self._stats_shape = tuple(input_shape[a] for a in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape=self._stats_shape, initializer="zeros",
                                              trainable=False, name="mean")
            self.adapt_variance = self.add_weight(shape=self._stats_shape, initializer="ones",
                                                  trainable=False, name="variance")
            self.count = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                         trainable=False, name="count")
        else:
            self._fixed_mean = self._broadcast_given(self.input_mean, ndim)
            self._fixed_variance = self._broadcast_given(self.input_variance, ndim)

    def _broadcast_given(self, value, ndim):
        value = np.asarray(value, dtype="float64")
        if value.ndim > 0:
            # A given array lines up with the last kept axes, as in Keras.
            shape = [1] * ndim
            for i in range(1, value.ndim + 1):
                shape[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(shape)
        return np.broadcast_to(value, self._broadcast_shape).astype(self.compute_dtype)

    def adapt(self, data):
        """Compute `mean` and `variance` over `data`: an array, or an iterable of batches
        (combined exactly, batch by batch, with the parallel-variance formula)."""
        data = _utils.batches(data)
        if not self.built:
            self.build(data[0].shape)
        elif self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given `mean` and `variance`; it "
                             "cannot also be adapted. Create it without them to use adapt().")
        total_mean = total_var = None
        total_count = 0
        for batch in data:
            for a in self._keep_axis:
                if batch.ndim <= a or batch.shape[a] != self._broadcast_shape[a]:
                    raise ValueError(f"Normalization '{self.name}' keeps axis {a} of size "
                                     f"{self._broadcast_shape[a]}; adapt() received a batch of "
                                     f"shape {batch.shape}. Pass data with the shape the layer "
                                     "was built for.")
            if len(data) > 1:
                batch = batch.astype(self.compute_dtype)
            mean = np.mean(batch, axis=self._reduce_axis)
            var = np.var(batch, axis=self._reduce_axis)
            if len(data) == 1:
                total_mean, total_var = mean, var
                break
            count = int(np.prod([batch.shape[a] for a in self._reduce_axis]))
            total_count += count
            weight = count / total_count
            if total_mean is None:
                total_mean, total_var = np.zeros_like(mean), np.zeros_like(var)
            new_mean = total_mean * (1.0 - weight) + mean * weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1.0 - weight)
                         + (var + (mean - new_mean) ** 2) * weight)
            total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean, self.compute_dtype))
        self.adapt_variance.assign(np.asarray(total_var, self.compute_dtype))

    def _stats(self):
        if self.input_mean is not None:
            return self._fixed_mean, self._fixed_variance
        return (ops.reshape(self.adapt_mean, self._broadcast_shape),
                ops.reshape(self.adapt_variance, self._broadcast_shape))

    def call(self, inputs):
        inputs = ops.cast(inputs, self.compute_dtype)
        mean, variance = self._stats()
        scale = ops.maximum(ops.sqrt(variance), backend.epsilon())
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, scale))
        return ops.divide(ops.subtract(inputs, mean), scale)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}


# -- Discretization's quantile sketch ------------------------------------------------------------
# Keras estimates quantiles with a weighted summary: sorted sample values with weights, merged
# batch by batch and compressed by interpolating the cumulative weight. The same steps here give
# the same bin boundaries as Keras.

def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size / (1.0 / epsilon), 1)  # this rounding, as in Keras
    kept = values[int(step - 1)::int(step)]
    return np.stack([kept, np.full_like(kept, step)])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fraction = cumulative / cumulative[-1]
    values = np.interp(targets, fraction, summary[0])
    cumulative = np.interp(targets, fraction, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack((values, weights)).astype("float32")


def _merge(first, second, epsilon):
    merged = np.concatenate((first, second), axis=1)
    return _compress(merged[:, np.argsort(merged[0])], epsilon)


class Discretization(Layer):
    """Buckets numbers by range: output `i` for `bin_boundaries[i-1] <= x < bin_boundaries[i]`.

    Args:
        bin_boundaries: Sorted list of boundaries; `n` boundaries make `n + 1` bins.
        num_bins: Instead of `bin_boundaries`, the number of bins; `adapt(data)` then places
            the boundaries at approximate quantiles of `data`.
        epsilon: Error tolerance of the quantile estimate (about `1 / epsilon` summary points).
        output_mode: "int" (bin indices), "one_hot", "multi_hot" or "count".
        sparse: Must be False (lamina has no sparse tensors).

    Returns int32 bin indices in "int" mode, else float encodings of depth `num_bins`.

    >>> layer = lamina.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5]])).tolist()
    [[0, 2, 3, 1]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(dtype=dtype, name=name, **kwargs)
        _utils.check_choice("Discretization", "output_mode", output_mode, _utils.ENCODE_MODES)
        if sparse:
            raise ValueError("Discretization: `sparse=True` is not supported (lamina has no "
                             "sparse tensors). Received: sparse=True; leave it False.")
        if num_bins is not None and (not _utils.is_int(num_bins) or num_bins < 0):
            raise ValueError("Discretization: `num_bins` must be an int >= 0. Received: "
                             f"num_bins={num_bins!r}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Discretization: give `num_bins` or `bin_boundaries`, not both. "
                             f"Received: num_bins={num_bins}, bin_boundaries={bin_boundaries}")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: give `bin_boundaries`, or `num_bins` and then "
                             "call adapt(data). Received neither.")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(bin_boundaries).ravel()]
            if any(b > a for a, b in zip(bin_boundaries[1:], bin_boundaries[:-1])):
                raise ValueError("Discretization: `bin_boundaries` must be sorted in increasing "
                                 f"order. Received: bin_boundaries={bin_boundaries}")
        if not _utils.is_number(epsilon) or not 0 < epsilon <= 1:
            raise ValueError("Discretization: `epsilon` must be a number in (0, 1]. Received: "
                             f"epsilon={epsilon!r}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if bin_boundaries else np.zeros((2, 0), "float32")

    @property
    def output_dtype(self):
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def adapt(self, data, steps=None):
        """Place `num_bins - 1` boundaries at approximate quantiles of `data` (an array or an
        iterable of batches; `steps` limits how many batches are read)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}' was built with `bin_boundaries`; "
                             "only a layer created with `num_bins` can be adapted.")
        batches = _utils.batches(data)
        if steps is not None:
            batches = batches[:steps]
        self.summary = np.zeros((2, 0), "float32")
        for batch in batches:
            summary = _summarize(np.asarray(batch, "float32"), self.epsilon)
            self.summary = _merge(summary, self.summary, self.epsilon)
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}' has no bin boundaries yet. Pass "
                             "`bin_boundaries`, or call adapt(data) before using it.")
        indices = ops.digitize(inputs, self.bin_boundaries)
        return _utils.encode_categorical(indices, self.output_mode,
                                         len(self.bin_boundaries) + 1, self.output_dtype)

    def _depth(self):
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape):
        return _utils.encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        # An adapted layer saves both `num_bins` and the boundaries it learned.
        boundaries = config.pop("bin_boundaries", None) if config.get("num_bins") is not None \
            else config.get("bin_boundaries")
        layer = cls(**config)
        if boundaries is not None:
            layer.bin_boundaries = list(boundaries)
        return layer


class Rescaling(Layer):
    """Rescales inputs: `outputs = inputs * scale + offset`.

    Args:
        scale: Number, or one number per channel (a list or array).
        offset: Number, or one number per channel.

    With a per-channel `scale` and `image_data_format() == "channels_first"`, the scale is
    reshaped to `(channels, 1, 1)` so that it lines up with the channel axis.

    >>> lamina.layers.Rescaling(1 / 255)(np.array([0.0, 255.0])).tolist()
    [0.0, 1.0]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            try:
                np.asarray(value, dtype="float64")
            except (TypeError, ValueError):
                raise TypeError(f"Rescaling: `{arg}` must be a number or an array of numbers. "
                                f"Received: {arg}={value!r}") from None
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = ops.cast(np.asarray(self.scale), dtype)
        offset = ops.cast(np.asarray(self.offset), dtype)
        if scale.ndim > 0 and backend.image_data_format() == "channels_first":
            scale = ops.reshape(scale, tuple(scale.shape) + (1,) * (3 - scale.ndim))
        return ops.add(ops.multiply(ops.cast(inputs, dtype), scale), offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "scale": serialization.serialize_keras_object(self.scale),
                "offset": serialization.serialize_keras_object(self.offset)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for arg in ("scale", "offset"):
            if isinstance(config.get(arg), dict):
                config[arg] = serialization.deserialize_keras_object(config[arg])
        return cls(**config)
