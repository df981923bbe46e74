import numpy as np
import pytest

from lamina import backend, losses, ops
from lamina.saving import serialization
from lamina.saving.serialization import custom_object_scope, register_keras_serializable
from tests.helpers import gradcheck

EPS = 1e-7
RNG = np.random.default_rng(7)
Y_REG_TRUE = RNG.random((4, 3)).astype("float32")
Y_REG_PRED = RNG.random((4, 3)).astype("float32")
BIN_TRUE = np.array([[0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 0, 1]], dtype="float32")
LOGITS = np.array([[-2.0, 1.5, 0.3], [2.5, -0.4, -1.0], [0.2, 0.9, -3.0], [1.1, -0.7, 0.4]],
                  dtype="float32")
LABELS = np.array([1, 0, 2, 1])
ONE_HOT = np.eye(3, dtype="float32")[LABELS]
PROBS = np.array([[0.1, 0.6, 0.3], [0.7, 0.2, 0.1], [0.25, 0.25, 0.5], [0.2, 0.5, 0.3]],
                 dtype="float32")
WEIGHTS = np.array([1.0, 0.0, 2.0, 0.5], dtype="float32")


# --- NumPy references ------------------------------------------------------------------------

def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_bce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    p = np_sigmoid(p) if from_logits else np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=axis)


def np_cce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + label_smoothing / t.shape[axis]
    if from_logits:
        p = np_softmax(p, axis)
    else:
        p = np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=axis)


def np_signed(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def np_l2_normalize(x, axis):
    return x / np.sqrt(np.maximum(np.sum(x ** 2, axis=axis, keepdims=True), EPS ** 2))


def np_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2), axis=-1)


NUMPY_FORMULAS = {
    "mean_squared_error": lambda t, p: np.mean((t - p) ** 2, axis=-1),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(t - p), axis=-1),
    "mean_absolute_percentage_error":
        lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1),
    "mean_squared_logarithmic_error":
        lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1))
                             ** 2, axis=-1),
    "cosine_similarity":
        lambda t, p: -np.sum(np_l2_normalize(t, -1) * np_l2_normalize(p, -1), axis=-1),
    "huber": np_huber,
    "log_cosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), axis=-1),
    "kl_divergence": lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1)
                                                                    / np.clip(p, EPS, 1)), axis=-1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), axis=-1),
    "hinge": lambda t, p: np.mean(np.maximum(1 - np_signed(t) * p, 0), axis=-1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(1 - np_signed(t) * p, 0) ** 2, axis=-1),
    "categorical_hinge": lambda t, p: np.maximum(
        np.max((1 - t) * p, axis=-1) - np.sum(t * p, axis=-1) + 1, 0),
    "binary_crossentropy": np_bce,
    "categorical_crossentropy": np_cce,
}

