import doctest
import types

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.attention import attention as module
from lamina.layers.attention.attention import Attention
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

RNG = np.random.default_rng(21)
Q = RNG.normal(size=(2, 3, 4)).astype("float32")
V = RNG.normal(size=(2, 5, 4)).astype("float32")
K = RNG.normal(size=(2, 5, 4)).astype("float32")
Q_MASK = np.array([[True, True, False], [True, False, True]])
V_MASK = np.array([[True, False, True, True, False], [False, True, True, True, True]])


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attention(q, v, k=None, mode="dot", scale=None, concat_weight=1.0, q_mask=None,
                 v_mask=None, causal=False):
    """Reference: scores, keys excluded by subtracting 1e9, softmax, weighted values."""
    k = v if k is None else k
    if mode == "dot":
        scores = q @ np.swapaxes(k, -1, -2) * (1.0 if scale is None else scale)
    else:
        pairs = q[:, :, None, :] + k[:, None, :, :]
        scores = concat_weight * np.tanh(pairs * (1.0 if scale is None else scale)).sum(-1)
    allowed = np.ones(scores.shape, bool)
    if v_mask is not None:
        allowed &= v_mask[:, None, :]
    if causal:
        allowed &= np.tril(np.ones(scores.shape[-2:], bool))
    weights = np_softmax(np.where(allowed, scores, scores - 1e9))
    out = weights @ v
    if q_mask is not None:
        out = np.where(q_mask[..., None], out, 0.0)
    return out, weights


@pytest.mark.parametrize("score_mode", ["dot", "concat"])
@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_attention_matches_numpy(score_mode, use_scale, masked):
    layer = Attention(use_scale=use_scale, score_mode=score_mode)
    layer.build([Q.shape, V.shape, K.shape])
    values = {"scale": 0.7, "concat_score_weight": 1.3}
    layer.set_weights([np.float32(values[w.name]) for w in layer.weights])
    masks = {"q_mask": Q_MASK, "v_mask": V_MASK} if masked else {}
    out, scores = layer([Q, V, K], mask=[Q_MASK, V_MASK] if masked else None,
                        return_attention_scores=True)
    expected, weights = np_attention(Q, V, K, score_mode, 0.7 if use_scale else None, 1.3,
                                     **masks)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)


def test_attention_weights_follow_keras():
    names = lambda layer: [(w.path, tuple(w.shape)) for w in layer.weights]
    layer = Attention(use_scale=True, score_mode="concat", name="attention")
    layer([Q, V])
    assert Attention().name.startswith("attention")
    assert names(layer) == [("attention/scale", ()), ("attention/concat_score_weight", ())]
    np.testing.assert_array_equal(layer.get_weights(), [1.0, 1.0])
    plain = Attention()
    plain([Q, V])
    assert plain.weights == []


@pytest.mark.parametrize("with_value_mask", [False, True])
def test_attention_causal_mask(with_value_mask):
    layer = Attention()
    v_mask = np.array([[True, True, False, True, True]] * 2)
    mask = [None, v_mask] if with_value_mask else None
    out, scores = layer([Q, V], mask=mask, use_causal_mask=True, return_attention_scores=True)
    expected, weights = np_attention(Q, V, v_mask=v_mask if with_value_mask else None,
                                     causal=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)
    assert np.all(np.triu(np.asarray(scores)[0], 1) == 0)


def test_attention_matches_keras_reference():
    # Keras 3.15: Attention(use_scale=True, score_mode="concat") with scale 0.7, weight 1.3.
    rng = np.random.default_rng(3)
    q = rng.normal(size=(1, 3, 2)).astype("float32")
    v = rng.normal(size=(1, 4, 2)).astype("float32")
    layer = Attention(use_scale=True, score_mode="concat")
    layer.build([q.shape, v.shape])
    layer.set_weights([np.float32(0.7), np.float32(1.3)])
    out = layer([q, v], mask=[np.array([[True, True, False]]),
                              np.array([[True, False, True, True]])], use_causal_mask=True)
    np.testing.assert_allclose(out, [[[-2.0199862, -0.23193237], [-2.0199862, -0.23193237],
                                      [0.0, 0.0]]], rtol=1e-5, atol=1e-6)


def test_attention_uses_keras_masks_and_propagates_query_mask():
    q = Q.copy()
    q[0, 2] = 0.0
    q[1, 1] = 0.0
    v = V.copy()
    v[~V_MASK] = 0.0
    query, value = layers.Masking()(q), layers.Masking()(v)
    out = Attention()([query, value])
    expected, _ = np_attention(q, v, q_mask=Q_MASK, v_mask=V_MASK)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(backend.get_keras_mask(out), Q_MASK)
    layer = Attention()
    assert layer.compute_mask([Q, V], None) is None
    np.testing.assert_array_equal(layer.compute_mask([Q, V], [Q_MASK, None]), Q_MASK)


