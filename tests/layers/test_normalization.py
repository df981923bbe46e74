import doctest

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers import normalization
from tests.helpers import gradcheck, layer_checks

# Shared inputs: compiling is per shape, so the tests reuse these.
X = (np.arange(12, dtype="float32").reshape(2, 3, 2) ** 1.5) / 4
X4 = (np.arange(16, dtype="float32").reshape(1, 4, 2, 2) ** 1.3) / 5
RNG_X = np.random.default_rng(0).normal(size=(4, 3, 5)).astype("float32") * 2 + 1


def np_standardize(x, axes, epsilon):
    x = np.asarray(x, "float64")
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon)


@pytest.mark.parametrize("cls, kwargs, input_shape, trainable, non_trainable", [
    (layers.BatchNormalization, {}, (4, 3), 2, 2),
    (layers.BatchNormalization, {"axis": 1, "center": False}, (2, 3, 4, 4), 1, 2),
    (layers.BatchNormalization, {"renorm": True}, (4, 3), 2, 5),
    (layers.LayerNormalization, {}, (2, 3, 4), 2, 0),
    (layers.LayerNormalization, {"axis": [1, 2], "scale": False}, (2, 3, 4), 1, 0),
    (layers.GroupNormalization, {"groups": 2}, (2, 3, 4), 2, 0),
    (layers.GroupNormalization, {"groups": -1, "axis": 1}, (2, 4, 3, 3), 2, 0),
    (layers.UnitNormalization, {"axis": [1, 2]}, (2, 3, 4), 0, 0),
    (layers.RMSNormalization, {}, (2, 3, 4), 1, 0),
])
def test_normalization_contract(cls, kwargs, input_shape, trainable, non_trainable):
    layer_checks.check_layer(cls, kwargs, input_shape=input_shape,
                             expected_output_shape=input_shape, expected_trainable=trainable,
                             expected_non_trainable=non_trainable)


# -- BatchNormalization -------------------------------------------------------------------------
def _batch_norm(momentum=0.9, **kwargs):
    layer = layers.BatchNormalization(momentum=momentum, **kwargs)
    layer.build(X.shape)
    gamma, beta = np.array([1.5, 0.5], "float32"), np.array([0.1, -0.2], "float32")
    mean, variance = np.array([0.3, -0.1], "float32"), np.array([2.0, 0.5], "float32")
    layer.set_weights([gamma, beta, mean, variance])
    return layer, gamma, beta, mean, variance


def test_batch_normalization_weight_names_and_order():
    layer = layers.BatchNormalization(name="bn")
    layer.build((None, 4))
    assert [w.path for w in layer.weights] == ["bn/gamma", "bn/beta", "bn/moving_mean",
                                               "bn/moving_variance"]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]
    np.testing.assert_array_equal(layer.get_weights()[3], np.ones(4))
    config = layer.get_config()
    assert (config["axis"], config["momentum"], config["epsilon"]) == (-1, 0.99, 1e-3)


def test_batch_normalization_training_matches_numpy_and_updates_moving_statistics():
    layer, gamma, beta, mean, variance = _batch_norm()
    out = layer(X, training=True)
    x64 = X.astype("float64")
    batch_mean, batch_var = x64.mean(axis=(0, 1)), x64.var(axis=(0, 1))
    np.testing.assert_allclose(out, np_standardize(X, (0, 1), 1e-3) * gamma + beta, rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.value, 0.9 * mean + 0.1 * batch_mean,
                               rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.value, 0.9 * variance + 0.1 * batch_var,
                               rtol=1e-6)


def test_batch_normalization_inference_uses_moving_statistics():
    layer, gamma, beta, mean, variance = _batch_norm()
    out = layer(X)  # training defaults to False outside fit
    np.testing.assert_allclose(out, (X - mean) / np.sqrt(variance + 1e-3) * gamma + beta,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.value, mean)


def test_batch_normalization_frozen_runs_in_inference_mode_even_when_training():
    layer, gamma, beta, mean, variance = _batch_norm()
    layer.trainable = False
    out = layer(X, training=True)
    np.testing.assert_allclose(out, (X - mean) / np.sqrt(variance + 1e-3) * gamma + beta,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.value, mean)
    np.testing.assert_array_equal(layer.moving_variance.value, variance)


