"""lamina.ops.numpy against the NumPy function of the same meaning.

Expected values come from NumPy in float64; expected dtypes are Keras 3's (ints stay ints under
add/multiply/max..., float-valued ops and `mean`/`divide` of ints give float32, Python scalars are
weak). Gradients are checked against float64 central differences.
"""

import functools

import numpy as np
import pytest

from lamina import backend, ops
from tests.helpers import gradcheck
from tests.ops.batched import batched

F = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]], dtype="float32")
G = np.array([[1.5, 2.0, -0.5], [0.5, 4.0, 1.0]], dtype="float32")
POS = np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 0.75]], dtype="float32")
UNIT = np.array([[0.5, -0.3, 0.2], [0.9, 0.25, -0.75]], dtype="float32")
GE1 = np.array([[1.0, 1.5, 2.0], [3.0, 1.25, 4.0]], dtype="float32")
I = np.array([[1, -2, 3], [4, 0, -6]], dtype="int32")
J = np.array([[2, 3, -1], [1, 5, 2]], dtype="int32")
B = np.array([[True, False, True], [False, False, True]])
V = np.array([1.0, -2.0, 0.5], dtype="float32")
SQ = np.array([[2.0, 1.0], [0.5, 3.0]], dtype="float32")


def check(actual, expected, dtype=None, rtol=1e-5, atol=1e-6):
    """`actual` has `expected`'s values (and shape) and, when given, the dtype `dtype`."""
    actual_np = ops.convert_to_numpy(actual)
    expected = np.asarray(expected)
    assert actual_np.shape == expected.shape, (actual_np.shape, expected.shape)
    if dtype is not None:
        assert backend.standardize_dtype(actual_np.dtype) == dtype
    if expected.dtype == bool:
        np.testing.assert_array_equal(actual_np, expected)
    else:
        np.testing.assert_allclose(actual_np.astype("float64"), expected.astype("float64"),
                                   rtol=rtol, atol=atol, equal_nan=True)


def f64(x):
    return np.asarray(x, dtype="float64")


# --- element-wise unary --------------------------------------------------------------------------
# (op, input, NumPy reference computed in float64, expected dtype)
UNARY = [
    ("abs", F, np.abs, "float32"), ("abs", I, np.abs, "int32"),
    ("absolute", F, np.abs, "float32"),
    ("negative", F, np.negative, "float32"), ("negative", I, np.negative, "int32"),
    ("sign", F, np.sign, "float32"), ("sign", I, np.sign, "int32"),
    ("square", F, np.square, "float32"), ("square", I, np.square, "int32"),
    ("reciprocal", POS, np.reciprocal, "float32"),
    ("sqrt", POS, np.sqrt, "float32"), ("sqrt", np.abs(I), np.sqrt, "float32"),
    ("cbrt", F, np.cbrt, "float32"),
    ("exp", F, np.exp, "float32"), ("exp", I, np.exp, "float32"), ("exp", B, np.exp, "float32"),
    ("exp2", F, np.exp2, "float32"), ("expm1", UNIT * 1e-3, np.expm1, "float32"),
    ("log", POS, np.log, "float32"), ("log2", POS, np.log2, "float32"),
    ("log10", POS, np.log10, "float32"), ("log1p", UNIT * 1e-4, np.log1p, "float32"),
    ("sin", F, np.sin, "float32"), ("cos", F, np.cos, "float32"), ("tan", UNIT, np.tan, "float32"),
    ("arcsin", UNIT, np.arcsin, "float32"), ("arccos", UNIT, np.arccos, "float32"),
    ("arctan", F, np.arctan, "float32"), ("sinh", F, np.sinh, "float32"),
    ("cosh", F, np.cosh, "float32"), ("tanh", F, np.tanh, "float32"), ("tanh", I, np.tanh, "float32"),
    ("arcsinh", F, np.arcsinh, "float32"), ("arccosh", GE1, np.arccosh, "float32"),
    ("arctanh", UNIT, np.arctanh, "float32"),
    ("floor", F, np.floor, "float32"), ("ceil", F, np.ceil, "float32"),
    ("floor", I, np.floor, "float32"),
    ("round", np.array([0.5, 1.5, 2.5, -0.5, 1.26], "float32"), np.round, "float32"),
    ("round", I, np.round, "int32"),
    ("isnan", np.array([np.nan, 1.0, np.inf], "float32"), np.isnan, "bool"),
    ("isinf", np.array([np.nan, 1.0, -np.inf], "float32"), np.isinf, "bool"),
    ("isfinite", np.array([np.nan, 1.0, np.inf], "float32"), np.isfinite, "bool"),
    ("logical_not", B, np.logical_not, "bool"), ("logical_not", F, np.logical_not, "bool"),
    ("ravel", F, np.ravel, "float32"), ("transpose", F, np.transpose, "float32"),
    ("flip", F, np.flip, "float32"), ("sort", F, lambda x: np.sort(x, axis=-1), "float32"),
    ("argsort", F, lambda x: np.argsort(x, axis=-1), "int32"),
    ("copy", F, np.copy, "float32"), ("copy", I, np.copy, "int32"),
]


