import doctest

import numpy as np
import pytest

import lamina
from lamina import losses
from lamina.losses import focal_losses
from lamina.losses.focal_losses import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
)
from tests.helpers import gradcheck

BIN_TRUE = np.array([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]], "float32")
PROBS = np.array([[0.8, 0.3, 0.6, 0.1], [0.2, 0.4, 0.7, 0.9], [0.55, 0.65, 0.35, 0.15]],
                 "float32")
LOGITS = np.array([[1.2, -0.5, 0.3, -2.0], [-1.0, 0.4, 0.9, 1.5], [0.2, -0.3, -0.8, 0.6]],
                  "float32")
ONE_HOT = np.eye(4, dtype="float32")[[0, 2, 3]]
LABELS = np.array([0, 2, 3])
WEIGHTS = np.array([1.0, 0.5, 2.0], "float32")
EPS = 1e-7


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_binary_focal(t, p, balance=False, alpha=0.25, gamma=2.0, logits=False, smoothing=0.0):
    t = t * (1 - smoothing) + 0.5 * smoothing
    p = np_sigmoid(p) if logits else p
    clipped = np.clip(p, EPS, 1 - EPS)
    bce = -(t * np.log(clipped) + (1 - t) * np.log(1 - clipped))
    p_t = t * p + (1 - t) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if balance:
        focal = (t * alpha + (1 - t) * (1 - alpha)) * focal
    return focal.mean(-1)


def np_categorical_focal(t, p, alpha=0.25, gamma=2.0, logits=False, smoothing=0.0):
    p = np_softmax(p) if logits else p
    probs = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    t = t * (1 - smoothing) + smoothing / t.shape[-1]
    return (np.asarray(alpha) * (1 - probs) ** gamma * -t * np.log(probs)).sum(-1)


def np_generalized(labels, p, q):
    return (1 - p[np.arange(len(labels)), labels] ** q) / q


def test_focal_losses_module_doctests():
    assert doctest.testmod(focal_losses, extraglobs={"lamina": lamina}).failed == 0


@pytest.mark.parametrize("kwargs", [
    {}, {"apply_class_balancing": True}, {"from_logits": True},
    {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "label_smoothing": 0.1},
    {"gamma": 0.0},
])
def test_binary_focal_matches_numpy(kwargs):
    y_pred = LOGITS if kwargs.get("from_logits") else PROBS
    expected = np_binary_focal(BIN_TRUE, y_pred, kwargs.get("apply_class_balancing", False),
                               kwargs.get("alpha", 0.25), kwargs.get("gamma", 2.0),
                               kwargs.get("from_logits", False), kwargs.get("label_smoothing", 0))
    np.testing.assert_allclose(binary_focal_crossentropy(BIN_TRUE, y_pred, **kwargs), expected,
                               rtol=1e-5, atol=1e-7)
    loss = BinaryFocalCrossentropy(**kwargs)
    np.testing.assert_allclose(loss(BIN_TRUE, y_pred, sample_weight=WEIGHTS),
                               (expected * WEIGHTS).sum() / 3, rtol=1e-5)


def test_binary_focal_gamma_zero_is_binary_crossentropy():
    np.testing.assert_allclose(binary_focal_crossentropy(BIN_TRUE, PROBS, gamma=0.0),
                               losses.binary_crossentropy(BIN_TRUE, PROBS), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {}, {"from_logits": True}, {"alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.1},
    {"alpha": [0.1, 0.2, 0.3, 0.4]},
])
def test_categorical_focal_matches_numpy(kwargs):
    y_pred = LOGITS if kwargs.get("from_logits") else PROBS
    expected = np_categorical_focal(ONE_HOT, y_pred, kwargs.get("alpha", 0.25),
                                    kwargs.get("gamma", 2.0), kwargs.get("from_logits", False),
                                    kwargs.get("label_smoothing", 0.0))
    np.testing.assert_allclose(categorical_focal_crossentropy(ONE_HOT, y_pred, **kwargs),
                               expected, rtol=1e-5, atol=1e-7)
    loss = CategoricalFocalCrossentropy(reduction="sum", **kwargs)
    np.testing.assert_allclose(loss(ONE_HOT, y_pred), expected.sum(), rtol=1e-5)


def test_categorical_focal_class_axis():
    moved = np.moveaxis(PROBS, -1, 0)
    np.testing.assert_allclose(
        categorical_focal_crossentropy(np.moveaxis(ONE_HOT, -1, 0), moved, axis=0),
        np_categorical_focal(ONE_HOT, PROBS), rtol=1e-5)


