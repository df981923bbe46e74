"""Audio preprocessing layers: MelSpectrogram and STFTSpectrogram.

MelSpectrogram turns raw signals into (log-)mel spectrograms with `ops.stft`; STFTSpectrogram
computes short-time Fourier spectra as a convolution with fixed Fourier kernels (weights made by
the `STFT` initializer, so they can also be fine-tuned).
"""

import math
import warnings

import numpy as np

from lamina import backend, initializers, ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _utils

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _positive_int(owner, name, value):
    if not _utils.is_int(value) or value <= 0:
        raise ValueError(f"{owner}: `{name}` must be a positive int. Received: {name}={value!r}")
    return int(value)


def _number(owner, name, value, positive=False):
    if not _utils.is_number(value) or (positive and value <= 0):
        kind = "a positive number" if positive else "a number"
        raise ValueError(f"{owner}: `{name}` must be {kind}. Received: {name}={value!r}")
    return value


def _hertz_to_mel(frequencies):
    return _MEL_HIGH_FREQUENCY_Q * np.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate,
                                lower_edge_hertz, upper_edge_hertz):
    """The `(num_spectrogram_bins, num_mel_bins)` matrix of triangular mel filters (HTK mel
    scale; the DC bin gets no weight), computed on the host in float32 as Keras does."""
    f32 = np.float32
    nyquist = f32(sampling_rate) / f32(2.0)
    linear = np.linspace(f32(0.0), nyquist, num_spectrogram_bins, dtype=f32)[1:]
    bins_mel = _hertz_to_mel(linear).astype(f32)[:, None]
    edges = np.linspace(_hertz_to_mel(f32(lower_edge_hertz)), _hertz_to_mel(
        f32(upper_edge_hertz)), num_mel_bins + 2, dtype=f32)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = np.maximum(f32(0.0), np.minimum(lower_slopes, upper_slopes))
    return np.pad(weights, [[1, 0], [0, 0]]).astype(f32)


