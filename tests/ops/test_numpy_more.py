"""The second half of lamina.ops.numpy (nan-reductions, quantiles, bitwise ops, windows, splits,
set and index ops, ...) against NumPy formulas in float64, Keras 3.15's output dtypes (pasted
tables), finite-difference gradients, symbolic shapes and input errors."""

import functools

import numpy as np
import pytest

from lamina import backend, ops
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck
from tests.ops.batched import batched

rng = np.random.RandomState(0)
X3 = rng.randn(2, 3, 4).astype("float32")
M = rng.randn(3, 4).astype("float32")
V = rng.randn(4).astype("float32")
COL = rng.randn(3, 1).astype("float32")
I = rng.randint(-6, 7, (3, 4)).astype("int32")
J = rng.randint(1, 5, (3, 4)).astype("int32")
B = rng.rand(3, 4) > 0.5
MN = M.copy()
MN[0, 1] = MN[2, 3] = MN[2, 0] = np.nan   # a NaN in every row but one, never a whole row
SPECIAL = np.array([-np.inf, -2.5, -0.0, 0.0, 0.5, np.inf, np.nan], "float32")


def check(actual, expected, dtype=None, rtol=1e-5, atol=1e-6):
    """`actual` has `expected`'s shape and values and, when given, the dtype `dtype`."""
    actual_np = ops.convert_to_numpy(actual)
    expected = np.asarray(expected)
    assert actual_np.shape == expected.shape, (actual_np.shape, expected.shape)
    if dtype is not None:
        assert backend.standardize_dtype(actual_np.dtype) == dtype
    if expected.dtype == bool or actual_np.dtype == bool:
        np.testing.assert_array_equal(actual_np, expected)
    else:
        np.testing.assert_allclose(actual_np.astype("float64"), expected.astype("float64"),
                                   rtol=rtol, atol=atol, equal_nan=True)


def f64(x):
    return np.asarray(x, dtype="float64")