UNARY_CALLS = [functools.partial(getattr(ops, name), x) for name, x, _, _ in UNARY]


@pytest.mark.parametrize("index", range(len(UNARY)),
                         ids=[f"{c[0]}-{c[1].dtype}-{i}" for i, c in enumerate(UNARY)])
def test_unary_matches_numpy(index):
    _, x, reference, dtype = UNARY[index]
    check(batched(UNARY_CALLS)[index], reference(f64(x)), dtype)


def test_nan_to_num_defaults_and_replacements():
    x = np.array([np.nan, np.inf, -np.inf, 1.5], dtype="float32")
    check(ops.nan_to_num(x), np.nan_to_num(x), "float32")
    check(ops.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0), [1.0, 2.0, -2.0, 1.5], "float32")


def test_round_with_decimals():
    check(ops.round(F * 1.37, decimals=1), np.round(f64(F * 1.37), 1), "float32")


# --- element-wise binary -------------------------------------------------------------------------
BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.divide), ("true_divide", np.true_divide), ("maximum", np.maximum),
    ("minimum", np.minimum), ("power", np.power), ("logaddexp", np.logaddexp),
    ("arctan2", np.arctan2), ("floor_divide", np.floor_divide), ("mod", np.mod),
]


RHS = {"same_shape": G, "broadcast_row": V,
       "broadcast_column": np.array([[1.5], [-0.5]], "float32")}
BINARY_CASES = [
    (f"{name}-{rhs}", name, POS if name == "power" else F,
     np.abs(x2) + 0.5 if name in ("power", "floor_divide", "mod") else x2, reference)
    for name, reference in BINARY for rhs, x2 in RHS.items()]
BINARY_CALLS = [functools.partial(getattr(ops, c[1]), c[2], c[3]) for c in BINARY_CASES]


@pytest.mark.parametrize("index", range(len(BINARY_CASES)), ids=[c[0] for c in BINARY_CASES])
def test_binary_float_broadcasting(index):
    _, _, x1, x2, reference = BINARY_CASES[index]
    check(batched(BINARY_CALLS)[index], reference(f64(x1), f64(x2)), "float32")


