import numpy as np
import pytest

from lamina import backend, ops
from lamina.losses import loss as loss_module
from lamina.losses.loss import (
    Loss,
    reduce_values,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from lamina.ops import KerasTensor
from tests.helpers import gradcheck


class SquaredError(Loss):
    """Per-sample mean squared error, written here so the base class is tested on its own."""

    def call(self, y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)


class ElementSquaredError(Loss):
    """Per-element squared error (no axis reduced), for per-element sample weights."""

    def call(self, y_true, y_pred):
        return ops.square(y_true - y_pred)


# One (4, 3) shape throughout: each new shape costs JAX a compilation per op.
Y_TRUE = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [1.0, 1.0, 0.2], [0.3, 0.0, 1.0]],
                  dtype="float32")
Y_PRED = np.array([[0.2, 0.7, 0.5], [0.4, 0.1, 0.3], [0.9, 0.6, 0.0], [0.0, 0.8, 0.6]],
                  dtype="float32")
PER_SAMPLE = np.mean((Y_TRUE.astype("float64") - Y_PRED) ** 2, axis=-1)
WEIGHTS = np.array([2.0, 0.0, 0.5, 1.0], dtype="float32")
WEIGHTED_SUM = np.sum(PER_SAMPLE * WEIGHTS)


@pytest.mark.parametrize("reduction, expected", [
    ("sum_over_batch_size", PER_SAMPLE.sum() / 4),
    ("mean", PER_SAMPLE.sum() / 4),
    ("sum", PER_SAMPLE.sum()),
    ("mean_with_sample_weight", PER_SAMPLE.sum() / 4),
])
def test_loss_reductions_without_weights(reduction, expected):
    result = SquaredError(reduction=reduction)(Y_TRUE, Y_PRED)
    assert tuple(result.shape) == ()
    np.testing.assert_allclose(result, expected, rtol=1e-6)


@pytest.mark.parametrize("reduction", [None, "none"])
def test_loss_no_reduction_returns_weighted_values(reduction):
    result = SquaredError(reduction=reduction)(Y_TRUE, Y_PRED, sample_weight=WEIGHTS)
    np.testing.assert_allclose(result, PER_SAMPLE * WEIGHTS, rtol=1e-6)


@pytest.mark.parametrize("reduction, expected", [
    # A zero weight still counts in the "sum_over_batch_size" divisor (4 samples).
    ("sum_over_batch_size", WEIGHTED_SUM / 4),
    ("mean", WEIGHTED_SUM / 4),
    ("sum", WEIGHTED_SUM),
    ("mean_with_sample_weight", WEIGHTED_SUM / 3.5),
])
def test_loss_reductions_with_weights(reduction, expected):
    result = SquaredError(reduction=reduction)(Y_TRUE, Y_PRED, sample_weight=WEIGHTS)
    np.testing.assert_allclose(result, expected, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean",
                                       "mean_with_sample_weight"])
def test_loss_all_zero_weights_give_zero_not_nan(reduction):
    result = SquaredError(reduction=reduction)(Y_TRUE, Y_PRED, sample_weight=np.zeros(4))
    assert float(result) == 0.0


def test_loss_scalar_weight_scales_the_loss():
    result = SquaredError()(Y_TRUE, Y_PRED, sample_weight=2.0)
    np.testing.assert_allclose(result, 2.0 * PER_SAMPLE.mean(), rtol=1e-6)


def test_loss_column_weight_against_vector_losses_gives_column():
    # (batch,) losses against (batch, 1) weights: Keras expands the losses to (batch, 1).
    result = SquaredError(reduction=None)(Y_TRUE, Y_PRED, sample_weight=WEIGHTS[:, None])
    assert tuple(result.shape) == (4, 1)
    np.testing.assert_allclose(result, (PER_SAMPLE * WEIGHTS)[:, None], rtol=1e-6)