# --- values against NumPy -------------------------------------------------------------------------
# (id, lamina call, NumPy reference evaluated in float64, expected dtype)
VALUES = [
    ("angle", lambda: ops.angle(M), np.angle(f64(M)), "float32"),
    ("angle-int", lambda: ops.angle(I), np.angle(f64(I)), "float32"),
    ("conj", lambda: ops.conj(M), M, "float32"),
    ("conjugate-int", lambda: ops.conjugate(I), I, "int32"),
    ("real", lambda: ops.real(I), I, "int32"),
    ("imag", lambda: ops.imag(M), np.zeros_like(M), "float32"),
    ("deg2rad", lambda: ops.deg2rad(I), np.deg2rad(f64(I)), "float32"),
    ("rad2deg", lambda: ops.rad2deg(M), np.rad2deg(f64(M)), "float32"),
    ("fabs", lambda: ops.fabs(I), np.fabs(f64(I)), "float32"),
    ("i0", lambda: ops.i0(M), np.i0(f64(M)), "float32"),
    ("sinc", lambda: ops.sinc(np.append(M.ravel(), 0.0)), np.sinc(np.append(f64(M).ravel(), 0)),
     "float32"),
    ("trunc", lambda: ops.trunc(M * 3), np.trunc(f64(M * 3)), "float32"),
    ("trunc-int", lambda: ops.trunc(I), I, "int32"),
    ("signbit", lambda: ops.signbit(SPECIAL[:-1]), np.signbit(SPECIAL[:-1]), "bool"),
    ("signbit-int", lambda: ops.signbit(I), np.signbit(I), "bool"),
    ("isneginf", lambda: ops.isneginf(SPECIAL), np.isneginf(SPECIAL), "bool"),
    ("isposinf", lambda: ops.isposinf(SPECIAL), np.isposinf(SPECIAL), "bool"),
    ("isreal", lambda: ops.isreal(M), np.ones(M.shape, bool), "bool"),
    ("bitwise_invert", lambda: ops.bitwise_invert(I), np.invert(I), "int32"),
    ("bitwise_not-bool", lambda: ops.bitwise_not(B), np.invert(B), "bool"),
    ("bitwise_not-int8", lambda: ops.bitwise_not(I.astype("int8")), np.invert(I.astype("int8")),
     "int8"),
    # element-wise binary, with broadcasting
    ("fmax", lambda: ops.fmax(MN, V), np.fmax(f64(MN), f64(V)), "float32"),
    ("fmin-column", lambda: ops.fmin(MN, COL), np.fmin(f64(MN), f64(COL)), "float32"),
    ("fmax-int", lambda: ops.fmax(I, J), np.fmax(I, J), "int32"),
    ("fmin-scalar", lambda: ops.fmin(I, 0.5), np.fmin(f64(I), 0.5), "float32"),
    ("fmod", lambda: ops.fmod(M * 4, COL), np.fmod(f64(M * 4), f64(COL)), "float32"),
    ("fmod-int", lambda: ops.fmod(I, J), np.fmod(I, J), "int32"),
    ("fmod-neg-int", lambda: ops.fmod(I, -J[0]), np.fmod(I, -J[0]), "int32"),
    ("gcd", lambda: ops.gcd(I, J), np.gcd(I, J), "int32"),
    ("lcm", lambda: ops.lcm(I, J[1]), np.lcm(I, J[1]), "int32"),
    ("heaviside", lambda: ops.heaviside(np.append(M.ravel(), 0), 0.5),
     np.heaviside(np.append(f64(M).ravel(), 0), 0.5), "float32"),
    ("heaviside-int", lambda: ops.heaviside(I, J), np.heaviside(f64(I), f64(J)), "float32"),
    ("hypot", lambda: ops.hypot(M, V), np.hypot(f64(M), f64(V)), "float32"),
    ("hypot-int", lambda: ops.hypot(I, J), np.hypot(f64(I), f64(J)), "float32"),
    ("logaddexp2", lambda: ops.logaddexp2(M, COL), np.logaddexp2(f64(M), f64(COL)), "float32"),
    ("nextafter", lambda: ops.nextafter(M, V),
     np.nextafter(M, V).astype("float64"), "float32"),
    ("ldexp", lambda: ops.ldexp(M, J), np.ldexp(f64(M), J), "float32"),
    ("ldexp-int", lambda: ops.ldexp(I, 3), np.ldexp(f64(I), 3), "float32"),
    ("bitwise_and", lambda: ops.bitwise_and(I, J), np.bitwise_and(I, J), "int32"),
    ("bitwise_or", lambda: ops.bitwise_or(I, J[0]), np.bitwise_or(I, J[0]), "int32"),
    ("bitwise_xor", lambda: ops.bitwise_xor(I, 5), np.bitwise_xor(I, 5), "int32"),
    ("bitwise_and-bool", lambda: ops.bitwise_and(B, B[::-1]), B & B[::-1], "bool"),
    ("bitwise_left_shift", lambda: ops.bitwise_left_shift(I, J), np.left_shift(I, J), "int32"),
    ("bitwise_right_shift", lambda: ops.bitwise_right_shift(I, J), np.right_shift(I, J),
     "int32"),
    ("left_shift-int8", lambda: ops.left_shift(J.astype("int8"), 2),
     np.left_shift(J.astype("int8"), 2), "int8"),
    ("right_shift", lambda: ops.right_shift(I, 1), np.right_shift(I, 1), "int32"),
    ("allclose", lambda: ops.allclose(M, M + 1e-7), True, "bool"),
    ("allclose-false", lambda: ops.allclose(M, V), np.allclose(M, V), "bool"),
    ("allclose-nan", lambda: ops.allclose(MN, MN, equal_nan=True), True, "bool"),
    ("isin", lambda: ops.isin(I, J), np.isin(I, J), "bool"),
    ("isin-invert", lambda: ops.isin(I, [1, 2, 3], invert=True),
     np.isin(I, [1, 2, 3], invert=True), "bool"),
    # products
    ("inner", lambda: ops.inner(M, X3), np.inner(f64(M), f64(X3)), "float32"),
    ("inner-int", lambda: ops.inner(I, J), np.inner(I, J), "int32"),
    ("vdot", lambda: ops.vdot(M, M.T), np.vdot(f64(M), f64(M.T.ravel())), "float32"),
    ("kron", lambda: ops.kron(M, COL), np.kron(f64(M), f64(COL)), "float32"),
    ("kron-int", lambda: ops.kron(I[:2, :2], J), np.kron(I[:2, :2], J), "int32"),
    ("cross", lambda: ops.cross(M[:, :3], V[:3]), np.cross(f64(M[:, :3]), f64(V[:3])),
     "float32"),
    # 2-vectors: the z component of the 3-D cross product (NumPy 2 deprecates this case).
    ("cross-2d", lambda: ops.cross(M[:, :2], M[:, 2:]),
     f64(M[:, 0] * M[:, 3] - M[:, 1] * M[:, 2]), "float32"),
    ("cross-axis", lambda: ops.cross(X3[:, :, :3], X3[:, :, 1:], axis=-1),
     np.cross(f64(X3[:, :, :3]), f64(X3[:, :, 1:]), axis=-1), "float32"),
    ("cross-axisa", lambda: ops.cross(M[:, :3].T, V[:3], axisa=0),
     np.cross(f64(M[:, :3].T), f64(V[:3]), axisa=0), "float32"),
    ("correlate-valid", lambda: ops.correlate(V, V[:2]), np.correlate(f64(V), f64(V[:2])),
     "float32"),
    ("correlate-same", lambda: ops.correlate(V, V[:3], mode="same"),
     np.correlate(f64(V), f64(V[:3]), mode="same"), "float32"),
    ("correlate-full-int", lambda: ops.correlate(I[0], J[0, :2], mode="full"),
     np.correlate(f64(I[0]), f64(J[0, :2]), mode="full"), "float32"),
    ("slogdet-sign", lambda: ops.slogdet(X3[:, :3, :3])[0],
     np.linalg.slogdet(f64(X3[:, :3, :3]))[0], "float32"),
    ("slogdet-log", lambda: ops.slogdet(X3[:, :3, :3])[1],
     np.linalg.slogdet(f64(X3[:, :3, :3]))[1], "float32"),
    ("corrcoef", lambda: ops.corrcoef(M), np.corrcoef(f64(M)), "float32"),
    ("corrcoef-int", lambda: ops.corrcoef(I), np.corrcoef(f64(I)), "float32"),
    # creation
    ("geomspace", lambda: ops.geomspace(1, 1000, 4), np.geomspace(1, 1000, 4), "float32"),
    ("geomspace-negative", lambda: ops.geomspace(-2.0, -32.0, 5, endpoint=False),
     np.geomspace(-2.0, -32.0, 5, endpoint=False), "float32"),
    ("geomspace-axis", lambda: ops.geomspace(np.array([1.0, 2.0]), np.array([10.0, 20.0]), 3,
                                             axis=1),
     np.geomspace([1.0, 2.0], [10.0, 20.0], 3, axis=1), "float32"),
    ("logspace", lambda: ops.logspace(0, 3, 4, base=2), np.logspace(0, 3, 4, base=2),
     "float32"),
    ("logspace-int", lambda: ops.logspace(0, 2, 3, dtype="int32"), [1, 10, 100], "int32"),
    ("logspace-noend", lambda: ops.logspace(0.0, 1.0, 4, endpoint=False),
     np.logspace(0.0, 1.0, 4, endpoint=False), "float32"),
    ("bartlett", lambda: ops.bartlett(7), np.bartlett(7), "float32"),
    ("blackman", lambda: ops.blackman(6), np.blackman(6), "float32"),
    ("hamming", lambda: ops.hamming(5), np.hamming(5), "float32"),
    ("hanning", lambda: ops.hanning(1), np.hanning(1), "float32"),
    ("kaiser", lambda: ops.kaiser(6, 3.5), np.kaiser(6, 3.5), "float32"),
    ("vander", lambda: ops.vander(V), np.vander(f64(V)), "float32"),
    ("vander-int", lambda: ops.vander(J[0], N=3, increasing=True),
     np.vander(J[0], N=3, increasing=True), "int32"),
    ("empty", lambda: ops.zeros_like(ops.empty((2, 3), dtype="int32")), np.zeros((2, 3)), "int32"),
    ("empty_like", lambda: ops.zeros_like(ops.empty_like(M)), np.zeros(M.shape), "float32"),
    # shape manipulation and indexing
    ("append", lambda: ops.append(M, I), np.append(f64(M), I), "float32"),
    ("append-axis", lambda: ops.append(M, I, axis=-1), np.append(f64(M), I, axis=-1), "float32"),
    ("dstack", lambda: ops.dstack([M, I]), np.dstack([f64(M), I]), "float32"),
    ("dstack-1d", lambda: ops.dstack([V, V]), np.dstack([V, V]), "float32"),
    ("diagflat", lambda: ops.diagflat(I[:2, :2]), np.diagflat(I[:2, :2]), "int32"),
    ("diagflat-k", lambda: ops.diagflat(V, k=-2), np.diagflat(V, k=-2), "float32"),
    ("diff", lambda: ops.diff(X3), np.diff(X3), "float32"),
    ("diff-n2-axis0", lambda: ops.diff(I, n=2, axis=0), np.diff(I, n=2, axis=0), "int32"),
    ("diff-axis-neg2", lambda: ops.diff(X3, axis=-2), np.diff(X3, axis=-2), "float32"),
    ("diff-bool", lambda: ops.diff(B), np.diff(B), "bool"),
    ("fliplr", lambda: ops.fliplr(X3), np.fliplr(X3), "float32"),
    ("flipud", lambda: ops.flipud(I), np.flipud(I), "int32"),
    ("rot90", lambda: ops.rot90(M), np.rot90(M), "float32"),
    ("rot90-k2", lambda: ops.rot90(X3, k=2, axes=(1, 2)), np.rot90(X3, 2, axes=(1, 2)),
     "float32"),
    ("rot90-k-1", lambda: ops.rot90(X3, k=-1, axes=(2, 0)), np.rot90(X3, -1, axes=(2, 0)),
     "float32"),
    ("digitize", lambda: ops.digitize(M, [-0.5, 0.0, 0.5]), np.digitize(M, [-0.5, 0.0, 0.5]),
     "int32"),
    ("digitize-decreasing", lambda: ops.digitize(I, [3, 0, -3]), np.digitize(I, [3, 0, -3]),
     "int32"),
    ("get_item", lambda: ops.get_item(X3, (slice(None), 1)), X3[:, 1], "float32"),
    ("get_item-int", lambda: ops.get_item(I, -1), I[-1], "int32"),
    ("get_item-array", lambda: ops.get_item(M, np.array([2, 0])), M[[2, 0]], "float32"),
    ("get_item-newaxis", lambda: ops.get_item(M, (None, Ellipsis, 0)), M[None, ..., 0],
     "float32"),
    ("select", lambda: ops.select([M > 0.5, M < -0.5], [M, I], default=9.0),
     np.select([M > 0.5, M < -0.5], [f64(M), f64(I)], default=9.0), "float32"),
    ("select-int", lambda: ops.select([I > 0], [I]), np.select([I > 0], [I]), "int32"),
    ("unravel_index-row", lambda: ops.unravel_index(J.ravel(), (2, 3))[0],
     np.unravel_index(J.ravel(), (2, 3))[0], "int32"),
    ("unravel_index-col", lambda: ops.unravel_index(J, (2, 3))[1],
     np.unravel_index(J, (2, 3))[1], "int32"),
    ("view", lambda: ops.view(M, "int32"), M.view("int32"), "int32"),
    ("view-bytes", lambda: ops.view(V, "int8"), V.view("int8"), "int8"),
    ("view-wider", lambda: ops.view(I.astype("int16"), "float32"),
     I.astype("int16").view("float32"), "float32"),
    ("view-none", lambda: ops.view(I), I, "int32"),
    ("histogram-counts", lambda: ops.histogram(M.ravel(), bins=4)[0],
     np.histogram(M.ravel(), bins=4)[0], "float32"),
    ("histogram-edges", lambda: ops.histogram(M.ravel(), bins=4)[1],
     np.histogram(f64(M.ravel()), bins=4)[1], "float32"),
    ("histogram-range", lambda: ops.histogram(I.ravel(), bins=3, range=(-3, 3))[0],
     np.histogram(I.ravel(), bins=3, range=(-3, 3))[0], "float32"),
]
VALUE_CALLS = [c[1] for c in VALUES]