# name -> (function, class, class default name, y_true, y_pred)
LOSSES = {
    "mean_squared_error": (losses.MeanSquaredError, "mean_squared_error", Y_REG_TRUE, Y_REG_PRED),
    "mean_absolute_error": (losses.MeanAbsoluteError, "mean_absolute_error", Y_REG_TRUE,
                            Y_REG_PRED),
    "mean_absolute_percentage_error": (losses.MeanAbsolutePercentageError,
                                       "mean_absolute_percentage_error", Y_REG_TRUE + 0.5,
                                       Y_REG_PRED),
    "mean_squared_logarithmic_error": (losses.MeanSquaredLogarithmicError,
                                       "mean_squared_logarithmic_error", Y_REG_TRUE, Y_REG_PRED),
    "cosine_similarity": (losses.CosineSimilarity, "cosine_similarity", Y_REG_TRUE - 0.5,
                          Y_REG_PRED - 0.5),
    "huber": (losses.Huber, "huber_loss", 3 * Y_REG_TRUE, Y_REG_PRED),
    "log_cosh": (losses.LogCosh, "log_cosh", Y_REG_TRUE, 3 * Y_REG_PRED),
    "kl_divergence": (losses.KLDivergence, "kl_divergence", ONE_HOT * 0.8 + 0.05, PROBS),
    "poisson": (losses.Poisson, "poisson", 3 * Y_REG_TRUE, Y_REG_PRED + 0.1),
    "hinge": (losses.Hinge, "hinge", BIN_TRUE, LOGITS),
    "squared_hinge": (losses.SquaredHinge, "squared_hinge", BIN_TRUE, LOGITS),
    "categorical_hinge": (losses.CategoricalHinge, "categorical_hinge", ONE_HOT, LOGITS),
    "binary_crossentropy": (losses.BinaryCrossentropy, "binary_crossentropy", BIN_TRUE, PROBS),
    "categorical_crossentropy": (losses.CategoricalCrossentropy, "categorical_crossentropy",
                                 ONE_HOT, PROBS),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_function_matches_numpy(name):
    _, _, y_true, y_pred = LOSSES[name]
    result = getattr(losses, name)(y_true, y_pred)
    expected = NUMPY_FORMULAS[name](y_true.astype("float64"), y_pred.astype("float64"))
    assert tuple(result.shape) == (4,)
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_class_matches_numpy_with_sample_weight(name):
    cls, default_name, y_true, y_pred = LOSSES[name]
    loss = cls()
    assert loss.name == default_name
    assert loss.reduction == "sum_over_batch_size"
    per_sample = NUMPY_FORMULAS[name](y_true.astype("float64"), y_pred.astype("float64"))
    np.testing.assert_allclose(loss(y_true, y_pred), per_sample.mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss(y_true, y_pred, sample_weight=WEIGHTS),
                               np.sum(per_sample * WEIGHTS) / 4, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls(reduction="sum")(y_true, y_pred), per_sample.sum(), rtol=1e-5)
    np.testing.assert_allclose(cls(reduction=None)(y_true, y_pred), per_sample, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_class_gradient_matches_finite_differences(name):
    cls, _, y_true, y_pred = LOSSES[name]
    # Nudge predictions off the kinks of hinge/huber/clip so finite differences are exact.
    y_pred = y_pred.astype("float64") + 0.01

    def fn(p):
        return cls(reduction="sum")(y_true, p, sample_weight=WEIGHTS + 0.25)
    gradcheck.check_grads(fn, [y_pred], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_class_config_round_trip(name):
    cls = LOSSES[name][0]
    loss = cls(reduction="sum", name="renamed")
    config = loss.get_config()
    assert config["name"] == "renamed" and config["reduction"] == "sum"
    clone = cls.from_config(config)
    assert clone.get_config() == config
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is cls and restored.get_config() == config


@pytest.mark.parametrize("name", ["mean_squared_error", "poisson", "binary_crossentropy"])
def test_rank_one_labels_pair_with_column_predictions(name):
    # (batch,) labels against (batch, 1) predictions pair up rather than broadcast to a matrix.
    y_true = BIN_TRUE[:, 0]
    y_pred = PROBS[:, :1]
    expected = NUMPY_FORMULAS[name](y_true[:, None].astype("float64"), y_pred.astype("float64"))
    np.testing.assert_allclose(getattr(losses, name)(y_true, y_pred), expected, rtol=1e-5)


# --- cross-entropies -------------------------------------------------------------------------

@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy_options(from_logits, label_smoothing):
    y_pred = LOGITS if from_logits else PROBS
    loss = losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing)
    expected = np_bce(BIN_TRUE.astype("float64"), y_pred.astype("float64"), from_logits,
                      label_smoothing)
    np.testing.assert_allclose(loss(BIN_TRUE, y_pred, sample_weight=WEIGHTS),
                               np.sum(expected * WEIGHTS) / 4, rtol=1e-5)


def test_binary_crossentropy_axis():
    result = losses.binary_crossentropy(BIN_TRUE, PROBS, axis=0)
    np.testing.assert_allclose(result, np_bce(BIN_TRUE, PROBS.astype("float64"), axis=0),
                               rtol=1e-5)


def test_binary_crossentropy_clips_probabilities_like_keras():
    # Every prediction is certain and wrong. Keras 3 gives these values: -log(1e-7) where the
    # label is 1, -log(1 - float32(1 - 1e-7)) where it is 0.
    result = losses.BinaryCrossentropy(reduction=None)(BIN_TRUE, 1.0 - BIN_TRUE)
    np.testing.assert_allclose(result, [16.059524536132812, 16.000953674316406,
                                        16.059524536132812, 16.00095558166504], rtol=1e-6)
    logits = losses.BinaryCrossentropy(from_logits=True, reduction=None)(
        BIN_TRUE, 100.0 * (1.0 - 2.0 * BIN_TRUE))
    np.testing.assert_allclose(logits, np.full(4, 100.0), rtol=1e-6)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_crossentropy_options(from_logits, label_smoothing):
    y_pred = LOGITS if from_logits else PROBS * 3.0  # unnormalized probabilities renormalize
    loss = losses.CategoricalCrossentropy(from_logits=from_logits,
                                          label_smoothing=label_smoothing, reduction=None)
    expected = np_cce(ONE_HOT.astype("float64"), y_pred.astype("float64"), from_logits,
                      label_smoothing)
    np.testing.assert_allclose(loss(ONE_HOT, y_pred), expected, rtol=1e-5)


def test_categorical_crossentropy_axis_zero():
    y_true, y_pred = ONE_HOT.T, PROBS.T
    result = losses.categorical_crossentropy(y_true, y_pred, axis=0, label_smoothing=0.1)
    expected = np_cce(y_true.astype("float64"), y_pred.astype("float64"), axis=0,
                      label_smoothing=0.1)
    np.testing.assert_allclose(result, expected, rtol=1e-5)


def test_categorical_crossentropy_single_class_warns():
    with pytest.warns(UserWarning, match="single class"):
        losses.categorical_crossentropy(ONE_HOT[:, :1], PROBS[:, :1])


@pytest.mark.parametrize("labels", [LABELS, LABELS[:, None]])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_matches_one_hot(labels, from_logits):
    y_pred = LOGITS if from_logits else PROBS
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=None)
    expected = np_cce(ONE_HOT.astype("float64"), y_pred.astype("float64"), from_logits)
    np.testing.assert_allclose(loss(labels, y_pred), expected, rtol=1e-5)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, y_pred,
                                                                      from_logits=from_logits),
                               expected, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean", "sum",
                                       "mean_with_sample_weight"])