def test_batch_normalization_keras_literals():
    # keras.layers.BatchNormalization(momentum=0.9) with the same weights (Keras 3.15.1, JAX).
    layer = _batch_norm()[0]
    train = layer(X, training=True)
    np.testing.assert_allclose(train[:, :, 0], [[-1.69657, -1.314387, -0.615595],
                                                [0.289307, 1.360888, 2.576357]], atol=2e-6)
    np.testing.assert_allclose(layer.moving_mean.value, [0.60239816, 0.32408178], rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.value, [2.5701146, 1.3978629], rtol=1e-6)
    infer = layer(X)
    np.testing.assert_allclose(infer[1], [[2.973615, 1.620349], [4.828299, 2.51655],
                                          [6.932024, 3.518768]], rtol=1e-5)


def test_batch_normalization_channels_first_axis():
    layer = layers.BatchNormalization(axis=1, momentum=0.5, epsilon=0.01)
    out = layer(X4, training=True)
    np.testing.assert_allclose(out, np_standardize(X4, (0, 2, 3), 0.01), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.value, 0.5 * X4.mean(axis=(0, 2, 3)),
                               rtol=1e-6)


def test_batch_normalization_mask_restricts_statistics():
    layer = layers.BatchNormalization(momentum=0.0, center=False, scale=False)
    mask = np.array([[True, True, False], [True, False, False]])
    out = layer(X, training=True, mask=mask)
    chosen = X[mask].astype("float64")  # (3, 2): the unmasked positions
    mean, var = chosen.mean(axis=0), chosen.var(axis=0)
    # Keras divides the masked sums by (count + epsilon()).
    count = mask.sum() + 1e-7
    mean_k = chosen.sum(axis=0) / count
    var_k = ((chosen - mean_k) ** 2).sum(axis=0) / count
    np.testing.assert_allclose(mean_k, mean, rtol=1e-6)
    np.testing.assert_allclose(out, (X - mean_k) / np.sqrt(var_k + 1e-3), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.value, var, rtol=1e-5)
    with pytest.raises(ValueError, match=r"BatchNormalization '.*' expected a mask of rank 2"):
        layer(X, training=True, mask=np.ones((2, 3, 2), bool))


def test_batch_normalization_mask_with_channels_first_axis():
    layer = layers.BatchNormalization(axis=1, momentum=0.0)
    mask = np.array([[True, False], [True, True]])  # (batch, steps) for inputs (2, 3, 2)
    layer(X, training=True, mask=mask)
    chosen = np.transpose(X, (0, 2, 1))[mask].astype("float64")  # (3, channels=3)
    np.testing.assert_allclose(layer.moving_mean.value, chosen.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.value, chosen.var(axis=0), rtol=1e-5)


def test_batch_normalization_renorm_matches_numpy():
    clipping = {"rmax": 1.5, "rmin": 0.7, "dmax": 0.3}
    layer = layers.BatchNormalization(renorm=True, renorm_clipping=clipping, momentum=0.8,
                                      renorm_momentum=0.5)
    layer.build(X.shape)
    gamma, beta = np.array([1.5, 0.5]), np.array([0.1, -0.2])
    moving_mean, moving_var = np.array([0.3, -0.1]), np.array([2.0, 0.5])
    moving_std, renorm_mean, renorm_std = np.sqrt(moving_var), np.array([0.5, 1.0]), \
        np.array([0.2, 3.0])
    layer.set_weights([w.astype("float32") for w in (gamma, beta, moving_mean, moving_var,
                                                     moving_std, renorm_mean, renorm_std)])
    assert [w.name for w in layer.weights][4:] == ["moving_stddev", "renorm_mean",
                                                   "renorm_stddev"]
    out = layer(X, training=True)
    x64 = X.astype("float64").reshape(-1, 2)
    mean, var = x64.mean(axis=0), x64.var(axis=0)
    std = np.sqrt(var + 1e-3)
    r = np.clip(std / np.maximum(renorm_std, np.sqrt(1e-3)), 0.7, 1.5)
    d = np.clip((mean - renorm_mean) / np.maximum(renorm_std, np.sqrt(1e-3)), -0.3, 0.3)
    expected = ((X - mean) / std * r + d) * gamma + beta
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    new_std = 0.8 * moving_std + 0.2 * std
    weights = layer.get_weights()
    np.testing.assert_allclose(weights[2], 0.8 * moving_mean + 0.2 * mean, rtol=1e-5)
    np.testing.assert_allclose(weights[3], np.maximum(new_std ** 2 - 1e-3, 0), rtol=1e-5)
    np.testing.assert_allclose(weights[4], new_std, rtol=1e-5)
    np.testing.assert_allclose(weights[5], 0.5 * renorm_mean + 0.5 * mean, rtol=1e-5)
    np.testing.assert_allclose(weights[6], 0.5 * renorm_std + 0.5 * std, rtol=1e-5)