@pytest.mark.parametrize("index", range(len(VALUES)), ids=[c[0] for c in VALUES])
def test_values_match_numpy(index):
    _, _, expected, dtype = VALUES[index]
    check(batched(VALUE_CALLS)[index], expected, dtype, rtol=2e-5, atol=2e-6)


# --- reductions -----------------------------------------------------------------------------------
NAN_REDUCTIONS = ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
                  "nanmedian", "median", "ptp"]
AXES = [(None, False), (0, False), (-1, True), ((0, 1), False), (1, True)]
REDUCTION_CASES = [(name, MN if name.startswith("nan") else M, axis, keepdims)
                   for name in NAN_REDUCTIONS for axis, keepdims in AXES]
REDUCTION_CASES += [(name, X3, axis, keepdims) for name in ("nansum", "median", "ptp")
                    for axis, keepdims in [((0, 2), True), (-2, False)]]
REDUCTION_CALLS = [functools.partial(getattr(ops, n), x, axis=a, keepdims=k)
                   for n, x, a, k in REDUCTION_CASES]


@pytest.mark.parametrize("index", range(len(REDUCTION_CASES)),
                         ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in REDUCTION_CASES])
def test_reductions_match_numpy(index):
    name, x, axis, keepdims = REDUCTION_CASES[index]
    expected = getattr(np, name)(f64(x), axis=axis, keepdims=keepdims)
    check(batched(REDUCTION_CALLS)[index], expected, "float32", rtol=1e-5, atol=1e-6)


INT_REDUCTIONS = [
    ("nansum", I, np.sum(I), "int32"), ("nansum", B, np.sum(B), "int32"),
    ("nansum", I.astype("int8"), np.sum(I), "int32"), ("nanprod", J[0], np.prod(J[0]), "int32"),
    ("nanmax", I, I.max(), "int32"), ("nanmin", B, B.min(), "bool"),
    ("nanmean", I, f64(I).mean(), "float32"), ("nanvar", I, f64(I).var(), "float32"),
    ("median", I, np.median(I), "float32"), ("ptp", I, np.ptp(I), "int32"),
]
INT_REDUCTION_CALLS = [functools.partial(getattr(ops, c[0]), c[1]) for c in INT_REDUCTIONS]


@pytest.mark.parametrize("index", range(len(INT_REDUCTIONS)),
                         ids=[f"{c[0]}-{c[1].dtype}" for c in INT_REDUCTIONS])
def test_reductions_of_ints_and_bools(index):
    _, _, expected, dtype = INT_REDUCTIONS[index]
    check(batched(INT_REDUCTION_CALLS)[index], expected, dtype)


def test_nan_reductions_of_all_nan_rows():
    x = np.array([[np.nan, np.nan], [1.0, np.nan]], "float32")
    check(ops.nansum(x, axis=1), [0.0, 1.0], "float32")
    check(ops.nanmax(x, axis=1), [np.nan, 1.0], "float32")
    check(ops.nanmean(x, axis=1), [np.nan, 1.0], "float32")
    check(ops.nanargmax(x, axis=1), [-1, 0], "int32")


