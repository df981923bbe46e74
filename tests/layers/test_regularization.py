import numpy as np
import pytest

import lamina
from lamina import layers, ops
from tests.helpers import gradcheck, layer_checks


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


# -- shared helpers ---------------------------------------------------------------------------------
def _fixed_noise_fn(layer, weights):
    """Scalar loss of a training call with the layer's seed state held fixed (same noise)."""
    seed_state = [v.value for v in layer.non_trainable_variables]

    def loss(x):
        out, _ = layer.stateless_call([], seed_state, x, training=True)
        return ops.sum(out * weights)

    return loss


RATE_TOLERANCE = 0.05  # about 3.5 standard deviations of a fraction over 1,000 draws


# -- SpatialDropout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, shape, data_format, channel_axis", [
    (layers.SpatialDropout1D, (20, 3, 50), None, 2),
    (layers.SpatialDropout2D, (20, 2, 2, 50), "channels_last", 3),
    (layers.SpatialDropout2D, (20, 50, 2, 2), "channels_first", 1),
    (layers.SpatialDropout3D, (20, 2, 2, 2, 50), "channels_last", 4),
])
def test_spatial_dropout_drops_whole_channels(cls, shape, data_format, channel_axis):
    kwargs = {} if data_format is None else {"data_format": data_format}
    layer = cls(0.3, seed=1, **kwargs)
    x = np.ones(shape, "float32")
    out = np.asarray(layer(x, training=True))
    spatial = tuple(i for i in range(1, len(shape)) if i != channel_axis)
    per_channel = out.max(axis=spatial)  # (batch, channels)
    np.testing.assert_array_equal(out.min(axis=spatial), per_channel)  # constant per channel
    np.testing.assert_allclose(per_channel[per_channel != 0], 1 / 0.7, rtol=1e-6)
    assert abs((per_channel == 0).mean() - 0.3) < RATE_TOLERANCE
    np.testing.assert_array_equal(layer(x), x)  # inference: identity


def test_spatial_dropout_contract_and_config():
    layer_checks.check_layer(layers.SpatialDropout2D, {"rate": 0.5, "seed": 3}, (2, 3, 3, 2),
                             (2, 3, 3, 2), expected_trainable=0)
    config = layers.SpatialDropout2D(0.25, data_format="channels_first", seed=4).get_config()
    assert {k: config[k] for k in ("rate", "seed", "data_format")} == \
        {"rate": 0.25, "seed": 4, "data_format": "channels_first"}
    assert "noise_shape" not in config and "trainable" not in config  # as Keras writes it
    one = layers.SpatialDropout1D(0.25, name="sd").get_config()
    assert "data_format" not in one and one["name"] == "sd"
    clone = layers.deserialize(layers.serialize(layers.SpatialDropout3D(0.5, seed=2)))
    assert isinstance(clone, layers.SpatialDropout3D) and clone.rate == 0.5


def test_spatial_dropout_checks_rank_and_rate():
    with pytest.raises(ValueError, match=r"SpatialDropout1D 'sd1'.*rank 3.*\(2, 5\)"):
        layers.SpatialDropout1D(0.5, name="sd1")(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="SpatialDropout2D: `rate`"):
        layers.SpatialDropout2D(1.5)
    with pytest.raises(ValueError, match="data_format"):
        layers.SpatialDropout2D(0.5, data_format="channels_middle")


def test_spatial_dropout_gradient_is_the_scaled_mask():
    weights = np.random.default_rng(0).normal(size=(2, 2, 2))
    with gradcheck.float64_mode():
        layer = layers.SpatialDropout1D(0.5, seed=5)
        loss = _fixed_noise_fn(layer, weights)
    x = np.random.default_rng(1).normal(size=(2, 2, 2))
    gradcheck.check_grads(loss, [x])
    with gradcheck.float64_mode():
        scale = np.asarray(lamina.backend.transforms.grad(loss)(x)) / weights
    assert set(np.unique(scale.round(12))) <= {0.0, 2.0}
    np.testing.assert_allclose(scale, np.broadcast_to(scale[:, :1, :], scale.shape),
                               rtol=1e-12)  # one draw per (sample, channel)


# -- GaussianNoise ----------------------------------------------------------------------------------
def test_gaussian_noise_statistics_and_inference():
    x = np.full((100, 100), 3.0, "float32")
    layer = layers.GaussianNoise(0.5, seed=1)
    noise = np.asarray(layer(x, training=True)) - 3.0
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layers.GaussianNoise(0.0)(x, training=True), x)


def test_gaussian_noise_contract_config_and_validation():
    layer_checks.check_layer(layers.GaussianNoise, {"stddev": 0.1, "seed": 2}, (2, 3), (2, 3),
                             expected_trainable=0)
    config = layers.GaussianNoise(0.2, seed=7).get_config()
    assert (config["stddev"], config["seed"]) == (0.2, 7)
    for bad in (-0.1, 1.5, "0.1", None):
        with pytest.raises(ValueError, match="GaussianNoise: `stddev`"):
            layers.GaussianNoise(bad)


def test_gaussian_noise_gradient_is_identity():
    weights = np.arange(3.0).reshape(1, 3)
    with gradcheck.float64_mode():
        loss = _fixed_noise_fn(layers.GaussianNoise(0.3, seed=4), weights)
    gradcheck.check_grads(loss, [np.zeros((1, 3))])


# -- GaussianDropout --------------------------------------------------------------------------------
def test_gaussian_dropout_statistics_and_inference():
    x = np.full((100, 100), 2.0, "float32")
    layer = layers.GaussianDropout(0.2, seed=1)
    factor = np.asarray(layer(x, training=True)) / 2.0
    assert abs(factor.mean() - 1.0) < 0.02
    assert abs(factor.var() - 0.2 / 0.8) < 0.02
    np.testing.assert_array_equal(layer(x), x)


