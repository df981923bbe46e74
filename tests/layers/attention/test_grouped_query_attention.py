import doctest
import types

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.attention import grouped_query_attention as module
from lamina.layers.attention.grouped_query_attention import (
    GroupedQueryAttention,
    GroupQueryAttention,
)
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

RNG = np.random.default_rng(24)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
V = RNG.normal(size=(2, 5, 4)).astype("float32")


def np_gqa(layer, q, v, k=None, mask=None, zero_masked=True):
    """Reference: query heads h use key/value head h // (query heads per key/value head)."""
    w = {x.path.split("/", 1)[1]: np.asarray(x.value, "float64") for x in layer.weights}
    k = v if k is None else k
    query = np.einsum("btd,dnh->btnh", q, w["query/kernel"]) + w["query/bias"]
    key = np.einsum("bsd,dnh->bsnh", k, w["key/kernel"]) + w["key/bias"]
    value = np.einsum("bsd,dnh->bsnh", v, w["value/kernel"]) + w["value/bias"]
    repeats = query.shape[2] // key.shape[2]
    key, value = np.repeat(key, repeats, axis=2), np.repeat(value, repeats, axis=2)
    scores = np.einsum("btnh,bsnh->bnts", query, key) / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = np.where(mask[:, None], scores, -1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    if mask is not None and zero_masked:
        weights = np.where(mask[:, None], weights, 0.0)
    out = np.einsum("bnts,bsnh->btnh", weights, value)
    out = np.einsum("btnh,nhd->btd", out, w["attention_output/kernel"])
    return out + w["attention_output/bias"], weights


@pytest.mark.parametrize("num_key_value_heads", [1, 2, 4])
def test_gqa_matches_numpy(num_key_value_heads):
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4,
                                num_key_value_heads=num_key_value_heads,
                                bias_initializer="random_normal")
    out, scores = layer(X, V, return_attention_scores=True)
    expected, weights = np_gqa(layer, X, V)
    assert tuple(scores.shape) == (2, 4, 3, 5)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(X, V), expected, rtol=1e-5, atol=1e-5)


def test_gqa_masks():
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    key = RNG.normal(size=(2, 5, 3)).astype("float32")
    attention_mask = RNG.random((2, 3, 5)) > 0.3
    attention_mask[:, :, 0] = True
    v_mask = np.array([[True, True, False, True, True], [True, True, True, True, False]])
    causal = np.tril(np.ones((3, 5), bool))[None]
    out = layer(X, V, key, attention_mask=attention_mask, value_mask=v_mask,
                use_causal_mask=True)
    mask = attention_mask & v_mask[:, None, :] & causal
    np.testing.assert_allclose(out, np_gqa(layer, X, V, key, mask=mask)[0], rtol=1e-5,
                               atol=1e-5)
    # Keras masks on the inputs (here from Masking) act as query and value masks.
    q = X.copy()
    q[1, 2] = 0.0
    plain = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    masked = plain(layers.Masking()(q), V)
    q_mask = np.any(q != 0, -1)
    expected, _ = np_gqa(plain, q, V, mask=np.broadcast_to(q_mask[:, :, None], (2, 3, 5)),
                         zero_masked=False)
    np.testing.assert_allclose(masked, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(backend.get_keras_mask(masked), q_mask)


def test_gqa_matches_keras_reference():
    # Keras 3.15 (jax): GroupQueryAttention(head_dim=2, num_query_heads=4,
    # num_key_value_heads=2), query (1, 3, 4) and value (1, 2, 4) from default_rng(42), each
    # weight default_rng(8).normal(size=shape) * 0.5, use_causal_mask=True.
    rng = np.random.default_rng(42)
    q = rng.normal(size=(1, 3, 4)).astype("float32")
    v = rng.normal(size=(1, 2, 5)).astype("float32")[..., :4]
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    layer.build(q.shape, v.shape)
    layer.set_weights([np.random.default_rng(8).normal(size=w.shape).astype("float32") * 0.5
                       for w in layer.weights])
    np.testing.assert_allclose(layer(q, v, use_causal_mask=True), [[
        [0.9219791, -1.9303505, 1.2902324, -0.55853105],
        [0.2321145, -1.325474, 0.45454043, -0.5004082],
        [0.671858, -1.5919372, 0.9119162, -0.5938383]]], rtol=1e-5, atol=1e-6)


def test_gqa_weight_names_and_alias():
    assert GroupQueryAttention is GroupedQueryAttention
    layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2,
                                name="grouped_query_attention")
    assert GroupQueryAttention(3, 4, 2).name.startswith("grouped_query_attention")
    layer(X, X)
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [
        ("grouped_query_attention/query/kernel", (4, 4, 3)),
        ("grouped_query_attention/query/bias", (4, 3)),
        ("grouped_query_attention/key/kernel", (4, 2, 3)),
        ("grouped_query_attention/key/bias", (2, 3)),
        ("grouped_query_attention/value/kernel", (4, 2, 3)),
        ("grouped_query_attention/value/bias", (2, 3)),
        ("grouped_query_attention/attention_output/kernel", (4, 3, 4)),
        ("grouped_query_attention/attention_output/bias", (4,))]
    gated = GroupQueryAttention(3, 4, 2, use_bias=False, use_gate=True)
    gated(X, X)
    assert [w.path.split("/", 1)[1] for w in gated.weights] == [
        "query/kernel", "key/kernel", "gate/kernel", "value/kernel", "attention_output/kernel"]