# (op, x1, x2, expected values, expected dtype): integer and mixed-dtype promotion
INT_BINARY = [
    ("add", I, J, I + J, "int32"), ("subtract", I, J, I - J, "int32"),
    ("multiply", I, J, I * J, "int32"), ("maximum", I, J, np.maximum(I, J), "int32"),
    ("floor_divide", I, J, np.floor_divide(I, J), "int32"), ("mod", I, J, np.mod(I, J), "int32"),
    ("divide", I, J, f64(I) / f64(J), "float32"), ("true_divide", I, J, f64(I) / f64(J), "float32"),
    ("add", I, F, f64(I) + f64(F), "float32"), ("multiply", B, I, B * I, "int32"),
    ("add", I, 2, I + 2, "int32"), ("add", I, 2.5, I + 2.5, "float32"),
    ("subtract", 1, I, 1 - I, "int32"), ("multiply", F, 2, F * 2, "float32"),
    ("power", I, 2.0, f64(I) ** 2, "float32"), ("power", 2, F, 2.0 ** f64(F), "float32"),
    ("divide", np.array([1, 2, 3], "int8"), 2, [0.5, 1.0, 1.5], "float32"),
    ("add", np.array([1, 2], "uint8"), np.array([-1, 3], "int8"), [0, 5], "int16"),
    ("add", F[0].astype("float16"), 1.0, f64(F[0]) + 1.0, "float16"),
    ("add", F[0].astype("float16"), np.array([1, 2, 3], "int32"), f64(F[0]) + [1, 2, 3],
     "float16"),
    ("add", F[0].astype("float16"), F[1].astype("bfloat16"), f64(F[0]) + f64(F[1]), "float32"),
    ("maximum", I, 0.5, np.maximum(I, 0.5), "float32"),
    ("add", [1, 2], [3, 4], [4, 6], "int32"), ("add", 1.5, 2, 3.5, "float32"),
]


INT_BINARY_CALLS = [functools.partial(getattr(ops, c[0]), c[1], c[2]) for c in INT_BINARY]


@pytest.mark.parametrize("index", range(len(INT_BINARY)),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(INT_BINARY)])
def test_binary_dtype_promotion(index):
    _, _, _, expected, dtype = INT_BINARY[index]
    check(batched(INT_BINARY_CALLS)[index], expected, dtype, rtol=1e-3)


@pytest.mark.parametrize("index", [0, 6, 10, 14, 18])
def test_binary_dtype_promotion_eagerly(index):
    name, x1, x2, expected, dtype = INT_BINARY[index]
    check(getattr(ops, name)(x1, x2), expected, dtype, rtol=1e-3)


def test_divide_no_nan_gives_zero_where_denominator_is_zero():
    x2 = np.array([[2.0, 0.0, -4.0], [0.0, 1.0, 0.5]], dtype="float32")
    expected = np.where(x2 == 0, 0.0, f64(F) / np.where(x2 == 0, 1.0, x2))
    check(ops.divide_no_nan(F, x2), expected, "float32")