class MelSpectrogram(Layer):
    """Mel spectrograms of raw audio signals, in decibels by default.

    The signal is split into frames of `fft_length` samples every `sequence_stride` samples
    (centred: padded by reflection), windowed, Fourier transformed; the magnitude to the power
    `mag_exp` is projected on `num_mel_bins` triangular mel filters between `min_freq` and
    `max_freq`. With `power_to_db` the result becomes
    `10 log10(max(x, min_power) / max(ref_power, min_power))`, floored at `top_db` below the
    maximum of the whole batch.

    Args:
        fft_length: Positive int, the size of each frame's FFT.
        sequence_stride: Positive int, the hop between frames.
        sequence_length: Window length (<= fft_length); None means fft_length.
        window: "hann", "hamming" or None (rectangular).
        sampling_rate: Positive int, samples per second.
        num_mel_bins: Positive int, the number of mel bands.
        min_freq, max_freq: Frequency range of the filters in Hz; max_freq None means
            `sampling_rate / 2`.
        power_to_db: Whether to convert to decibels.
        top_db: Dynamic range kept by `power_to_db`, in dB.
        mag_exp: Exponent of the magnitude (1: amplitude, 2: power).
        min_power: Lower bound of the power before the log.
        ref_power: Power of 0 dB.

    Input shape: `(samples,)` or `(batch, samples)`. Output shape: `(num_mel_bins, frames)` or
    `(batch, num_mel_bins, frames)`, with `frames = 1 + samples // sequence_stride`.

    >>> layer = lamina.layers.MelSpectrogram(fft_length=64, sequence_stride=16, num_mel_bins=8)
    >>> tuple(layer(np.zeros((2, 128), "float32")).shape)
    (2, 8, 9)
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        super().__init__(**kwargs)
        owner = "MelSpectrogram"
        self.fft_length = _positive_int(owner, "fft_length", fft_length)
        self.sequence_stride = _positive_int(owner, "sequence_stride", sequence_stride)
        self.sequence_length = _positive_int(owner, "sequence_length",
                                             sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"{owner}: `fft_length` must be at least `sequence_length`. "
                             f"Received: sequence_length={self.sequence_length}, "
                             f"fft_length={self.fft_length}")
        if window is not None:
            _utils.check_choice(owner, "window", window, ("hann", "hamming"))
        self.window = window
        self.sampling_rate = _positive_int(owner, "sampling_rate", sampling_rate)
        self.num_mel_bins = _positive_int(owner, "num_mel_bins", num_mel_bins)
        self.min_freq = _number(owner, "min_freq", min_freq)
        self.max_freq = _number(owner, "max_freq", max_freq or int(sampling_rate / 2))
        if not 0 <= self.min_freq < self.max_freq:
            raise ValueError(f"{owner}: need 0 <= min_freq < max_freq. Received: "
                             f"min_freq={min_freq!r}, max_freq={self.max_freq!r}")
        self.power_to_db = bool(power_to_db)
        self.top_db = _number(owner, "top_db", top_db)
        self.mag_exp = _number(owner, "mag_exp", mag_exp)
        self.min_power = _number(owner, "min_power", min_power, positive=True)
        self.ref_power = _number(owner, "ref_power", ref_power)

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") \
            else "float32"
        inputs = ops.cast(inputs, dtype)
        real, imag = ops.stft(inputs, self.sequence_length, self.sequence_stride,
                              self.fft_length, window=self.window, center=True)
        spectrum = ops.power(ops.sqrt(ops.add(ops.square(real), ops.square(imag))),
                             self.mag_exp)
        matrix = linear_to_mel_weight_matrix(self.num_mel_bins, self.fft_length // 2 + 1,
                                             self.sampling_rate, self.min_freq, self.max_freq)
        mel = ops.tensordot(spectrum, ops.convert_to_tensor(matrix, dtype=dtype), axes=1)
        if self.power_to_db:
            mel = self._to_db(mel)
        return ops.cast(ops.swapaxes(mel, -1, -2), self.compute_dtype)

    def _to_db(self, power):
        log_spec = ops.multiply(10.0, ops.log10(ops.maximum(power, self.min_power)))
        log_spec = ops.subtract(log_spec, 10.0 * math.log10(max(abs(self.ref_power),
                                                                self.min_power)))
        return ops.maximum(log_spec, ops.subtract(ops.max(log_spec), self.top_db))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) not in (1, 2):
            raise ValueError(f"MelSpectrogram '{self.name}' expects signals of shape (samples,) "
                             f"or (batch, samples). Received shape {input_shape}.")
        samples = input_shape[-1]
        frames = None if samples is None else 1 + samples // self.sequence_stride
        return (*input_shape[:-1], self.num_mel_bins, frames)

    def get_config(self):
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}


_STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Short-time Fourier spectrograms of multi-channel signals, as a strided convolution.

    Frames of `frame_length` samples every `frame_step` samples are multiplied by the window
    and transformed to `fft_length // 2 + 1` frequency bins, per input channel. The kernels
    (`real_kernel`, `imag_kernel`) come from the `STFT` initializer.

    Args:
        mode: "log" (log magnitude), "magnitude", "psd" (power spectral density), "real",
            "imag", "angle" (phase), or "stft" (real and imaginary parts concatenated along the
            frequency axis).
        frame_length: Positive int, the window length in samples.
        frame_step: Hop between frames, in `[1, frame_length]`; None means `frame_length // 2`.
        fft_length: FFT size, at least `frame_length` (a power of two is recommended); None
            means the next power of two.
        window: A window name known to `scipy.signal.get_window`, an array, or None.
        periodic: Whether a named window is periodic rather than symmetric.
        scaling: "density", "spectrum" or None: the window normalization.
        padding: "valid" or "same", as in convolutions.
        expand_dims: Keep channels as a separate axis instead of stacking them along the
            frequency axis.
        data_format: "channels_last" (`(batch, time, channels)`) or "channels_first".

    Input shape: `(batch, time, channels)` ("channels_last"). Output shape:
    `(batch, frames, channels * bins)`, or `(batch, frames, bins, channels)` with expand_dims.

    >>> layer = lamina.layers.STFTSpectrogram(frame_length=16, frame_step=8)
    >>> tuple(layer(np.ones((1, 64, 1), "float32")).shape)
    (1, 7, 9)
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        owner = "STFTSpectrogram"
        frame_length = _positive_int(owner, "frame_length", frame_length)
        if frame_step is not None and (not _utils.is_int(frame_step)
                                       or not 1 <= frame_step <= frame_length):
            raise ValueError(f"{owner}: `frame_step` must be an int in [1, frame_length]. "
                             f"Received: frame_step={frame_step!r}, "
                             f"frame_length={frame_length}")
        if fft_length is not None:
            if not _utils.is_int(fft_length) or fft_length < frame_length:
                raise ValueError(f"{owner}: `fft_length` must be an int of at least "
                                 f"`frame_length`. Received: fft_length={fft_length!r}, "
                                 f"frame_length={frame_length}")
            if fft_length & -fft_length != fft_length:
                warnings.warn(f"{owner}: `fft_length` is best a power of two. Received: "
                              f"fft_length={fft_length}", stacklevel=2)
        _utils.check_choice(owner, "mode", mode, _STFT_MODES)
        _utils.check_choice(owner, "scaling", scaling, (None, "density", "spectrum"))
        _utils.check_choice(owner, "padding", padding, ("valid", "same"))
        initializers.STFT("real", window, scaling, periodic)  # checks the window early
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** math.ceil(math.log2(frame_length))
        self.window = window.tolist() if isinstance(window, np.ndarray) else window
        self.periodic = bool(periodic)
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = bool(expand_dims)
        self.data_format = backend.config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=initializers.STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=initializers.STFT("imag", self.window, self.scaling, self.periodic))

    def _apply_conv(self, inputs, kernel):
        """Per-channel convolution: `(batch, channels, bins, frames)`."""
        if self.data_format == "channels_last":
            _, time, channels = inputs.shape
            signals = ops.reshape(ops.transpose(inputs, (0, 2, 1)), (-1, time, 1))
        else:
            _, channels, time = inputs.shape
            signals = ops.reshape(inputs, (-1, 1, time))
        out = ops.conv(signals, ops.cast(kernel, inputs.dtype), strides=self._frame_step,
                       padding=self.padding, data_format=self.data_format)
        if self.data_format == "channels_last":
            out = ops.transpose(out, (0, 2, 1))
        return ops.reshape(out, (-1, channels, out.shape[1], out.shape[2]))

    def _layout(self, outputs):
        """`(batch, channels, bins, frames)` in the layer's output layout."""
        _, channels, bins, frames = outputs.shape
        if self.expand_dims:
            order = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return ops.transpose(outputs, order)
        outputs = ops.reshape(outputs, (-1, channels * bins, frames))
        return ops.transpose(outputs, (0, 2, 1)) if self.data_format == "channels_last" \
            else outputs

    def call(self, inputs):
        dtype = backend.standardize_dtype(inputs.dtype)
        if dtype not in ("float16", "float32", "float64"):
            raise TypeError(f"STFTSpectrogram '{self.name}' expects float16, float32 or float64 "
                            f"signals. Received dtype {dtype}; cast with ops.cast first.")
        real = self._apply_conv(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._apply_conv(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._layout(real)
        if self.mode == "imag":
            return self._layout(imag)
        if self.mode == "angle":
            return self._layout(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._layout(ops.concatenate([real, imag], axis=2))
        power = ops.add(ops.square(real), ops.square(imag))
        if self.mode == "psd":
            # One-sided spectrum: every bin but DC and Nyquist also holds its mirror's power.
            inner = ops.pad(power[:, :, 1:-1, :], [[0, 0], [0, 0], [1, 1], [0, 0]])
            return self._layout(ops.add(power, inner))
        magnitude = self._layout(ops.sqrt(ops.maximum(power, backend.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, backend.epsilon()))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"STFTSpectrogram '{self.name}' expects inputs of rank 3 "
                             f"(batch, time, channels). Received shape {input_shape}.")
        if self.data_format == "channels_last":
            batch, time, channels = input_shape
        else:
            batch, channels, time = input_shape
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = None
        if time is not None:
            frames = (-(-time // self._frame_step) if self.padding == "same"
                      else (time - self.frame_length) // self._frame_step + 1)
        if self.expand_dims:
            return ((batch, frames, bins, channels) if self.data_format == "channels_last"
                    else (batch, channels, frames, bins))
        stacked = None if channels is None else channels * bins
        return ((batch, frames, stacked) if self.data_format == "channels_last"
                else (batch, stacked, frames))

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}