def test_sparse_categorical_crossentropy_ignore_class(reduction):
    labels = np.array([[1, -1], [-1, 2]])
    logits = RNG.standard_normal((2, 2, 3)).astype("float32")
    kept = labels != -1
    per_entry = np_cce(np.eye(3)[np.where(kept, labels, 0)], logits.astype("float64"),
                       from_logits=True) * kept
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                reduction=reduction)
    expected = per_entry.sum() if reduction == "sum" else per_entry.sum() / kept.sum()
    np.testing.assert_allclose(loss(labels, logits), expected, rtol=1e-5)
    weights = np.array([[1.0, 2.0], [3.0, 0.5]], dtype="float32")
    weighted = (per_entry * weights).sum()
    expected_weighted = {"sum": weighted, "mean_with_sample_weight":
                         weighted / (weights * kept).sum()}.get(reduction, weighted / kept.sum())
    np.testing.assert_allclose(loss(labels, logits, sample_weight=weights), expected_weighted,
                               rtol=1e-5)
    # The function zeroes ignored entries without changing the others.
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(labels, logits, from_logits=True, ignore_class=-1),
        per_entry, rtol=1e-5)


def test_sparse_categorical_crossentropy_ignore_class_keras_value():
    # Keras 3 reference: logits of shape (2, 2, 3) with one ignored entry.
    logits = np.array([[-2.0, 1.5, 0.3], [2.5, -0.4, -1.0]], dtype="float32")
    y_pred = np.stack([logits, logits[::-1]], axis=1)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    np.testing.assert_allclose(loss([[1, -1], [0, 2]], y_pred), 0.6180776357650757, rtol=1e-6)


def test_sparse_categorical_crossentropy_all_ignored_gives_zero():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=1)
    assert float(loss(np.ones(4), PROBS)) == 0.0


def test_sparse_categorical_crossentropy_gradients():
    labels = np.array([[1, -1], [0, 2]])
    y_pred = RNG.standard_normal((2, 2, 3))
    gradcheck.check_grads(
        lambda p: losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(
            labels, p), [y_pred])
    gradcheck.check_grads(
        lambda p: losses.SparseCategoricalCrossentropy()(LABELS, p), [PROBS.astype("float64")])