def test_loss_per_sample_weight_against_per_element_losses():
    # A (batch,) weight weighs each row of (batch, d) losses.
    weighted = (Y_TRUE.astype("float64") - Y_PRED) ** 2 * WEIGHTS[:, None]
    result = ElementSquaredError(reduction=None)(Y_TRUE, Y_PRED, sample_weight=WEIGHTS)
    np.testing.assert_allclose(result, weighted, rtol=1e-6)
    mean = ElementSquaredError()(Y_TRUE, Y_PRED, sample_weight=WEIGHTS)
    np.testing.assert_allclose(mean, weighted.sum() / 12, rtol=1e-6)
    # mean_with_sample_weight divides by the weights as given, one per sample (as Keras does
    # for (batch, 1) weights).
    by_weight = ElementSquaredError(reduction="mean_with_sample_weight")(
        Y_TRUE, Y_PRED, sample_weight=WEIGHTS)
    np.testing.assert_allclose(by_weight, weighted.sum() / WEIGHTS.sum(), rtol=1e-6)


def test_loss_per_sample_weight_on_square_losses_weighs_rows():
    # With batch == d the weight could broadcast along columns; it weighs samples instead.
    y_true = np.zeros((2, 2), dtype="float32")
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    result = ElementSquaredError(reduction=None)(y_true, y_pred, sample_weight=[1.0, 0.0])
    np.testing.assert_allclose(result, [[1.0, 4.0], [0.0, 0.0]])


def test_loss_full_shape_weight():
    weights = Y_TRUE[::-1] + 0.5
    result = ElementSquaredError(reduction="sum")(Y_TRUE, Y_PRED, sample_weight=weights)
    np.testing.assert_allclose(result, np.sum((Y_TRUE - Y_PRED) ** 2 * weights), rtol=1e-5)


def test_loss_incompatible_weight_raises_clear_error():
    with pytest.raises(ValueError, match=r"sample_weight` of shape \(4, 2\) cannot weigh loss "
                                         r"values of shape \(4,\)"):
        SquaredError(name="sq")(Y_TRUE, Y_PRED, sample_weight=np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"SquaredError 'sq2'.*shape \(3,\)"):
        SquaredError(name="sq2")(Y_TRUE, Y_PRED, sample_weight=np.ones(3))


def test_loss_converts_inputs_to_its_dtype():
    result = SquaredError()(Y_TRUE.astype("int32"), Y_PRED.astype("float16"))
    assert ops.dtype(result) == "float32"
    loss = SquaredError(dtype="float16")
    assert loss.dtype == "float16"
    assert ops.dtype(loss(Y_TRUE, Y_PRED)) == "float16"
    assert SquaredError().dtype == backend.floatx()
    assert SquaredError(dtype="mixed_bfloat16").dtype == "bfloat16"  # a policy's compute dtype


def test_loss_accepts_python_lists():
    np.testing.assert_allclose(SquaredError()([[0.0, 1.0]], [[1.0, 1.0]]), 0.5)


def test_loss_is_traceable_by_jit():
    loss = SquaredError()
    step = backend.transforms.jit(lambda t, p, w: loss(t, p, sample_weight=w))
    np.testing.assert_allclose(step(Y_TRUE, Y_PRED, WEIGHTS), WEIGHTED_SUM / 4, rtol=1e-5)


def test_loss_accepts_symbolic_inputs_with_unknown_batch():
    y_true, y_pred = KerasTensor((None, 3)), KerasTensor((None, 3))
    result = SquaredError()(y_true, y_pred, sample_weight=KerasTensor((None,)))
    assert isinstance(result, KerasTensor) and result.shape == ()
    masked = reduce_weighted_values(KerasTensor((None, 2)), mask=KerasTensor((None, 2), "bool"))
    assert masked.shape == ()


def test_loss_gradient_matches_finite_differences():
    def fn(y_pred):
        return SquaredError(reduction="mean_with_sample_weight")(Y_TRUE, y_pred, WEIGHTS)
    gradcheck.check_grads(fn, [Y_PRED])


def test_loss_default_name_is_unique_snake_case():
    first, second = SquaredError(), SquaredError()
    assert first.name.startswith("squared_error")
    assert first.name != second.name
    assert Loss(name="custom").name == "custom"