def test_gqa_symbolic_shapes_and_build():
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    out, scores = layer(KerasTensor((None, 3, 4)), KerasTensor((None, 5, 4)),
                        return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 4, 3, 5)
    assert layer.compute_output_shape((2, 3, 4), (2, 5, 4)) == (2, 3, 4)
    built = GroupQueryAttention(2, 4, 2)
    built.build((None, 3, 4), (None, 5, 4))
    assert built.get_build_config() == {"shapes_dict": {"query_shape": (None, 3, 4),
                                                        "value_shape": (None, 5, 4)}}
    assert len(built.weights) == 8


def test_gqa_config_round_trip():
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2,
                                dropout=0.2, use_bias=False, sliding_window=3, seed=5)
    config = layer.get_config()
    assert (config["head_dim"], config["num_query_heads"], config["num_key_value_heads"],
            config["dropout"], config["use_bias"], config["sliding_window"], config["seed"]) \
        == (2, 4, 2, 0.2, False, 3, 5)
    clone = GroupQueryAttention.from_config(config)
    assert clone.get_config() == config
    out = layer(X, V)
    clone(X, V)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(X, V), out, rtol=1e-6, atol=1e-6)


def test_gqa_gradients():
    with gradcheck.float64_mode():
        layer = GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1)
        value = RNG.normal(size=(1, 3, 2))
        layer(value, value)
        weights = [v.value for v in layer.trainable_variables]

    @backend.transforms.jit
    def loss(query):
        out, _ = layer.stateless_call(weights, [], query, value, use_causal_mask=True)
        return ops.sum(out ** 2)

    gradcheck.check_grads(loss, [RNG.normal(size=(1, 3, 2))], rtol=1e-5, atol=1e-6)


def test_gqa_rejects_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"`num_query_heads` must be divisible by "
                                         r"`num_key_value_heads`.*num_query_heads=4, "
                                         r"num_key_value_heads=3"):
        GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=3)
    with pytest.raises(ValueError, match=r"`head_dim` must be a positive int"):
        GroupQueryAttention(head_dim=0, num_query_heads=4, num_key_value_heads=2)
    with pytest.raises(ValueError, match=r"`sliding_window` must be a positive int or None"):
        GroupQueryAttention(2, 4, 2, sliding_window=0)
    layer = GroupQueryAttention(2, 4, 2, name="gqa_e")
    with pytest.raises(ValueError, match=r"'gqa_e' expects `query` of shape \(batch, steps, "
                                         r"features\).*\(2, 3, 2, 2\)"):
        layer(X.reshape(2, 3, 2, 2), V)
    layer(X, V)
    with pytest.raises(ValueError, match=r"built for `value` with 4 features.*\(2, 5, 3\)"):
        layer(X, V[..., :3])
    with pytest.raises(ValueError, match=r"last axes of `query` and `value` must be equal"):
        GroupQueryAttention(2, 4, 2)(KerasTensor((None, 3, 4)), KerasTensor((None, 5, 6)))


def test_grouped_query_attention_module_doctests():
    shim = types.SimpleNamespace(ops=lamina.ops, layers=types.SimpleNamespace(GroupQueryAttention=module.GroupQueryAttention))
    result = doctest.testmod(module, extraglobs={"lamina": shim})
    assert result.failed == 0 and result.attempted >= 2
