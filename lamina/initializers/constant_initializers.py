"""Deterministic initializers: Constant, Zeros, Ones, Identity and STFT."""

import math
import numbers

import numpy as np

from lamina import backend, ops
from lamina.initializers.initializer import Initializer, standardize_dtype, standardize_shape


def _serialize_value(value):
    """A JSON-friendly form of `value`, with arrays in Keras 3's `__numpy__` form."""
    if isinstance(value, (bool, numbers.Number)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    array = np.asarray(backend.convert_to_numpy(value) if backend.is_tensor(value) else value)
    return {"class_name": "__numpy__", "config": {"value": array.tolist(),
                                                  "dtype": backend.standardize_dtype(array.dtype)}}


def _deserialize_value(config):
    if isinstance(config, dict) and config.get("class_name") in ("__numpy__", "__tensor__"):
        inner = config.get("config", {})
        dtype = backend.dtypes.to_numpy_dtype(inner.get("dtype"))
        return np.asarray(inner.get("value"), dtype=dtype)
    return config


class Constant(Initializer):
    """Fills the tensor with `value` (a number, or an array broadcastable to the shape).

    Args:
        value: A Python number or array-like. Defaults to `0.0`.

    >>> lamina.initializers.Constant(3.0)((2,)).tolist()
    [3.0, 3.0]
    """

    def __init__(self, value=0.0):
        if isinstance(value, str) or value is None:
            raise TypeError("Constant: `value` must be a number or an array-like of numbers. "
                            f"Received: value={value!r}")
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = standardize_shape("Constant", shape)
        dtype = standardize_dtype("Constant", dtype)
        value = ops.cast(self.value, dtype)
        if tuple(value.shape) == shape:
            return value
        try:
            return ops.broadcast_to(value, shape)
        except ValueError as error:
            raise ValueError(f"Constant: the value of shape {tuple(value.shape)} cannot be "
                             f"broadcast to the requested shape {shape}. Pass a scalar or an "
                             "array that broadcasts to it.") from error

    def get_config(self):
        return {"value": _serialize_value(self.value)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "value" in config:
            config["value"] = _deserialize_value(config["value"])
        return cls(**config)


class Zeros(Initializer):
    """Fills the tensor with 0.

    >>> lamina.initializers.Zeros()((2,)).tolist()
    [0.0, 0.0]
    """

    def __call__(self, shape, dtype=None):
        return ops.zeros(standardize_shape("Zeros", shape), dtype=standardize_dtype("Zeros", dtype))


class Ones(Initializer):
    """Fills the tensor with 1.

    >>> lamina.initializers.Ones()((2,), dtype="int32").tolist()
    [1, 1]
    """

    def __call__(self, shape, dtype=None):
        return ops.ones(standardize_shape("Ones", shape), dtype=standardize_dtype("Ones", dtype))


class Identity(Initializer):
    """A 2-D identity matrix times `gain` (ones on the main diagonal of non-square shapes).

    Args:
        gain: Multiplicative factor. Defaults to `1.0`.

    >>> lamina.initializers.Identity(gain=2.0)((2, 3)).tolist()
    [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain=1.0):
        if isinstance(gain, bool) or not isinstance(gain, numbers.Real):
            raise TypeError(f"Identity: `gain` must be a number. Received: gain={gain!r}")
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = standardize_shape("Identity", shape)
        if len(shape) != 2:
            raise ValueError("Identity: the identity initializer makes 2-D matrices only. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = standardize_dtype("Identity", dtype)
        return ops.multiply(ops.eye(*shape, dtype=dtype), self.gain)

    def get_config(self):
        return {"gain": self.gain}


class STFT(Initializer):
    """Kernel of a short-time Fourier transform, for a Conv1D over frames of a signal.

    For a shape `(frame_length, input_channels, fft_length)` it fills
    `cos(-2 pi t f / n)` (side "real") or `sin(...)` (side "imag") with `n = 2 (fft_length - 1)`,
    times the window, divided by the window's scale.

    Args:
        side: `"real"` or `"imag"`: which part of the transform. Defaults to `"real"`.
        window: A window name known to `scipy.signal.get_window` (e.g. `"hann"`, `"hamming"`),
            an array of length `frame_length`, or `None` for no window. Defaults to `"hann"`.
        scaling: `"density"` (divide by the window's L2 norm), `"spectrum"` (by its sum) or
            `None`. Defaults to `"density"`.
        periodic: Whether a named window is periodic (for spectral analysis) rather than
            symmetric. Defaults to `False`.

    >>> tuple(lamina.initializers.STFT()((8, 1, 5)).shape)
    (8, 1, 5)
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: `side` must be 'real' or 'imag'. Received: side={side!r}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("STFT: `scaling` must be None, 'density' or 'spectrum'. "
                             f"Received: scaling={scaling!r}")
        if isinstance(window, str):
            _get_window(window, 1, periodic)
        self.side = side
        self.window = window.tolist() if isinstance(window, np.ndarray) else window
        self.scaling = scaling
        self.periodic = bool(periodic)

    def __call__(self, shape, dtype=None):
        shape = standardize_shape("STFT", shape)
        if len(shape) != 3:
            raise ValueError("STFT: `shape` must be (frame_length, input_channels, fft_length). "
                             f"Received: shape={shape}")
        dtype = standardize_dtype("STFT", dtype, float_only=True)
        frame_length, _, fft_length = shape
        if fft_length < 2:
            raise ValueError(f"STFT: fft_length (the last axis of `shape`) must be >= 2. "
                             f"Received: shape={shape}")
        time = ops.reshape(ops.arange(frame_length, dtype=dtype), (frame_length, 1, 1))
        freq = ops.divide(ops.reshape(ops.arange(fft_length, dtype=dtype), (1, 1, fft_length)),
                          (fft_length - 1) * 2)
        angle = ops.multiply(ops.multiply(ops.multiply(time, -2.0), freq), math.pi)
        kernel = ops.cos(angle) if self.side == "real" else ops.sin(angle)
        if self.window is not None:
            # The window comes from the host (SciPy's table of named windows).
            win = (_get_window(self.window, frame_length, self.periodic)
                   if isinstance(self.window, str) else np.asarray(self.window, dtype=np.float64))
            if win.shape != (frame_length,):
                raise ValueError(f"STFT: the window must have shape ({frame_length},), the "
                                 f"frame_length. Received a window of shape {win.shape}.")
            win = ops.reshape(ops.convert_to_tensor(win, dtype=dtype), (frame_length, 1, 1))
            kernel = ops.multiply(kernel, win)
            if self.scaling == "density":
                kernel = ops.divide(kernel, ops.sqrt(ops.sum(ops.square(win))))
            elif self.scaling == "spectrum":
                kernel = ops.divide(kernel, ops.sum(ops.abs(win)))
        return ops.broadcast_to(kernel, shape)

    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


def _get_window(name, length, periodic):
    try:
        from scipy import signal
    except ImportError as error:
        raise ImportError("STFT: named windows need SciPy (`pip install scipy`), or pass the "
                          "window as an array.") from error
    try:
        return np.asarray(signal.get_window(name, length, fftbins=periodic), dtype=np.float64)
    except ValueError as error:
        raise ValueError(f"STFT: unknown window {name!r} ({error}). Use a name known to "
                         "scipy.signal.get_window such as 'hann' or 'hamming'.") from error