INDEX_CASES = [(name, x, axis, keepdims) for name in ("nanargmax", "nanargmin")
               for x in (MN, I) for axis, keepdims in [(None, False), (0, True), (-1, False)]]
INDEX_CASES += [(name, x, axis, None) for name in ("nancumsum", "nancumprod")
                for x in (MN, I) for axis in (None, 0, -1)]
INDEX_CALLS = [functools.partial(getattr(ops, n), x, axis=a, **({} if k is None else
                                                                  {"keepdims": k}))
               for n, x, a, k in INDEX_CASES]


@pytest.mark.parametrize("index", range(len(INDEX_CASES)),
                         ids=[f"{c[0]}-{c[1].dtype}-{c[2]}" for c in INDEX_CASES])
def test_nanarg_and_nancumulative(index):
    name, x, axis, keepdims = INDEX_CASES[index]
    kwargs = {} if keepdims is None else {"keepdims": keepdims}
    expected = getattr(np, name)(x, axis=axis, **kwargs)
    dtype = "int32" if name.startswith("nanarg") else backend.standardize_dtype(x.dtype)
    check(batched(INDEX_CALLS)[index], expected, dtype, rtol=1e-5)


def test_nancumsum_dtypes():
    check(ops.nancumsum(B), np.cumsum(B), "int32")
    check(ops.nancumprod(I.astype("int8"), axis=0), np.cumprod(I.astype("int8"), axis=0), "int8")
    check(ops.nancumsum(I, dtype="float32"), np.cumsum(I), "float32")


QUANTILE_CASES = [
    (name, x, q, axis, method, keepdims)
    for name, x, qs in [("quantile", M, (0.3, [0.0, 0.25, 1.0])),
                        ("percentile", M, (30, [0, 25, 100])),
                        ("nanquantile", MN, (0.7, [0.1, 0.9])),
                        ("nanpercentile", MN, (70, [10, 90]))]
    for q in qs
    for axis, method, keepdims in [(None, "linear", False), (-1, "lower", False),
                                   (0, "higher", True), (1, "midpoint", False),
                                   ((0, 1), "nearest", True)]
]
QUANTILE_CALLS = [functools.partial(getattr(ops, c[0]), c[1], c[2], axis=c[3], method=c[4],
                                    keepdims=c[5]) for c in QUANTILE_CASES]


@pytest.mark.parametrize("index", range(len(QUANTILE_CASES)),
                         ids=[f"{c[0]}-{c[2]}-{c[3]}-{c[4]}" for c in QUANTILE_CASES])
def test_quantiles_match_numpy(index):
    name, x, q, axis, method, keepdims = QUANTILE_CASES[index]
    expected = getattr(np, name)(f64(x), q, axis=axis, method=method, keepdims=keepdims)
    check(batched(QUANTILE_CALLS)[index], expected, "float32", rtol=1e-5)


def test_quantile_of_ints_gives_floats():
    check(ops.quantile(I, 0.5, axis=0), np.quantile(f64(I), 0.5, axis=0), "float32")


TRAPEZOID_CASES = [
    (lambda: ops.trapezoid(M), np.trapezoid(f64(M))),
    (lambda: ops.trapezoid(M, dx=0.5, axis=0), np.trapezoid(f64(M), dx=0.5, axis=0)),
    (lambda: ops.trapezoid(X3, x=V, axis=-1), np.trapezoid(f64(X3), x=f64(V), axis=-1)),
    (lambda: ops.trapezoid(M, x=M), np.trapezoid(f64(M), x=f64(M))),
    (lambda: ops.trapezoid(I), np.trapezoid(f64(I))),
]
TRAPEZOID_CALLS = [c[0] for c in TRAPEZOID_CASES]


@pytest.mark.parametrize("index", range(len(TRAPEZOID_CASES)))
def test_trapezoid(index):
    check(batched(TRAPEZOID_CALLS)[index], TRAPEZOID_CASES[index][1], "float32")


# --- ops with several or value-dependent outputs (eager) ------------------------------------------
@pytest.mark.parametrize("name,x,arg,axis", [
    ("array_split", np.arange(7), 3, 0), ("array_split", M, 3, -1),
    ("array_split", X3, [1, 3], 2), ("hsplit", M, 2, None), ("hsplit", V, [1], None),
    ("vsplit", X3, 2, None), ("dsplit", X3, [1, 3], None),
])
def test_splits(name, x, arg, axis):
    kwargs = {} if axis is None else {"axis": axis}
    parts = getattr(ops, name)(x, arg, **kwargs)
    expected = getattr(np, name)(x, arg, **kwargs)
    assert len(parts) == len(expected)
    for part, want in zip(parts, expected):
        check(part, want, "int32" if want.dtype == np.int64 else "float32")


@pytest.mark.parametrize("x", [np.array([0, 3, 0, 1]), I, X3 > 0.5])
def test_nonzero(x):
    got = ops.nonzero(x)
    expected = np.nonzero(x)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        check(g, e, "int32")


def test_unique_with_every_output():
    x = np.array([3, 1, 3, 2, 1, 3], "int32")
    values, index, inverse, counts = ops.unique(x, return_index=True, return_inverse=True,
                                                return_counts=True)
    expected = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    check(values, expected[0], "int32")
    check(index, expected[1], "int32")
    check(inverse, expected[2], "int32")
    check(counts, expected[3], "int32")
    check(ops.unique(M.ravel()), np.unique(M), "float32")


def test_unique_along_an_axis_and_with_a_static_size():
    rows = np.array([[1, 2], [0, 5], [1, 2]], "int32")
    check(ops.unique(rows, axis=0), np.unique(rows, axis=0), "int32")
    # size pads with `fill_value` (values) and stays traceable under jit.
    padded = backend.transforms.jit(lambda t: ops.unique(t, size=5, fill_value=-1))(
        np.array([3, 1, 3, 2], "int32"))
    check(padded, [1, 2, 3, -1, -1], "int32")


def test_argpartition_partitions():
    for x, kth, axis in [(M, 1, -1), (M, 2, 0), (I, -1, 1), (M, 5, None)]:
        idx = ops.convert_to_numpy(ops.argpartition(x, kth, axis=axis))
        assert idx.dtype == np.int32
        flat = x.ravel() if axis is None else x
        ax = 0 if axis is None else axis
        parted = np.take_along_axis(flat, idx, axis=ax)
        want = np.sort(flat, axis=ax)
        pivot = np.take(want, [kth], axis=ax)
        np.testing.assert_array_equal(np.take(parted, [kth], axis=ax), pivot)
        n = flat.shape[ax]
        k = kth % n
        assert np.all(np.take(parted, range(k), axis=ax) <= pivot)
        assert np.all(np.take(parted, range(k + 1, n), axis=ax) >= pivot)


