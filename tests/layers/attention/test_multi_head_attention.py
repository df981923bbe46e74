import doctest
import types

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.attention import multi_head_attention as module
from lamina.layers.attention.multi_head_attention import MultiHeadAttention
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

RNG = np.random.default_rng(23)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
V = RNG.normal(size=(2, 5, 6)).astype("float32")
K = RNG.normal(size=(2, 5, 7)).astype("float32")


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def named_weights(layer):
    """The layer's weights keyed by path below the layer: {"query/kernel": array, ...}."""
    return {w.path.split("/", 1)[1]: np.asarray(w.value, "float64") for w in layer.weights}


def np_mha(layer, q, v, k=None, mask=None, zero_masked=True, key_dim=None):
    """Reference multi-head attention over axis 1 from the layer's weights.

    `mask` is a boolean (B, T, S) array; rows where it is all False get zero weights when
    `zero_masked`, else (as Keras's fused kernel) uniform weights.
    """
    w = named_weights(layer)
    k = v if k is None else k

    def project(x, name):
        y = np.einsum("btd,dnh->btnh", x, w[f"{name}/kernel"])
        return y + w[f"{name}/bias"] if f"{name}/bias" in w else y

    query, key, value = project(q, "query"), project(k, "key"), project(v, "value")
    scores = np.einsum("btnh,bsnh->bnts", query, key) / np.sqrt(key_dim or query.shape[-1])
    if mask is not None:
        scores = np.where(mask[:, None], scores, -1e9)
    weights = np_softmax(scores)
    if mask is not None and zero_masked:
        weights = np.where(mask[:, None], weights, 0.0)
    out = np.einsum("bnts,bsnh->btnh", weights, value)
    if "gate/kernel" in w:
        out = out / (1 + np.exp(-project(q, "gate")))
    out = np.tensordot(out, w["attention_output/kernel"], axes=([2, 3], [0, 1]))
    return out + w["attention_output/bias"], weights


def test_mha_self_attention_matches_numpy():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, bias_initializer="random_normal")
    out, scores = layer(X, X, return_attention_scores=True)
    expected, weights = np_mha(layer, X, X)
    assert tuple(out.shape) == (2, 3, 4) and tuple(scores.shape) == (2, 2, 3, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(X, X), expected, rtol=1e-5, atol=1e-5)


def test_mha_cross_attention_with_key_and_value_dim():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5,
                               bias_initializer="random_normal")
    out, scores = layer(X, V, K, return_attention_scores=True)
    expected, weights = np_mha(layer, X, V, K)
    assert named_weights(layer)["value/kernel"].shape == (6, 2, 5)
    assert named_weights(layer)["key/kernel"].shape == (7, 2, 3)
    assert named_weights(layer)["attention_output/kernel"].shape == (2, 5, 4)
    assert tuple(scores.shape) == (2, 2, 3, 5)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("output_shape, expected_shape", [(6, (2, 3, 6)),
                                                          ((2, 3), (2, 3, 2, 3))])
def test_mha_output_shape(output_shape, expected_shape):
    layer = MultiHeadAttention(num_heads=2, key_dim=3, output_shape=output_shape,
                               bias_initializer="random_normal")
    out = layer(X, V)
    assert tuple(out.shape) == expected_shape
    assert layer.compute_output_shape(X.shape, V.shape) == expected_shape
    assert named_weights(layer)["attention_output/bias"].shape == expected_shape[2:]
    np.testing.assert_allclose(out, np_mha(layer, X, V)[0], rtol=1e-5, atol=1e-5)


def test_mha_attention_axes_on_2d_inputs():
    # Attention over both axes of a (batch, 3, 2, features) input is attention over the
    # flattened 6 positions.
    x = RNG.normal(size=(2, 3, 2, 4)).astype("float32")
    layer = MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(1, 2),
                               bias_initializer="random_normal")
    out, scores = layer(x, x, return_attention_scores=True)
    assert tuple(scores.shape) == (2, 2, 3, 2, 3, 2)
    flat = x.reshape(2, 6, 4)
    expected, weights = np_mha(layer, flat, flat)
    np.testing.assert_allclose(out, expected.reshape(2, 3, 2, 4), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, weights.reshape(2, 2, 3, 2, 3, 2), rtol=1e-5, atol=1e-6)
    assert layer.get_config()["attention_axes"] == (1, 2)