COMPARISONS = [
    ("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
    ("greater_equal", np.greater_equal), ("less", np.less), ("less_equal", np.less_equal),
]


@pytest.mark.parametrize("name,reference", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons(name, reference):
    x2 = np.array([0.5, 0.25, 2.0], dtype="float32")
    check(getattr(ops, name)(F, x2), reference(F, x2), "bool")
    check(getattr(ops, name)(I, 1), reference(I, 1), "bool")


@pytest.mark.parametrize("name,reference", [("logical_and", np.logical_and),
                                            ("logical_or", np.logical_or),
                                            ("logical_xor", np.logical_xor)])
def test_logical_binary(name, reference):
    check(getattr(ops, name)(B, B[::-1]), reference(B, B[::-1]), "bool")
    check(getattr(ops, name)(F, I), reference(F, I), "bool")


def test_isclose():
    x2 = F + np.array([0.0, 1e-7, 0.5], dtype="float32")
    check(ops.isclose(F, x2), np.isclose(F, x2), "bool")
    check(ops.isclose(F, x2, atol=1.0), np.isclose(F, x2, atol=1.0), "bool")


# --- matrix products -----------------------------------------------------------------------------
def test_matmul_variants():
    check(ops.matmul(F, G.T), f64(F) @ f64(G.T), "float32")
    check(ops.matmul(F, V), f64(F) @ f64(V), "float32")
    batch = np.stack([F, G])
    check(ops.matmul(batch, G.T), f64(batch) @ f64(G.T), "float32")
    check(ops.matmul(I, J.T), I @ J.T, "int32")
    check(ops.matmul(I, G.T), f64(I) @ f64(G.T), "float32")


def test_matmul_of_int8_accumulates_in_int32():
    a = np.full((2, 4), 100, dtype="int8")
    check(ops.matmul(a, a.T), np.full((2, 2), 40000), "int32")


def test_dot_outer_tensordot_einsum():
    check(ops.dot(F, V), f64(F) @ f64(V), "float32")
    check(ops.dot(V, V), f64(V) @ f64(V), "float32")
    check(ops.outer(V, V[:2]), np.outer(V, V[:2]), "float32")
    check(ops.tensordot(F, G), np.tensordot(f64(F), f64(G)), "float32")
    check(ops.tensordot(F, G.T, axes=1), np.tensordot(f64(F), f64(G.T), axes=1), "float32")
    check(ops.einsum("ij,kj->ik", F, G), np.einsum("ij,kj->ik", f64(F), f64(G)), "float32")
    check(ops.einsum("ij->j", I), I.sum(0), "int32")


def test_einsum_requires_subscripts_first():
    with pytest.raises(TypeError, match="subscripts"):
        ops.einsum(F, "ij->j")


def test_matmul_shape_mismatch_raises():
    with pytest.raises((TypeError, ValueError)):
        ops.matmul(F, G)


# --- where, clip -----------------------------------------------------------------------------------
def test_where_three_arguments_broadcasts_and_promotes():
    check(ops.where(B, F, G), np.where(B, F, G), "float32")
    check(ops.where(B, F, 0), np.where(B, F, 0), "float32")
    check(ops.where(B, I, 0.5), np.where(B, I, 0.5), "float32")
    check(ops.where(B, I, J), np.where(B, I, J), "int32")
    check(ops.where(B[0], V, -1.0), np.where(B[0], V, -1.0), "float32")


def test_where_needs_both_branches_or_neither():
    with pytest.raises(ValueError, match="both `x1` and `x2`, or neither"):
        ops.where(B, F)


def test_where_single_argument_gives_nonzero_indices():
    rows, cols = ops.where(B)
    expected_rows, expected_cols = np.nonzero(B)
    check(rows, expected_rows)
    check(cols, expected_cols)


@pytest.mark.parametrize("x,lo,hi,dtype", [
    (F, -1.0, 1.0, "float32"), (I, -1, 1, "int32"), (I, -1.5, 1.5, "float32"),
    (B, 0, 1, "int32"), (F[0].astype("float16"), 0.0, 1.0, "float16"),
])
def test_clip(x, lo, hi, dtype):
    check(ops.clip(x, lo, hi), np.clip(f64(x), lo, hi), dtype)


# --- reductions ----------------------------------------------------------------------------------
REDUCTIONS = [
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min), ("prod", np.prod),
    ("var", np.var), ("std", np.std), ("amax", np.amax), ("amin", np.amin),
]


REDUCTION_CASES = [(name, reference, F, {"axis": axis, "keepdims": keepdims}, "float32")
                   for name, reference in REDUCTIONS
                   for axis, keepdims in [(None, False), (0, False), (-1, True), ((0, 1), True)]]
REDUCTION_CASES += [(name, reference, I, {"axis": axis}, dtype)
                    for name, reference, dtype in [
                        ("sum", np.sum, "int32"), ("max", np.max, "int32"),
                        ("min", np.min, "int32"), ("prod", np.prod, "int32"),
                        ("mean", np.mean, "float32"), ("var", np.var, "float32"),
                        ("std", np.std, "float32")]
                    for axis in (None, 1)]
REDUCTION_CALLS = [functools.partial(getattr(ops, c[0]), c[2], **c[3]) for c in REDUCTION_CASES]


@pytest.mark.parametrize("index", range(len(REDUCTION_CASES)),
                         ids=[f"{c[0]}-{c[2].dtype}-{c[3]}" for c in REDUCTION_CASES])
def test_reductions(index):
    _, reference, x, kwargs, dtype = REDUCTION_CASES[index]
    check(batched(REDUCTION_CALLS)[index], reference(f64(x), **kwargs), dtype)


def test_reductions_eagerly():
    check(ops.sum(F, axis=0), F.sum(0), "float32")
    check(ops.mean(I, axis=1, keepdims=True), f64(I).mean(1, keepdims=True), "float32")


def test_bool_reductions():
    check(ops.sum(B), 3, "int32")
    check(ops.mean(B), 0.5, "float32")
    for axis in (None, 0, 1):
        check(ops.all(B, axis=axis), np.all(B, axis=axis), "bool")
        check(ops.any(B, axis=axis), np.any(B, axis=axis), "bool")
    check(ops.all(B, axis=1, keepdims=True), np.all(B, axis=1, keepdims=True), "bool")
    check(ops.any(F), True, "bool")


def test_max_min_with_initial_and_prod_dtype():
    check(ops.max(F, initial=10.0), 10.0, "float32")
    check(ops.min(F, axis=0, initial=0.0), np.minimum(F.min(0), 0.0), "float32")
    check(ops.prod(I, axis=0, dtype="float32"), np.prod(f64(I), axis=0), "float32")


INDEX_CASES = [(name, reference, F, {"axis": axis, "keepdims": keepdims}, "int32")
               for name, reference in [("argmax", np.argmax), ("argmin", np.argmin)]
               for axis in (None, 0, 1, -1) for keepdims in (False, True)]
INDEX_CASES += [(name, reference, x, {"axis": axis, **extra}, dtype)
                for name, reference in [("cumsum", np.cumsum), ("cumprod", np.cumprod)]
                for axis in (None, 0, 1)
                for x, extra, dtype in [(F, {}, "float32"), (I, {}, "int32"),
                                        (I, {"dtype": "float32"}, "float32")]]
INDEX_CALLS = [functools.partial(getattr(ops, c[0]), c[2], **c[3]) for c in INDEX_CASES]


@pytest.mark.parametrize("index", range(len(INDEX_CASES)),
                         ids=[f"{c[0]}-{c[2].dtype}-{c[3]}" for c in INDEX_CASES])
def test_argmax_argmin_cumsum_cumprod(index):
    _, reference, x, kwargs, dtype = INDEX_CASES[index]
    kwargs = {k: v for k, v in kwargs.items() if k != "dtype"}
    check(batched(INDEX_CALLS)[index], reference(f64(x), **kwargs), dtype)


def test_count_nonzero_average_trace():
    check(ops.count_nonzero(I), np.count_nonzero(I), "int32")
    check(ops.count_nonzero(I, axis=0), np.count_nonzero(I, axis=0), "int32")
    check(ops.count_nonzero(F, axis=(0, 1)), 6, "int32")
    w = np.array([1.0, 2.0, 3.0], "float32")
    check(ops.average(F, axis=1, weights=w), np.average(f64(F), axis=1, weights=w), "float32")
    check(ops.average(F), np.average(f64(F)), "float32")
    check(ops.average(I, axis=1), np.average(f64(I), axis=1), "float32")
    check(ops.trace(SQ), np.trace(SQ), "float32")
    check(ops.trace(F, offset=1), np.trace(F, offset=1), "float32")


# --- creation --------------------------------------------------------------------------------------
CREATION = [
    (lambda: ops.zeros((2, 3)), np.zeros((2, 3)), "float32"),
    (lambda: ops.ones((2,), dtype="int32"), np.ones(2), "int32"),
    (lambda: ops.full((2,), 3), np.full(2, 3.0), "float32"),
    (lambda: ops.full((2,), 3, dtype="int32"), np.full(2, 3), "int32"),
    (lambda: ops.zeros_like(I), np.zeros((2, 3)), "int32"),
    (lambda: ops.ones_like(F, dtype="int32"), np.ones((2, 3)), "int32"),
    (lambda: ops.full_like(I, 2.5), np.full((2, 3), 2), "int32"),
    (lambda: ops.full_like(F, 2.5), np.full((2, 3), 2.5), "float32"),
    (lambda: ops.eye(3), np.eye(3), "float32"),
    (lambda: ops.eye(2, 3, k=1), np.eye(2, 3, k=1), "float32"),
    (lambda: ops.identity(2, dtype="int32"), np.identity(2), "int32"),
    (lambda: ops.arange(5), np.arange(5), "int32"),
    (lambda: ops.arange(1, 6, 2), np.arange(1, 6, 2), "int32"),
    (lambda: ops.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25), "float32"),
    (lambda: ops.arange(0, 5, 1.5), np.arange(0, 5, 1.5), "float32"),
    (lambda: ops.arange(3, dtype="float32"), np.arange(3.0), "float32"),
    (lambda: ops.linspace(0, 1, 5), np.linspace(0, 1, 5), "float32"),
    (lambda: ops.linspace(0, 1, 4, endpoint=False), np.linspace(0, 1, 4, endpoint=False),
     "float32"),
    (lambda: ops.tri(3, k=-1), np.tri(3, k=-1), "float32"),
    (lambda: ops.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]], "int32"),
    (lambda: ops.array([1.0, 2.0], dtype="float16"), [1.0, 2.0], "float16"),
]
CREATION_CALLS = [c[0] for c in CREATION]


