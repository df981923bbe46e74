"""lamina.ops.math: segment_min/prod, erfc, logdet, cdist, extract_sequences, the FFT family,
stft/istft and complex views, against NumPy/SciPy and finite differences."""

import math

import numpy as np
import pytest
import scipy.signal
import scipy.special

from lamina import backend, ops
from lamina.ops import math as lmath
from tests.helpers import gradcheck

RNG = np.random.default_rng(5)
jit = backend.transforms.jit


def np_of(x):
    return np.asarray(ops.convert_to_numpy(x)).astype("float64")


def close(actual, expected, dtype="float32", rtol=1e-5, atol=1e-5):
    assert backend.standardize_dtype(actual.dtype) == dtype
    np.testing.assert_allclose(np_of(actual), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_segment_min_and_prod(dtype):
    data = np.array([[3, 1], [2, 5], [4, 4], [1, 2]], dtype)
    ids = np.array([0, 0, 2, 2])
    ref_min = np.full((3, 2), np.inf if dtype == "float32" else np.iinfo(dtype).max,
                      dtype="float64")
    ref_prod = np.ones((3, 2))
    for row, i in zip(data, ids):
        ref_min[i] = np.minimum(ref_min[i], row)
        ref_prod[i] *= row
    close(lmath.segment_min(data, ids, num_segments=3), ref_min, dtype=dtype)
    close(lmath.segment_prod(data, ids, num_segments=3, sorted=True), ref_prod, dtype=dtype)


def test_erfc_and_logdet_match_scipy_numpy():
    x = np.linspace(-3, 5, 9).astype("float32")
    close(lmath.erfc(x), scipy.special.erfc(x.astype("float64")), rtol=1e-5, atol=1e-7)
    close(lmath.erfc(np.array([0, 1])), scipy.special.erfc([0.0, 1.0]))
    spd = np.array([[[4.0, 1.0], [1.0, 3.0]], [[1e20, 0.0], [0.0, 1e20]]], "float64")
    # The second determinant (1e40) overflows float32; its log does not.
    close(lmath.logdet(spd.astype("float32")), np.linalg.slogdet(spd)[1], rtol=1e-5)


@pytest.mark.parametrize("x_shape, y_shape", [((3, 2), (4, 2)), ((2, 3, 4), (2, 5, 4))])
def test_cdist_matches_numpy(x_shape, y_shape):
    x, y = RNG.normal(size=x_shape).astype("float32"), RNG.normal(size=y_shape).astype("float32")
    diff = x[..., :, None, :].astype("float64") - y[..., None, :, :]
    close(lmath.cdist(x, y), np.sqrt((diff ** 2).sum(-1)))


def test_gradients():
    x = RNG.normal(size=(4,))
    gradcheck.check_grads(jit(lambda v: ops.sum(lmath.erfc(v))), [x])
    a = RNG.normal(size=(3, 3))
    spd = a @ a.T + 3 * np.eye(3)
    gradcheck.check_grads(jit(lambda v: lmath.logdet(v)), [spd], rtol=1e-5)
    p, q = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 3))
    gradcheck.check_grads(jit(lambda u, v: ops.sum(lmath.cdist(u, v))), [p, q], rtol=1e-5)


@pytest.mark.parametrize("length, stride", [(3, 2), (4, 1), (5, 5)])
def test_extract_sequences(length, stride):
    x = np.arange(2 * 11).reshape(2, 11).astype("int32")
    count = 1 + (11 - length) // stride
    expected = np.stack([x[:, i * stride:i * stride + length] for i in range(count)], axis=1)
    close(lmath.extract_sequences(x, length, stride), expected, dtype="int32")


X = RNG.normal(size=(2, 3, 4)).astype("float32")
Y = RNG.normal(size=(2, 3, 4)).astype("float32")
Z = X.astype("float64") + 1j * Y