def test_mha_attention_over_one_inner_axis():
    x = RNG.normal(size=(2, 3, 2, 4)).astype("float32")
    layer = MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=-2)
    out = layer(x, x)
    # Axis 2 only: each of the 3 rows attends within itself.
    rows = [np_mha(layer, x[:, i], x[:, i])[0] for i in range(3)]
    np.testing.assert_allclose(out, np.stack(rows, 1), rtol=1e-5, atol=1e-5)
    assert layer.attention_axes == (2,)


def test_mha_attention_mask_and_causal_mask():
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    mask = np.array([[[1, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 0, 1, 0, 0]],
                     [[1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 0, 0, 0, 1]]], bool)
    out, scores = layer(X, V, attention_mask=mask, return_attention_scores=True)
    expected, weights = np_mha(layer, X, V, mask=mask)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)
    causal = np.tril(np.ones((3, 5), bool))[None]
    np.testing.assert_allclose(layer(X, V, use_causal_mask=True),
                               np_mha(layer, X, V, mask=np.broadcast_to(causal, (2, 3, 5)))[0],
                               rtol=1e-5, atol=1e-5)
    both = mask & causal
    np.testing.assert_allclose(layer(X, V, attention_mask=mask, use_causal_mask=True),
                               np_mha(layer, X, V, mask=both)[0], rtol=1e-5, atol=1e-5)


def test_mha_sliding_window_and_gate():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, sliding_window=2, use_gate=True,
                               bias_initializer="random_normal")
    x = RNG.normal(size=(2, 4, 4)).astype("float32")
    band = np.abs(np.arange(4)[:, None] - np.arange(4)[None]) < 2
    out = layer(x, x)
    expected, _ = np_mha(layer, x, x, mask=np.broadcast_to(band, (2, 4, 4)))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert [w.path for w in layer.weights][4:6] == [f"{layer.name}/gate/kernel",
                                                    f"{layer.name}/gate/bias"]


def test_mha_keras_masks_from_embedding_in_functional_model():
    tokens_q, tokens_v = lamina.Input((3,), dtype="int32"), lamina.Input((4,), dtype="int32")
    embed = layers.Embedding(6, 4, mask_zero=True)
    mha = MultiHeadAttention(num_heads=2, key_dim=2)
    out = mha(embed(tokens_q), embed(tokens_v))
    assert out.shape == (None, 3, 4)
    model = lamina.Model([tokens_q, tokens_v], out)
    ids_q = np.array([[1, 2, 0], [3, 0, 0]], "int32")
    ids_v = np.array([[4, 5, 1, 0], [2, 0, 3, 1]], "int32")
    table = np.asarray(embed.embeddings.value)
    mask = (ids_q != 0)[:, :, None] & (ids_v != 0)[:, None, :]
    expected, _ = np_mha(mha, table[ids_q], table[ids_v], mask=mask, zero_masked=False)
    np.testing.assert_allclose(model([ids_q, ids_v]), expected, rtol=1e-5, atol=1e-5)
    # Eagerly, the output carries the query's mask, as in Keras.
    q = embed(ids_q)
    np.testing.assert_array_equal(backend.get_keras_mask(mha(q, embed(ids_v))), ids_q != 0)


def test_mha_explicit_masks():
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    q_mask = np.array([[True, True, False], [True, True, True]])
    v_mask = np.array([[True, False, True, True, True], [False, True, True, True, True]])
    mask = q_mask[:, :, None] & v_mask[:, None, :]
    out, scores = layer(X, V, query_mask=q_mask, value_mask=v_mask, return_attention_scores=True)
    expected, weights = np_mha(layer, X, V, mask=mask)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)


def test_mha_matches_keras_reference():
    # Keras 3.15 (jax): MultiHeadAttention(num_heads=2, key_dim=3) on query (1, 3, 4) and value
    # (1, 2, 5) from default_rng(42); each weight default_rng(7).normal(size=shape) * 0.5.
    rng = np.random.default_rng(42)
    q = rng.normal(size=(1, 3, 4)).astype("float32")
    v = rng.normal(size=(1, 2, 5)).astype("float32")
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    layer.build(q.shape, v.shape)
    layer.set_weights([np.random.default_rng(7).normal(size=w.shape).astype("float32") * 0.5
                       for w in layer.weights])
    np.testing.assert_allclose(layer(q, v), [[
        [-0.2817358, -0.22401224, -0.16230896, -0.31121993],
        [-0.40973452, -0.30298078, -0.25181377, -0.26243207],
        [-0.29676023, -0.232044, -0.17740266, -0.3074427]]], rtol=1e-5, atol=1e-6)
    # The last query row may attend to nothing: Keras's fused path (no scores returned) gives
    # it uniform weights, its score-returning path gives it zero weights.
    mask = np.array([[[True, False], [True, True], [False, False]]])
    np.testing.assert_allclose(layer(q, v, attention_mask=mask), [[
        [0.0317737, 0.02434735, -0.14675295, -0.5172649],
        [-0.40973452, -0.30298078, -0.25181377, -0.26243207],
        [-0.34078565, -0.2494397, -0.2443903, -0.3060458]]], rtol=1e-5, atol=1e-6)
    out, scores = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(out[0, 2], [0.00061508, 0.14937277, -0.13706893, -0.44529593],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores[0, :, 1], [[0.38220802, 0.61779195],
                                                 [0.41278756, 0.58721244]], rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(scores)[0, :, 2], 0.0)