def test_batch_normalization_fit_updates_moving_statistics_in_compiled_step():
    x = np.random.default_rng(1).normal(size=(8, 3)).astype("float32") * 3 + 2
    model = lamina.Sequential([lamina.Input((3,)), layers.BatchNormalization()])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((8, 3), "float32"), batch_size=8, epochs=1, shuffle=False,
              verbose=0)
    bn = model.layers[0]
    x64 = x.astype("float64")
    np.testing.assert_allclose(bn.moving_mean.value, 0.01 * x64.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.value, 0.99 + 0.01 * x64.var(axis=0),
                               rtol=1e-5)
    # A frozen layer keeps its statistics through fit.
    bn.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = bn.get_weights()
    model.fit(x, np.zeros((8, 3), "float32"), batch_size=8, epochs=1, verbose=0)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_normalization_in_functional_model():
    inputs = lamina.Input((3, 2))
    outputs = layers.BatchNormalization(axis=1)(inputs)
    assert outputs.shape == (None, 3, 2)
    model = lamina.Model(inputs, outputs)
    np.testing.assert_allclose(model(X), X / np.sqrt(1 + 1e-3), rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"momentum": 1.5}, ValueError, r"`momentum` must be a float in \[0, 1\].*1.5"),
    ({"epsilon": -1.0}, ValueError, r"`epsilon` must be a non-negative float.*-1.0"),
    ({"axis": [1, 2]}, TypeError, r"`axis` must be an int.*\[1, 2\]"),
    ({"synchronized": True}, ValueError, r"synchronized=True is not supported"),
    ({"renorm": True, "renorm_clipping": {"rmax": 1.0, "bad": 2}}, ValueError,
     r"unknown `renorm_clipping` keys \['bad'\]"),
    ({"renorm": True, "renorm_clipping": {"rmax": 1.0, "rmin": 2.0}}, ValueError,
     r"rmax >= rmin"),
    ({"center": "yes"}, ValueError, r"`center` must be True or False"),
])
def test_batch_normalization_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        layers.BatchNormalization(**kwargs)


def test_batch_normalization_input_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn': axis 3 is out of range.*"
                                         r"\(2, 3, 2\)"):
        layers.BatchNormalization(axis=3, name="bn")(X)
    layer = layers.BatchNormalization(name="bn2")
    layer(X)
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn2'.*last axis 2.*\(2, 3, 5\)"):
        layer(np.ones((2, 3, 5), "float32"))
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn3' needs a known size on axis"):
        layers.BatchNormalization(name="bn3")(lamina.Input((3, None)))


# -- LayerNormalization -------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, [1, 2], 1])
def test_layer_normalization_matches_numpy(axis):
    layer = layers.LayerNormalization(axis=axis, epsilon=0.01)
    layer.build(RNG_X.shape)
    axes = tuple(axis) if isinstance(axis, list) else (axis,)
    param_shape = tuple(RNG_X.shape[a] for a in axes)
    rng = np.random.default_rng(2)
    gamma, beta = rng.normal(size=param_shape), rng.normal(size=param_shape)
    layer.set_weights([gamma.astype("float32"), beta.astype("float32")])
    view = [1, 1, 1]
    for a in axes:
        view[a] = RNG_X.shape[a]
    expected = np_standardize(RNG_X, axes, 0.01) * gamma.reshape(view) + beta.reshape(view)
    np.testing.assert_allclose(layer(RNG_X), expected, rtol=1e-4, atol=1e-5)


def test_layer_normalization_keras_literal():
    # keras.layers.LayerNormalization(axis=[1, 2]) with these weights (Keras 3.15.1).
    layer = layers.LayerNormalization(axis=[1, 2])
    layer.build(X.shape)
    layer.set_weights([np.linspace(0.5, 1.5, 6).reshape(3, 2).astype("float32"),
                       np.linspace(-1, 1, 6).reshape(3, 2).astype("float32")])
    np.testing.assert_allclose(layer(X)[0], [[-1.598584, -1.259748], [-0.629162, 0.338762],
                                             [1.692273, 3.475232]], rtol=1e-5, atol=1e-6)


