import numpy as np
import pytest

from lamina import backend
from lamina.layers.reversible_embedding import ReversibleEmbedding
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

E = (np.arange(15).reshape(5, 3) % 7 - 3).astype("float32") / 4
R = (np.arange(15).reshape(3, 5) % 4 - 1.5).astype("float32") / 3
H = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], "float32")
# Keras 3.15 (JAX) with embeddings E (and reverse_embeddings R when untied).
KERAS_FORWARD = [[[0.5, 0.75, -0.75], [-0.75, -0.5, -0.25], [0.75, -0.75, -0.5]]]
KERAS_REVERSE_CAPPED = [[-0.370666, 0.716715, 0.124837, 0.370666, -1.523188],
                        [-0.972672, -0.309981, 1.151725, -0.548123, 1.270298]]
KERAS_REVERSE_UNTIED = [[0.25, 0.75, -1.416667, 0.416667, 0.25],
                        [-0.916667, -0.583333, 0.75, 0.75, -0.916667]]


def _layer(**kwargs):
    layer = ReversibleEmbedding(5, 3, **kwargs)
    layer.build()
    layer.embeddings.assign(E)
    if not layer.tie_weights:
        layer.reverse_embeddings.assign(R)
    return layer


def test_both_directions_match_keras_and_numpy():
    layer = _layer(logit_soft_cap=2.0)
    np.testing.assert_allclose(layer(np.array([[4, 0, 2]])), KERAS_FORWARD)
    capped = layer(H, reverse=True)
    np.testing.assert_allclose(capped, KERAS_REVERSE_CAPPED, atol=1e-5)
    np.testing.assert_allclose(capped, np.tanh(H @ E.T / 2.0) * 2.0, rtol=1e-5)
    untied = _layer(tie_weights=False)
    np.testing.assert_allclose(untied(H, reverse=True), KERAS_REVERSE_UNTIED, atol=1e-5)
    np.testing.assert_allclose(_layer()(H, reverse=True), H @ E.T, rtol=1e-6)


def test_weights_masks_and_dtypes():
    assert [w.name for w in _layer().weights] == ["embeddings"]
    assert [w.name for w in _layer(tie_weights=False).weights] == ["embeddings",
                                                                   "reverse_embeddings"]
    masked = _layer(mask_zero=True)
    vectors = masked(np.array([[3, 0]]))
    np.testing.assert_array_equal(backend.get_keras_mask(vectors), [[True, False]])
    assert backend.get_keras_mask(masked(H, reverse=True)) is None
    wide = _layer(reverse_dtype="float64")
    with gradcheck.float64_mode():
        assert backend.standardize_dtype(wide(H, reverse=True).dtype) == "float64"


def test_symbolic_shapes_and_contract():
    layer = ReversibleEmbedding(7, 4)
    assert layer(KerasTensor((None, 3), "int32")).shape == (None, 3, 4)
    assert layer(KerasTensor((None, 3, 4)), reverse=True).shape == (None, 3, 7)
    assert layer.compute_output_shape((2, 3), reverse=False) == (2, 3, 4)
    assert layer.compute_output_shape((2, 3, 4), reverse=True) == (2, 3, 7)
    config = _layer(tie_weights=False, logit_soft_cap=30.0).get_config()
    assert {k: config[k] for k in ("tie_weights", "reverse_dtype", "logit_soft_cap")} == \
        {"tie_weights": False, "reverse_dtype": None, "logit_soft_cap": 30.0}
    clone = ReversibleEmbedding.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    clone.build()
    clone.set_weights(_layer(tie_weights=False).get_weights())
    expected = np.tanh(np.array(KERAS_REVERSE_UNTIED) / 30.0) * 30.0
    np.testing.assert_allclose(clone(H, reverse=True), expected, atol=1e-5)
    layer = _layer(tie_weights=False)
    out, _ = layer.stateless_call([E * 2, R * 2], [], H, reverse=True)
    np.testing.assert_allclose(out, 2 * np.array(KERAS_REVERSE_UNTIED), atol=1e-5)
    np.testing.assert_array_equal(layer.embeddings.value, E)  # nothing mutated


@pytest.mark.parametrize("tie_weights", [True, False])
def test_reverse_gradients(tie_weights):
    def loss(hidden, embeddings):
        layer = ReversibleEmbedding(5, 3, tie_weights=tie_weights, logit_soft_cap=1.5)
        layer.build()
        weights = [embeddings] if tie_weights else [embeddings, R.astype("float64")]
        logits, _ = layer.stateless_call(weights, [], hidden, reverse=True)
        return (logits ** 2).sum()

    gradcheck.check_grads(loss, [H, E], rtol=1e-5, atol=1e-7)


def test_errors():
    with pytest.raises(ValueError, match="`logit_soft_cap` must be a positive number"):
        ReversibleEmbedding(5, 3, logit_soft_cap=0)
    with pytest.raises(TypeError, match="`tie_weights` must be True or False"):
        ReversibleEmbedding(5, 3, tie_weights="yes")
    with pytest.raises(ValueError, match="unknown `reverse_dtype`"):
        ReversibleEmbedding(5, 3, reverse_dtype="float7")
    with pytest.raises(ValueError, match="last axis output_dim=3"):
        _layer()(np.ones((2, 4), "float32"), reverse=True)
    with pytest.raises(ValueError, match="`input_dim` must be a positive int"):
        ReversibleEmbedding(0, 3)
