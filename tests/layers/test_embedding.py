"""Embedding and Masking (lamina/layers/core.py): lookups, masks and their propagation."""

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck, layer_checks

TABLE = np.arange(12, dtype="float32").reshape(4, 3) / 4.0 - 1.0
IDS = np.array([[1, 0, 3], [2, 2, 0]])


def _embedding(**kwargs):
    layer = layers.Embedding(4, 3, **kwargs)
    layer.build()
    layer.set_weights([TABLE])
    return layer


class _MaskedMean(layers.Layer):
    """Mean over the time steps the incoming mask keeps (all steps without one)."""

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        return ops.sum(inputs * weights, axis=1) / ops.sum(weights, axis=1)


def _masked_mean_reference(h, keep):
    return np.stack([h[i][keep[i]].mean(axis=0) for i in range(len(h))])


# -- Embedding ------------------------------------------------------------------------------------
def test_embedding_looks_up_rows():
    out = _embedding()(IDS)
    np.testing.assert_array_equal(out, TABLE[IDS])
    assert backend.standardize_dtype(out.dtype) == "float32"


def test_embedding_casts_float_and_int64_indices():
    layer = _embedding()
    np.testing.assert_array_equal(layer(IDS.astype("float32")), TABLE[IDS])
    np.testing.assert_array_equal(layer(IDS.astype("int64")), TABLE[IDS])


def test_embedding_matches_keras_literals():
    # Keras 3.15 (jax): Embedding(4, 2, mask_zero=True) with weights arange(8).reshape(4, 2),
    # called on [[1, 0, 3]].
    layer = layers.Embedding(4, 2, mask_zero=True,
                             weights=np.arange(8, dtype="float32").reshape(4, 2))
    out = layer(np.array([[1, 0, 3]]))
    assert out.tolist() == [[[2.0, 3.0], [0.0, 1.0], [6.0, 7.0]]]
    assert backend.get_keras_mask(out).tolist() == [[True, False, True]]


def test_embedding_weight_name_shape_and_order():
    layer = layers.Embedding(5, 2, name="tokens")
    layer.build()
    assert [(w.path, w.shape, w.trainable) for w in layer.weights] == \
        [("tokens/embeddings", (5, 2), True)]


def test_embedding_shapes_agree_on_higher_rank_inputs():
    layer = _embedding()
    ids = np.array([[[1, 2], [3, 0]]])
    assert tuple(layer(ids).shape) == (1, 2, 2, 3)
    symbolic = layer(KerasTensor((None, 2, 2), "int32"))
    assert symbolic.shape == (None, 2, 2, 3) and symbolic.dtype == "float32"
    assert layer.compute_output_shape((None, 2, 2)) == (None, 2, 2, 3)


def test_embedding_stateless_call_and_config_round_trip():
    layer = layers.Embedding(4, 3, embeddings_regularizer="l2", mask_zero=True)
    layer(IDS)
    new_table = TABLE * 2.0
    out, _ = layer.stateless_call([new_table], [], IDS)
    np.testing.assert_array_equal(out, new_table[IDS])
    assert not np.array_equal(layer.get_weights()[0], new_table)
    layer_checks.check_weights(layer, expected_trainable=1)

    config = layer.get_config()
    assert config["mask_zero"] is True and config["input_dim"] == 4
    assert config["quantization_config"] is None
    clone = layers.Embedding.from_config(config)
    assert clone.get_config() == config
    clone.build()
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(IDS), layer(IDS))
    clone = layers.deserialize(layers.serialize(layer))
    assert isinstance(clone, layers.Embedding) and clone.output_dim == 3


def test_embedding_default_initializer_is_uniform_005():
    layer = layers.Embedding(50, 40)
    layer.build()
    table = layer.get_weights()[0]
    assert np.abs(table).max() <= 0.05 and table.std() > 0.02


