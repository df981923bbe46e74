import json

import numpy as np
import pytest

from lamina import backend, initializers, ops


def test_constant_fills_scalar_and_broadcasts_arrays():
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 3)), np.full((2, 3), 2.5))
    row = np.array([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(initializers.Constant(row)((2, 3)), np.stack([row, row]))
    ints = initializers.Constant(7)((2,), dtype="int32")
    assert backend.standardize_dtype(ints.dtype) == "int32" and ints.tolist() == [7, 7]
    with pytest.raises(ValueError, match=r"shape \(3,\) cannot be broadcast.*\(2, 2\)"):
        initializers.Constant(row)((2, 2))
    with pytest.raises(TypeError, match="value"):
        initializers.Constant("one")


def test_constant_config_round_trips_scalars_and_arrays_in_keras_form():
    config = initializers.Constant(0.5).get_config()
    assert config == {"value": 0.5}
    value = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    config = initializers.serialize(initializers.Constant(value))
    assert config["config"]["value"] == {"class_name": "__numpy__", "config": {
        "value": [[1.0, 2.0], [3.0, 4.0]], "dtype": "float32"}}
    restored = initializers.deserialize(json.loads(json.dumps(config)))
    np.testing.assert_array_equal(restored((2, 2)), value)


def test_zeros_and_ones_values_and_dtypes():
    np.testing.assert_array_equal(initializers.Zeros()((2, 2)), np.zeros((2, 2)))
    ones = initializers.Ones()((3,), dtype="bfloat16")
    assert backend.standardize_dtype(ones.dtype) == "bfloat16"
    np.testing.assert_array_equal(np.asarray(ones, dtype=np.float32), [1.0, 1.0, 1.0])
    assert backend.standardize_dtype(initializers.Zeros()((1,)).dtype) == backend.floatx()
    assert tuple(initializers.Zeros()(()).shape) == ()


def test_identity_gain_and_rectangular_shapes():
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((3, 2)),
                                  [[3.0, 0.0], [0.0, 3.0], [0.0, 0.0]])
    np.testing.assert_array_equal(initializers.Identity()((2, 2)), np.eye(2))
    with pytest.raises(ValueError, match=r"2-D.*\(2, 2, 2\) of rank 3"):
        initializers.Identity()((2, 2, 2))


def _stft_reference(frame_length, fft_length, side, window, scaling):
    t = np.arange(frame_length)[:, None, None]
    f = np.arange(fft_length)[None, None, :]
    angle = -2 * np.pi * t * f / (2 * (fft_length - 1))
    kernel = np.cos(angle) if side == "real" else np.sin(angle)
    if window is not None:
        win = window[:, None, None]
        kernel = kernel * win
        kernel /= {"density": np.sqrt(np.sum(window ** 2)), "spectrum": np.sum(np.abs(window)),
                   None: 1.0}[scaling]
    return kernel


@pytest.mark.parametrize(("side", "periodic", "scaling"),
                         [("real", False, "density"), ("imag", True, "spectrum"),
                          ("real", True, None)])
def test_stft_matches_dft_formula_with_hann_window(side, periodic, scaling):
    n = 6
    # Hann window by its formula: symmetric divides by n - 1, periodic by n.
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / (n if periodic else n - 1))
    kernel = initializers.STFT(side=side, window="hann", scaling=scaling, periodic=periodic)
    result = kernel((n, 1, 4))
    np.testing.assert_allclose(result, _stft_reference(n, 4, side, hann, scaling), atol=1e-6)