def test_gaussian_dropout_contract_config_and_validation():
    layer_checks.check_layer(layers.GaussianDropout, {"rate": 0.1, "seed": 2}, (2, 3), (2, 3),
                             expected_trainable=0)
    config = layers.GaussianDropout(0.3, seed=7).get_config()
    assert (config["rate"], config["seed"]) == (0.3, 7)
    for bad in (-0.1, 1.0, "0.1"):
        with pytest.raises(ValueError, match="GaussianDropout: `rate`"):
            layers.GaussianDropout(bad)


def test_gaussian_dropout_gradient():
    weights = np.arange(6.0).reshape(2, 3)
    with gradcheck.float64_mode():
        loss = _fixed_noise_fn(layers.GaussianDropout(0.3, seed=4), weights)
    gradcheck.check_grads(loss, [np.random.default_rng(0).normal(size=(2, 3))])


# -- AlphaDropout -----------------------------------------------------------------------------------
SELU_ALPHA_P = -1.6732632423543772 * 1.0507009873554805  # SELU's negative saturation value


def _alpha_affine(rate):
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P ** 2)) ** -0.5
    return a, -a * SELU_ALPHA_P * rate


def test_alpha_dropout_outputs_are_kept_or_saturated_then_affine():
    x = np.random.default_rng(0).normal(size=(100, 100)).astype("float32")
    a, b = _alpha_affine(0.2)
    out = np.asarray(layers.AlphaDropout(0.2, seed=3)(x, training=True))
    kept = np.isclose(out, a * x + b, rtol=1e-5, atol=1e-6)
    dropped = np.isclose(out, a * SELU_ALPHA_P + b, rtol=1e-5, atol=1e-6)
    assert (kept | dropped).all()
    assert abs(dropped.mean() - 0.2) < RATE_TOLERANCE


def test_alpha_dropout_preserves_standardized_mean_and_variance():
    x = np.random.default_rng(1).normal(size=(100, 100)).astype("float32")
    out = np.asarray(layers.AlphaDropout(0.3, seed=2)(x, training=True))
    # 10,000 draws: the mean's standard error is 0.01, the variance's about 0.015
    assert abs(out.mean()) < 0.03 and abs(out.var() - 1.0) < 0.05


def test_alpha_dropout_noise_shape_and_inference():
    x = np.random.default_rng(2).normal(size=(4, 6, 3)).astype("float32")
    layer = layers.AlphaDropout(0.5, noise_shape=(None, 1, 3), seed=2)
    out = np.asarray(layer(x, training=True))
    a, b = _alpha_affine(0.5)
    dropped = np.isclose(out, a * SELU_ALPHA_P + b, rtol=1e-5)
    assert (dropped == dropped[:, :1, :]).all()
    np.testing.assert_array_equal(layer(x), x)
    with pytest.raises(ValueError, match=r"one entry per input axis.*\(4, 6, 3\)"):
        layers.AlphaDropout(0.5, noise_shape=(None, 1))(x, training=True)


def test_alpha_dropout_contract_config_and_validation():
    layer_checks.check_layer(layers.AlphaDropout, {"rate": 0.1, "seed": 2}, (2, 3), (2, 3),
                             expected_trainable=0)
    config = layers.AlphaDropout(0.3, noise_shape=(None, 1), seed=7).get_config()
    assert (config["rate"], config["noise_shape"], config["seed"]) == (0.3, (None, 1), 7)
    for bad in (-0.1, 1.0, "0.1"):
        with pytest.raises(ValueError, match="AlphaDropout: `rate`"):
            layers.AlphaDropout(bad)
    with pytest.raises(ValueError, match="noise_shape"):
        layers.AlphaDropout(0.1, noise_shape=(None, 0))


def test_alpha_dropout_gradient():
    weights = np.arange(6.0).reshape(2, 3)
    with gradcheck.float64_mode():
        loss = _fixed_noise_fn(layers.AlphaDropout(0.4, seed=4), weights)
    gradcheck.check_grads(loss, [np.random.default_rng(0).normal(size=(2, 3))])


# -- ActivityRegularization -----------------------------------------------------------------------
def test_activity_regularization_adds_batch_normalized_loss():
    x = np.array([[1.0, -2.0], [3.0, 4.0], [0.5, 0.5]], "float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    np.testing.assert_array_equal(layer(x), x)
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 3
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-6)
    np.testing.assert_allclose(float(layer.losses[0]), 2.3999999, rtol=1e-6)  # Keras 3.15
    _, _, losses = layer.stateless_call([], [], x, return_losses=True)
    np.testing.assert_allclose(float(losses[0]), expected, rtol=1e-6)


def test_activity_regularization_loss_gradient():
    with gradcheck.float64_mode():
        layer = layers.ActivityRegularization(l1=0.1, l2=0.2)

    def loss(x):
        _, _, losses = layer.stateless_call([], [], x, return_losses=True)
        return losses[0]

    gradcheck.check_grads(loss, [np.array([[1.0, -2.0], [3.0, 0.5]])])


def test_activity_regularization_config_and_validation():
    layer = layer_checks.check_layer(layers.ActivityRegularization, {"l1": 0.01, "l2": 0.02},
                                     (2, 3), (2, 3), expected_trainable=0)
    config = layer.get_config()
    assert (config["l1"], config["l2"]) == (0.01, 0.02) and "activity_regularizer" not in config
    for bad in ({"l1": -1.0}, {"l2": "0.1"}, {"l1": float("inf")}):
        with pytest.raises(ValueError, match="ActivityRegularization"):
            layers.ActivityRegularization(**bad)