def test_vectorize_maps_a_python_function():
    doubled_sum = ops.vectorize(lambda a, b: a * 2 + b)
    check(doubled_sum(I, 1), I * 2 + 1, "int32")
    row_dot = ops.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")
    check(row_dot(M, V), f64(M) @ f64(V), "float32")
    symbolic = row_dot(KerasTensor((None, 4)), V)
    assert (symbolic.shape, symbolic.dtype) == ((None,), "float32")


def test_windows_accept_concrete_int_tensors_and_stay_floatx():
    check(ops.hamming(ops.array(4)), np.hamming(4), "float32")
    check(ops.bartlett(0), np.bartlett(0), "float32")


def test_variables_and_the_stateless_scope_are_honoured():
    v = backend.Variable(MN)
    check(ops.nansum(v, axis=0), np.nansum(f64(MN), axis=0), "float32")
    check(ops.fmax(v, 0.0), np.fmax(f64(MN), 0.0), "float32")
    with backend.StatelessScope([(v, M)]):
        check(ops.quantile(v, 0.5, axis=1), np.quantile(f64(M), 0.5, axis=1), "float32")
        check(ops.select([ops.greater(v, 0.0)], [v]), np.where(M > 0, M, 0), "float32")


# --- output dtypes against Keras 3.15 (keras.ops on JAX), "E": Keras raises -----------------------
DTYPES = ("int32", "float32", "bool", "int8", "float16")
KERAS_UNARY_DTYPES = {  # input dtypes: int32 float32 bool int8 float16
    "angle": "float32 float32 float32 float32 float16",
    "bitwise_invert": "int32 E bool int8 E",
    "bitwise_not": "int32 E bool int8 E",
    "conj": "int32 float32 bool int8 float16",
    "conjugate": "int32 float32 bool int8 float16",
    "corrcoef": "float32 float32 float32 float32 float16",
    "deg2rad": "float32 float32 float32 float32 float16",
    "diagflat": "int32 float32 bool int8 float16",
    "diff": "int32 float32 bool int8 float16",
    "empty_like": "int32 float32 bool int8 float16",
    "fabs": "float32 float32 float32 float32 float16",
    "fliplr": "int32 float32 bool int8 float16",
    "flipud": "int32 float32 bool int8 float16",
    "i0": "float32 float32 float32 float32 float16",
    "imag": "int32 float32 bool int8 float16",
    "isneginf": "bool bool bool bool bool",
    "isposinf": "bool bool bool bool bool",
    "isreal": "bool bool bool bool bool",
    "median": "float32 float32 float32 float32 float16",
    "nanargmax": "int32 int32 int32 int32 int32",
    "nanargmin": "int32 int32 int32 int32 int32",
    "nancumprod": "int32 float32 int32 int8 float16",
    "nancumsum": "int32 float32 int32 int8 float16",
    "nanmax": "int32 float32 bool int8 float16",
    "nanmean": "float32 float32 float32 float32 float16",
    "nanmedian": "float32 float32 float32 float32 float16",
    "nanmin": "int32 float32 bool int8 float16",
    "nanprod": "int32 float32 int32 int32 float16",
    "nanstd": "float32 float32 float32 float32 float16",
    "nansum": "int32 float32 int32 int32 float16",
    "nanvar": "float32 float32 float32 float32 float16",
    "ptp": "int32 float32 E int8 float16",
    "rad2deg": "float32 float32 float32 float32 float16",
    "real": "int32 float32 bool int8 float16",
    "rot90": "int32 float32 bool int8 float16",
    "signbit": "bool bool bool bool bool",
    "sinc": "float32 float32 float32 float32 float16",
    "trapezoid": "float32 float32 float32 float32 float16",
    "trunc": "int32 float32 bool int8 float16",
    "argpartition": "int32 int32 E int32 int32",
    "quantile": "float32 float32 float32 float32 float16",
    "percentile": "float32 float32 float32 float32 float16",
    "nanquantile": "float32 float32 float32 float32 float16",
    "nanpercentile": "float32 float32 float32 float32 float16",
    "histogram": "float32 float32 float32 float32 float16",
    "vander": "int32 float32 E int8 float16",
    "slogdet": "float32 float32 float32 float32 float16",
    "digitize": "int32 int32 int32 int32 int32",
    "view": "int32 float32 bool int8 float16",
    "dstack": "int32 float32 bool int8 float16",
    "append": "int32 float32 bool int8 float16",
    "select": "int32 float32 int32 int8 float16",
    # Keras returns float coordinates for float indices; lamina asks for integer indices.
    "unravel_index": "int32 E int32 int8 E",
    "get_item": "int32 float32 bool int8 float16",
    "array_split": "int32 float32 bool int8 float16",
}
UNARY_CALL = {
    "argpartition": lambda x: ops.argpartition(x, 1),
    "quantile": lambda x: ops.quantile(x, 0.5), "percentile": lambda x: ops.percentile(x, 50),
    "nanquantile": lambda x: ops.nanquantile(x, 0.5),
    "nanpercentile": lambda x: ops.nanpercentile(x, 50),
    "histogram": lambda x: ops.histogram(x[0])[0], "vander": lambda x: ops.vander(x[0]),
    "slogdet": lambda x: ops.slogdet(x[:, :2])[1],
    "digitize": lambda x: ops.digitize(x, np.array([1.0, 3.0], "float32")),
    "dstack": lambda x: ops.dstack([x, x]), "append": lambda x: ops.append(x, x),
    "select": lambda x: ops.select([x if x.dtype == bool else x > 1], [x]),
    "unravel_index": lambda x: ops.unravel_index(x, (3, 4))[0],
    "get_item": lambda x: ops.get_item(x, 0),
    "array_split": lambda x: ops.array_split(x, 2, axis=1)[0],
}
PAIRS = [("int32", "int32"), ("float32", "float32"), ("int32", "float32"), ("bool", "bool"),
         ("int8", "int8"), ("int8", "int32"), ("bool", "int32"), ("float16", "float32"),
         ("float16", "int32")]