@pytest.mark.parametrize("op, reference", [(lmath.fft, np.fft.fft), (lmath.fft2, np.fft.fft2),
                                           (lmath.ifft2, np.fft.ifft2)])
def test_complex_ffts_match_numpy(op, reference):
    real, imag = op((X, Y))
    expected = reference(Z)
    close(real, expected.real, rtol=1e-4)
    close(imag, expected.imag, rtol=1e-4)


@pytest.mark.parametrize("fft_length", [None, 3, 6])
def test_rfft_and_irfft_match_numpy(fft_length):
    real, imag = lmath.rfft(X, fft_length)
    expected = np.fft.rfft(X.astype("float64"), n=fft_length)
    close(real, expected.real, rtol=1e-4)
    close(imag, expected.imag, rtol=1e-4)
    n = 2 * (expected.shape[-1] - 1) if fft_length is None else fft_length
    close(lmath.irfft((real, imag), fft_length), np.fft.irfft(expected, n=n), rtol=1e-4)


def np_stft(x, sequence_length, stride, fft_length, window, center):
    """Frame, window (centred in the frame), and rfft each frame."""
    x = np.asarray(x, "float64")
    if center:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)],
                   mode="reflect")
    if window is None:
        win = np.ones(fft_length)
    else:
        win = scipy.signal.get_window(window, sequence_length) if isinstance(window, str) \
            else np.asarray(window, "float64")
        left = (fft_length - sequence_length) // 2
        win = np.pad(win, (left, fft_length - sequence_length - left))
    count = 1 + (x.shape[-1] - fft_length) // stride
    frames = np.stack([x[..., i * stride:i * stride + fft_length] for i in range(count)], -2)
    return np.fft.rfft(frames * win, axis=-1)


STFT_CASES = [(8, 4, 8, "hann", True), (6, 3, 8, "hamming", False), (5, 2, 8, None, True),
              (4, 2, 4, np.linspace(0.5, 1.0, 4).astype("float32"), True)]


@pytest.mark.parametrize("case", range(len(STFT_CASES)))
def test_stft_matches_numpy_and_istft_inverts_it(case):
    sequence_length, stride, fft_length, window, center = STFT_CASES[case]
    x = RNG.normal(size=(2, 24)).astype("float32")
    real, imag = lmath.stft(x, sequence_length, stride, fft_length, window=window,
                            center=center)
    expected = np_stft(x, sequence_length, stride, fft_length, window, center)
    close(real, expected.real, rtol=1e-4, atol=1e-5)
    close(imag, expected.imag, rtol=1e-4, atol=1e-5)
    back = lmath.istft((real, imag), sequence_length, stride, fft_length, window=window,
                       center=center)
    # Without a window istft scales by fft_length / stride, as Keras does.
    gain = fft_length / stride if window is None else 1.0
    if center:
        # With centring, every sample is covered by overlapping windows: exact reconstruction.
        assert tuple(back.shape) == (2, 24)
        close(back, x * gain, rtol=1e-4, atol=1e-5)
    else:
        # Without it, the output ends with the last whole frame, and the edges see only the
        # window tails; the covered middle is exact.
        assert tuple(back.shape) == (2, fft_length + stride * (real.shape[-2] - 1))
        close(back[:, 4:20], x[:, 4:20] * gain, rtol=1e-4, atol=1e-5)
    cut = lmath.istft((real, imag), sequence_length, stride, fft_length, length=10,
                      window=window, center=center)
    close(cut, np_of(back)[:, :10], rtol=1e-6, atol=1e-6)


def test_istft_matches_keras_reference():
    # Keras 3.15 (JAX backend) gives 3 * x here: without a window, the whole 6-sample frame is
    # used and the result is scaled by fft_length / stride.
    x = np.arange(12, dtype="float32") / 4
    for center in (False, True):
        spec = lmath.stft(x, 4, 2, 6, window=None, center=center)
        out = lmath.istft(spec, 4, 2, 6, window=None, center=center)
        close(out, [0.0, 0.75, 1.5, 2.25, 3.0, 3.75, 4.5, 5.25, 6.0, 6.75, 7.5, 8.25])