@pytest.mark.parametrize("from_logits, label_smoothing", [(False, 0.0), (True, 0.2)])
def test_crossentropy_gradients(from_logits, label_smoothing):
    y_pred = (LOGITS if from_logits else PROBS).astype("float64")
    kwargs = {"from_logits": from_logits, "label_smoothing": label_smoothing}
    gradcheck.check_grads(lambda p: losses.BinaryCrossentropy(**kwargs)(BIN_TRUE, p), [y_pred])
    gradcheck.check_grads(lambda p: losses.CategoricalCrossentropy(**kwargs)(ONE_HOT, p),
                          [y_pred])


# --- other options and edge cases --------------------------------------------------------------

def test_huber_delta():
    y_true, y_pred = 3 * Y_REG_TRUE, Y_REG_PRED
    result = losses.Huber(delta=0.3, reduction=None)(y_true, y_pred)
    np.testing.assert_allclose(result, np_huber(y_true, y_pred.astype("float64"), 0.3),
                               rtol=1e-5)


def test_cosine_similarity_axis_and_zero_vector():
    result = losses.CosineSimilarity(axis=0, reduction=None)(Y_REG_TRUE, Y_REG_PRED)
    expected = -np.sum(np_l2_normalize(Y_REG_TRUE, 0) * np_l2_normalize(Y_REG_PRED, 0), axis=0)
    np.testing.assert_allclose(result, expected, rtol=1e-5)
    y_pred = Y_REG_PRED * np.array([[1.0], [0.0], [1.0], [1.0]], dtype="float32")
    result = losses.cosine_similarity(Y_REG_TRUE, y_pred)
    assert float(result[1]) == 0.0
    # The gradient at a zero vector stays finite (Keras's min(rsqrt(s), 1/eps) gives NaN there).
    grad = backend.transforms.grad(
        lambda p: ops.sum(losses.cosine_similarity(Y_REG_TRUE, p)))(ops.convert_to_tensor(y_pred))
    assert np.all(np.isfinite(grad))


def test_hinge_keeps_signed_labels():
    signed = 2 * BIN_TRUE - 1
    np.testing.assert_allclose(losses.hinge(signed, LOGITS), losses.hinge(BIN_TRUE, LOGITS))
    mixed = BIN_TRUE.copy()
    mixed[0, 0] = -1.0  # not all labels in {0, 1}: none are remapped
    np.testing.assert_allclose(losses.hinge(mixed, LOGITS),
                               np.mean(np.maximum(1 - mixed * LOGITS, 0), axis=-1), rtol=1e-6)


def test_log_cosh_stays_finite_for_large_errors():
    errors = 60.0 * LOGITS.astype("float64")
    result = losses.log_cosh(np.zeros((4, 3)), errors)
    np.testing.assert_allclose(result, np.mean(np.log(np.cosh(errors)), axis=-1), rtol=1e-6)


def test_losses_match_keras_reference_numbers():
    # Literals produced with Keras 3.15 (JAX backend) on this module's inputs.
    cases = [
        (losses.BinaryCrossentropy()(BIN_TRUE, PROBS), 0.6742781400680542),
        (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)(
            BIN_TRUE, LOGITS, sample_weight=WEIGHTS), 0.4341854453086853),
        (losses.CategoricalCrossentropy(label_smoothing=0.1)(ONE_HOT, PROBS), 0.6342569589614868),
        (losses.CategoricalCrossentropy(from_logits=True)(ONE_HOT, LOGITS), 1.7481452226638794),
        (losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, LOGITS,
                                                                sample_weight=WEIGHTS),
         2.5183606147766113),
        (losses.Huber(delta=0.5)(Y_REG_TRUE, Y_REG_PRED * 2, sample_weight=WEIGHTS),
         0.18720991909503937),
        (losses.Hinge()(BIN_TRUE, LOGITS), 0.4333333373069763),
        (losses.SquaredHinge()(BIN_TRUE, LOGITS), 0.5299999713897705),
        (losses.CategoricalHinge()(ONE_HOT, LOGITS), 1.9249999523162842),
        (losses.MeanSquaredError(reduction="mean_with_sample_weight")(
            Y_REG_TRUE, Y_REG_PRED, sample_weight=WEIGHTS), 0.19353057444095612),
        (losses.MeanAbsolutePercentageError()(BIN_TRUE, PROBS), 133333360.0),
        (losses.MeanSquaredLogarithmicError()(Y_REG_TRUE, Y_REG_PRED), 0.07848360389471054),
        (losses.KLDivergence()(ONE_HOT, PROBS), 0.5634458661079407),
        (losses.Poisson()(Y_REG_TRUE, Y_REG_PRED), 0.9791193008422852),
        (losses.LogCosh()(BIN_TRUE, LOGITS), 0.5461648106575012),
        (losses.CosineSimilarity()(BIN_TRUE, LOGITS), -0.49125391244888306),
        (losses.MeanAbsoluteError(reduction="sum")(Y_REG_TRUE, Y_REG_PRED,
                                                   sample_weight=WEIGHTS), 1.41739022731781),
    ]
    for result, expected in cases:
        np.testing.assert_allclose(result, expected, rtol=1e-6)


