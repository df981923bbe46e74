import numpy as np
import pytest

from lamina.layers.preprocessing.audio import (
    MelSpectrogram,
    STFTSpectrogram,
    linear_to_mel_weight_matrix,
)
from lamina.ops.symbolic import KerasTensor
from tests.helpers import layer_checks

X = (np.sin(np.arange(32) * 0.7) + (np.arange(32) % 5 - 2) / 4).astype("float32")[None]
# Keras 3.15 (JAX) outputs on X (see each test for the arguments).
KERAS_MEL_DB = [[[7.7719, 11.0058, 11.9331, 11.1442, 10.052],
                 [10.7565, 9.7226, 12.4583, 10.2912, 10.7953],
                 [4.4186, 1.9452, 3.5061, 2.1082, 7.0062],
                 [1.457, 0.8673, 0.9264, 0.8641, -2.2842]]]
KERAS_MEL_AMP = [[2.27974, 3.17788, 4.47942, 3.40345, 2.37803],
                 [2.59735, 1.6615, 2.51007, 1.91499, 3.11964],
                 [1.21608, 0.90135, 0.94742, 1.08679, 1.09694]]
KERAS_STFT_LOG = [[[0.10364, 0.34044, -0.03989, -1.01786, -1.0401],
                   [0.10328, 0.12962, -0.36172, -1.73973, -1.90821],
                   [0.2499, -0.05345, -0.78739, -1.73996, -2.02713],
                   [0.47887, 0.43421, 0.02898, -0.95897, -1.0826],
                   [0.23832, 0.04138, -0.59292, -0.78707, -0.89397],
                   [-0.25191, -0.0599, -0.74168, -1.13536, -1.04229],
                   [-0.37884, 0.32662, -0.09906, -1.98721, -1.84538]]]


def _stft_reference(x, frame_length, frame_step, window, channels_last=True):
    """NumPy STFT of `(batch, time)` frames: `(batch, frames, bins)` complex, density scaled."""
    starts = range(0, x.shape[-1] - frame_length + 1, frame_step)
    frames = np.stack([x[..., s:s + frame_length] for s in starts], axis=-2)
    return np.fft.rfft(frames * window, axis=-1) / np.sqrt(np.sum(window ** 2))


def test_mel_spectrogram_matches_keras():
    db = MelSpectrogram(fft_length=16, sequence_stride=8, num_mel_bins=4, sampling_rate=800,
                        min_freq=0.0)(X)
    np.testing.assert_allclose(db, KERAS_MEL_DB, atol=2e-3)
    amp = MelSpectrogram(fft_length=16, sequence_stride=8, sequence_length=12,
                         window="hamming", num_mel_bins=3, sampling_rate=800,
                         power_to_db=False, mag_exp=1.0, min_freq=50.0, max_freq=350.0)(X[0])
    np.testing.assert_allclose(amp, KERAS_MEL_AMP, rtol=1e-4)


def test_mel_spectrogram_db_floor_and_reference():
    layer = MelSpectrogram(fft_length=16, sequence_stride=8, num_mel_bins=4, sampling_rate=800,
                           top_db=5.0, ref_power=10.0)
    out = np.asarray(layer(np.concatenate([X, 0.01 * X])))
    assert out.max() - out.min() <= 5.0 + 1e-4  # floored top_db below the batch maximum
    power = MelSpectrogram(fft_length=16, sequence_stride=8, num_mel_bins=4, sampling_rate=800,
                           power_to_db=False)(X)
    expected = 10 * np.log10(np.maximum(np.asarray(power), 1e-10)) - 10.0
    np.testing.assert_allclose(out[:1], np.maximum(expected, out.max() - 5.0), atol=1e-3)


def test_mel_weight_matrix_is_triangular_filters():
    matrix = linear_to_mel_weight_matrix(4, 9, 800, 0.0, 400.0)
    assert matrix.shape == (9, 4)
    np.testing.assert_array_equal(matrix[0], 0.0)  # no weight on the DC bin
    assert (matrix >= 0).all() and (matrix <= 1).all()
    peaks = matrix.argmax(axis=0)
    assert list(peaks) == sorted(peaks)  # filter centres rise with the mel band