def test_embedding_regularizer_and_constraint():
    layer = layers.Embedding(4, 3, embeddings_regularizer=lamina.regularizers.L2(0.5),
                             embeddings_constraint="non_neg")
    layer.build()
    layer.set_weights([TABLE])
    np.testing.assert_allclose(float(layer.losses[0]), 0.5 * np.sum(TABLE ** 2), rtol=1e-6)
    np.testing.assert_array_equal(layer.embeddings.constraint(TABLE), np.maximum(TABLE, 0))


def test_embedding_mask_zero():
    out = _embedding(mask_zero=True)(IDS)
    assert backend.get_keras_mask(out).tolist() == (IDS != 0).tolist()
    assert backend.get_keras_mask(_embedding()(IDS)) is None
    assert _embedding().compute_mask(IDS) is None


def test_embedding_gradient_is_scatter_add():
    ids = np.array([[1, 1, 3]])
    weights = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])
    with gradcheck.float64_mode():
        layer = layers.Embedding(4, 2)
        layer.build()

    def loss(table):
        out, _ = layer.stateless_call([table], [], ids)
        return ops.sum(ops.square(out) * weights)

    table = np.random.default_rng(0).normal(size=(4, 2))
    gradcheck.check_grads(loss, [table])
    # by hand: d/dT[r] = sum over positions p with ids[p] == r of 2 * T[r] * w[p]
    with gradcheck.float64_mode():
        grad = np.asarray(backend.transforms.grad(loss)(backend.convert_to_tensor(table)))
    expected = np.zeros_like(table)
    expected[1] = 2 * table[1] * (weights[0, 0] + weights[0, 1])
    expected[3] = 2 * table[3] * weights[0, 2]
    np.testing.assert_allclose(grad, expected, rtol=1e-10)


@pytest.mark.parametrize("bad", [4, -1, 9])
def test_embedding_rejects_out_of_range_indices_eagerly(bad):
    with pytest.raises(ValueError) as err:
        _embedding()(np.array([[0, bad]]))
    message = str(err.value)
    assert "Embedding 'embedding" in message and "input_dim=4" in message
    assert f"index {bad}" in message and "[0, 3]" in message


def test_embedding_out_of_range_in_compiled_code_gives_nan_row():
    layer = _embedding()
    step = backend.transforms.jit(lambda table, ids: layer.stateless_call([table], [], ids)[0])
    out = np.asarray(step(TABLE, np.array([[1, 7]])))
    np.testing.assert_array_equal(out[0, 0], TABLE[1])
    assert np.isnan(out[0, 1]).all()