def test_mha_weight_names_and_order_follow_keras():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, name="multi_head_attention")
    layer(X, V)
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [
        ("multi_head_attention/query/kernel", (4, 2, 3)),
        ("multi_head_attention/query/bias", (2, 3)),
        ("multi_head_attention/key/kernel", (6, 2, 3)),
        ("multi_head_attention/key/bias", (2, 3)),
        ("multi_head_attention/value/kernel", (6, 2, 3)),
        ("multi_head_attention/value/bias", (2, 3)),
        ("multi_head_attention/attention_output/kernel", (2, 3, 4)),
        ("multi_head_attention/attention_output/bias", (4,))]
    no_bias = MultiHeadAttention(num_heads=2, key_dim=3, use_bias=False)
    no_bias(X, X)
    assert [w.name for w in no_bias.weights] == ["kernel"] * 4
    # Kernels use glorot_uniform with the fans of the projection: (4 -> 2 * 3).
    assert np.abs(named_weights(layer)["query/kernel"]).max() <= np.sqrt(6 / (4 + 6))


def test_mha_symbolic_and_explicit_build():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)
    out, scores = layer(KerasTensor((None, 3, 4)), KerasTensor((None, 5, 6)),
                        return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 2, 3, 5)
    built = MultiHeadAttention(num_heads=2, key_dim=3)
    built.build((None, 3, 4), (None, 5, 6), (None, 5, 7))
    assert built.built and len(built.weights) == 8
    assert built.get_build_config() == {"shapes_dict": {
        "query_shape": (None, 3, 4), "value_shape": (None, 5, 6), "key_shape": (None, 5, 7)}}
    clone = MultiHeadAttention.from_config(built.get_config())
    clone.build_from_config(built.get_build_config())
    assert [w.shape for w in clone.weights] == [w.shape for w in built.weights]
    assert tuple(built(X, V, K).shape) == (2, 3, 4)


def test_mha_config_round_trip_and_stateless_call():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2, dropout=0.1,
                               output_shape=5, kernel_regularizer="l2", seed=2, name="mha_c")
    config = layer.get_config()
    assert (config["num_heads"], config["key_dim"], config["value_dim"], config["dropout"],
            config["output_shape"], config["attention_axes"], config["seed"]) == \
        (2, 3, 2, 0.1, (5,), None, 2)
    clone = MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    out = layer(X, V)
    clone(X, V)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(X, V), out, rtol=1e-6, atol=1e-6)
    assert len(layer.losses) == 4  # l2 on the four kernels
    stateless, _ = layer.stateless_call([v.value for v in layer.trainable_variables],
                                        [v.value for v in layer.non_trainable_variables], X, V)
    np.testing.assert_allclose(stateless, out, rtol=1e-6, atol=1e-6)


def test_mha_dropout_only_in_training():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=1)
    out = layer(X, X)
    expected, weights = np_mha(layer, X, X)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    trained, train_scores = layer(X, X, training=True, return_attention_scores=True)
    # The returned scores are the weights before dropout; the output used dropped weights.
    np.testing.assert_allclose(train_scores, weights, rtol=1e-5, atol=1e-6)
    assert np.abs(np.asarray(trained) - expected).max() > 1e-3


def test_mha_gradients():
    with gradcheck.float64_mode():
        layer = MultiHeadAttention(num_heads=2, key_dim=2, bias_initializer="random_normal")
        x = RNG.normal(size=(1, 3, 3))
        layer(x, x)
        weights = [v.value for v in layer.trainable_variables]
    mask = np.array([[[True, False, True], [True, True, True], [False, True, True]]])

    @backend.transforms.jit
    def loss(query, query_kernel):
        out, _ = layer.stateless_call([query_kernel, *weights[1:]], [], query, x,
                                      attention_mask=mask)
        return ops.sum(out ** 2)

    gradcheck.check_grads(loss, [RNG.normal(size=(1, 3, 3)), np.asarray(weights[0])],
                          rtol=1e-5, atol=1e-6)