@pytest.mark.parametrize("index", range(len(CREATION)))
def test_creation(index):
    _, expected, dtype = CREATION[index]
    check(batched(CREATION_CALLS)[index], expected, dtype)


# --- shape manipulation -----------------------------------------------------------------------------
X3 = np.arange(24, dtype="float32").reshape(2, 3, 4)

SHAPE_OPS = [
    (lambda: ops.reshape(F, (3, -1)), F.reshape(3, -1)),
    (lambda: ops.reshape(X3, (-1,)), X3.reshape(-1)),
    (lambda: ops.transpose(X3, (2, 0, 1)), X3.transpose(2, 0, 1)),
    (lambda: ops.expand_dims(F, 1), np.expand_dims(F, 1)),
    (lambda: ops.expand_dims(F, -1), np.expand_dims(F, -1)),
    (lambda: ops.squeeze(F[None, :, None]), F),
    (lambda: ops.squeeze(F[None], axis=0), F),
    (lambda: ops.broadcast_to(V, (2, 3)), np.broadcast_to(V, (2, 3))),
    (lambda: ops.moveaxis(X3, 0, -1), np.moveaxis(X3, 0, -1)),
    (lambda: ops.swapaxes(X3, 0, 2), np.swapaxes(X3, 0, 2)),
    (lambda: ops.concatenate([F, G], axis=1), np.concatenate([F, G], axis=1)),
    (lambda: ops.concatenate([F, G]), np.concatenate([F, G])),
    (lambda: ops.concatenate([F, I], axis=-1), np.concatenate([F, I], axis=-1)),
    (lambda: ops.stack([F, G], axis=1), np.stack([F, G], axis=1)),
    (lambda: ops.stack([V, V]), np.stack([V, V])),
    (lambda: ops.hstack([F, G]), np.hstack([F, G])),
    (lambda: ops.vstack([F, G]), np.vstack([F, G])),
    (lambda: ops.tile(F, (2, 1)), np.tile(F, (2, 1))),
    (lambda: ops.repeat(F, 2, axis=0), np.repeat(F, 2, axis=0)),
    (lambda: ops.repeat(F, 2), np.repeat(F, 2)),
    (lambda: ops.flip(F, axis=1), np.flip(F, axis=1)),
    (lambda: ops.roll(F, 1), np.roll(F, 1)),
    (lambda: ops.roll(F, -1, axis=1), np.roll(F, -1, axis=1)),
    (lambda: ops.pad(F, ((1, 0), (0, 2))), np.pad(F, ((1, 0), (0, 2)))),
    (lambda: ops.pad(F, ((1, 0), (0, 2)), constant_values=9), np.pad(F, ((1, 0), (0, 2)),
                                                                      constant_values=9)),
    (lambda: ops.pad(F, ((1, 1), (1, 1)), mode="reflect"), np.pad(F, ((1, 1), (1, 1)),
                                                                   mode="reflect")),
    (lambda: ops.take(F, np.array([2, 0])), np.take(F, [2, 0])),
    (lambda: ops.take(F, np.array([[2, 0]]), axis=1), np.take(F, [[2, 0]], axis=1)),
    (lambda: ops.take_along_axis(F, np.array([[2, 0], [1, 1]]), axis=1),
     np.take_along_axis(F, np.array([[2, 0], [1, 1]]), axis=1)),
    (lambda: ops.diag(V), np.diag(V)), (lambda: ops.diag(V, k=1), np.diag(V, k=1)),
    (lambda: ops.diag(SQ), np.diag(SQ)),
    (lambda: ops.diagonal(F), np.diagonal(F)), (lambda: ops.diagonal(X3, 1, 1, 2),
                                                np.diagonal(X3, 1, 1, 2)),
    (lambda: ops.tril(F), np.tril(F)), (lambda: ops.triu(F, k=1), np.triu(F, k=1)),
]