def test_generalized_cross_entropy_matches_numpy():
    for q in (0.3, 0.5, 0.9):
        expected = np_generalized(LABELS, PROBS, q)
        np.testing.assert_allclose(categorical_generalized_cross_entropy(LABELS, PROBS, q=q),
                                   expected, rtol=1e-5)
        # (batch, 1) labels mean the same as (batch,) labels.
        np.testing.assert_allclose(
            CategoricalGeneralizedCrossEntropy(q=q, reduction=None)(LABELS[:, None], PROBS),
            expected, rtol=1e-5)


def test_keras_reference_values():
    # Keras 3 (jax backend) on the same inputs.
    cases = [
        (BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=1.5,
                                 label_smoothing=0.1), BIN_TRUE, PROBS, WEIGHTS,
         0.047287825495004654),
        (BinaryFocalCrossentropy(from_logits=True), BIN_TRUE, LOGITS, WEIGHTS,
         0.17658694088459015),
        (CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, label_smoothing=0.1), ONE_HOT, PROBS,
         WEIGHTS, 0.8631094098091125),
        (CategoricalFocalCrossentropy(from_logits=True), ONE_HOT, LOGITS, WEIGHTS,
         0.07925032824277878),
        (CategoricalFocalCrossentropy(alpha=[0.1, 0.2, 0.3, 0.4]), ONE_HOT, PROBS, None,
         0.33067378401756287),
        (CategoricalGeneralizedCrossEntropy(q=0.3), LABELS, PROBS, WEIGHTS, 1.092734694480896),
    ]
    for loss, y_true, y_pred, weights, expected in cases:
        np.testing.assert_allclose(float(loss(y_true, y_pred, sample_weight=weights)), expected,
                                   rtol=1e-5, err_msg=loss.name)


@pytest.mark.parametrize("from_logits", [False, True])
def test_focal_gradients(from_logits):
    y_pred = (LOGITS if from_logits else PROBS).astype("float64")
    gradcheck.check_grads(
        lambda p: BinaryFocalCrossentropy(apply_class_balancing=True, gamma=1.5,
                                          from_logits=from_logits)(BIN_TRUE, p), [y_pred],
        rtol=1e-4, atol=1e-7)
    gradcheck.check_grads(
        lambda p: CategoricalFocalCrossentropy(label_smoothing=0.1,
                                               from_logits=from_logits)(ONE_HOT, p), [y_pred],
        rtol=1e-4, atol=1e-7)


def test_generalized_cross_entropy_gradient():
    gradcheck.check_grads(
        lambda p: CategoricalGeneralizedCrossEntropy(q=0.4)(LABELS, p, sample_weight=WEIGHTS),
        [PROBS.astype("float64")], rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("cls, kwargs", [
    (BinaryFocalCrossentropy, {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.0,
                               "from_logits": True, "label_smoothing": 0.1, "axis": 0}),
    (CategoricalFocalCrossentropy, {"alpha": [0.5, 0.5], "gamma": 3.0, "from_logits": False,
                                    "label_smoothing": 0.2, "axis": -1}),
    (CategoricalGeneralizedCrossEntropy, {"q": 0.7}),
])
def test_config_round_trip(cls, kwargs):
    loss = cls(reduction="sum", name="renamed", **kwargs)
    config = loss.get_config()
    assert config == {"name": "renamed", "reduction": "sum", "dtype": None, **kwargs}
    assert cls.from_config(config).get_config() == config
    rebuilt = losses.deserialize(losses.serialize(loss))
    assert type(rebuilt) is cls and rebuilt.get_config() == config


def test_family_lookup():
    assert losses.get("binary_focal_crossentropy") is binary_focal_crossentropy
    assert type(losses.get("CategoricalFocalCrossentropy")) is CategoricalFocalCrossentropy
    assert (losses.get("categorical_generalized_cross_entropy")
            is categorical_generalized_cross_entropy)
    assert losses.deserialize(losses.serialize(categorical_focal_crossentropy)) is (
        categorical_focal_crossentropy)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="BinaryFocalCrossentropy: `gamma`"):
        BinaryFocalCrossentropy(gamma=-1.0)
    with pytest.raises(ValueError, match="`alpha`"):
        CategoricalFocalCrossentropy(alpha="high")
    with pytest.raises(TypeError, match="apply_class_balancing"):
        BinaryFocalCrossentropy(apply_class_balancing=1)
    with pytest.raises(ValueError, match="one weight per class"):
        categorical_focal_crossentropy(ONE_HOT, PROBS, alpha=[0.5, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        binary_focal_crossentropy(BIN_TRUE, PROBS[:, :3])
    for q in (0.0, 1.0, 2, True):
        with pytest.raises(ValueError, match=r"`q` must be a float in the open interval"):
            CategoricalGeneralizedCrossEntropy(q=q)
    with pytest.raises(ValueError, match="without its last"):
        categorical_generalized_cross_entropy(ONE_HOT, PROBS, q=0.5)
