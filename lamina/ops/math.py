"""Math ops beyond NumPy: logsumexp, top_k, erf, segment reductions, distances, FFTs, STFT."""

import numbers

from lamina import backend
from lamina.ops.dispatch import run


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))`, computed stably."""
    return run(logsumexp, backend.math.logsumexp, x, axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    """Values and indices of the `k` largest entries of the last axis."""
    return run(top_k, backend.math.top_k, x, k, sorted=sorted)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the top `k` predictions."""
    return run(in_top_k, backend.math.in_top_k, targets, predictions, k)


def erf(x):
    """Gauss error function."""
    return run(erf, backend.math.erf, x)


def erfinv(x):
    """Inverse error function."""
    return run(erfinv, backend.math.erfinv, x)


def rsqrt(x):
    """`1 / sqrt(x)`."""
    return run(rsqrt, backend.math.rsqrt, x)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of segments of `data`."""
    return run(segment_sum, backend.math.segment_sum, data, segment_ids, num_segments=num_segments, sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maxima of segments of `data`."""
    return run(segment_max, backend.math.segment_max, data, segment_ids, num_segments=num_segments, sorted=sorted)


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minima of segments of `data`: `out[i] = min(data[segment_ids == i])`.

    Args:
        data: Tensor whose first axis is segmented.
        segment_ids: Integers `(data.shape[0],)`, the segment of each row.
        num_segments: Int, the number of segments; required inside compiled functions.
        sorted: Whether `segment_ids` is sorted (a hint for speed).

    Returns:
        Tensor `(num_segments, *data.shape[1:])`; empty segments hold the dtype's largest value.

    >>> segment_min([3.0, 1.0, 2.0], [0, 0, 1], num_segments=2).tolist()
    [1.0, 2.0]
    """
    return run(segment_min, backend.math.segment_min, data, segment_ids,
               num_segments=num_segments, sorted=sorted)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Products of segments of `data`; empty segments give 1.

    Args:
        data: Tensor whose first axis is segmented.
        segment_ids: Integers `(data.shape[0],)`, the segment of each row.
        num_segments: Int, the number of segments; required inside compiled functions.
        sorted: Whether `segment_ids` is sorted (a hint for speed).

    Returns:
        Tensor `(num_segments, *data.shape[1:])`.

    >>> segment_prod([3.0, 2.0, 5.0], [0, 0, 1], num_segments=2).tolist()
    [6.0, 5.0]
    """
    return run(segment_prod, backend.math.segment_prod, data, segment_ids,
               num_segments=num_segments, sorted=sorted)


def erfc(x):
    """Complementary error function `1 - erf(x)`, accurate where `erf(x)` is close to 1.

    Args:
        x: Tensor (integers are computed in floatx).

    Returns:
        Float tensor shaped like `x`.

    >>> float(erfc(0.0))
    1.0
    """
    return run(erfc, backend.math.erfc, x)


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(backend.convert_to_tensor(x).shape)


def _dtype(x):
    x = x if hasattr(x, "dtype") else backend.convert_to_tensor(x)
    return backend.standardize_dtype(x.dtype)


def logdet(x):
    """Natural log of the determinant of symmetric positive-definite matrices (from `slogdet`,
    so it does not overflow where the determinant would).

    Args:
        x: Tensor `(..., M, M)`.

    Returns:
        Float tensor `(...)`.

    >>> round(float(logdet([[2.0, 0.0], [0.0, 3.0]])), 4)
    1.7918
    """
    shape = _shape(x)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError("logdet: `x` must be a tensor of square matrices (..., M, M). "
                         f"Received: x.shape={shape}")
    return run(logdet, backend.math.logdet, x)


def cdist(x, y):
    """Euclidean distances between the rows of `x` and the rows of `y`.

    Args:
        x: Tensor `(..., P, D)`.
        y: Tensor `(..., R, D)`, batch axes as in `x`.

    Returns:
        Float tensor `(..., P, R)`: `out[..., i, j] = ||x[..., i, :] - y[..., j, :]||`.

    >>> cdist([[0.0, 0.0]], [[3.0, 4.0], [0.0, 1.0]]).tolist()
    [[5.0, 1.0]]
    """
    xs, ys = _shape(x), _shape(y)
    if len(xs) < 2 or len(ys) < 2 or xs[-1] != ys[-1]:
        raise ValueError("cdist: `x` and `y` must have rank >= 2 and the same last axis "
                         f"(points are rows). Received: x.shape={xs}, y.shape={ys}")
    return run(cdist, backend.math.cdist, x, y)


def _check_positive(op, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{op}: `{name}` must be a positive int. Received: {name}={value!r}")


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of the last axis: windows of `sequence_length` samples, `sequence_stride` apart.

    Args:
        x: Tensor `(..., length)`.
        sequence_length: Int, samples per frame.
        sequence_stride: Int, samples between frame starts.

    Returns:
        Tensor `(..., num_frames, sequence_length)` with
        `num_frames = 1 + (length - sequence_length) // sequence_stride`.

    >>> extract_sequences([1, 2, 3, 4, 5], 3, 2).tolist()
    [[1, 2, 3], [3, 4, 5]]
    """
    _check_positive("extract_sequences", "sequence_length", sequence_length)
    _check_positive("extract_sequences", "sequence_stride", sequence_stride)
    shape = _shape(x)
    if not shape or (shape[-1] is not None and shape[-1] < sequence_length):
        raise ValueError("extract_sequences: the last axis of `x` must hold at least "
                         f"sequence_length={sequence_length} samples. Received: x.shape={shape}")
    return run(extract_sequences, backend.math.extract_sequences, x, sequence_length,
               sequence_stride)


def _check_complex_pair(op, x, min_rank=1):
    """`x` must be a pair (real, imag) of float tensors of one shape."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op}: `x` must be a tuple (real, imag) of two float tensors. "
                         f"Received: x={x!r}")
    shapes = [_shape(v) for v in x]
    if shapes[0] != shapes[1] or len(shapes[0]) < min_rank:
        raise ValueError(f"{op}: the real and imaginary parts must have the same shape, of rank "
                         f">= {min_rank}. Received: x[0].shape={shapes[0]}, "
                         f"x[1].shape={shapes[1]}")
    dtypes = [_dtype(v) for v in x]
    if not all("float" in d for d in dtypes):
        raise ValueError(f"{op}: the real and imaginary parts must be float tensors. Received "
                         f"dtypes {tuple(dtypes)}; cast them, e.g. `ops.cast(x, 'float32')`.")
    return tuple(x)