KERAS_BINARY_DTYPES = {  # input dtype pairs: PAIRS
    "allclose": "bool bool bool bool bool bool bool bool bool",
    "append": "int32 float32 float32 bool int8 int32 int32 float32 float16",
    "bitwise_and": "int32 E E bool int8 int32 int32 E E",
    "bitwise_or": "int32 E E bool int8 int32 int32 E E",
    "bitwise_xor": "int32 E E bool int8 int32 int32 E E",
    "bitwise_left_shift": "int32 E E int32 int8 int32 int32 E E",
    "bitwise_right_shift": "int32 E E int32 int8 int32 int32 E E",
    "left_shift": "int32 E E int32 int8 int32 int32 E E",
    "right_shift": "int32 E E int32 int8 int32 int32 E E",
    "correlate": "float32 float32 float32 float32 float32 float32 float32 float32 float16",
    "cross": "int32 float32 float32 E int8 int32 int32 float32 float16",
    "fmax": "int32 float32 float32 bool int8 int32 int32 float32 float16",
    "fmin": "int32 float32 float32 bool int8 int32 int32 float32 float16",
    "fmod": "int32 float32 float32 int32 int8 int32 int32 float32 float16",
    "gcd": "int32 E E E int8 int32 int32 E E",
    "lcm": "int32 E E E int8 int32 int32 E E",
    "heaviside": "float32 float32 float32 float32 float32 float32 float32 float32 float16",
    "hypot": "float32 float32 float32 float32 float32 float32 float32 float32 float16",
    "inner": "int32 float32 float32 bool int8 int32 int32 float32 float16",
    "isin": "bool bool bool bool bool bool bool bool bool",
    "kron": "int32 float32 float32 E int8 int32 int32 float32 float16",
    "ldexp": "float32 E E E float32 float32 float32 E float16",
    "logaddexp2": "float32 float32 float32 float32 float32 float32 float32 float32 float16",
    "nextafter": "float32 float32 float32 float32 float32 float32 float32 float32 float16",
    "vdot": "int32 float32 float32 bool int8 int32 int32 float32 float16",
    "trapezoid": "float32 float32 float32 float32 float32 float32 float32 float32 float16",
}
BINARY_CALL = {"correlate": lambda a, b: ops.correlate(a[0], b[0]),
               "trapezoid": lambda a, b: ops.trapezoid(a, b)}


def probe(dtype, shape=(2, 3)):
    values = np.arange(np.prod(shape)).reshape(shape) % 5 + 1
    return values % 2 == 0 if dtype == "bool" else values.astype(dtype)


DTYPE_CASES = [(f"{name}-{d}", functools.partial(UNARY_CALL.get(name, getattr(ops, name)),
                                                  probe(d)), want)
               for name, row in KERAS_UNARY_DTYPES.items()
               for d, want in zip(DTYPES, row.split())]
DTYPE_CASES += [(f"{name}-{a}-{b}", functools.partial(BINARY_CALL.get(name, getattr(ops, name)),
                                                       probe(a), probe(b)), want)
                for name, row in KERAS_BINARY_DTYPES.items()
                for (a, b), want in zip(PAIRS, row.split())]
DTYPE_OK = [c for c in DTYPE_CASES if c[2] != "E"]
DTYPE_ERRORS = [c for c in DTYPE_CASES if c[2] == "E"]
DTYPE_OK_CALLS = [c[1] for c in DTYPE_OK]


def _first(out):
    return out[0] if isinstance(out, (list, tuple)) else out


@pytest.mark.parametrize("index", range(len(DTYPE_OK)), ids=[c[0] for c in DTYPE_OK])
def test_output_dtype_matches_keras(index):
    got = _first(batched(DTYPE_OK_CALLS)[index])
    assert backend.standardize_dtype(got.dtype) == DTYPE_OK[index][2]


@pytest.mark.parametrize("case", DTYPE_ERRORS, ids=[c[0] for c in DTYPE_ERRORS])
def test_dtypes_keras_rejects_raise_a_type_error(case):
    with pytest.raises(TypeError, match=case[0].split("-")[0]):
        case[1]()


def test_window_and_space_dtypes():
    for fn in (ops.bartlett, ops.blackman, ops.hamming, ops.hanning):
        assert backend.standardize_dtype(fn(5).dtype) == "float32"
    assert backend.standardize_dtype(ops.kaiser(5, 2).dtype) == "float32"
    assert backend.standardize_dtype(ops.geomspace(1, 10, 4).dtype) == "float32"
    assert backend.standardize_dtype(ops.geomspace(1, 10, 4, dtype="int32").dtype) == "int32"
    assert backend.standardize_dtype(ops.empty((2,)).dtype) == "float32"
    assert backend.standardize_dtype(ops.empty_like(probe("int32"), "float16").dtype) == "float16"


# --- symbolic shapes -----------------------------------------------------------------------------
S = KerasTensor((None, 3))
SYMBOLIC = [
    ("nansum", lambda: ops.nansum(S, axis=0, keepdims=True), (1, 3), "float32"),
    ("median", lambda: ops.median(S, axis=0), (3,), "float32"),
    ("quantile", lambda: ops.quantile(S, [0.1, 0.5], axis=1), (2, None), "float32"),
    ("percentile", lambda: ops.percentile(S, 50, axis=-1, keepdims=True), (None, 1), "float32"),
    ("nanargmax", lambda: ops.nanargmax(S, axis=1), (None,), "int32"),
    ("nancumsum", lambda: ops.nancumsum(S), (None,), "float32"),
    ("diff", lambda: ops.diff(S, n=2), (None, 1), "float32"),
    ("trapezoid", lambda: ops.trapezoid(S), (None,), "float32"),
    ("kron", lambda: ops.kron(S, np.ones((2, 2), "float32")), (None, 6), "float32"),
    ("cross", lambda: ops.cross(S, S), (None, 3), "float32"),
    ("inner", lambda: ops.inner(S, np.ones((5, 3), "float32")), (None, 5), "float32"),
    ("view", lambda: ops.view(S, "int8"), (None, 12), "int8"),
    ("argpartition", lambda: ops.argpartition(S, 1), (None, 3), "int32"),
    ("select", lambda: ops.select([ops.greater(S, 0.0)], [S]), (None, 3), "float32"),
    ("digitize", lambda: ops.digitize(S, np.array([0.0, 1.0], "float32")), (None, 3), "int32"),
    ("append", lambda: ops.append(S, S, axis=0), (None, 3), "float32"),
    ("rot90", lambda: ops.rot90(S), (3, None), "float32"),
    ("get_item", lambda: ops.get_item(S, (slice(None), 0)), (None,), "float32"),
    ("fmax", lambda: ops.fmax(S, np.ones((1, 3), "float32")), (None, 3), "float32"),
    ("hypot", lambda: ops.hypot(ops.cast(S, "int32"), 2), (None, 3), "float32"),
    ("isin", lambda: ops.isin(S, [1.0, 2.0]), (None, 3), "bool"),
    ("histogram", lambda: ops.histogram(KerasTensor((5,)), bins=4)[1], (5,), "float32"),
    ("slogdet", lambda: ops.slogdet(KerasTensor((None, 3, 3)))[1], (None,), "float32"),
    ("array_split", lambda: ops.array_split(S, 2, axis=1)[1], (None, 1), "float32"),
    ("unravel_index", lambda: ops.unravel_index(KerasTensor((None,), "int32"), (3, 4))[1],
     (None,), "int32"),
    ("correlate", lambda: ops.correlate(KerasTensor((5,)), KerasTensor((3,)), mode="full"),
     (7,), "float32"),
    ("nonzero", lambda: ops.nonzero(S)[1], (None,), "int32"),
    ("unique", lambda: ops.unique(S), (None,), "float32"),
    ("unique-inverse", lambda: ops.unique(KerasTensor((5,)), return_inverse=True)[1], (5,),
     "int32"),
    ("unique-size", lambda: ops.unique(KerasTensor((5,)), size=3), (3,), "float32"),
]