def test_layer_normalization_rms_scaling_is_deprecated():
    with pytest.warns(UserWarning, match="RMSNormalization"):
        layer = layers.LayerNormalization(rms_scaling=True)
    with pytest.warns(UserWarning, match="deprecated"):  # the op warns on each call, as Keras
        out = layer(RNG_X)
    assert [w.name for w in layer.weights] == ["gamma"]
    x64 = RNG_X.astype("float64")
    np.testing.assert_allclose(out, x64 / np.sqrt(x64.var(axis=-1, keepdims=True) + 1e-3),
                               rtol=1e-5)
    assert layer.get_config()["rms_scaling"] is True


def test_layer_normalization_errors_name_the_layer():
    with pytest.raises(TypeError, match=r"LayerNormalization: `axis`.*'last'"):
        layers.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match=r"LayerNormalization 'ln': axis 3 is out of range"):
        layers.LayerNormalization(axis=[1, 3], name="ln")(X)
    layer = layers.LayerNormalization(name="ln2")
    layer(X)
    with pytest.raises(ValueError, match=r"LayerNormalization 'ln2'.*last axis 2.*\(2, 3\)"):
        layer(np.ones((2, 3), "float32"))


# -- GroupNormalization -------------------------------------------------------------------------
def np_group_norm(x, groups, axis, epsilon):
    x = np.moveaxis(np.asarray(x, "float64"), axis, -1)
    shape = x.shape
    grouped = x.reshape(shape[0], -1, groups, shape[-1] // groups)
    out = np_standardize(grouped, (1, 3), epsilon).reshape(shape)
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("groups, axis, shape", [(5, -1, (4, 3, 5)), (1, -1, (4, 3, 5)),
                                                 (-1, 1, (1, 4, 2, 2)), (2, 1, (1, 4, 2, 2))])
def test_group_normalization_matches_numpy(groups, axis, shape):
    x = RNG_X if shape == RNG_X.shape else X4
    layer = layers.GroupNormalization(groups=groups, axis=axis, epsilon=0.01)
    layer.build(x.shape)
    channels = x.shape[axis]
    rng = np.random.default_rng(3)
    gamma, beta = rng.normal(size=channels), rng.normal(size=channels)
    layer.set_weights([gamma.astype("float32"), beta.astype("float32")])
    view = [1] * x.ndim
    view[axis] = channels
    num_groups = channels if groups == -1 else groups
    expected = np_group_norm(x, num_groups, axis, 0.01) * gamma.reshape(view) + \
        beta.reshape(view)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-4, atol=1e-5)


def test_group_normalization_keras_literal():
    # keras.layers.GroupNormalization(groups=2, axis=1) with these weights (Keras 3.15.1).
    layer = layers.GroupNormalization(groups=2, axis=1)
    layer.build(X4.shape)
    layer.set_weights([np.array([1.0, 2.0, 0.5, -1.0], "float32"),
                       np.array([0.0, 0.1, 0.2, 0.3], "float32")])
    out = np.asarray(layer(X4))[0]
    np.testing.assert_allclose(out[1], [[0.331081, 1.302453], [2.334247, 3.419158]], rtol=1e-5)
    np.testing.assert_allclose(out[3], [[0.110127, -0.338155], [-0.796911, -1.265611]],
                               rtol=1e-5)


def test_group_normalization_errors():
    with pytest.raises(ValueError, match=r"`groups` must be a positive int.*groups=0"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"GroupNormalization 'gn': 5 channels.*\(4, 3, 5\).*"
                                         r"into 2 equal groups"):
        layers.GroupNormalization(groups=2, name="gn")(RNG_X)
    with pytest.raises(ValueError, match=r"into 8 equal groups"):
        layers.GroupNormalization(groups=8)(RNG_X)
    with pytest.raises(TypeError, match=r"GroupNormalization: `axis` must be an int"):
        layers.GroupNormalization(axis=[1])


