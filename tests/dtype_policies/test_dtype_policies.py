import numpy as np
import pytest

import lamina
from lamina import dtype_policies, layers
from lamina.dtype_policies import DTypePolicy


@pytest.fixture(autouse=True)
def _restore_global_policy():
    yield
    dtype_policies.set_dtype_policy(None)


@pytest.mark.parametrize("name, compute, variable", [
    ("float32", "float32", "float32"), ("bfloat16", "bfloat16", "bfloat16"),
    ("mixed_float16", "float16", "float32"), ("mixed_bfloat16", "bfloat16", "float32"),
    ("int32", "int32", "int32")])
def test_policy_dtypes(name, compute, variable):
    policy = DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute, variable)
    assert dtype_policies.deserialize(dtype_policies.serialize(policy)) == policy
    assert dtype_policies.serialize(policy) == {
        "module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
        "registered_name": None}


def test_unknown_policy_names_the_choices():
    with pytest.raises(ValueError, match="'mixed_float16', 'mixed_bfloat16'"):
        DTypePolicy("float17")
    with pytest.raises(TypeError, match="policy name"):
        dtype_policies.get(3)


def test_mixed_layer_computes_in_16_bits_and_keeps_float32_weights():
    layer = layers.Dense(3, dtype="mixed_bfloat16")
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    y = layer(x)
    assert str(y.dtype) == "bfloat16"
    assert layer.kernel.dtype == "float32" and layer.dtype == "float32"
    assert layer.compute_dtype == "bfloat16"
    kernel, bias = (np.asarray(w, "float32") for w in layer.get_weights())
    # The reference: inputs and weights rounded to bfloat16, as the layer computes.
    import ml_dtypes
    rounded = (x.astype(ml_dtypes.bfloat16).astype("float32")
               @ kernel.astype(ml_dtypes.bfloat16).astype("float32"))
    np.testing.assert_allclose(np.asarray(y, "float32"), rounded + bias, rtol=2e-2, atol=2e-2)
    assert layer.get_config()["dtype"]["config"]["name"] == "mixed_bfloat16"
    # Outside the layer's call the variable reads in its own dtype.
    assert str(layer.kernel.value.dtype) == "float32"


def test_global_policy_applies_to_new_layers_and_training_keeps_float32_weights():
    lamina.mixed_precision.set_global_policy("mixed_bfloat16")
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(8, activation="relu"),
                               layers.Dense(2, activation="softmax", dtype="float32")])
    assert model.layers[0].dtype_policy.name == "mixed_bfloat16"
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    y = (x[:, 0] > 0.5).astype("int32")
    history = model.fit(x, y, epochs=8, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(w.dtype == "float32" for w in model.weights)


def test_batch_norm_statistics_accumulate_in_float32_under_autocast():
    layer = layers.BatchNormalization(dtype="mixed_float16", momentum=0.5)
    x = np.full((4, 3), 1000.001, "float32")
    layer(x, training=True)
    # float16 cannot hold 500.0005's fraction; the float32 moving mean keeps it.
    np.testing.assert_allclose(np.asarray(layer.moving_mean.value), 500.0, rtol=1e-5)
    assert layer.moving_mean.dtype == "float32"


def test_mixed_float16_model_gets_a_loss_scale_optimizer():
    lamina.mixed_precision.set_global_policy("mixed_float16")
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(4, activation="relu"),
                               layers.Dense(1, dtype="float32")])
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.optimizer, lamina.optimizers.LossScaleOptimizer)
    x = np.random.default_rng(0).random((16, 4)).astype("float32")
    history = model.fit(x, x.sum(axis=1, keepdims=True), epochs=5, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][-1] < history.history["loss"][0]