def fft(x):
    """Discrete Fourier transform along the last axis.

    Args:
        x: Tuple `(real, imag)` of float tensors of one shape.

    Returns:
        Tuple `(real, imag)` of the transform.

    >>> [v.tolist() for v in fft(([1.0, 0.0], [0.0, 0.0]))]
    [[1.0, 1.0], [0.0, 0.0]]
    """
    return run(fft, backend.math.fft, _check_complex_pair("fft", x))


def fft2(x):
    """Two-dimensional discrete Fourier transform over the last two axes.

    Args:
        x: Tuple `(real, imag)` of float tensors of rank >= 2.

    Returns:
        Tuple `(real, imag)` of the transform.

    >>> [v.tolist() for v in fft2(([[1.0, 1.0]], [[0.0, 0.0]]))]
    [[[2.0, 0.0]], [[0.0, 0.0]]]
    """
    return run(fft2, backend.math.fft2, _check_complex_pair("fft2", x, min_rank=2))


def ifft2(x):
    """Inverse two-dimensional discrete Fourier transform over the last two axes.

    Args:
        x: Tuple `(real, imag)` of float tensors of rank >= 2.

    Returns:
        Tuple `(real, imag)`; `ifft2(fft2(x))` is `x`.

    >>> [v.tolist() for v in ifft2(([[2.0, 0.0]], [[0.0, 0.0]]))]
    [[[1.0, 1.0]], [[0.0, 0.0]]]
    """
    return run(ifft2, backend.math.ifft2, _check_complex_pair("ifft2", x, min_rank=2))


def _check_fft_length(op, fft_length):
    if fft_length is not None:
        _check_positive(op, "fft_length", fft_length)


def rfft(x, fft_length=None):
    """Discrete Fourier transform of a real signal along the last axis (non-negative
    frequencies only).

    Args:
        x: Real tensor `(..., length)`.
        fft_length: Int, the transform size: the signal is cropped or zero-padded to it.
            Defaults to `length`.

    Returns:
        Tuple `(real, imag)`, each `(..., fft_length // 2 + 1)`.

    >>> [v.tolist() for v in rfft([1.0, 1.0, 1.0, 1.0])]
    [[4.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    _check_fft_length("rfft", fft_length)
    return run(rfft, backend.math.rfft, x, fft_length=fft_length)


def irfft(x, fft_length=None):
    """Inverse of `rfft`: the real signal whose non-negative frequencies are `x`.

    Args:
        x: Tuple `(real, imag)`, each `(..., bins)`.
        fft_length: Int, the length of the output signal; defaults to `2 * (bins - 1)`.

    Returns:
        Real tensor `(..., fft_length)`.

    >>> irfft(([4.0, 0.0, 0.0], [0.0, 0.0, 0.0])).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    _check_fft_length("irfft", fft_length)
    return run(irfft, backend.math.irfft, _check_complex_pair("irfft", x), fft_length=fft_length)