# --- errors ----------------------------------------------------------------------------------

def test_mismatched_shapes_raise_clear_errors():
    with pytest.raises(ValueError, match=r"mean_squared_error: `y_true` and `y_pred` shapes do "
                                         r"not match.*\(2, 3\).*\(2, 4\)"):
        losses.MeanSquaredError()(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"binary_crossentropy: `y_true` and `y_pred` must have "
                                         r"the same shape.*\(4, 1\).*\(4, 3\)"):
        losses.BinaryCrossentropy()(np.ones((4, 1)), PROBS)
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*same shape.*"
                                         r"sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(LABELS[:, None], PROBS)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: integer labels "
                                         r"`y_true` must have the shape of `y_pred` without its "
                                         r"class axis 1, i.e. \(4,\).*\(3,\)"):
        losses.SparseCategoricalCrossentropy()(LABELS[:3], PROBS)


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match=r"BinaryCrossentropy: `label_smoothing` must be a float "
                                         r"in \[0, 1\]. Received: label_smoothing=1.5"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="categorical_crossentropy: `label_smoothing`"):
        losses.categorical_crossentropy(ONE_HOT, PROBS, label_smoothing=-0.1)
    with pytest.raises(TypeError, match=r"CategoricalCrossentropy: `from_logits` must be True or "
                                        r"False. Received: from_logits='yes'"):
        losses.CategoricalCrossentropy(from_logits="yes")
    with pytest.raises(TypeError, match=r"CosineSimilarity: `axis` must be an int.*axis=True"):
        losses.CosineSimilarity(axis=True)
    with pytest.raises(ValueError, match=r"cosine_similarity: `axis`=2 is out of range for "
                                         r"inputs of rank 2"):
        losses.cosine_similarity(Y_REG_TRUE, Y_REG_PRED, axis=2)
    with pytest.raises(ValueError, match=r"Huber: `delta` must be a positive float.*delta=0"):
        losses.Huber(delta=0)
    with pytest.raises(TypeError, match=r"SparseCategoricalCrossentropy: `ignore_class` must be "
                                        r"an int label or None. Received: ignore_class=0.5"):
        losses.SparseCategoricalCrossentropy(ignore_class=0.5)
    with pytest.raises(TypeError, match=r"LossFunctionWrapper: `fn` must be a callable.*fn=3"):
        losses.LossFunctionWrapper(3)
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.Hinge(reduction="average")


# --- get / serialize / deserialize / LossFunctionWrapper -------------------------------------

@pytest.mark.parametrize("alias, fn", [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error), ("kld", losses.kl_divergence),
    ("KLD", losses.kl_divergence), ("bce", losses.binary_crossentropy),
    ("logcosh", losses.log_cosh), ("kullback_leibler_divergence", losses.kl_divergence),
    ("categorical_crossentropy", losses.categorical_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("huber", losses.huber), ("cosine_similarity", losses.cosine_similarity),
])
def test_get_resolves_function_names_and_aliases(alias, fn):
    assert losses.get(alias) is fn


def test_get_instantiates_classes_and_passes_objects_through():
    assert type(losses.get("CategoricalCrossentropy")) is losses.CategoricalCrossentropy
    assert type(losses.get(losses.Huber)) is losses.Huber
    instance = losses.Poisson()
    assert losses.get(instance) is instance

    def custom(y_true, y_pred):
        return y_pred
    assert losses.get(custom) is custom
    assert losses.get(None) is None
    from_dict = losses.get({"class_name": "Huber", "config": {"delta": 3.0}})
    assert type(from_dict) is losses.Huber and from_dict.delta == 3.0