# -- UnitNormalization and RMSNormalization -----------------------------------------------------
def test_unit_normalization_matches_numpy_and_keras():
    x64 = RNG_X.astype("float64")
    np.testing.assert_allclose(layers.UnitNormalization()(RNG_X),
                               x64 / np.linalg.norm(x64, axis=-1, keepdims=True), rtol=1e-5)
    out = layers.UnitNormalization(axis=[1, 2])(X)
    x64 = X.astype("float64")
    np.testing.assert_allclose(out, x64 / np.sqrt((x64 ** 2).sum(axis=(1, 2), keepdims=True)),
                               rtol=1e-5)
    # keras.layers.UnitNormalization(axis=[1, 2]) (Keras 3.15.1).
    np.testing.assert_allclose(out[0], [[0.0, 0.066667], [0.188562, 0.34641],
                                        [0.533333, 0.745356]], rtol=1e-5)
    assert np.all(np.asarray(layers.UnitNormalization()(np.zeros((1, 3), "float32"))) == 0)


def test_rms_normalization_matches_numpy_and_keras():
    layer = layers.RMSNormalization(axis=[1, 2], epsilon=0.01)
    layer.build(RNG_X.shape)
    assert [w.name for w in layer.weights] == ["scale"]
    scale = np.random.default_rng(4).normal(size=(3, 5))
    layer.set_weights([scale.astype("float32")])
    x64 = RNG_X.astype("float64")
    expected = x64 / np.sqrt((x64 ** 2).mean(axis=(1, 2), keepdims=True) + 0.01) * scale
    np.testing.assert_allclose(layer(RNG_X), expected, rtol=1e-5, atol=1e-6)
    # keras.layers.RMSNormalization() with scale [1, 2, 3] (Keras 3.15.1).
    keras_layer = layers.RMSNormalization()
    keras_layer.build((1, 3))
    keras_layer.set_weights([np.array([1.0, 2.0, 3.0], "float32")])
    np.testing.assert_allclose(keras_layer(np.array([[1.0, -2.0, 4.0]], "float32")),
                               [[0.377964, -1.511858, 4.535573]], rtol=1e-5)
    assert layers.RMSNormalization().get_config()["epsilon"] == 1e-6


def test_unit_and_rms_normalization_errors():
    with pytest.raises(TypeError, match=r"UnitNormalization: `axis`.*1.5"):
        layers.UnitNormalization(axis=1.5)
    with pytest.raises(ValueError, match=r"UnitNormalization 'u': axis 4 is out of range"):
        layers.UnitNormalization(axis=4, name="u")(lamina.Input((3, 2)))
    with pytest.raises(ValueError, match=r"RMSNormalization: `epsilon`.*'small'"):
        layers.RMSNormalization(epsilon="small")


# -- gradients, serialization, docs -------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs", [
    (layers.BatchNormalization, {}),
    (layers.LayerNormalization, {"axis": [1, 2]}),
    (layers.GroupNormalization, {"groups": 2}),
    (layers.UnitNormalization, {}),
    (layers.RMSNormalization, {}),
])
def test_normalization_gradients(cls, kwargs):
    rng = np.random.default_rng(5)
    with gradcheck.float64_mode():  # layers made here compute in float64
        layer = cls(**kwargs)
        layer.build((3, 2, 4))
        layer.set_weights([rng.uniform(0.5, 1.5, size=w.shape) for w in layer.get_weights()])
    weights = rng.normal(size=(3, 2, 4))

    def loss(x):
        # stateless_call: in training, BatchNormalization's moving-statistics update is recorded
        # by the scope instead of storing a traced value in its variables.
        trainable = [v.value for v in layer.trainable_variables]
        non_trainable = [v.value for v in layer.non_trainable_variables]
        out, _ = layer.stateless_call(trainable, non_trainable, x, training=True)
        return ops.sum(out ** 2 * weights)

    # Compiled once: the finite differences then evaluate it cheaply.
    gradcheck.check_grads(backend.transforms.jit(loss), [rng.normal(size=(3, 2, 4))], rtol=1e-4,
                          atol=1e-6)


def test_normalization_layers_deserialize_by_name():
    for layer in (layers.BatchNormalization(momentum=0.9), layers.LayerNormalization(axis=[1]),
                  layers.GroupNormalization(groups=4), layers.UnitNormalization(),
                  layers.RMSNormalization(epsilon=1e-5)):
        restored = layers.deserialize(layers.serialize(layer))
        assert type(restored) is type(layer)
        assert restored.get_config() == {**layer.get_config(), "name": restored.name}


def test_normalization_module_docstrings():
    assert doctest.testmod(normalization, extraglobs={"lamina": lamina}).failed == 0
