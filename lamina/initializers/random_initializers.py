"""Random initializers: normal, truncated normal, uniform, variance scaling and its named
presets (Glorot, He, LeCun), and Orthogonal.

Seeds follow Keras 3. An int seed gives the same values on every call. `seed=None` draws an int
seed from lamina's default stream once, at construction (so `set_random_seed` makes a program
repeatable, and one instance also repeats its values). A `SeedGenerator` advances on each call.
"""

import math
import numbers

from lamina import ops, random
from lamina.initializers.initializer import Initializer, standardize_dtype, standardize_shape
from lamina.random.seed_generator import SeedGenerator, draw_int_seed
from lamina.saving import serialization

# Std of a unit normal truncated to [-2, 2]: dividing by it keeps the requested variance.
_TRUNCATED_NORMAL_STDDEV = 0.87962566103423978


class RandomInitializer(Initializer):
    """Base of initializers that draw random values; it holds the seed."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = draw_int_seed()
        elif isinstance(seed, dict):
            seed = serialization.deserialize_keras_object(
                seed, module_objects={"SeedGenerator": SeedGenerator}, family="seed")
        if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, SeedGenerator)):
            # ValueError, not TypeError, as Keras 3 raises here.
            raise ValueError(f"{type(self).__name__}: `seed` must be an int, a "
                             f"lamina.random.SeedGenerator or None. Received: seed={seed!r}")
        self.seed = int(seed) if isinstance(seed, numbers.Integral) else seed

    def get_config(self):
        return {"seed": serialization.serialize_keras_object(self._init_seed)}


def _check_number(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: `{name}` must be a number. Received: {name}={value!r}")


class RandomNormal(RandomInitializer):
    """Samples from a normal distribution N(mean, stddev**2).

    Args:
        mean: Mean of the samples. Defaults to `0.0`.
        stddev: Standard deviation of the samples. Defaults to `0.05`.
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).

    >>> tuple(lamina.initializers.RandomNormal(seed=1)((2, 3)).shape)
    (2, 3)
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        _check_number("RandomNormal", "mean", mean)
        _check_number("RandomNormal", "stddev", stddev)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.normal(standardize_shape("RandomNormal", shape), mean=self.mean,
                             stddev=self.stddev, seed=self.seed,
                             dtype=standardize_dtype("RandomNormal", dtype, float_only=True))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Samples from N(mean, stddev**2), re-drawing those more than 2 stddev from the mean.

    Args:
        mean: Mean of the untruncated distribution. Defaults to `0.0`.
        stddev: Its standard deviation. Defaults to `0.05`.
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).

    >>> x = lamina.initializers.TruncatedNormal(seed=1)((100,))
    >>> bool(lamina.ops.max(lamina.ops.abs(x)) <= 0.1)
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        _check_number("TruncatedNormal", "mean", mean)
        _check_number("TruncatedNormal", "stddev", stddev)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.truncated_normal(
            standardize_shape("TruncatedNormal", shape), mean=self.mean, stddev=self.stddev,
            seed=self.seed, dtype=standardize_dtype("TruncatedNormal", dtype, float_only=True))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples uniformly from `[minval, maxval)`.

    Args:
        minval: Lower bound. Defaults to `-0.05`.
        maxval: Upper bound (excluded). Defaults to `0.05`.
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).

    >>> x = lamina.initializers.RandomUniform(0.0, 1.0, seed=1)((100,))
    >>> bool(lamina.ops.min(x) >= 0.0)
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        _check_number("RandomUniform", "minval", minval)
        _check_number("RandomUniform", "maxval", maxval)
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.uniform(standardize_shape("RandomUniform", shape), minval=self.minval,
                              maxval=self.maxval, seed=self.seed,
                              dtype=standardize_dtype("RandomUniform", dtype, float_only=True))

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """`(fan_in, fan_out)` of a kernel shape.

    1-D: both are the size. 2-D `(in, out)`: the two sizes. N-D convolution kernels
    `(*spatial, in, out)`: each times the receptive field (product of the spatial sizes).
    `input_axes` and `output_axes`, given together, name the axes to multiply instead.

    Args:
        shape: The kernel shape.
        input_axes: Axes whose sizes multiply into fan_in, or `None`.
        output_axes: Axes whose sizes multiply into fan_out, or `None`.

    Returns:
        A tuple of two ints.

    >>> compute_fans((3, 3, 4, 8))
    (36, 72)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class VarianceScaling(RandomInitializer):
    """Samples with variance `scale / n`, where n is fan_in, fan_out or their mean.

    With `distribution="truncated_normal"` (also spelled `"normal"`) samples come from a normal
    truncated at 2 stddev, with stddev `sqrt(scale / n) / 0.8796...` so that the truncated
    samples keep variance `scale / n`; `"untruncated_normal"` uses stddev `sqrt(scale / n)`;
    `"uniform"` samples from `[-limit, limit)` with `limit = sqrt(3 * scale / n)`.

    Args:
        scale: Positive scaling factor. Defaults to `1.0`.
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`. Defaults to `"fan_in"`.
        distribution: `"truncated_normal"`, `"untruncated_normal"` or `"uniform"`.
            Defaults to `"truncated_normal"`.
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> init = lamina.initializers.VarianceScaling(scale=2.0, distribution="uniform", seed=1)
    >>> bool(lamina.ops.max(lamina.ops.abs(init((50, 10)))) < 0.35)
    True
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        name = type(self).__name__
        _check_number(name, "scale", scale)
        if scale <= 0.0:
            raise ValueError(f"{name}: `scale` must be a positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"{name}: `mode` must be one of {modes}. Received: mode={mode!r}")
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if not isinstance(distribution, str) or distribution.lower() not in (
                *distributions, "normal"):
            raise ValueError(f"{name}: `distribution` must be one of {distributions} (or "
                             f"'normal', meaning 'truncated_normal'). "
                             f"Received: distribution={distribution!r}")
        distribution = distribution.lower()
        for arg, axes in (("input_axes", input_axes), ("output_axes", output_axes)):
            if axes is not None and (not isinstance(axes, (list, tuple)) or not all(
                    isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes)):
                raise ValueError(f"{name}: `{arg}` must be None or a list of ints. "
                                 f"Received: {arg}={axes!r}")
        self.scale = scale
        self.mode = mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        name = type(self).__name__
        shape = standardize_shape(name, shape)
        dtype = standardize_dtype(name, dtype, float_only=True)
        for arg, axes in (("input_axes", self.input_axes), ("output_axes", self.output_axes)):
            if axes is not None and any(not -len(shape) <= a < len(shape) for a in axes):
                raise ValueError(f"{name}: `{arg}`={axes} names an axis outside the shape "
                                 f"{shape} of rank {len(shape)}.")
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_NORMAL_STDDEV
            return random.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _VarianceScalingPreset(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by the subclass."""

    _preset = ()  # (scale, mode, distribution)

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._preset
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": serialization.serialize_keras_object(self._init_seed),
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_VarianceScalingPreset):
    """Glorot (Xavier) uniform: U[-limit, limit) with `limit = sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> x = lamina.initializers.GlorotUniform(seed=1)((4, 2))
    >>> bool(lamina.ops.max(lamina.ops.abs(x)) < 1.0)
    True
    """

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_VarianceScalingPreset):
    """Glorot (Xavier) normal: truncated normal with variance `2 / (fan_in + fan_out)`.

    Args:
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> tuple(lamina.initializers.GlorotNormal(seed=1)((4, 2)).shape)
    (4, 2)
    """

    _preset = (1.0, "fan_avg", "truncated_normal")


class LecunNormal(_VarianceScalingPreset):
    """LeCun normal: truncated normal with variance `1 / fan_in`.

    Args:
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> tuple(lamina.initializers.LecunNormal(seed=1)((4, 2)).shape)
    (4, 2)
    """

    _preset = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_VarianceScalingPreset):
    """LeCun uniform: U[-limit, limit) with `limit = sqrt(3 / fan_in)`.

    Args:
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> x = lamina.initializers.LecunUniform(seed=1)((3, 2))
    >>> bool(lamina.ops.max(lamina.ops.abs(x)) < 1.0)
    True
    """

    _preset = (1.0, "fan_in", "uniform")


class HeNormal(_VarianceScalingPreset):
    """He normal: truncated normal with variance `2 / fan_in`.

    Args:
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> tuple(lamina.initializers.HeNormal(seed=1)((4, 2)).shape)
    (4, 2)
    """

    _preset = (2.0, "fan_in", "truncated_normal")


class HeUniform(_VarianceScalingPreset):
    """He uniform: U[-limit, limit) with `limit = sqrt(6 / fan_in)`.

    Args:
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).
        input_axes: Optional axes whose sizes multiply into fan_in (with `output_axes`).
        output_axes: Optional axes whose sizes multiply into fan_out (with `input_axes`).

    >>> x = lamina.initializers.HeUniform(seed=1)((6, 2))
    >>> bool(lamina.ops.max(lamina.ops.abs(x)) < 1.0)
    True
    """

    _preset = (2.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain` (QR of a normal matrix, with signs fixed).

    Shapes of rank > 2 are treated as a matrix `(prod(shape[:-1]), shape[-1])`; its rows
    (or columns, whichever are fewer) are orthonormal times `gain`.

    Args:
        gain: Multiplicative factor. Defaults to `1.0`.
        seed: Int, `lamina.random.SeedGenerator` or `None` (see the module docstring).

    >>> q = lamina.initializers.Orthogonal(seed=1)((3, 3))
    >>> gram = lamina.ops.matmul(lamina.ops.transpose(q), q)
    >>> bool(lamina.ops.max(lamina.ops.abs(gram - lamina.ops.eye(3))) < 1e-5)
    True
    """

    def __init__(self, gain=1.0, seed=None):
        _check_number("Orthogonal", "gain", gain)
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = standardize_shape("Orthogonal", shape)
        if len(shape) < 2:
            raise ValueError("Orthogonal: the tensor to initialize must be at least 2-D. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = standardize_dtype("Orthogonal", dtype, float_only=True)
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        # QR has no half-precision kernels, so half types factorize in float32.
        work_dtype = "float32" if dtype in ("float16", "bfloat16") else dtype
        q, r = ops.qr(random.normal(flat_shape, seed=self.seed, dtype=work_dtype))
        # Signs of R's diagonal make Q uniformly distributed (Haar) rather than QR-biased.
        q = ops.multiply(q, ops.sign(ops.diag(r)))
        if num_rows < num_cols:
            q = ops.transpose(q)
        return ops.cast(ops.multiply(ops.reshape(q, shape), self.gain), dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