@pytest.mark.parametrize("make,shape,dtype", [c[1:] for c in SYMBOLIC],
                         ids=[c[0] for c in SYMBOLIC])
def test_symbolic_shapes(make, shape, dtype):
    out = make()
    assert isinstance(out, KerasTensor)
    assert (out.shape, out.dtype) == (shape, dtype)


def test_window_of_a_symbolic_length_raises():
    with pytest.raises(TypeError, match="hanning: the window length"):
        ops.hanning(KerasTensor((5,)))


# --- gradients against float64 finite differences -------------------------------------------------
A = rng.randn(3, 4)
C = rng.randn(3, 4)
W = rng.randn(3, 4)
AN = A.copy()
AN[0, 2] = AN[2, 1] = np.nan
WN = np.where(np.isnan(AN), 0.0, W)
W48 = rng.randn(4, 8)
W5 = rng.randn(5)


def _weighted(x, w=None):
    return ops.sum(ops.multiply(x, W if w is None else w))


GRADIENTS = [
    ("fmax", lambda a, c: _weighted(ops.fmax(a, c)), [A, C]),
    ("fmin", lambda a, c: _weighted(ops.fmin(a, c)), [A, C]),
    ("hypot", lambda a, c: _weighted(ops.hypot(a, c)), [A, C]),
    ("logaddexp2", lambda a, c: _weighted(ops.logaddexp2(a, c)), [A, C]),
    ("sinc", lambda a: _weighted(ops.sinc(a)), [A]),
    ("i0", lambda a: _weighted(ops.i0(a)), [A]),
    ("fabs", lambda a: _weighted(ops.fabs(a)), [A]),
    ("deg2rad", lambda a: _weighted(ops.deg2rad(a)), [A]),
    ("fmod", lambda a: _weighted(ops.fmod(a, 0.7)), [A]),
    ("ldexp", lambda a: _weighted(ops.ldexp(a, np.array([1, 2, -1, 0], "int32"))), [A]),
    ("trapezoid", lambda a: ops.sum(ops.trapezoid(a, axis=0) * W[0]), [A]),
    ("trapezoid-x", lambda a, c: ops.sum(ops.trapezoid(a, x=c[0], axis=-1) * W[:, 0]), [A, C]),
    ("kron", lambda a, c: ops.sum(ops.kron(a[:2, :2], c[:2]) * W48), [A, C]),
    ("inner", lambda a, c: ops.sum(ops.inner(a, c) * W[:, :3]), [A, C]),
    ("vdot", lambda a, c: ops.vdot(a, c), [A, C]),
    ("cross", lambda a, c: ops.sum(ops.cross(a[:, :3], c[:, 1:]) * W[:, :3]), [A, C]),
    ("diff", lambda a: ops.sum(ops.diff(a, n=2) * W[:, :2]), [A]),
    ("correlate", lambda a, c: ops.sum(ops.correlate(a[0], c[1, :2], mode="full") * W5),
     [A, C]),
    ("append", lambda a, c: ops.sum(ops.append(a, c, axis=0) * np.concatenate([W, -W])), [A, C]),
    ("dstack", lambda a, c: ops.sum(ops.dstack([a, c]) * np.dstack([W, 2 * W])), [A, C]),
    ("rot90", lambda a: ops.sum(ops.rot90(a) * W.T), [A]),
    ("select", lambda a, c: _weighted(ops.select([a > 0.3, c > 0], [a, c * a])), [A, C]),
    ("get_item", lambda a: ops.sum(ops.get_item(a, (slice(1, None), 2)) * W[1:, 0]), [A]),
    ("median", lambda a: ops.sum(ops.median(a, axis=1) * W[:, 0]), [A]),
    ("quantile", lambda a: ops.sum(ops.quantile(a, [0.3, 0.8], axis=0) * W[:2]), [A]),
    ("percentile", lambda a: ops.percentile(a, 35.0), [A]),
    ("ptp", lambda a: ops.sum(ops.ptp(a, axis=0) * W[0]), [A]),
    ("corrcoef", lambda a: _weighted(ops.pad(ops.corrcoef(a), ((0, 0), (0, 1)))), [A]),
    ("slogdet", lambda a: ops.slogdet(a[:, :3] + 3 * np.eye(3))[1], [A]),
    ("nansum", lambda a: ops.sum(ops.nansum(a, axis=0) * W[0]), [AN]),
    ("nanmean", lambda a: ops.sum(ops.nanmean(a, axis=1) * W[:, 0]), [AN]),
    ("nanvar", lambda a: ops.sum(ops.nanvar(a, axis=0) * W[0]), [AN]),
    ("nanstd", lambda a: ops.nanstd(a), [AN]),
    ("nanmax", lambda a: ops.sum(ops.nanmax(a, axis=1) * W[:, 0]), [AN]),
    ("nanmin", lambda a: ops.sum(ops.nanmin(a, axis=0) * W[0]), [AN]),
    ("nanprod", lambda a: ops.sum(ops.nanprod(a, axis=1) * W[:, 0]), [AN]),
    ("nancumsum", lambda a: _weighted(ops.nancumsum(a, axis=1), WN), [AN]),
    ("nancumprod", lambda a: _weighted(ops.nancumprod(a, axis=0), WN), [AN]),
    ("nanmedian", lambda a: ops.sum(ops.nanmedian(a, axis=1) * W[:, 0]), [AN]),
    ("nanquantile", lambda a: ops.sum(ops.nanquantile(a, 0.4, axis=0) * W[0]), [AN]),
    ("nanpercentile", lambda a: ops.nanpercentile(a, 60.0), [AN]),
]


