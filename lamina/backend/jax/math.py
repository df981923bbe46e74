"""Math ops on JAX that NumPy does not name: logsumexp, top_k, erf, segment sums, rsqrt."""

import jax
import jax.numpy as jnp

from lamina.backend.jax.core import convert_to_tensor
from lamina.backend.jax.numpy import _float_input


def logsumexp(x, axis=None, keepdims=False):
    return jax.scipy.special.logsumexp(_float_input(x), axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    values, indices = jax.lax.top_k(convert_to_tensor(x), k)
    return values, indices.astype(jnp.int32)


def in_top_k(targets, predictions, k):
    targets = convert_to_tensor(targets).astype(jnp.int32)
    predictions = _float_input(predictions)
    target_scores = jnp.take_along_axis(predictions, targets[:, None], axis=-1)
    # A NaN score is no evidence for the target: rank it last rather than first.
    target_scores = jnp.where(jnp.isnan(target_scores), -jnp.inf, target_scores)
    # A target is in the top k when fewer than k classes score strictly higher.
    higher = jnp.sum(predictions > target_scores, axis=-1)
    return higher < k


def erf(x):
    return jax.scipy.special.erf(_float_input(x))


def erfinv(x):
    return jax.scipy.special.erfinv(_float_input(x))


def rsqrt(x):
    return jax.lax.rsqrt(_float_input(x))


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_sum(convert_to_tensor(data), convert_to_tensor(segment_ids),
                               num_segments=num_segments, indices_are_sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_max(convert_to_tensor(data), convert_to_tensor(segment_ids),
                               num_segments=num_segments, indices_are_sorted=sorted)


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_min(convert_to_tensor(data), convert_to_tensor(segment_ids),
                               num_segments=num_segments, indices_are_sorted=sorted)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_prod(convert_to_tensor(data), convert_to_tensor(segment_ids),
                                num_segments=num_segments, indices_are_sorted=sorted)


def erfc(x):
    return jax.scipy.special.erfc(_float_input(x))


def logdet(x):
    # log|det| from the LU diagonal: jnp's slogdet uses the closed form for 2x2 matrices,
    # which overflows in float32 where the log does not.
    lu, _, _ = jax.lax.linalg.lu(_float_input(x))
    return jnp.sum(jnp.log(jnp.abs(jnp.diagonal(lu, axis1=-2, axis2=-1))), axis=-1)


def cdist(x, y):
    x, y = _float_input(x), _float_input(y)
    dtype = jnp.promote_types(x.dtype, y.dtype)
    diff = x.astype(dtype)[..., :, None, :] - y.astype(dtype)[..., None, :, :]
    return jnp.sqrt(jnp.sum(jnp.square(diff), axis=-1))


def extract_sequences(x, sequence_length, sequence_stride):
    x = convert_to_tensor(x)
    count = (x.shape[-1] - sequence_length) // sequence_stride + 1
    index = (jnp.arange(count)[:, None] * sequence_stride
             + jnp.arange(sequence_length)[None, :])
    return x[..., index]


def _complex(x):
    real, imag = (convert_to_tensor(v) for v in x)
    return jax.lax.complex(real, imag)


def _parts(z):
    return jnp.real(z), jnp.imag(z)


def fft(x):
    return _parts(jnp.fft.fft(_complex(x)))


def fft2(x):
    return _parts(jnp.fft.fft2(_complex(x)))


def ifft2(x):
    return _parts(jnp.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    return _parts(jnp.fft.rfft(_float_input(x), n=fft_length, axis=-1))


def irfft(x, fft_length=None):
    return jnp.fft.irfft(_complex(x), n=fft_length, axis=-1)


def view_as_complex(x):
    x = _float_input(x)
    return jax.lax.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    x = convert_to_tensor(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


def _stft_window(window, sequence_length, fft_length, dtype):
    """The analysis window, zero-padded on both sides (extra zero on the right) to fft_length.

    No window means a rectangular one over the whole `fft_length` frame, as Keras has it.
    """
    if window is None:
        return jnp.ones((fft_length,), dtype)
    if isinstance(window, str):
        import scipy.signal  # host-side: builds a constant once per call

        win = jnp.asarray(scipy.signal.get_window(window, sequence_length), dtype)
    else:
        win = convert_to_tensor(window).astype(dtype)
    left = (fft_length - sequence_length) // 2
    return jnp.pad(win, (left, fft_length - sequence_length - left))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = convert_to_tensor(x)
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = jnp.pad(x, pad, mode="reflect")
    win = _stft_window(window, sequence_length, fft_length, x.dtype)
    frames = extract_sequences(x, fft_length, sequence_stride)  # (..., frames, fft_length)
    return _parts(jnp.fft.rfft(frames * win, n=fft_length, axis=-1))


def _overlap_add(frames, stride):
    """Sum of `(..., count, size)` frames placed `stride` apart: shape `(..., (count-1)*stride
    + size)`."""
    count, size = frames.shape[-2:]
    index = jnp.arange(count)[:, None] * stride + jnp.arange(size)[None, :]
    out = jnp.zeros((*frames.shape[:-2], (count - 1) * stride + size), frames.dtype)
    return out.at[..., index].add(frames)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    z = _complex(x)
    dtype = jnp.real(z).dtype
    frames = jnp.fft.irfft(z, n=fft_length, axis=-1)
    win = _stft_window(window, sequence_length, fft_length, dtype)
    signal = _overlap_add(frames * win, sequence_stride)
    norm = _overlap_add(jnp.broadcast_to(win * win, frames.shape[-2:]), sequence_stride)
    # Where no window overlaps (norm ~ 0) the samples are left unnormalized, as SciPy does.
    signal = signal / jnp.where(norm > 1e-10, norm, 1.0)
    if window is None:
        # An all-ones window overlap-adds to roughly fft_length / stride copies of each sample.
        signal = signal * fft_length / sequence_stride
    start = fft_length // 2 if center else 0
    if length is not None:
        return signal[..., start:start + length]
    end = signal.shape[-1] - fft_length // 2 if center else signal.shape[-1]
    return signal[..., start:end]