def test_stft_matches_keras_values_and_broadcasts_channels():
    # keras.initializers.STFT()((4, 1, 3)) in Keras 3.15.
    expected = [[[0.0, 0.0, 0.0]], [[0.7071068, 0.0, -0.7071068]],
                [[0.7071068, -0.7071068, 0.7071068]], [[0.0, 0.0, 0.0]]]
    np.testing.assert_allclose(initializers.STFT()((4, 1, 3)), expected, atol=1e-6)
    plain = initializers.STFT(window=None, scaling=None)((3, 2, 2))
    assert tuple(plain.shape) == (3, 2, 2)
    np.testing.assert_allclose(plain[:, 1, :], [[1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], atol=1e-6)
    custom = initializers.STFT(window=np.ones(3), scaling="spectrum")((3, 1, 2))
    np.testing.assert_allclose(custom[:, 0, :], np.array([[1, 1], [1, -1], [1, 1]]) / 3, atol=1e-6)


def test_stft_validates_arguments():
    with pytest.raises(ValueError, match="side"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="scaling"):
        initializers.STFT(scaling="power")
    with pytest.raises(ValueError, match="unknown window 'hannn'"):
        initializers.STFT(window="hannn")
    with pytest.raises(ValueError, match=r"\(frame_length, input_channels, fft_length\)"):
        initializers.STFT()((4, 3))
    with pytest.raises(ValueError, match=r"window must have shape \(4,\)"):
        initializers.STFT(window=[1.0, 1.0])((4, 1, 3))


@pytest.mark.parametrize("init", [initializers.Constant(1.5), initializers.Zeros(),
                                  initializers.Ones(), initializers.Identity(0.5),
                                  initializers.STFT(side="imag", window="hamming", periodic=True)],
                         ids=lambda i: type(i).__name__)
def test_config_round_trip_rebuilds_equal_initializer(init):
    config = json.loads(json.dumps(initializers.serialize(init)))
    restored = initializers.deserialize(config)
    assert type(restored) is type(init)
    assert restored.get_config() == init.get_config()
    shape = (4, 1, 3) if isinstance(init, initializers.STFT) else (2, 2)
    np.testing.assert_array_equal(restored(shape), init(shape))
    np.testing.assert_array_equal(init.clone()(shape), init(shape))


@pytest.mark.parametrize(("name", "cls"), [
    ("zeros", initializers.Zeros), ("zero", initializers.Zeros), ("Zeros", initializers.Zeros),
    ("ones", initializers.Ones), ("one", initializers.Ones), ("constant", initializers.Constant),
    ("identity", initializers.Identity), ("IdentityInitializer", initializers.Identity),
    ("stft", initializers.STFT), ("glorot_uniform", initializers.GlorotUniform),
    ("normal", initializers.RandomNormal), ("uniform", initializers.RandomUniform),
    ("OrthogonalInitializer", initializers.Orthogonal)])
def test_get_by_name_gives_fresh_instances(name, cls):
    first, second = initializers.get(name), initializers.get(name)
    assert type(first) is cls and first is not second


def test_get_accepts_none_classes_callables_dicts_and_arrays():
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    ones = initializers.Ones()
    assert initializers.get(ones) is ones

    def halves(shape, dtype=None):
        return ops.full(shape, 0.5, dtype=dtype)

    assert initializers.get(halves) is halves
    made = initializers.get({"class_name": "Constant", "config": {"value": 4.0}})
    assert made((1,)).tolist() == [4.0]
    values = np.array([[1.0, 2.0]], dtype="float64")
    from_array = initializers.get(values)
    result = from_array((1, 2), dtype="float16")
    assert backend.standardize_dtype(result.dtype) == "float16"
    np.testing.assert_array_equal(np.asarray(result, dtype=np.float32), values)
    with pytest.raises(ValueError, match=r"shape \(1, 2\).*shape \(2, 1\)"):
        from_array((2, 1))
    assert initializers.get(ops.ones((2,)))((2,)).tolist() == [1.0, 1.0]


def test_unknown_names_and_bad_identifiers_raise_listing_known_names():
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'") as info:
        initializers.get("glorot")
    assert "'glorot_uniform'" in str(info.value)
    with pytest.raises(ValueError, match="could not interpret"):
        initializers.get(42)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match=r"Zeros: `shape`.*\(None, 3\)"):
        initializers.Zeros()((None, 3))
    with pytest.raises(ValueError, match="Ones: `shape`"):
        initializers.Ones()((2, -1))
    assert tuple(initializers.Ones()(3).shape) == (3,)


def test_base_initializer_requires_call_and_round_trips():
    with pytest.raises(NotImplementedError, match="__call__"):
        initializers.Initializer()((2,))
    assert initializers.Initializer.from_config(initializers.Initializer().get_config())
    assert repr(initializers.Identity(2.0)) == "Identity(gain=2.0)"