@pytest.mark.parametrize("name,fn,args", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_match_finite_differences(name, fn, args):
    gradcheck.check_grads(fn, args, rtol=1e-5, atol=1e-7)


# --- bad inputs -----------------------------------------------------------------------------------
ERRORS = [
    ("axis", lambda: ops.nanmean(M, axis=2), ValueError,
     r"nanmean: `axis`=2 is out of range .* rank 2"),
    ("axis-negative", lambda: ops.median(M, axis=(0, -3)), ValueError, "median: `axis`=-3"),
    ("axis-type", lambda: ops.ptp(M, axis=1.0), TypeError, "ptp: `axis` must be an int"),
    ("axis-cross", lambda: ops.cross(M, M, axisa=3), ValueError, "cross: `axisa`=3"),
    ("broadcast", lambda: ops.hypot(M, np.ones((2, 4))), ValueError,
     r"hypot: the input shapes \(3, 4\), \(2, 4\) do not broadcast"),
    ("broadcast-select", lambda: ops.select([M > 0], [np.ones(3)]), ValueError,
     "select: the input shapes"),
    ("int-required", lambda: ops.ldexp(M, M), TypeError,
     "ldexp: the exponent `x2` must be an integer"),
    ("int-required-gcd", lambda: ops.gcd(M, I), TypeError, "gcd: expected integer inputs"),
    ("int-required-bitwise", lambda: ops.bitwise_xor(I, 1.5), TypeError,
     "bitwise_xor: expected integer or bool inputs"),
    ("int-required-unravel", lambda: ops.unravel_index(M, (3, 4)), TypeError,
     "unravel_index: `indices` must be integers"),
    ("bool-rejected", lambda: ops.kron(B, B), TypeError, "kron: bool inputs are not supported"),
    ("string-correlate", lambda: ops.correlate(V, V, mode="circular"), ValueError,
     r"correlate: unknown `mode` 'circular'. Expected one of \['valid', 'same', 'full'\]"),
    ("string-quantile", lambda: ops.quantile(M, 0.5, method="cubic"), ValueError,
     r"quantile: unknown `method` 'cubic'. Expected one of \['linear', 'lower'"),
    ("q-range", lambda: ops.quantile(M, [0.5, 1.5]), ValueError,
     r"quantile: `q` must lie in \[0, 1\]"),
    ("q-range-percentile", lambda: ops.percentile(M, -1), ValueError,
     r"percentile: `q` must lie in \[0, 100\]"),
    ("rank-correlate", lambda: ops.correlate(M, V), ValueError,
     "correlate: `x1` must have exactly 1"),
    ("rank-rot90", lambda: ops.rot90(V), ValueError, "rot90: `array` must have at least 2"),
    ("rot90-axes", lambda: ops.rot90(M, axes=(1, -1)), ValueError,
     "rot90: `axes` must be two distinct"),
    ("rank-dsplit", lambda: ops.dsplit(M, 2), ValueError, "dsplit: `x` must have at least 3"),
    ("rank-fliplr", lambda: ops.fliplr(V), ValueError, "fliplr: `x` must have at least 2"),
    ("rank-vander", lambda: ops.vander(M), ValueError, "vander: `x` must have exactly 1"),
    ("rank-histogram", lambda: ops.histogram(M), ValueError, "histogram: `x` must have exactly 1"),
    ("rank-corrcoef", lambda: ops.corrcoef(X3), ValueError, "corrcoef: `x` must be 1-D or 2-D"),
    ("uneven-split", lambda: ops.hsplit(M, 3), ValueError,
     "hsplit: cannot split an axis of size 4 into 3"),
    ("sections", lambda: ops.array_split(M, 0), ValueError,
     "array_split: `indices_or_sections` must be an int >= 1"),
    ("bins", lambda: ops.histogram(V, bins=0), ValueError, "histogram: `bins` must be an int >= 1"),
    ("range", lambda: ops.histogram(V, range=(2, 1)), ValueError,
     r"histogram: `range` must be a pair"),
    ("diff-n", lambda: ops.diff(M, n=-1), ValueError, "diff: `n` must be an int >= 0"),
    ("kth", lambda: ops.argpartition(M, 4), ValueError,
     r"argpartition: `kth` must be an int index .*size 4"),
    ("cross-size", lambda: ops.cross(M, M), ValueError,
     "cross: the vectors along `axisa`=-1 must have 2 or 3"),
    ("slogdet-square", lambda: ops.slogdet(M), ValueError,
     r"slogdet: `x` must be a \(batch of\) square"),
    ("inner-size", lambda: ops.inner(M, V[:3]), ValueError,
     "inner: the last axes must have the same size"),
    ("vdot-size", lambda: ops.vdot(M, V), ValueError, "vdot: the inputs must have the same number"),
    ("select-length", lambda: ops.select([M > 0], [M, M]), ValueError,
     "select: `condlist` and `choicelist`"),
    ("select-type", lambda: ops.select(M > 0, [M]), TypeError,
     "select: `condlist` and `choicelist` must be lists"),
    ("trapezoid-x", lambda: ops.trapezoid(M, x=V[:3]), ValueError, "trapezoid: the sample points"),
    ("view-bytes", lambda: ops.view(V[:3], "float64"), ValueError,
     "view: cannot view a tensor of dtype float32"),
    ("unravel-shape", lambda: ops.unravel_index(J, (3, 0)), ValueError,
     "unravel_index: `shape` must be a tuple of positive"),
    ("window-length", lambda: ops.bartlett(-1), ValueError, "bartlett: `x` must be an int >= 0"),
    ("window-float", lambda: ops.kaiser(4.5, 1.0), ValueError, "kaiser: `x` must be an int >= 0"),
    ("kaiser-beta", lambda: ops.kaiser(4, "wide"), TypeError,
     "kaiser: `beta` must be a Python number"),
    ("geomspace-zero", lambda: ops.geomspace(0, 10, 3), ValueError,
     "geomspace: `start` and `stop` must be non-zero"),
    ("num", lambda: ops.logspace(0, 1, -2), ValueError, "logspace: `num` must be an int >= 0"),
    ("unique-size", lambda: ops.unique(V, size=0), ValueError,
     "unique: `size` must be an int >= 1"),
    ("vectorize", lambda: ops.vectorize(3), TypeError, "vectorize: `pyfunc` must be callable"),
]


@pytest.mark.parametrize("make,error,match", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_bad_inputs_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()
