import doctest
import json

import numpy as np
import pytest

import lamina
from lamina import losses
from lamina.losses import segmentation_losses
from lamina.losses.segmentation_losses import Dice, Tversky, dice, tversky
from tests.helpers import gradcheck

MASK_TRUE = np.array([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]], "float32")
MASK_PRED = np.array([[0.8, 0.3, 0.6, 0.1], [0.2, 0.4, 0.7, 0.9], [0.55, 0.65, 0.35, 0.15]],
                     "float32")
WEIGHTS = np.array([1.0, 0.5, 2.0], "float32")
EPS = 1e-7


def np_dice(t, p, axis=None):
    return 1 - 2 * (t * p).sum(axis) / (t.sum(axis) + p.sum(axis) + EPS)


def np_tversky(t, p, alpha=0.5, beta=0.5, axis=None):
    tp = (t * p).sum(axis)
    fn = (t * (1 - p)).sum(axis)
    fp = ((1 - t) * p).sum(axis)
    return 1 - tp / (tp + alpha * fn + beta * fp + EPS)


def test_segmentation_losses_module_doctests():
    assert doctest.testmod(segmentation_losses, extraglobs={"lamina": lamina}).failed == 0


@pytest.mark.parametrize("axis", [None, 1, (1,), (0, 1)])
def test_functions_match_numpy(axis):
    np.testing.assert_allclose(dice(MASK_TRUE, MASK_PRED, axis=axis),
                               np_dice(MASK_TRUE, MASK_PRED, axis), rtol=1e-6)
    np.testing.assert_allclose(tversky(MASK_TRUE, MASK_PRED, alpha=0.3, beta=0.7, axis=axis),
                               np_tversky(MASK_TRUE, MASK_PRED, 0.3, 0.7, axis), rtol=1e-6)
    np.testing.assert_allclose(tversky(MASK_TRUE, MASK_PRED, axis=axis),
                               dice(MASK_TRUE, MASK_PRED, axis=axis), rtol=1e-6)


def test_images_per_sample_and_empty_masks():
    rng = np.random.default_rng(1)
    t = (rng.random((2, 3, 3, 1)) > 0.5).astype("float32")
    p = rng.random((2, 3, 3, 1)).astype("float32")
    np.testing.assert_allclose(Dice(axis=(1, 2, 3), reduction=None)(t, p),
                               np_dice(t, p, (1, 2, 3)), rtol=1e-5)
    empty = np.zeros((2, 3), "float32")
    assert float(dice(empty, empty)) == 1.0 and float(tversky(empty, empty)) == 1.0


def test_class_weighting_and_reduction():
    per_row = np_dice(MASK_TRUE, MASK_PRED, 1)
    np.testing.assert_allclose(Dice(axis=1)(MASK_TRUE, MASK_PRED, sample_weight=WEIGHTS),
                               (per_row * WEIGHTS).sum() / 3, rtol=1e-5)
    np.testing.assert_allclose(Tversky(alpha=0.2, beta=0.8, axis=1, reduction="sum")(
        MASK_TRUE, MASK_PRED), np_tversky(MASK_TRUE, MASK_PRED, 0.2, 0.8, 1).sum(), rtol=1e-5)


def test_keras_reference_values():
    # Keras 3 (jax backend) on the same masks.
    np.testing.assert_allclose(float(Dice()(MASK_TRUE, MASK_PRED)), 0.2820513844490051,
                               rtol=1e-5)
    np.testing.assert_allclose(float(Dice(axis=1)(MASK_TRUE, MASK_PRED, sample_weight=WEIGHTS)),
                               0.36163604259490967, rtol=1e-5)
    np.testing.assert_allclose(float(Tversky(alpha=0.3, beta=0.7)(MASK_TRUE, MASK_PRED)),
                               0.2746114134788513, rtol=1e-5)
    np.testing.assert_allclose(
        float(Tversky(alpha=0.3, beta=0.7, axis=(1,))(MASK_TRUE, MASK_PRED,
                                                      sample_weight=WEIGHTS)),
        0.3442326784133911, rtol=1e-5)


@pytest.mark.parametrize("axis", [None, 1])
def test_gradients(axis):
    pred = MASK_PRED.astype("float64")
    gradcheck.check_grads(lambda p: Dice(axis=axis)(MASK_TRUE, p), [pred], rtol=1e-4, atol=1e-7)
    gradcheck.check_grads(lambda p: Tversky(0.3, 0.7, axis=axis)(MASK_TRUE, p), [pred],
                          rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("cls, kwargs", [
    (Dice, {"axis": None}), (Dice, {"axis": (1, 2)}),
    (Tversky, {"alpha": 0.3, "beta": 0.7, "axis": 1}),
])
def test_config_round_trip(cls, kwargs):
    loss = cls(reduction="sum", name="renamed", **kwargs)
    config = loss.get_config()
    assert config == {"name": "renamed", "reduction": "sum", "dtype": None, **kwargs}
    assert cls.from_config(config).get_config() == config
    # A JSON trip turns the axis tuple into a list; it comes back a tuple.
    rebuilt = losses.deserialize(json.loads(json.dumps(losses.serialize(loss))))
    assert type(rebuilt) is cls and rebuilt.get_config() == config


def test_family_lookup():
    assert losses.get("dice") is dice and losses.get("tversky") is tversky
    assert type(losses.get("Dice")) is Dice and type(losses.get("Tversky")) is Tversky


def test_invalid_arguments():
    with pytest.raises(TypeError, match="Dice: `axis` must be None, an int or a tuple"):
        Dice(axis="all")
    with pytest.raises(ValueError, match="Tversky: `beta` must be a non-negative float"):
        Tversky(beta=-0.5)
    with pytest.raises(ValueError, match="same shape"):
        dice(MASK_TRUE, MASK_PRED[:, :2])