def test_mha_trains_in_transformer_classifier():
    lamina.random.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4, 4)).astype("float32")
    y = (x[:, :, 0].mean(-1) > 0).astype("int32")
    inputs = lamina.Input((4, 4))
    attended = MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
    h = layers.LayerNormalization()(inputs + attended)
    h = layers.LayerNormalization()(h + layers.Dense(4)(layers.Dense(8, activation="relu")(h)))
    outputs = layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling1D()(h))
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer=lamina.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    losses = model.fit(x, y, epochs=20, batch_size=32, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]


def test_mha_rejects_bad_arguments():
    with pytest.raises(TypeError, match="key_dim"):
        MultiHeadAttention(num_heads=2)
    with pytest.raises(ValueError, match=r"MultiHeadAttention: `key_dim` must be a positive int"):
        MultiHeadAttention(num_heads=2, key_dim=0)
    with pytest.raises(ValueError, match=r"`num_heads` must be a positive int.*'2'"):
        MultiHeadAttention(num_heads="2", key_dim=2)
    with pytest.raises(ValueError, match=r"`output_shape` must be"):
        MultiHeadAttention(num_heads=2, key_dim=2, output_shape="x")
    with pytest.raises(ValueError, match=r"`attention_axes` must be"):
        MultiHeadAttention(num_heads=2, key_dim=2, attention_axes="1")
    with pytest.raises(ValueError, match=r"dropout is not supported with flash_attention"):
        MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.1, flash_attention=True)


def test_mha_rejects_bad_inputs():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, name="mha_e")
    with pytest.raises(ValueError, match=r"'mha_e' needs `query` and `value`"):
        layer(X)
    with pytest.raises(ValueError, match=r"'mha_e': `attention_mask` of shape \(2, 4, 5\) does "
                                         r"not broadcast to \(2, 3, 5\)"):
        layer(X, V, attention_mask=np.ones((2, 4, 5), bool))
    with pytest.raises(ValueError, match=r"was built for `value` of shape \(2, 5, 6\).*"
                                         r"\(2, 5, 3\)"):
        layer(X, V[..., :3])
    with pytest.raises(ValueError, match=r"same rank.*\(2, 3, 4\).*\(2, 5\)"):
        MultiHeadAttention(num_heads=2, key_dim=3)(X, V[..., 0])
    with pytest.raises(ValueError, match=r"`value` and `key` must have equal shapes"):
        MultiHeadAttention(num_heads=2, key_dim=3)(X, V, K[:, :4])
    with pytest.raises(ValueError, match=r"`attention_axes` must name axes"):
        MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=3)(X, X)
    flash = MultiHeadAttention(num_heads=2, key_dim=3, flash_attention=True)
    with pytest.raises(ValueError, match=r"return_attention_scores=True is not supported"):
        flash(X, X, return_attention_scores=True)


def test_multi_head_attention_module_doctests():
    shim = types.SimpleNamespace(ops=lamina.ops, layers=types.SimpleNamespace(MultiHeadAttention=module.MultiHeadAttention))
    result = doctest.testmod(module, extraglobs={"lamina": shim})
    assert result.failed == 0 and result.attempted >= 2


def test_mha_loads_keras_config():
    # As Keras 3.15 writes a built layer's config to JSON (tuples become lists).
    config = {"name": "multi_head_attention", "trainable": True,
              "dtype": {"module": "keras", "class_name": "DTypePolicy",
                        "config": {"name": "float32"}, "registered_name": None},
              "num_heads": 2, "key_dim": 3, "value_dim": 3, "dropout": 0.0, "use_bias": True,
              "use_gate": False, "output_shape": None, "attention_axes": [1],
              "sliding_window": None,
              "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                     "config": {"seed": None, "input_axes": None,
                                                "output_axes": None}, "registered_name": None},
              "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                   "config": {}, "registered_name": None},
              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None, "seed": None}
    layer = MultiHeadAttention.from_config(config)
    layer.build_from_config({"shapes_dict": {"query_shape": [2, 3, 4], "value_shape": [2, 5, 6]}})
    assert [tuple(w.shape) for w in layer.weights][-2:] == [(2, 3, 4), (4,)]
    np.testing.assert_allclose(layer(X, V), np_mha(layer, X, V)[0], rtol=1e-5, atol=1e-5)