SHAPE_CALLS = [make for make, _ in SHAPE_OPS]


@pytest.mark.parametrize("index", range(len(SHAPE_OPS)))
def test_shape_ops(index):
    expected = SHAPE_OPS[index][1]
    # NumPy's float64/int64 results correspond to lamina's float32/int32.
    dtype = {"float64": "float32", "int64": "int32"}.get(np.asarray(expected).dtype.name)
    check(batched(SHAPE_CALLS)[index], expected, dtype)


def test_split():
    parts = ops.split(F, 3, axis=1)
    assert len(parts) == 3
    for part, expected in zip(parts, np.split(F, 3, axis=1)):
        check(part, expected, "float32")
    parts = ops.split(F, [1], axis=1)
    check(parts[1], F[:, 1:], "float32")


def test_searchsorted():
    seq = np.array([-1.0, 0.5, 1.0], "float32")
    check(ops.searchsorted(seq, V), np.searchsorted(seq, V), "int32")
    check(ops.searchsorted(seq, np.array([0.5, 1.0], "float32"), side="right"),
          np.searchsorted(seq, [0.5, 1.0], side="right"), "int32")


def test_meshgrid():
    a, b = np.array([1.0, 2.0, 3.0], "float32"), np.array([4.0, 5.0], "float32")
    for indexing in ("xy", "ij"):
        for got, expected in zip(ops.meshgrid(a, b, indexing=indexing),
                                 np.meshgrid(a, b, indexing=indexing)):
            check(got, expected, "float32")
    with pytest.raises(ValueError, match="indexing"):
        ops.meshgrid(a, b, indexing="yx")