def test_loss_base_call_is_abstract():
    with pytest.raises(NotImplementedError, match="Loss must implement `call"):
        Loss()([1.0], [1.0])


def test_loss_invalid_reduction_lists_valid_ones():
    with pytest.raises(ValueError, match=r"reduction`: 'avg'.*'sum_over_batch_size', 'sum', "
                                         r"'mean', 'mean_with_sample_weight', 'none', None"):
        SquaredError(reduction="avg")


def test_loss_invalid_name_and_dtype():
    with pytest.raises(TypeError, match=r"SquaredError: `name` must be a string.*name=3"):
        SquaredError(name=3)
    with pytest.raises(ValueError, match=r"SquaredError: `dtype` must name a float dtype.*"
                                         r"dtype='int32'"):
        SquaredError(dtype="int32")
    with pytest.raises(ValueError, match=r"dtype='nope'"):
        SquaredError(dtype="nope")


def test_loss_config_round_trip():
    loss = SquaredError(name="sq", reduction="sum", dtype="float16")
    config = loss.get_config()
    assert config == {"name": "sq", "reduction": "sum", "dtype": "float16"}
    clone = SquaredError.from_config(config)
    assert (clone.name, clone.reduction, clone.dtype) == ("sq", "sum", "float16")
    np.testing.assert_allclose(clone(Y_TRUE, Y_PRED), PER_SAMPLE.sum(), rtol=1e-3)


def test_squeeze_or_expand_to_same_rank():
    def shapes(a, b, **kwargs):
        x, y = squeeze_or_expand_to_same_rank(ops.ones(a), ops.ones(b), **kwargs)
        return tuple(x.shape), tuple(y.shape)
    assert shapes((3,), (3, 1)) == ((3, 1), (3, 1))
    assert shapes((3, 1), (3,)) == ((3, 1), (3, 1))
    assert shapes((3,), (3, 1), expand_rank_1=False) == ((3,), (3,))
    assert shapes((2, 3, 1), (2, 3)) == ((2, 3), (2, 3))
    assert shapes((2, 3), (2, 3, 1)) == ((2, 3), (2, 3))
    assert shapes((2, 3), (2,)) == ((2, 3), (2,))       # last axis not 1: unchanged
    assert shapes((2, 3, 4), (2,)) == ((2, 3, 4), (2,))  # ranks two apart: unchanged


def test_reduce_values_scalar_and_empty_pass_through():
    assert float(reduce_values(ops.convert_to_tensor(3.0), reduction="sum")) == 3.0
    assert tuple(reduce_values(ops.zeros((0,)), reduction="sum_over_batch_size").shape) == (0,)


def test_reduce_weighted_values_with_mask_averages_kept_entries():
    values = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    mask = np.array([[True, False], [True, True]])
    kept = values[mask]
    np.testing.assert_allclose(reduce_weighted_values(values, mask=mask), kept.mean(), rtol=1e-6)
    np.testing.assert_allclose(reduce_weighted_values(values, mask=mask, reduction="sum"),
                               kept.sum(), rtol=1e-6)
    np.testing.assert_allclose(
        reduce_weighted_values(values, mask=mask, reduction="mean_with_sample_weight"),
        kept.mean(), rtol=1e-6)
    weights = np.array([2.0, 0.5], dtype="float32")
    weighted = values * weights[:, None] * mask
    np.testing.assert_allclose(
        reduce_weighted_values(values, sample_weight=weights, mask=mask), weighted.sum() / 3,
        rtol=1e-6)
    none = reduce_weighted_values(values, mask=np.zeros((2, 2), bool))
    assert float(none) == 0.0


def test_reduce_weighted_values_rejects_bad_reduction():
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        reduce_weighted_values(np.ones(2), reduction="max")


def test_reductions_constant_lists_keras_names():
    assert set(loss_module.REDUCTIONS) == {"sum_over_batch_size", "sum", "mean",
                                           "mean_with_sample_weight", "none", None}