def _check_stft_arguments(op, sequence_length, sequence_stride, fft_length, window):
    for name, value in (("sequence_length", sequence_length),
                        ("sequence_stride", sequence_stride), ("fft_length", fft_length)):
        _check_positive(op, name, value)
    if fft_length < sequence_length:
        raise ValueError(f"{op}: `fft_length` must be at least `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"{op}: a window name must be one of 'hann', 'hamming'. Received: "
                             f"window={window!r}")
    elif window is not None and _shape(window) != (sequence_length,):
        raise ValueError(f"{op}: `window` must have shape (sequence_length,) = "
                         f"({sequence_length},). Received: window.shape={_shape(window)}")


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of real signals along the last axis.

    Each frame of `fft_length` samples (starting every `sequence_stride` samples) is multiplied
    by the window (`sequence_length` long, centred in the frame) and `rfft`-transformed.

    Args:
        x: Float tensor `(..., length)`.
        sequence_length: Int, the window length.
        sequence_stride: Int, the hop between frames.
        fft_length: Int >= sequence_length, the frame and transform size.
        window: "hann" or "hamming" (periodic, as SciPy's `get_window`), a tensor
            `(sequence_length,)`, or None for a rectangular window over the whole frame.
        center: Whether to pad `x` by `fft_length // 2` on both sides (reflecting) so that
            frame `t` is centred on sample `t * sequence_stride`.

    Returns:
        Tuple `(real, imag)`, each `(..., num_frames, fft_length // 2 + 1)`.

    >>> [tuple(v.shape) for v in stft(lamina.ops.ones((16,)), 8, 4, 8)]
    [(5, 5), (5, 5)]
    """
    if _dtype(x) not in ("float32", "float64"):
        raise TypeError(f"stft: `x` must be float32 or float64. Received: dtype={_dtype(x)}; "
                        "cast it with `ops.cast(x, 'float32')`.")
    _check_stft_arguments("stft", sequence_length, sequence_stride, fft_length, window)
    length = _shape(x)[-1] if _shape(x) else 0
    needed = fft_length // 2 + 1 if center else fft_length
    if length is not None and length < needed:
        raise ValueError(f"stft: the last axis of `x` must hold at least {needed} samples for "
                         f"fft_length={fft_length}, center={center}. Received: "
                         f"x.shape={_shape(x)}")
    return run(stft, backend.math.stft, x, sequence_length, sequence_stride, fft_length,
               window=window, center=bool(center))


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse short-time Fourier transform: overlap-add of the windowed inverse frames,
    divided by the overlap-added squared window.

    Args:
        x: Tuple `(real, imag)`, each `(..., num_frames, fft_length // 2 + 1)`.
        sequence_length, sequence_stride, fft_length, window, center: As given to `stft`.
        length: Optional int, the number of samples to return.

    Returns:
        Float tensor `(..., samples)`; `istft(stft(x))` gives back `x` where the windows
        overlap enough.

    >>> x = lamina.ops.ones((16,))
    >>> tuple(istft(stft(x, 8, 4, 8), 8, 4, 8).shape)
    (16,)
    """
    x = _check_complex_pair("istft", x, min_rank=2)
    _check_stft_arguments("istft", sequence_length, sequence_stride, fft_length, window)
    bins = _shape(x[0])[-1]
    if bins is not None and bins != fft_length // 2 + 1:
        raise ValueError(f"istft: the last axis of `x` must have fft_length // 2 + 1 = "
                         f"{fft_length // 2 + 1} bins. Received: x[0].shape={_shape(x[0])}")
    if length is not None:
        _check_positive("istft", "length", length)
    return run(istft, backend.math.istft, x, sequence_length, sequence_stride, fft_length,
               length=length, window=window, center=bool(center))


def view_as_complex(x):
    """Complex tensor from a real one whose last axis (of size 2) holds real and imaginary parts.

    Args:
        x: Float tensor `(..., 2)`.

    Returns:
        Complex tensor `(...)`.

    >>> view_as_complex([[1.0, 2.0]]).tolist()
    [(1+2j)]
    """
    shape = _shape(x)
    if not shape or shape[-1] != 2:
        raise ValueError("view_as_complex: the last axis of `x` must have size 2 (real, imag). "
                         f"Received: x.shape={shape}")
    return run(view_as_complex, backend.math.view_as_complex, x)


def view_as_real(x):
    """Real tensor `(..., 2)` holding the real and imaginary parts of complex `x`.

    Args:
        x: Complex tensor.

    Returns:
        Float tensor with a new last axis of size 2.

    >>> view_as_real(view_as_complex([[1.0, 2.0]])).tolist()
    [[1.0, 2.0]]
    """
    if not _dtype(x).startswith("complex"):
        raise TypeError(f"view_as_real: `x` must be complex. Received: dtype={_dtype(x)}; "
                        "build one with `view_as_complex` or `polar`.")
    return run(view_as_real, backend.math.view_as_real, x)


__all__ = ["cdist", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "ifft2",
           "in_top_k", "irfft", "istft", "logdet", "logsumexp", "rfft", "rsqrt", "segment_max",
           "segment_min", "segment_prod", "segment_sum", "stft", "top_k", "view_as_complex",
           "view_as_real"]
