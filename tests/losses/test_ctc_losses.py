import doctest
import itertools

import numpy as np
import pytest

import lamina
from lamina import losses
from lamina.losses import ctc_losses
from lamina.losses.ctc_losses import CTC, ctc
from tests.helpers import gradcheck

LOGITS = np.round(np.random.default_rng(0).normal(size=(3, 6, 5)), 2).astype("float32")
LABELS = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [4, 1, 3, 2]])


def np_ctc_brute_force(labels, logits):
    """-log of the summed probability of every path that collapses to the labels."""
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    target = tuple(int(v) for v in labels if v != 0)
    time, classes = logits.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=time):
        collapsed = tuple(c for i, c in enumerate(path) if c != 0 and (i == 0 or path[i - 1] != c))
        if collapsed == target:
            total += np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -np.log(total)


def test_ctc_losses_module_doctests():
    assert doctest.testmod(ctc_losses, extraglobs={"lamina": lamina}).failed == 0


@pytest.mark.parametrize("labels", [[1, 2, 0], [2, 2, 0], [1, 0, 0], [0, 0, 0], [2, 1, 2]])
def test_ctc_matches_brute_force(labels):
    # Small enough to enumerate all 3**5 alignments; repeated labels need a blank between them.
    logits = LOGITS[0, :5, :3].astype("float64")
    got = ctc(np.array([labels]), logits[None].astype("float32"))
    np.testing.assert_allclose(got, [np_ctc_brute_force(labels, logits)], rtol=1e-5)


def test_keras_reference_values():
    # Keras 3 (jax backend) on the same logits and labels.
    np.testing.assert_allclose(ctc(LABELS, LOGITS),
                               [8.368836402893066, 6.808707237243652, 7.41538143157959],
                               rtol=1e-5)
    np.testing.assert_allclose(float(CTC()(LABELS, LOGITS, sample_weight=[1.0, 2.0, 0.5])),
                               8.564647674560547, rtol=1e-5)


def test_ctc_gradient():
    # Kept small: every finite difference reruns the eager forward scan. [1, 1] needs a blank.
    labels = np.array([[1, 1], [2, 0]])
    gradcheck.check_grads(lambda x: CTC(reduction="sum")(labels, x),
                          [LOGITS[:2, :4, :3].astype("float64")], rtol=1e-4, atol=1e-7)


def test_config_round_trip_and_lookup():
    loss = CTC(reduction="sum", name="seq")
    config = loss.get_config()
    assert config == {"name": "seq", "reduction": "sum", "dtype": None}
    assert CTC.from_config(config).get_config() == config
    assert losses.deserialize(losses.serialize(loss)).get_config() == config
    assert losses.get("ctc") is ctc and type(losses.get("CTC")) is CTC


def test_invalid_shapes():
    with pytest.raises(ValueError, match=r"ctc: `y_true` must be integer labels of shape"):
        ctc(LABELS[0], LOGITS)
    with pytest.raises(ValueError, match=r"ctc: `y_pred` must be logits of shape"):
        ctc(LABELS, LOGITS[0])
    with pytest.raises(ValueError, match="the batch of y_true"):
        ctc(LABELS[:2], LOGITS)
