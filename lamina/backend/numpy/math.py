"""Math ops on NumPy that NumPy does not name: logsumexp, top_k, erf, segment sums, rsqrt.

SciPy supplies `erf`/`erfinv` when it is installed; without it they are computed here.
"""

import math as pymath

import numpy as np

from lamina.backend.numpy.core import convert_to_tensor
from lamina.backend.numpy.numpy import _float_input

try:
    from scipy import special as _special
except ImportError:  # SciPy is optional
    _special = None


def logsumexp(x, axis=None, keepdims=False):
    x = _float_input(x)
    peak = np.max(x, axis=axis, keepdims=True)
    # An all -inf slice has no finite peak to subtract: shift by 0 and keep its -inf sum.
    peak = np.where(np.isfinite(peak), peak, np.zeros_like(peak))
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
    return out if keepdims else np.squeeze(out, axis=axis)


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    # A stable sort of the negated values puts the earlier of two equal values first, as
    # `lax.top_k` does.
    order = np.argsort(_descending_key(x), axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, axis=-1), order.astype(np.int32)


def _descending_key(x):
    if x.dtype == np.bool_:
        return ~x
    if np.issubdtype(x.dtype, np.unsignedinteger):
        return np.iinfo(x.dtype).max - x
    if np.issubdtype(x.dtype, np.integer):
        return -x.astype(np.int64)
    # NaN sorts last in NumPy; `lax.top_k` ranks it above every number.
    return np.where(np.isnan(x), -np.inf, -x.astype(np.float64))


def in_top_k(targets, predictions, k):
    targets = convert_to_tensor(targets).astype(np.int32)
    predictions = _float_input(predictions)
    target_scores = np.take_along_axis(predictions, targets[:, None], axis=-1)
    # A NaN score is no evidence for the target: rank it last rather than first.
    target_scores = np.where(np.isnan(target_scores), -np.inf, target_scores)
    # A target is in the top k when fewer than k classes score strictly higher.
    higher = np.sum(predictions > target_scores, axis=-1)
    return higher < k


def erf(x):
    x = _float_input(x)
    if _special is not None:
        return _special.erf(x).astype(x.dtype)
    return np.vectorize(pymath.erf, otypes=[np.float64])(x).astype(x.dtype)


def erfinv(x):
    x = _float_input(x)
    if _special is not None:
        return _special.erfinv(x).astype(x.dtype)
    return _erfinv(x.astype(np.float64)).astype(x.dtype)


