import doctest
import types

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.attention import additive_attention as module
from lamina.layers.attention.additive_attention import AdditiveAttention
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

RNG = np.random.default_rng(22)
Q = RNG.normal(size=(2, 3, 4)).astype("float32")
V = RNG.normal(size=(2, 5, 4)).astype("float32")
K = RNG.normal(size=(2, 5, 4)).astype("float32")
SCALE = np.array([0.5, -1.5, 0.25, 2.0], "float32")
V_MASK = np.array([[True, False, True, True, False], [False, True, True, True, True]])


def np_additive_attention(q, v, k=None, scale=None, q_mask=None, v_mask=None, causal=False):
    """Reference: scores sum(scale * tanh(q_i + k_j)), excluded keys minus 1e9, softmax."""
    k = v if k is None else k
    scale = np.ones(q.shape[-1]) if scale is None else scale
    scores = (scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    allowed = np.ones(scores.shape, bool)
    if v_mask is not None:
        allowed &= v_mask[:, None, :]
    if causal:
        allowed &= np.tril(np.ones(scores.shape[-2:], bool))
    scores = np.where(allowed, scores, scores - 1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    out = weights @ v
    if q_mask is not None:
        out = np.where(q_mask[..., None], out, 0.0)
    return out, weights


@pytest.mark.parametrize("use_scale", [True, False])
def test_additive_attention_matches_numpy(use_scale):
    layer = AdditiveAttention(use_scale=use_scale)
    layer.build([Q.shape, V.shape, K.shape])
    if use_scale:
        layer.set_weights([SCALE])
    q_mask = np.array([[True, False, True], [True, True, True]])
    out, scores = layer([Q, V, K], mask=[q_mask, V_MASK], return_attention_scores=True)
    expected, weights = np_additive_attention(Q, V, K, SCALE if use_scale else None, q_mask,
                                              V_MASK)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, weights, rtol=1e-5, atol=1e-6)


def test_additive_attention_causal():
    layer = AdditiveAttention(use_scale=False)
    out = layer([Q, V], use_causal_mask=True)
    np.testing.assert_allclose(out, np_additive_attention(Q, V, causal=True)[0], rtol=1e-5,
                               atol=1e-6)


def test_additive_attention_matches_keras_reference():
    # Keras 3.15: AdditiveAttention with scale [0.5, -1.5] and a value mask.
    rng = np.random.default_rng(3)
    q = rng.normal(size=(1, 3, 2)).astype("float32")
    v = rng.normal(size=(1, 4, 2)).astype("float32")
    layer = AdditiveAttention()
    layer.build([q.shape, v.shape])
    layer.set_weights([np.array([0.5, -1.5], "float32")])
    out = layer([q, v], mask=[None, np.array([[True, False, True, True]])])
    np.testing.assert_allclose(out, [[[-0.4991671, -0.4434306], [-0.38359055, -0.45756304],
                                      [-0.47622755, -0.45443976]]], rtol=1e-5, atol=1e-6)


def test_additive_attention_weights_and_keras_masks():
    layer = AdditiveAttention(name="additive_attention")
    v = V.copy()
    v[~V_MASK] = 0.0
    out = layer([Q, layers.Masking()(v)])
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == \
        [("additive_attention/scale", (4,))]
    scale = layer.get_weights()[0]
    # glorot_uniform on a vector: fan_in = fan_out = 4, limit sqrt(6 / 8).
    assert np.all(np.abs(scale) <= np.sqrt(6 / 8)) and np.any(scale != 0)
    np.testing.assert_allclose(out, np_additive_attention(Q, v, scale=scale, v_mask=V_MASK)[0],
                               rtol=1e-5, atol=1e-6)
    assert backend.get_keras_mask(out) is None


def test_additive_attention_symbolic_shapes():
    out, scores = AdditiveAttention()([KerasTensor((None, 3, 4)), KerasTensor((None, 5, 4))],
                                      return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, 5)


def test_additive_attention_gradients():
    with gradcheck.float64_mode():
        layer = AdditiveAttention()
        layer.build([(1, 2, 3), (1, 3, 3)])
    value = RNG.normal(size=(1, 3, 3))
    loss = backend.transforms.jit(lambda query, scale: ops.sum(
        layer.stateless_call([scale], [], [query, value])[0] ** 2))
    gradcheck.check_grads(loss, [RNG.normal(size=(1, 2, 3)), RNG.normal(size=(3,))])


def test_additive_attention_config_round_trip():
    layer = AdditiveAttention(use_scale=False, dropout=0.1, seed=4, name="add_att")
    config = layer.get_config()
    assert "score_mode" not in config
    assert (config["use_scale"], config["dropout"], config["seed"]) == (False, 0.1, 4)
    clone = AdditiveAttention.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_allclose(clone([Q, V]), layer([Q, V]), rtol=1e-6)


def test_additive_attention_rejects_bad_arguments():
    with pytest.raises(TypeError, match=r"`score_mode` is not an argument of AdditiveAttention"):
        AdditiveAttention(score_mode="dot")
    with pytest.raises(ValueError, match=r"AdditiveAttention 'aa_e' must be called on a list"):
        AdditiveAttention(name="aa_e")([Q])


def test_additive_attention_module_doctests():
    shim = types.SimpleNamespace(ops=lamina.ops, layers=types.SimpleNamespace(AdditiveAttention=module.AdditiveAttention))
    result = doctest.testmod(module, extraglobs={"lamina": shim})
    assert result.failed == 0 and result.attempted >= 2
