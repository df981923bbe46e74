"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout, ActivityRegularization."""

import math
import numbers

from lamina import ops, random, regularizers
from lamina.backend.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.random.seed_generator import SeedGenerator


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 during training, scaling the rest by 1/(1 - rate).

    Args:
        rate: Float in [0, 1), the fraction of inputs to drop.
        noise_shape: Shape of the binary mask, broadcast over the input (None axes take the
            input's size), e.g. `(batch, 1, features)` to drop the same features at all steps.
        seed: Int seed for the layer's own random stream.

    In inference (`training=False`, the default outside fit) it returns its input unchanged.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: `rate` must be a float in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                              seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


def _check_fraction(owner, arg, value, high_inclusive=False):
    """`value` as a float in [0, 1) (or [0, 1]); otherwise a ValueError naming `owner.arg`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and (
        0 <= value <= 1 if high_inclusive else 0 <= value < 1)
    if not ok:
        interval = "[0, 1]" if high_inclusive else "[0, 1)"
        raise ValueError(f"{owner}: `{arg}` must be a float in {interval}. Received: "
                         f"{arg}={value!r}")
    return float(value)


class _SpatialDropout(Dropout):
    """Dropout of whole channels: one keep/drop draw per (sample, channel)."""

    _ndim = None

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        rate = _check_fraction(type(self).__name__, "rate", rate)
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._ndim)

    def _noise_shape(self, shape):
        ones = (1,) * (len(shape) - 2)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], *ones)
        return (shape[0], *ones, shape[-1])

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return random.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs.shape),
                              seed=self.seed_generator)

    def get_config(self):
        # Keras 3 writes neither `noise_shape` nor `trainable` here, and its constructors take
        # neither: leaving them out keeps the config loadable by Keras.
        config = super().get_config()
        config.pop("noise_shape")
        config.pop("trainable")
        return {**config, "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Dropout that drops whole feature channels of a sequence, the same at every step.

    Neighbouring steps are strongly correlated, so element-wise dropout barely regularizes;
    dropping a channel everywhere does.

    Args:
        rate: Float in [0, 1), the fraction of channels to drop.
        seed: Int seed for the layer's own random stream.

    Input shape: `(batch, steps, channels)`. Output shape: the same. Identity when not training.

    >>> x = lamina.ops.ones((1, 3, 2))
    >>> lamina.layers.SpatialDropout1D(0.5)(x).tolist()
    [[[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]]
    """

    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = "channels_last"

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        return config


class SpatialDropout2D(_SpatialDropout):
    """Dropout that drops whole feature maps of an image (one draw per sample and channel).

    Args:
        rate: Float in [0, 1), the fraction of channels to drop.
        data_format: "channels_last" (`(batch, rows, cols, channels)`, the default unless
            configured otherwise) or "channels_first" (`(batch, channels, rows, cols)`).
        seed: Int seed for the layer's own random stream.

    Input shape: 4D as given by `data_format`. Output shape: the same. Identity when not training.

    >>> tuple(lamina.layers.SpatialDropout2D(0.5)(lamina.ops.ones((1, 2, 2, 3))).shape)
    (1, 2, 2, 3)
    """

    _ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Dropout that drops whole 3D feature volumes (one draw per sample and channel).

    Args:
        rate: Float in [0, 1), the fraction of channels to drop.
        data_format: "channels_last" (`(batch, d1, d2, d3, channels)`) or "channels_first"
            (`(batch, channels, d1, d2, d3)`).
        seed: Int seed for the layer's own random stream.

    Input shape: 5D as given by `data_format`. Output shape: the same. Identity when not training.

    >>> tuple(lamina.layers.SpatialDropout3D(0.5)(lamina.ops.ones((1, 2, 2, 2, 3))).shape)
    (1, 2, 2, 2, 3)
    """

    _ndim = 5


class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation `stddev` during training.

    Args:
        stddev: Float in [0, 1], the standard deviation of the noise.
        seed: Int seed for the layer's own random stream.

    Input shape: any. Output shape: the same. Identity when not training.

    >>> lamina.layers.GaussianNoise(0.1)(lamina.ops.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = _check_fraction("GaussianNoise", "stddev", stddev, high_inclusive=True)
        self.seed = seed
        if self.stddev > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = random.normal(inputs.shape, mean=0.0, stddev=self.stddev,
                              dtype=self.compute_dtype, seed=self.seed_generator)
        return ops.add(inputs, noise)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies inputs by Gaussian noise of mean 1 and variance `rate / (1 - rate)` in training.

    The variance is that of standard dropout's multiplicative mask, so the layer regularizes as
    much as `Dropout(rate)` without zeroing anything, and keeps the mean of its inputs.

    Args:
        rate: Float in [0, 1), the equivalent drop probability.
        seed: Int seed for the layer's own random stream.

    Input shape: any. Output shape: the same. Identity when not training.

    >>> lamina.layers.GaussianDropout(0.2)(lamina.ops.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_fraction("GaussianDropout", "rate", rate)
        self.seed = seed
        if self.rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random.normal(inputs.shape, mean=1.0, stddev=stddev, dtype=self.compute_dtype,
                              seed=self.seed_generator)
        return ops.multiply(inputs, noise)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


# SELU's constants: dropped units are set to its negative saturation value -scale * alpha.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout for self-normalizing (SELU) networks: keeps the inputs' mean and variance.

    In training each unit is dropped with probability `rate` and set to SELU's saturation value
    `alpha' = -scale * alpha`; then `a * x + b` restores zero mean and unit variance for
    standardized inputs, with `a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5` and
    `b = -a * alpha' * rate`.

    Args:
        rate: Float in [0, 1), the drop probability.
        noise_shape: Shape of the keep/drop mask, broadcast over the input (None axes take the
            input's size).
        seed: Int seed for the layer's own random stream.

    Input shape: any. Output shape: the same. Identity when not training.

    >>> lamina.layers.AlphaDropout(0.2)(lamina.ops.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_fraction("AlphaDropout", "rate", rate)
        if noise_shape is not None and not (
                isinstance(noise_shape, (list, tuple)) and all(
                    d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool)
                                  and d > 0) for d in noise_shape)):
            raise ValueError("AlphaDropout: `noise_shape` must be a tuple of positive ints or "
                             f"None, one per input axis. Received: noise_shape={noise_shape!r}")
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        if self.rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def _concrete_noise_shape(self, shape):
        if self.noise_shape is None:
            return tuple(shape)
        if len(self.noise_shape) != len(shape):
            raise ValueError(f"AlphaDropout '{self.name}': `noise_shape` {self.noise_shape} must "
                             f"have one entry per input axis; received inputs of shape "
                             f"{tuple(shape)}. Use None for axes that take the input's size.")
        return tuple(s if d is None else d for d, s in zip(self.noise_shape, shape))

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        keep = ops.greater_equal(random.uniform(self._concrete_noise_shape(inputs.shape),
                                                seed=self.seed_generator), self.rate)
        keep = ops.cast(keep, inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = ops.add(ops.multiply(inputs, keep), ops.multiply(alpha_p, ops.subtract(1.0, keep)))
        return ops.add(ops.multiply(a, x), b)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds the activity loss `l1 * sum|x| + l2 * sum x^2`.

    As for every layer's `activity_regularizer`, the loss is divided by the batch size, so its
    strength does not depend on it.

    Args:
        l1: Non-negative float, the L1 factor.
        l2: Non-negative float, the L2 factor.

    Input shape: any. Output shape: the same.

    >>> layer = lamina.layers.ActivityRegularization(l1=0.1)
    >>> _ = layer(lamina.ops.array([[1.0, -2.0]]))
    >>> round(float(layer.losses[0]), 4)
    0.3
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        for arg, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                    not 0 <= value < math.inf:
                raise ValueError(f"ActivityRegularization: `{arg}` must be a finite "
                                 f"non-negative float. Received: {arg}={value!r}")
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
