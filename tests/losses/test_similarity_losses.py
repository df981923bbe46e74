import doctest

import numpy as np
import pytest

import lamina
from lamina import losses
from lamina.losses import similarity_losses
from lamina.losses.similarity_losses import Circle, circle
from tests.helpers import gradcheck

# Unit-norm embeddings (rounded to 4 digits) and their labels.
EMB = np.array([[0.619, -0.7751, 0.1268], [-0.7496, -0.5976, -0.2846],
                [-0.9141, -0.105, -0.3916], [0.9922, 0.0674, -0.1053],
                [-0.2197, -0.5219, -0.8242], [-0.5879, 0.725, -0.3589]], "float32")
LABELS = np.array([0, 1, 0, 1, 2, 0])
WEIGHTS = np.array([1, 2, 0.5, 1, 1, 3.0], "float32")


def np_logsumexp(x, mask):
    if not mask.any():
        return -np.inf
    x = x[mask]
    return x.max() + np.log(np.exp(x - x.max()).sum())


def np_circle(labels, emb, ref_labels=None, refs=None, remove_diagonal=True, gamma=80.0,
              margin=0.4):
    refs = emb if refs is None else refs
    ref_labels = labels if ref_labels is None else ref_labels
    dist = np.maximum(1 - emb @ refs.T, 0)
    same = labels[:, None] == ref_labels[None, :]
    pos = same & ~np.eye(len(labels), len(ref_labels), dtype=bool) if remove_diagonal else same
    pos_logit = -gamma * np.maximum(margin + dist, 0) * (margin - dist)
    neg_logit = gamma * np.maximum(1 + margin - dist, 0) * (1 - margin - dist)
    out = []
    for i in range(len(labels)):
        z = np_logsumexp(pos_logit[i], pos[i]) + np_logsumexp(neg_logit[i], ~same[i])
        out.append(0.0 if z == -np.inf else np.logaddexp(0, z))
    return np.array(out)


def test_similarity_losses_module_doctests():
    assert doctest.testmod(similarity_losses, extraglobs={"lamina": lamina}).failed == 0


@pytest.mark.parametrize("kwargs", [{}, {"gamma": 5.0, "margin": 0.25, "remove_diagonal": False},
                                    {"gamma": 1.0}])
def test_circle_matches_numpy(kwargs):
    e64 = EMB.astype("float64")
    np.testing.assert_allclose(circle(LABELS, EMB, **kwargs), np_circle(LABELS, e64, **kwargs),
                               rtol=1e-4, atol=1e-4)


def test_circle_with_reference_set():
    refs, ref_labels = EMB[:3], np.array([0, 1, 2])
    expected = np_circle(LABELS, EMB.astype("float64"), ref_labels, refs.astype("float64"),
                         remove_diagonal=False, gamma=10.0)
    got = circle(LABELS[:, None], EMB, ref_labels=ref_labels, ref_embeddings=refs,
                 remove_diagonal=False, gamma=10.0)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_keras_reference_values():
    # Keras 3 (jax backend) on EMB and LABELS; sample 4 has no positive pair (loss 0) and is
    # left out of the average.
    np.testing.assert_allclose(float(Circle()(LABELS, EMB)), 270.6965637207031, rtol=1e-5)
    np.testing.assert_allclose(float(Circle(gamma=5.0, margin=0.25)(LABELS, EMB,
                                                                     sample_weight=WEIGHTS)),
                               28.5461368560791, rtol=1e-5)
    np.testing.assert_allclose(float(Circle(gamma=5.0, reduction="sum")(LABELS, EMB)),
                               86.9323959350586, rtol=1e-5)
    np.testing.assert_allclose(
        circle(LABELS, EMB, ref_labels=np.array([0, 1, 2]), ref_embeddings=EMB[:3],
               remove_diagonal=False, gamma=10.0),
        [0.21770255, 4.20151377, 30.40436554, 30.7953186, 3.66895437, 39.31441498], rtol=1e-4)


def test_circle_masked_average():
    per_sample = np_circle(LABELS, EMB.astype("float64"), gamma=2.0)
    assert per_sample[4] == 0.0
    np.testing.assert_allclose(float(Circle(gamma=2.0)(LABELS, EMB)),
                               per_sample.sum() / 5, rtol=1e-5)


def test_circle_gradient_is_finite_and_matches():
    # Sample 4 has no positive pair: its masked row must not leak NaN into the gradient.
    gradcheck.check_grads(lambda e: Circle(gamma=2.0, reduction="sum")(LABELS, e),
                          [EMB.astype("float64")], rtol=1e-4, atol=1e-6)


def test_config_round_trip_and_lookup():
    loss = Circle(gamma=10.0, margin=0.3, remove_diagonal=False, reduction="sum", name="c")
    config = loss.get_config()
    assert config == {"name": "c", "reduction": "sum", "dtype": None, "gamma": 10.0,
                      "margin": 0.3, "remove_diagonal": False}
    assert Circle.from_config(config).get_config() == config
    assert losses.deserialize(losses.serialize(loss)).get_config() == config
    assert losses.get("circle") is circle and type(losses.get("Circle")) is Circle


def test_invalid_arguments():
    with pytest.raises(ValueError, match="Circle: `gamma` must be a positive float"):
        Circle(gamma=0)
    with pytest.raises(ValueError, match="`margin` must be a float"):
        Circle(margin="0.4")
    with pytest.raises(TypeError, match="remove_diagonal"):
        Circle(remove_diagonal="yes")
    with pytest.raises(ValueError, match=r"`y_true` must be integer labels of shape \(6,\)"):
        circle(LABELS[:4], EMB)
    with pytest.raises(ValueError, match="embeddings of shape"):
        circle(LABELS, EMB[None])