def test_stft_spectrogram_matches_keras_and_numpy():
    x = X[..., None]
    np.testing.assert_allclose(STFTSpectrogram(frame_length=8, frame_step=4)(x), KERAS_STFT_LOG,
                               atol=1e-4)
    window = np.hanning(8)  # scipy's symmetric ("periodic=False") Hann
    spectrum = _stft_reference(X.astype("float64"), 8, 4, window)
    modes = {"real": spectrum.real, "imag": spectrum.imag, "magnitude": np.abs(spectrum),
             "angle": np.angle(spectrum),
             "stft": np.concatenate([spectrum.real, spectrum.imag], axis=-1)}
    for mode, expected in modes.items():
        out = np.asarray(STFTSpectrogram(mode=mode, frame_length=8, frame_step=4)(x))
        if mode == "angle":  # +pi and -pi are the same phase
            out, expected = np.exp(1j * out), np.exp(1j * expected)
        np.testing.assert_allclose(out, expected, atol=2e-5, err_msg=mode)
    power = np.abs(spectrum) ** 2
    psd = power.copy()
    psd[..., 1:-1] *= 2
    np.testing.assert_allclose(STFTSpectrogram(mode="psd", frame_length=8, frame_step=4)(x),
                               psd, atol=2e-5)


def test_stft_spectrogram_layouts_and_shapes():
    x = np.random.default_rng(0).normal(size=(2, 40, 3)).astype("float32")
    stacked = STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4)(x)
    assert tuple(stacked.shape) == (2, 9, 15)
    expanded = STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4,
                               expand_dims=True)(x)
    assert tuple(expanded.shape) == (2, 9, 5, 3)
    np.testing.assert_allclose(np.asarray(stacked)[..., 5:10], np.asarray(expanded)[..., 1],
                               rtol=1e-6)
    first = STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4,
                            data_format="channels_first", padding="same")
    out = first(np.moveaxis(x, -1, 1))
    assert tuple(out.shape) == (2, 15, 10)
    assert tuple(first.compute_output_shape((2, 3, 40))) == (2, 15, 10)
    layer = layer_checks.check_layer(STFTSpectrogram, {"frame_length": 8, "fft_length": 16},
                                     input_shape=(2, 32, 1), expected_output_shape=(2, 7, 9),
                                     expected_trainable=2)
    assert [w.name for w in layer.weights] == ["real_kernel", "imag_kernel"]
    assert STFTSpectrogram(frame_length=8)(KerasTensor((None, 24, 2))).shape == (None, 5, 10)


def test_mel_spectrogram_shapes_and_config():
    layer = MelSpectrogram(fft_length=16, sequence_stride=8, num_mel_bins=4)
    assert tuple(layer(np.zeros((3, 40), "float32")).shape) == (3, 4, 6)
    assert layer.compute_output_shape((3, 40)) == (3, 4, 6)
    assert layer(KerasTensor((None, 40))).shape == (None, 4, 6)
    config = layer.get_config()
    assert config["sequence_length"] == 16 and config["max_freq"] == 8000
    clone = MelSpectrogram.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    np.testing.assert_allclose(clone(X), layer(X), rtol=1e-6)


@pytest.mark.parametrize("make, error, message", [
    (lambda: MelSpectrogram(fft_length=8, sequence_length=16), ValueError,
     "`fft_length` must be at least `sequence_length`"),
    (lambda: MelSpectrogram(window="blackman"), ValueError, "unknown window 'blackman'"),
    (lambda: MelSpectrogram(min_freq=9000.0), ValueError, "min_freq < max_freq"),
    (lambda: STFTSpectrogram(mode="power"), ValueError, "unknown mode 'power'"),
    (lambda: STFTSpectrogram(frame_length=8, frame_step=9), ValueError, "`frame_step`"),
    (lambda: STFTSpectrogram(frame_length=8, fft_length=4), ValueError, "`fft_length`"),
    (lambda: STFTSpectrogram(padding="full"), ValueError, "unknown padding 'full'"),
])
def test_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_stft_rejects_integer_signals_and_warns_on_odd_fft_length():
    with pytest.raises(TypeError, match="expects float16, float32 or float64"):
        STFTSpectrogram(frame_length=8)(np.ones((1, 16, 1), "int32"))
    with pytest.warns(UserWarning, match="power of two"):
        STFTSpectrogram(frame_length=8, fft_length=12)