def test_attention_in_functional_model_with_masks():
    q_in, v_in = lamina.Input((3, 4)), lamina.Input((5, 4))
    out = Attention()([layers.Masking()(q_in), layers.Masking()(v_in)])
    assert out.shape == (None, 3, 4)
    model = lamina.Model([q_in, v_in], out)
    q, v = Q.copy(), V.copy()
    q[0, 2] = 0.0
    v[~V_MASK] = 0.0
    expected, _ = np_attention(q, v, q_mask=np.any(q != 0, -1), v_mask=V_MASK)
    np.testing.assert_allclose(model([q, v]), expected, rtol=1e-5, atol=1e-6)


def test_attention_symbolic_shapes():
    layer = Attention()
    out, scores = layer([KerasTensor((None, 3, 4)), KerasTensor((None, 5, 6)),
                         KerasTensor((None, 5, 4))], return_attention_scores=True)
    assert out.shape == (None, 3, 6) and scores.shape == (None, 3, 5)
    assert layer.compute_output_shape([(2, 3, 4), (2, 5, 6)]) == (2, 3, 6)


def test_attention_dropout_drops_weights_only_in_training():
    layer = Attention(dropout=0.5, seed=1)
    _, weights = np_attention(Q, V)
    out, scores = layer([Q, V], return_attention_scores=True)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)
    out, scores = layer([Q, V], training=True, return_attention_scores=True)
    scores = np.asarray(scores)
    kept = scores != 0
    assert 0 < kept.sum() < kept.size
    np.testing.assert_allclose(scores[kept], 2 * weights[kept], rtol=1e-5)
    np.testing.assert_allclose(out, scores @ V, rtol=1e-5, atol=1e-6)


def test_attention_gradients():
    with gradcheck.float64_mode():
        layer = Attention(use_scale=True, score_mode="concat")
        layer.build([(1, 2, 3), (1, 3, 3)])
    value = RNG.normal(size=(1, 3, 3))
    v_mask = np.array([[True, False, True]])

    @backend.transforms.jit
    def loss(query, scale, weight):
        out, _ = layer.stateless_call([scale, weight], [], [query, value],
                                      mask=[None, v_mask], use_causal_mask=True)
        return ops.sum(out ** 2)

    gradcheck.check_grads(loss, [RNG.normal(size=(1, 2, 3)), np.array(0.8), np.array(1.2)])


def test_attention_stateless_call_and_jit():
    layer = Attention(use_scale=True)
    layer([Q, V])
    step = backend.transforms.jit(
        lambda scale, q, v: layer.stateless_call([scale], [], [q, v], mask=[None, V_MASK])[0])
    np.testing.assert_allclose(step(np.float32(0.5), Q, V),
                               np_attention(Q, V, scale=0.5, v_mask=V_MASK)[0], rtol=1e-5,
                               atol=1e-6)


def test_attention_config_round_trip():
    layer = Attention(use_scale=True, score_mode="concat", dropout=0.25, seed=3, name="att")
    config = layer.get_config()
    assert {k: config[k] for k in ("use_scale", "score_mode", "dropout", "seed")} == \
        {"use_scale": True, "score_mode": "concat", "dropout": 0.25, "seed": 3}
    clone = Attention.from_config(config)
    assert clone.get_config() == config
    layer([Q, V])
    clone([Q, V])
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone([Q, V]), layer([Q, V]), rtol=1e-6)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"score_mode": "add"}, r"`score_mode` must be one of \('dot', 'concat'\).*'add'"),
    ({"dropout": 1.5}, r"`dropout` must be a float in \[0, 1\).*1.5"),
])
def test_attention_rejects_bad_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Attention(**kwargs)


def test_attention_rejects_bad_inputs():
    layer = Attention(name="att_e")
    with pytest.raises(ValueError, match=r"Attention 'att_e' must be called on a list"):
        layer(Q)
    with pytest.raises(ValueError, match=r"`mask` must be a list"):
        layer([Q, V], mask=Q_MASK)
    with pytest.raises(ValueError, match=r"same last axis.*query=\(2, 3, 4\), key=\(2, 5, 3\)"):
        Attention()([Q, V, K[..., :3]])


def test_attention_module_doctests():
    shim = types.SimpleNamespace(ops=lamina.ops, layers=types.SimpleNamespace(Attention=module.Attention))
    result = doctest.testmod(module, extraglobs={"lamina": shim})
    assert result.failed == 0 and result.attempted >= 2
