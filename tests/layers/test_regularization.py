import numpy as np
import pytest

from lamina import layers


def test_dropout_is_identity_in_inference():
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    np.testing.assert_array_equal(layers.Dropout(0.5)(x), x)


def test_dropout_zeroes_rate_fraction_and_rescales():
    x = np.ones((200, 50), "float32")
    out = np.asarray(layers.Dropout(0.3, seed=7)(x, training=True))
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_noise_shape_shares_mask():
    x = np.ones((4, 6, 3), "float32")
    out = np.asarray(layers.Dropout(0.5, noise_shape=(None, 1, 3), seed=2)(x, training=True))
    assert (out == out[:, :1, :]).all()


def test_dropout_seed_stream_advances_and_is_reproducible():
    x = np.ones((10, 10), "float32")
    a, b = layers.Dropout(0.5, seed=3), layers.Dropout(0.5, seed=3)
    first_a, first_b = np.asarray(a(x, training=True)), np.asarray(b(x, training=True))
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(first_a, np.asarray(a(x, training=True)))


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5"])
def test_dropout_rejects_bad_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(rate)


def test_dropout_config_round_trip():
    layer = layers.Dropout(0.25, noise_shape=(None, 1), seed=5)
    clone = layers.Dropout.from_config(layer.get_config())
    assert (clone.rate, clone.noise_shape, clone.seed) == (0.25, (None, 1), 5)