def test_view_as_complex_and_real():
    pairs = RNG.normal(size=(3, 2)).astype("float32")
    z = lmath.view_as_complex(pairs)
    assert backend.standardize_dtype(z.dtype) == "complex64"
    np.testing.assert_allclose(ops.convert_to_numpy(z), pairs[:, 0] + 1j * pairs[:, 1])
    close(lmath.view_as_real(z), pairs)


def test_symbolic_shapes():
    x = ops.KerasTensor((None, 32))
    real, imag = lmath.stft(x, 8, 4, 16)
    assert real.shape == (None, 9, 9) and imag.dtype == "float32"
    assert lmath.istft((real, imag), 8, 4, 16).shape == (None, 32)
    assert lmath.extract_sequences(x, 5, 3).shape == (None, 10, 5)
    assert lmath.rfft(x, 10)[0].shape == (None, 6)
    assert lmath.cdist(ops.KerasTensor((None, 3, 2)), ops.KerasTensor((None, 5, 2))).shape \
        == (None, 3, 5)
    assert lmath.view_as_complex(ops.KerasTensor((4, 2))).dtype == "complex64"
    assert lmath.logdet(ops.KerasTensor((None, 3, 3))).shape == (None,)


ERRORS = [
    (lambda: lmath.fft(X), ValueError, r"fft: `x` must be a tuple \(real, imag\)"),
    (lambda: lmath.fft((X, Y[0])), ValueError, "fft: the real and imaginary parts"),
    (lambda: lmath.fft((np.ones(3, "int32"), np.ones(3, "int32"))), ValueError,
     "fft: .*float"),
    (lambda: lmath.fft2((X[0, 0], Y[0, 0])), ValueError, "fft2: .*rank >= 2"),
    (lambda: lmath.rfft(X, fft_length=0), ValueError, "rfft: `fft_length`"),
    (lambda: lmath.stft(np.ones(16, "int32"), 8, 4, 8), TypeError, "stft: `x` must be float"),
    (lambda: lmath.stft(np.ones(16, "float32"), 8, 4, 4), ValueError, "stft: `fft_length`"),
    (lambda: lmath.stft(np.ones(16, "float32"), 8, 4, 8, window="kaiser"), ValueError,
     "'hann', 'hamming'"),
    (lambda: lmath.stft(np.ones(16, "float32"), 8, 4, 8, window=np.ones(5)), ValueError,
     r"stft: `window` must have shape \(sequence_length,\)"),
    (lambda: lmath.istft((X, Y), 4, 2, 8), ValueError, "istft: .*5 bins"),
    (lambda: lmath.extract_sequences(np.ones(4), 5, 1), ValueError, "extract_sequences"),
    (lambda: lmath.extract_sequences(np.ones(8), 3, 0), ValueError, "sequence_stride"),
    (lambda: lmath.cdist(np.ones((2, 3)), np.ones((2, 4))), ValueError, "cdist.*last axis"),
    (lambda: lmath.logdet(np.ones((2, 3))), ValueError, "logdet.*square"),
    (lambda: lmath.view_as_complex(np.ones((2, 3))), ValueError, "view_as_complex.*size 2"),
    (lambda: lmath.view_as_real(np.ones(2, "float32")), TypeError, "view_as_real.*complex"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_name_the_op_and_argument(index):
    call, kind, message = ERRORS[index]
    with pytest.raises(kind, match=message):
        call()


def test_rfft_of_integers_is_float():
    real, imag = lmath.rfft(np.arange(4))
    close(real, [6.0, -2.0, -2.0])
    close(imag, [0.0, 2.0, 0.0])
    assert math.isclose(float(lmath.erfc(0.0)), 1.0)