def test_bincount_size_ndim():
    x = np.array([0, 2, 2, 4], "int32")
    check(ops.bincount(x), np.bincount(x), "int32")
    check(ops.bincount(x, minlength=7), np.bincount(x, minlength=7), "int32")
    w = np.array([0.5, 1.0, 2.0, 1.5], "float32")
    check(ops.bincount(x, weights=w), np.bincount(x, weights=w), "float32")
    with pytest.raises(ValueError, match="1-D"):
        ops.bincount(np.zeros((2, 2), "int32"))
    assert int(ops.size(X3)) == 24
    assert ops.ndim(X3) == 3 and ops.ndim(V) == 1


def test_reshape_to_incompatible_size_raises():
    with pytest.raises((TypeError, ValueError)):
        ops.reshape(F, (4, -1))


# --- Variables and the stateless scope as inputs -------------------------------------------------
def test_variables_are_read_as_their_values():
    v = backend.Variable(F)
    w = backend.Variable(G.T)
    check(ops.add(v, 1.0), f64(F) + 1, "float32")
    check(ops.matmul(v, w), f64(F) @ f64(G.T), "float32")
    check(ops.sum(v, axis=1), F.sum(1), "float32")
    check(ops.concatenate([v, G]), np.concatenate([F, G]), "float32")
    check(ops.where(B, v, 0.0), np.where(B, F, 0.0), "float32")
    check(ops.clip(v, x_min=-1.0, x_max=1.0), np.clip(F, -1, 1), "float32")