@pytest.mark.parametrize("kwargs, match", [
    ({"input_dim": 0, "output_dim": 2}, "input_dim"),
    ({"input_dim": 3.0, "output_dim": 2}, "input_dim"),
    ({"input_dim": True, "output_dim": 2}, "input_dim"),
    ({"input_dim": 3, "output_dim": -2}, "output_dim"),
    ({"input_dim": 3, "output_dim": "2"}, "output_dim"),
])
def test_embedding_rejects_bad_dims(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Embedding(**kwargs)


def test_embedding_refuses_lora_and_quantization():
    with pytest.raises(NotImplementedError, match="lora_rank"):
        layers.Embedding(4, 2, lora_rank=2)
    with pytest.raises(NotImplementedError, match="quantization_config"):
        layers.Embedding(4, 2, quantization_config={"mode": "int8"})


def test_embedding_rejects_weights_of_wrong_shape():
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(3, 2\)"):
        layers.Embedding(4, 2, weights=np.zeros((3, 2), "float32"))


# -- mask propagation -------------------------------------------------------------------------------
def test_embedding_mask_flows_through_dense_to_mask_consumer_eagerly():
    embedding, dense, mean = _embedding(mask_zero=True), layers.Dense(2), _MaskedMean()
    hidden = dense(embedding(IDS))
    assert backend.get_keras_mask(hidden).tolist() == (IDS != 0).tolist()
    kernel, bias = dense.get_weights()
    expected = _masked_mean_reference(TABLE[IDS] @ kernel + bias, IDS != 0)
    np.testing.assert_allclose(mean(hidden), expected, rtol=1e-5, atol=1e-6)


def test_embedding_mask_flows_in_functional_model_and_compiled_steps():
    inputs = lamina.Input((3,), dtype="int32")
    hidden = layers.Dense(2, name="proj")(_embedding(mask_zero=True)(inputs))
    model = lamina.Model(inputs, _MaskedMean()(hidden))
    kernel, bias = model.get_layer("proj").get_weights()
    expected = _masked_mean_reference(TABLE[IDS] @ kernel + bias, IDS != 0)
    np.testing.assert_allclose(model(IDS), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(IDS, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.compile("sgd", "mse")
    loss = model.evaluate(IDS, np.zeros((2, 2), "float32"), verbose=0)
    np.testing.assert_allclose(loss, np.mean(expected ** 2), rtol=1e-5)


# -- Masking ----------------------------------------------------------------------------------------
def _padded():
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.0
    x[1, 2:] = 0.0
    x[1, 0, 0] = 0.0  # one zero feature alone does not mask a step
    return x


def test_masking_zeroes_masked_steps_and_sets_mask():
    x = _padded()
    x[0, 3] = [5.0, 5.0, 5.0]
    for mask_value in (0.0, 5.0):
        keep = np.any(x != mask_value, axis=-1)
        out = layers.Masking(mask_value)(x)
        np.testing.assert_array_equal(out, x * keep[..., None])
        assert backend.get_keras_mask(out).tolist() == keep.tolist()


def test_masking_matches_keras_literals():
    # Keras 3.15 (jax): Masking(mask_value=1.0) on [[[1, 1], [1, 2], [0, 0]]].
    out = layers.Masking(mask_value=1.0)(np.array([[[1.0, 1.0], [1.0, 2.0], [0.0, 0.0]]]))
    assert out.tolist() == [[[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]]]
    assert backend.get_keras_mask(out).tolist() == [[False, True, True]]


def test_masking_contract_and_config():
    layer = layer_checks.check_layer(layers.Masking, {"mask_value": 0.5}, (2, 4, 3), (2, 4, 3),
                                     expected_trainable=0)
    assert layer.get_config()["mask_value"] == 0.5
    assert layers.deserialize(layers.serialize(layer)).mask_value == 0.5


def test_masking_gradient_passes_kept_steps_only():
    x = _padded().astype("float64")
    keep = np.any(x != 0, axis=-1, keepdims=True)
    weights = np.arange(24, dtype="float64").reshape(2, 4, 3) / 10
    with gradcheck.float64_mode():
        layer = layers.Masking()

    # Nudging one value of a padded step un-masks it (a jump), so finite differences only
    # apply with the padded steps held at the mask value.
    def loss(x):
        return ops.sum(layer(ops.where(keep, x, 0.0)) * weights)

    gradcheck.check_grads(loss, [x])
    with gradcheck.float64_mode():
        grad = backend.transforms.grad(lambda x: ops.sum(layer(x) * weights))(
            backend.convert_to_tensor(x))
    np.testing.assert_allclose(grad, weights * keep, rtol=1e-12)


def test_masking_mask_flows_through_functional_model():
    x = _padded()
    inputs = lamina.Input((4, 3))
    model = lamina.Model(inputs, _MaskedMean()(layers.Dense(2, name="proj")(
        layers.Masking()(inputs))))
    kernel, bias = model.get_layer("proj").get_weights()
    expected = _masked_mean_reference(x @ kernel + bias, np.any(x != 0, -1))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bad", ["0", None, True, [0.0]])
def test_masking_rejects_non_numeric_mask_value(bad):
    with pytest.raises(TypeError, match="mask_value"):
        layers.Masking(bad)