def test_family_table_is_registered_for_model_loading():
    table = serialization.builtins("losses")
    assert table["Huber"] is losses.Huber and table["mse"] is losses.mean_squared_error


def test_get_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match=r"Unknown loss: 'msee'. Known names: \[.*'mse'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 3"):
        losses.get(3)
    with pytest.raises(ValueError, match="Unknown loss: 'Nope'"):
        losses.deserialize({"class_name": "Nope", "config": {}})


def test_serialize_function_and_deserialize_keras_form():
    config = losses.serialize(losses.mean_squared_error)
    assert config["class_name"] == "function" and config["config"] == "mean_squared_error"
    assert losses.deserialize(config) is losses.mean_squared_error
    # Keras 3 writes functions with module "builtins" and registered_name "function".
    keras_form = {"module": "builtins", "class_name": "function", "config": "log_cosh",
                  "registered_name": "function"}
    assert losses.deserialize(keras_form) is losses.log_cosh
    keras_class = {"module": "keras.losses", "class_name": "SparseCategoricalCrossentropy",
                   "config": {"name": "scce", "reduction": "sum", "from_logits": True,
                              "ignore_class": None}, "registered_name": None}
    restored = losses.deserialize(keras_class)
    assert (restored.name, restored.reduction, restored.from_logits) == ("scce", "sum", True)
    with pytest.raises(TypeError, match="losses.serialize: expected a Loss instance"):
        losses.serialize(3)


def test_class_configs_carry_their_arguments():
    config = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, axis=0).get_config()
    assert config == {"name": "binary_crossentropy", "reduction": "sum_over_batch_size",
                      "dtype": None, "from_logits": True, "label_smoothing": 0.1, "axis": 0}
    config = losses.SparseCategoricalCrossentropy(ignore_class=-1).get_config()
    assert config["ignore_class"] == -1 and config["from_logits"] is False
    assert losses.Huber(delta=2.5).get_config()["delta"] == 2.5
    assert losses.CosineSimilarity(axis=0).get_config()["axis"] == 0


def test_loss_function_wrapper_computes_and_round_trips():
    loss = losses.LossFunctionWrapper(losses.huber, reduction="sum", name="h", delta=0.5)
    y_true, y_pred = 3 * Y_REG_TRUE, Y_REG_PRED
    np.testing.assert_allclose(loss(y_true, y_pred),
                               np_huber(y_true, y_pred.astype("float64"), 0.5).sum(), rtol=1e-5)
    config = loss.get_config()
    assert config["delta"] == 0.5 and config["fn"]["config"] == "huber"
    clone = losses.deserialize(losses.serialize(loss))
    assert type(clone) is losses.LossFunctionWrapper and clone.fn is losses.huber
    assert clone.get_config() == config
    np.testing.assert_allclose(clone(y_true, y_pred), loss(y_true, y_pred), rtol=1e-6)


def test_loss_function_wrapper_squeezes_labels_and_takes_custom_functions():
    def abs_error(y_true, y_pred):
        return ops.mean(ops.abs(y_true - y_pred), axis=-1)
    loss = losses.LossFunctionWrapper(abs_error)
    assert loss.name.startswith("loss_function_wrapper")
    # (batch,) labels against (batch, 1) predictions pair up instead of broadcasting to a matrix.
    result = loss(BIN_TRUE[:, 0], PROBS[:, :1])
    np.testing.assert_allclose(result, np.mean(np.abs(BIN_TRUE[:, 0] - PROBS[:, 0])), rtol=1e-6)
    with custom_object_scope({"abs_error": abs_error}):
        clone = losses.deserialize(losses.serialize(loss))
    assert clone.fn is abs_error


def test_registered_custom_loss_resolves_by_name():
    @register_keras_serializable(package="B1Test")
    class DoubleMSE(losses.Loss):
        def call(self, y_true, y_pred):
            return 2.0 * losses.mean_squared_error(y_true, y_pred)
    restored = losses.deserialize(losses.serialize(DoubleMSE(name="d")))
    assert type(restored) is DoubleMSE and restored.name == "d"
    np.testing.assert_allclose(restored(Y_REG_TRUE, Y_REG_PRED),
                               2 * np.mean((Y_REG_TRUE - Y_REG_PRED) ** 2), rtol=1e-5)
    assert type(losses.get("B1Test>DoubleMSE")) is DoubleMSE