def _erfinv(y):
    """Inverse error function in float64: Giles's approximation, then two Newton steps."""
    with np.errstate(all="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        small = w - 2.5
        big = np.sqrt(w) - 3.0
        p_small = np.polyval([2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                              0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                              1.50140941], small)
        p_big = np.polyval([-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                            0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
                            2.83297682], big)
        x = np.where(w < 5.0, p_small, p_big) * y
        erf64 = np.vectorize(pymath.erf, otypes=[np.float64])
        for _ in range(2):
            x = x - (erf64(x) - y) / (2.0 / np.sqrt(np.pi) * np.exp(-x * x))
        x = np.where(np.abs(y) == 1.0, np.copysign(np.inf, y), x)
        return np.where(np.abs(y) > 1.0, np.nan, x)


def rsqrt(x):
    x = _float_input(x)
    with np.errstate(divide="ignore"):
        return (1 / np.sqrt(x)).astype(x.dtype)


def _segment_setup(data, segment_ids, num_segments):
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    if num_segments is None:
        num_segments = int(np.max(segment_ids)) + 1 if segment_ids.size else 0
    # As `jax.ops.segment_*`: rows whose id is outside [0, num_segments) are dropped.
    keep = (segment_ids >= 0) & (segment_ids < num_segments)
    return data, segment_ids, int(num_segments), keep


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids, num_segments, keep = _segment_setup(data, segment_ids, num_segments)
    out = np.zeros((num_segments, *data.shape[segment_ids.ndim:]), dtype=data.dtype)
    np.add.at(out, segment_ids[keep], data[keep])
    return out


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids, num_segments, keep = _segment_setup(data, segment_ids, num_segments)
    if data.dtype == np.bool_:
        lowest = False
    elif np.issubdtype(data.dtype, np.integer):
        lowest = np.iinfo(data.dtype).min
    else:
        lowest = -np.inf  # an empty segment's max is max's identity, as in JAX
    out = np.full((num_segments, *data.shape[segment_ids.ndim:]), lowest, dtype=data.dtype)
    np.maximum.at(out, segment_ids[keep], data[keep])
    return out


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids, num_segments, keep = _segment_setup(data, segment_ids, num_segments)
    if data.dtype == np.bool_:
        highest = True
    elif np.issubdtype(data.dtype, np.integer):
        highest = np.iinfo(data.dtype).max
    else:
        highest = np.inf  # an empty segment's min is min's identity, as in JAX
    out = np.full((num_segments, *data.shape[segment_ids.ndim:]), highest, dtype=data.dtype)
    np.minimum.at(out, segment_ids[keep], data[keep])
    return out


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids, num_segments, keep = _segment_setup(data, segment_ids, num_segments)
    out = np.ones((num_segments, *data.shape[segment_ids.ndim:]), dtype=data.dtype)
    np.multiply.at(out, segment_ids[keep], data[keep])
    return out


def erfc(x):
    x = _float_input(x)
    if _special is not None:
        return _special.erfc(x).astype(x.dtype)
    return np.vectorize(pymath.erfc, otypes=[np.float64])(x).astype(x.dtype)


def logdet(x):
    return np.linalg.slogdet(_float_input(x))[1]


def cdist(x, y):
    x, y = _float_input(x), _float_input(y)
    dtype = np.promote_types(x.dtype, y.dtype)
    diff = x.astype(dtype)[..., :, None, :] - y.astype(dtype)[..., None, :, :]
    return np.sqrt(np.sum(np.square(diff), axis=-1))


def extract_sequences(x, sequence_length, sequence_stride):
    x = convert_to_tensor(x)
    count = (x.shape[-1] - sequence_length) // sequence_stride + 1
    index = (np.arange(count)[:, None] * sequence_stride
             + np.arange(sequence_length)[None, :])
    return x[..., index]


def _complex(x):
    real, imag = (_float_input(v) for v in x)
    dtype = np.result_type(real.dtype, imag.dtype, np.complex64)
    return (real + 1j * imag.astype(real.dtype)).astype(dtype)


def _parts(z):
    return np.real(z), np.imag(z)


def fft(x):
    return _parts(np.fft.fft(_complex(x)))


def fft2(x):
    return _parts(np.fft.fft2(_complex(x)))


def ifft2(x):
    return _parts(np.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    return _parts(np.fft.rfft(_float_input(x), n=fft_length, axis=-1))


def irfft(x, fft_length=None):
    return np.fft.irfft(_complex(x), n=fft_length, axis=-1)


def view_as_complex(x):
    x = _float_input(x)
    return _complex((x[..., 0], x[..., 1]))


def view_as_real(x):
    x = convert_to_tensor(x)
    return np.stack([np.real(x), np.imag(x)], axis=-1)


def _named_window(name, length):
    """A periodic window (SciPy's `get_window` convention), from SciPy when installed."""
    try:
        import scipy.signal
    except ImportError:
        n = np.arange(length)
        cosines = {"hann": (0.5, 0.5, 0.0), "hamming": (0.54, 0.46, 0.0),
                   "blackman": (0.42, 0.5, 0.08)}
        if name not in cosines:
            raise ValueError(f"stft: window {name!r} needs SciPy on the numpy backend; without "
                             f"it the named windows are {sorted(cosines)}.") from None
        a0, a1, a2 = cosines[name]
        phase = 2 * np.pi * n / length
        return a0 - a1 * np.cos(phase) + a2 * np.cos(2 * phase)
    return scipy.signal.get_window(name, length)


def _stft_window(window, sequence_length, fft_length, dtype):
    """The analysis window, zero-padded on both sides (extra zero on the right) to fft_length.

    No window means a rectangular one over the whole `fft_length` frame, as Keras has it.
    """
    if window is None:
        return np.ones((fft_length,), dtype)
    if isinstance(window, str):
        win = np.asarray(_named_window(window, sequence_length), dtype)
    else:
        win = convert_to_tensor(window).astype(dtype)
    left = (fft_length - sequence_length) // 2
    return np.pad(win, (left, fft_length - sequence_length - left))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = _float_input(x)
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = np.pad(x, pad, mode="reflect")
    win = _stft_window(window, sequence_length, fft_length, x.dtype)
    frames = extract_sequences(x, fft_length, sequence_stride)  # (..., frames, fft_length)
    return _parts(np.fft.rfft(frames * win, n=fft_length, axis=-1))


def _overlap_add(frames, stride):
    """Sum of `(..., count, size)` frames placed `stride` apart: shape `(..., (count-1)*stride
    + size)`."""
    count, size = frames.shape[-2:]
    out = np.zeros((*frames.shape[:-2], (count - 1) * stride + size), frames.dtype)
    for i in range(count):
        out[..., i * stride:i * stride + size] += frames[..., i, :]
    return out


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    z = _complex(x)
    dtype = np.real(z).dtype
    frames = np.fft.irfft(z, n=fft_length, axis=-1)
    win = _stft_window(window, sequence_length, fft_length, dtype)
    signal = _overlap_add(frames * win, sequence_stride)
    norm = _overlap_add(np.broadcast_to(win * win, frames.shape[-2:]), sequence_stride)
    # Where no window overlaps (norm ~ 0) the samples are left unnormalized, as SciPy does.
    signal = signal / np.where(norm > 1e-10, norm, np.ones_like(norm))
    if window is None:
        # An all-ones window overlap-adds to roughly fft_length / stride copies of each sample.
        signal = signal * fft_length / sequence_stride
    signal = signal.astype(dtype)
    start = fft_length // 2 if center else 0
    if length is not None:
        return signal[..., start:start + length]
    end = signal.shape[-1] - fft_length // 2 if center else signal.shape[-1]
    return signal[..., start:end]