def test_variables_inside_a_stateless_scope_read_the_mapped_value():
    v = backend.Variable(F)
    with backend.StatelessScope([(v, G)]):
        check(ops.multiply(v, 2.0), f64(G) * 2, "float32")
        check(ops.stack([v, v]), np.stack([G, G]), "float32")
    check(ops.multiply(v, 2.0), f64(F) * 2, "float32")


# --- gradients ------------------------------------------------------------------------------------
A = np.array([[0.7, -1.2, 0.4], [1.5, 0.3, -0.8]])
C = np.array([[1.1, 0.6, -0.9], [0.2, -1.4, 0.5]])
A_POS = np.abs(A) + 0.5
WEIGHT = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2]])

GRADIENTS = [
    ("add", lambda a, c: ops.sum(ops.add(a, c) * WEIGHT), [A, C]),
    ("multiply", lambda a, c: ops.sum(ops.multiply(a, c) * WEIGHT), [A, C]),
    ("divide", lambda a, c: ops.sum(ops.divide(a, c) * WEIGHT), [A, C + 2.0]),
    ("power", lambda a, c: ops.sum(ops.power(a, c) * WEIGHT), [A_POS, C]),
    ("exp", lambda a: ops.sum(ops.exp(a) * WEIGHT), [A]),
    ("log", lambda a: ops.sum(ops.log(a) * WEIGHT), [A_POS]),
    ("sqrt", lambda a: ops.sum(ops.sqrt(a) * WEIGHT), [A_POS]),
    ("tanh", lambda a: ops.sum(ops.tanh(a) * WEIGHT), [A]),
    ("sum", lambda a: ops.sum(ops.sum(a, axis=0) * WEIGHT[0]), [A]),
    ("mean", lambda a: ops.sum(ops.mean(a, axis=1, keepdims=True) * WEIGHT), [A]),
    ("max", lambda a: ops.sum(ops.max(a, axis=1) * WEIGHT[:, 0]), [A]),
    ("matmul", lambda a, c: ops.sum(ops.matmul(a, ops.transpose(c)) * WEIGHT[:, :2]), [A, C]),
    ("where", lambda a, c: ops.sum(ops.where(B, a, c) * WEIGHT), [A, C]),
    ("clip", lambda a: ops.sum(ops.clip(a, -1.0, 1.0) * WEIGHT), [A]),
    ("concatenate", lambda a, c: ops.sum(ops.concatenate([a, c], axis=1)
                                         * ops.concatenate([WEIGHT, -WEIGHT], axis=1)), [A, C]),
    ("take", lambda a: ops.sum(ops.take(a, np.array([2, 0, 2]), axis=1) * WEIGHT), [A]),
]


@pytest.mark.parametrize("name,fn,args", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_match_finite_differences(name, fn, args):
    gradcheck.check_grads(fn, args, rtol=1e-5, atol=1e-7)
