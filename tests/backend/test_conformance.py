"""Backend conformance: the numpy backend implements the JAX backend's interface, with its numbers.

Part 1 discovers every public function of every `lamina.backend.jax.<module>` and checks that
`lamina.backend.numpy.<module>` has it with a compatible signature, or that `UNSUPPORTED` says
why not. Part 2 calls both implementations directly (both backend packages import in one
process) on the same inputs and compares values at float32 tolerance, and dtypes exactly.
"""

import importlib
import inspect

import numpy as np
import pytest

from lamina.backend import dtypes

MODULES = ("core", "numpy", "nn", "math", "linalg", "image", "random", "transforms",
           "distribution")

# (module, function) -> why the numpy backend lacks it. Every entry must name a JAX function
# that the numpy backend really lacks, so the table cannot go stale.
UNSUPPORTED = {}

# Functions the numpy backend has but that raise, by design.
RAISES = {
    ("transforms", "value_and_grad"): "NumPy has no automatic differentiation; training needs "
                                      "the jax backend",
    ("transforms", "grad"): "NumPy has no automatic differentiation; training needs the jax "
                            "backend",
    ("transforms", "jvp"): "NumPy has no automatic differentiation (forward mode included)",
    ("core", "start_profiler_trace"): "profiles record compiled XLA programs; the numpy "
                                      "backend compiles nothing",
    ("core", "stop_profiler_trace"): "profiles record compiled XLA programs; the numpy "
                                     "backend compiles nothing",
}


def _modules(name):
    return (importlib.import_module(f"lamina.backend.jax.{name}"),
            importlib.import_module(f"lamina.backend.numpy.{name}"))


def _public_functions(module):
    """Public functions and classes defined in `module` (aliases such as `amax = max` too)."""
    return {name: obj for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == module.__name__}


# -- part 1: the interface ------------------------------------------------------------------------
@pytest.mark.parametrize("module", MODULES)
def test_numpy_backend_has_every_jax_backend_function(module):
    jax_module, numpy_module = _modules(module)
    missing = []
    for name, jax_obj in sorted(_public_functions(jax_module).items()):
        if (module, name) in UNSUPPORTED:
            assert not hasattr(numpy_module, name), f"{module}.{name} exists: drop it from UNSUPPORTED"
            continue
        numpy_obj = getattr(numpy_module, name, None)
        if numpy_obj is None:
            missing.append(f"{module}.{name}")
            continue
        if inspect.isfunction(jax_obj):
            jax_params = inspect.signature(jax_obj).parameters
            numpy_params = inspect.signature(numpy_obj).parameters
            assert list(jax_params) == list(numpy_params)[:len(jax_params)], (module, name)
            for p in jax_params.values():
                assert numpy_params[p.name].default == p.default, (module, name, p.name)
                assert numpy_params[p.name].kind == p.kind, (module, name, p.name)
    assert not missing, ("the numpy backend lacks these JAX backend functions; implement them "
                         f"or list them in UNSUPPORTED with a reason: {missing}")


def test_unsupported_and_raising_tables_name_real_jax_functions():
    for module, name in [*UNSUPPORTED, *RAISES]:
        assert name in _public_functions(_modules(module)[0]), (module, name)
    assert all(len(reason) > 20 for reason in [*UNSUPPORTED.values(), *RAISES.values()])


def test_numpy_backend_modules_mirror_the_jax_backend_package():
    # import_module, not `import lamina.backend.numpy as ...`: that form reads the attribute
    # lamina.backend.numpy, which stays the active backend's numpy-ops module.
    jax_package = importlib.import_module("lamina.backend.jax")
    numpy_package = importlib.import_module("lamina.backend.numpy")
    assert numpy_package.NAME == "numpy"
    for module in MODULES:
        assert getattr(numpy_package, module).__name__ == f"lamina.backend.numpy.{module}"
    assert {m for m in jax_package.__all__ if m != "NAME"} <= set(numpy_package.__all__)


def test_importing_the_numpy_backend_leaves_the_active_backend_alone():
    import lamina.backend
    import lamina.backend.numpy  # Python binds the package on lamina.backend
    from lamina import ops
    assert lamina.backend.numpy.__name__ == "lamina.backend.jax.numpy"
    assert lamina.backend.core.__name__ == "lamina.backend.jax.core"
    assert type(ops.zeros((2,))).__module__.startswith("jax")


@pytest.mark.parametrize("name", ["value_and_grad", "grad"])
def test_gradients_raise_the_training_error_when_called(name):
    transform = getattr(_modules("transforms")[1], name)
    fn = transform(lambda x: x * 2.0)  # building the function succeeds: predict needs that
    with pytest.raises(NotImplementedError, match=r"inference only.*LAMINA_BACKEND=jax"):
        fn(np.ones(2, "float32"))


def test_jvp_raises_the_training_error():
    jvp = _modules("transforms")[1].jvp
    with pytest.raises(NotImplementedError, match=r"jvp: .*automatic differentiation"):
        jvp(lambda x: x, (np.ones(2),), (np.ones(2),))


# -- part 2: the numbers --------------------------------------------------------------------------
RNG = np.random.default_rng(0)


def _f(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape).astype("float32")


def _i(*shape, low=-5, high=6):
    return RNG.integers(low, high, size=shape).astype("int32")


F = _f(3, 4)
F2 = _f(3, 4)
P = _f(3, 4, low=0.1, high=3.0)       # positive
U = _f(3, 4, low=-0.9, high=0.9)      # inside (-1, 1)
GE1 = _f(3, 4, low=1.0, high=3.0)
I = _i(3, 4)
I2 = _i(3, 4, low=1, high=7)          # positive, for divisors and shifts
B = RNG.random((3, 4)) > 0.5
V = _f(4)
NANS = np.where(RNG.random((3, 4)) > 0.7, np.nan, F).astype("float32")
NANS[0] = np.nan
SQ = _f(3, 3)
SPD = (SQ @ SQ.T + 3 * np.eye(3)).astype("float32")
IMG = _f(2, 6, 7, 3, low=0.0, high=1.0)
SEQ = _f(2, 5, 3)


def case(module, name, *args, post=None, rtol=1e-5, atol=1e-5, id=None, **kwargs):
    """One comparison: `name` from both backends' `module`, on `args`/`kwargs`."""
    return pytest.param(module, name, args, kwargs, post, rtol, atol,
                        id=id or f"{module}.{name}")


def _ids(prefix, items):
    return [f"{prefix}-{i}" for i in range(len(items))]


UNARY_FLOAT = [
    (F, ["abs", "absolute", "negative", "sign", "square", "cbrt", "exp", "exp2", "expm1",
        "sin", "cos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "floor", "ceil", "round",
        "isnan", "isinf", "isfinite", "logical_not", "nan_to_num", "deg2rad", "rad2deg",
        "fabs", "i0", "sinc", "trunc", "signbit", "isneginf", "isposinf", "isreal", "angle",
        "conjugate", "conj", "real", "imag", "ravel", "copy", "transpose", "flip", "sort",
        "argsort", "fliplr", "flipud", "rot90", "diagflat", "cumsum", "cumprod", "diff",
        "sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "all", "any",
        "argmax", "argmin", "count_nonzero", "average", "trace", "ptp", "median", "nonzero",
        "corrcoef", "size", "ndim", "diag", "diagonal", "tril", "triu", "squeeze"]),
    (P, ["reciprocal", "sqrt", "log", "log2", "log10", "log1p"]),
    (U, ["arcsin", "arccos", "arctanh", "tan"]),
    (GE1, ["arccosh"]),
    (I, ["abs", "negative", "sign", "square", "round", "exp", "sqrt", "trunc", "bitwise_invert",
        "bitwise_not", "cumsum", "cumprod", "sum", "prod", "mean", "max", "min", "argmax",
        "count_nonzero", "trace", "floor", "tanh", "median", "ptp", "nonzero"]),
    (B, ["logical_not", "sum", "cumsum", "prod", "any", "all", "count_nonzero", "abs"]),
    (NANS, ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
           "nanargmax", "nanargmin", "nancumsum", "nancumprod", "nanmedian", "isnan",
           "nan_to_num"]),
]
UNARY_CASES = [case("numpy", name, x, id=f"numpy.{name}[{x.dtype}{'-nan' if x is NANS else ''}]")
               for x, names in UNARY_FLOAT for name in names]

BINARY = [
    ((F, F2), ["add", "subtract", "multiply", "divide", "true_divide", "divide_no_nan",
              "maximum", "minimum", "logaddexp", "arctan2", "equal", "not_equal", "greater",
              "greater_equal", "less", "less_equal", "logical_and", "logical_or",
              "logical_xor", "isclose", "fmax", "fmin", "fmod", "heaviside", "hypot",
              "logaddexp2", "nextafter", "allclose", "append", "floor_divide", "mod"]),
    ((P, F), ["power"]),
    ((I, I2), ["add", "subtract", "multiply", "divide", "floor_divide", "mod", "maximum",
              "minimum", "gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor",
              "left_shift", "right_shift", "bitwise_left_shift", "bitwise_right_shift",
              "power", "equal", "fmod", "divide_no_nan"]),
    ((I, F), ["add", "multiply", "divide", "maximum", "greater"]),
    ((B, I), ["add", "multiply", "logical_and"]),
    ((F, 2.0), ["add", "multiply", "power", "maximum"]),
    ((I, 2), ["add", "multiply", "floor_divide"]),
    ((I, 2.5), ["add", "multiply"]),
]
BINARY_CASES = [case("numpy", name, a, b, id=f"numpy.{name}[{np.asarray(a).dtype},"
                                              f"{type(b).__name__ if np.isscalar(b) else b.dtype}]")
                for (a, b), names in BINARY for name in names]

AXIS_CASES = [
    case("numpy", name, F, axis=axis, keepdims=keepdims, id=f"numpy.{name}[axis={axis},{keepdims}]")
    for name in ["sum", "mean", "var", "std", "max", "min", "all", "any", "argmax", "argmin",
                 "ptp", "median", "nansum", "nanmean", "nanmax", "nanargmin"]
    for axis, keepdims in [(0, False), (-1, True)]
] + [
    case("numpy", "prod", I, axis=1, dtype="float32", id="numpy.prod[dtype]"),
    case("numpy", "cumsum", F, axis=0), case("numpy", "cumprod", I, axis=1, id="numpy.cumprod[i]"),
    case("numpy", "count_nonzero", I, axis=0, id="numpy.count_nonzero[axis]"),
    case("numpy", "average", F, axis=1, weights=P, id="numpy.average[weights]"),
    case("numpy", "trace", F, offset=1), case("numpy", "diff", F, n=2, axis=0),
    case("numpy", "quantile", F, np.float32(0.3), axis=1),
    case("numpy", "quantile", F, np.array([0.25, 0.5], "float32"), method="nearest",
         id="numpy.quantile[nearest]"),
    case("numpy", "nanquantile", NANS, np.float32(0.5), axis=1),
    case("numpy", "percentile", F, np.float32(40.0)),
    case("numpy", "nanpercentile", NANS, np.float32(40.0), axis=1),
    case("numpy", "trapezoid", F), case("numpy", "trapezoid", F, V, id="numpy.trapezoid[x]"),
    case("numpy", "histogram", F, bins=4), case("numpy", "max", F, initial=5.0,
                                                 id="numpy.max[initial]"),
]

PRODUCT_CASES = [
    case("numpy", "matmul", F, F2.T), case("numpy", "matmul", I, I2.T, id="numpy.matmul[int]"),
    case("numpy", "matmul", I.astype("int8"), I2.T.astype("int8"), id="numpy.matmul[int8]"),
    case("numpy", "dot", F, V), case("numpy", "outer", V, V),
    case("numpy", "tensordot", F, F2, axes=([1], [1])),
    case("numpy", "einsum", "ij,kj->ik", F, F2), case("numpy", "inner", F, F2),
    case("numpy", "vdot", F, F2), case("numpy", "kron", SQ, V[:2]),
    case("numpy", "cross", _f(4, 3), _f(4, 3)), case("numpy", "correlate", V, V[:2], mode="full"),
    case("numpy", "slogdet", SPD),
]

CREATION_CASES = [
    case("numpy", "zeros", (2, 3)), case("numpy", "ones", (2,), dtype="int32"),
    case("numpy", "full", (2, 2), 3), case("numpy", "full", (2,), 1.5, dtype="float16",
                                            id="numpy.full[f16]"),
    case("numpy", "zeros_like", I), case("numpy", "ones_like", F, dtype="int32"),
    case("numpy", "full_like", F, 2.0), case("numpy", "eye", 3, 4, 1),
    case("numpy", "identity", 3, dtype="int32"), case("numpy", "arange", 5),
    case("numpy", "arange", 1.0, 3.0, 0.5, id="numpy.arange[float]"),
    case("numpy", "linspace", 0.0, 1.0, 5), case("numpy", "array", [[1, 2], [3, 4]]),
    case("numpy", "tri", 3, 4, -1), case("numpy", "geomspace", 1.0, 100.0, 4),
    case("numpy", "logspace", 0.0, 2.0, 3, base=2), case("numpy", "bartlett", 5),
    case("numpy", "blackman", 5), case("numpy", "hamming", 5), case("numpy", "hanning", 5),
    case("numpy", "kaiser", 5, 2.0), case("numpy", "vander", np.array([1, 2, 3], "int32")),
    case("numpy", "vander", V, N=2, increasing=True, id="numpy.vander[float]"),
    case("numpy", "empty", (2, 3), post=np.shape), case("numpy", "empty_like", I, post=np.shape),
]

SHAPE_CASES = [
    case("numpy", "reshape", F, (2, 6)), case("numpy", "transpose", _f(2, 3, 4), (2, 0, 1),
                                              id="numpy.transpose[axes]"),
    case("numpy", "expand_dims", F, (0, 2)), case("numpy", "squeeze", _f(3, 1, 2), 1,
                                                   id="numpy.squeeze[axis]"),
    case("numpy", "broadcast_to", V, (3, 4)), case("numpy", "moveaxis", _f(2, 3, 4), 0, -1),
    case("numpy", "swapaxes", F, 0, 1), case("numpy", "concatenate", [F, I], axis=1),
    case("numpy", "stack", [F, F2], axis=1), case("numpy", "hstack", [F, F2]),
    case("numpy", "vstack", [F, I]), case("numpy", "dstack", [F, F2]),
    case("numpy", "split", F, 2, axis=1), case("numpy", "array_split", F, 3, axis=1),
    case("numpy", "hsplit", F, 2), case("numpy", "vsplit", F, 3), case("numpy", "dsplit",
                                                                        _f(2, 2, 4), 2),
    case("numpy", "tile", V, (2, 2)), case("numpy", "repeat", F, 2, axis=0),
    case("numpy", "roll", F, 1, axis=1), case("numpy", "pad", F, ((1, 0), (0, 2))),
    case("numpy", "pad", F, 1, mode="reflect", id="numpy.pad[reflect]"),
    case("numpy", "pad", I, 1, constant_values=7, id="numpy.pad[value]"),
    case("numpy", "take", F, np.array([2, 0, -1], "int32"), axis=1),
    case("numpy", "take", F, np.array([0, 5, 11], "int32"), id="numpy.take[flat]"),
    case("numpy", "take_along_axis", F, np.argsort(F, axis=1).astype("int32"), axis=1),
    case("numpy", "meshgrid", V, V[:3], indexing="ij"), case("numpy", "astype", F, "int32"),
    case("numpy", "searchsorted", np.sort(V), F[0], side="right"),
    case("numpy", "bincount", np.array([0, 1, 1, 4], "int32"), minlength=6),
    case("numpy", "bincount", np.array([0, 1, 1], "int32"), weights=V[:3],
         id="numpy.bincount[weights]"),
    case("numpy", "digitize", F, np.sort(V)), case("numpy", "get_item", F, (slice(1, None), 2)),
    case("numpy", "where", B, F, I), case("numpy", "where", B, id="numpy.where[nonzero]"),
    case("numpy", "where", B, F, 0.5, id="numpy.where[scalar]"),
    case("numpy", "clip", F, -0.5, 0.5), case("numpy", "clip", I, -1.5, 1.5, id="numpy.clip[i]"),
    case("numpy", "clip", B, 0, 1, id="numpy.clip[bool]"),
    case("numpy", "select", [F > 0, F < -1], [F, F2], 0.5),
    case("numpy", "unique", np.array([3, 1, 2, 1, 3], "int32"), return_index=True,
         return_inverse=True, return_counts=True),
    case("numpy", "unique", np.array([3, 1, 2, 1, 3], "int32"), return_index=True,
         return_counts=True, size=5, id="numpy.unique[size]"),
    case("numpy", "unravel_index", np.array([1, 7, 11], "int32"), (3, 4)),
    case("numpy", "view", F, "int32"), case("numpy", "ldexp", F, I2),
    case("numpy", "isin", I, np.array([1, 2, -3], "int32")),
    case("numpy", "isin", I, np.array([1, 2], "int32"), invert=True, id="numpy.isin[invert]"),
    case("numpy", "argpartition", F, 1, axis=1,
         post=lambda idx: np.sort(np.take_along_axis(F, np.asarray(idx)[:, :2], 1), axis=1)),
    case("numpy", "vectorize", lambda a, b: a * 2 + b, post=lambda f: f(F, 1.0)),
]

NN_UNARY = ["relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "log_sigmoid",
            "leaky_relu", "hard_sigmoid", "hard_silu", "elu", "selu", "celu", "gelu",
            "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink", "squareplus",
            "sparse_plus", "sparse_sigmoid", "mish", "softmax", "log_softmax", "sparsemax"]
LOGITS = _f(4, 5, low=-3, high=3)
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)
LABELS = np.array([0, 3, 4, 1], "int32")
ONE_HOT = np.eye(5, dtype="float32")[LABELS]
KERNEL2D = _f(3, 3, 3, 4)
IMG_NCHW = np.moveaxis(IMG, -1, 1).copy()

NN_CASES = [case("nn", name, F * 4) for name in NN_UNARY] + [
    case("nn", "relu", I, id="nn.relu[int]"), case("nn", "hard_tanh", I, id="nn.hard_tanh[int]"),
    case("nn", "relu", B, id="nn.relu[bool]"), case("nn", "sigmoid", I, id="nn.sigmoid[int]"),
    case("nn", "leaky_relu", F, negative_slope=0.1, id="nn.leaky_relu[slope]"),
    case("nn", "elu", F, alpha=0.5, id="nn.elu[alpha]"), case("nn", "celu", F, alpha=2.0,
                                                                 id="nn.celu[alpha]"),
    case("nn", "gelu", F, approximate=False, id="nn.gelu[exact]"),
    case("nn", "glu", F), case("nn", "threshold", F, 0.3, -1.0),
    case("nn", "softmax", F, axis=0, id="nn.softmax[axis0]"),
    case("nn", "sparsemax", F, axis=0, id="nn.sparsemax[axis0]"),
    case("nn", "one_hot", np.array([0, 2, -1, 5], "int32"), 4),
    case("nn", "one_hot", np.array([[0, 2]], "int32"), 3, axis=0, dtype="int32",
         id="nn.one_hot[axis0]"),
    case("nn", "multi_hot", np.array([[0, 2], [1, 1]], "int32"), 4),
    case("nn", "binary_crossentropy", (PROBS > 0.2).astype("float32"), PROBS),
    case("nn", "binary_crossentropy", (PROBS > 0.2).astype("float32"), LOGITS, from_logits=True,
         id="nn.binary_crossentropy[logits]"),
    case("nn", "categorical_crossentropy", ONE_HOT, PROBS),
    case("nn", "categorical_crossentropy", ONE_HOT, LOGITS, from_logits=True,
         id="nn.categorical_crossentropy[logits]"),
    case("nn", "sparse_categorical_crossentropy", LABELS, PROBS),
    case("nn", "sparse_categorical_crossentropy", LABELS[:, None], LOGITS, from_logits=True,
         id="nn.sparse_categorical_crossentropy[logits]"),
    case("nn", "moments", IMG, (0, 1, 2)), case("nn", "moments", F, [1], keepdims=True,
                                                 id="nn.moments[keepdims]"),
    case("nn", "max_pool", IMG, (2, 2)),
    case("nn", "max_pool", IMG, (3, 3), (2, 1), "same", id="nn.max_pool[same]"),
    case("nn", "max_pool", IMG_NCHW, (2, 2), (1, 2), "valid", "channels_first",
         id="nn.max_pool[nchw]"),
    case("nn", "max_pool", SEQ, (2,), (1,), "same", id="nn.max_pool[1d]"),
    case("nn", "average_pool", IMG, (2, 2)),
    case("nn", "average_pool", IMG, (3, 3), (2, 2), "same", id="nn.average_pool[same]"),
    case("nn", "average_pool", IMG, (2, 3), (2, 3), "same", id="nn.average_pool[same-tiles]"),
    case("nn", "batch_normalization", IMG, _f(3), _f(3, low=0.5), -1, _f(3), _f(3)),
    case("nn", "layer_normalization", F, V, V, id="nn.layer_normalization"),
    case("nn", "layer_normalization", IMG, axis=(1, 2), rms_scaling=True,
         id="nn.layer_normalization[rms]"),
    case("nn", "rms_normalization", F, V), case("nn", "normalize", F),
    case("nn", "normalize", F, axis=0, order=1, id="nn.normalize[l1]"),
    case("nn", "conv", IMG, KERNEL2D, atol=1e-4),
    case("nn", "conv", IMG, KERNEL2D, (2, 1), "same", atol=1e-4, id="nn.conv[same-strided]"),
    case("nn", "conv", IMG, KERNEL2D, 1, "same", None, 2, atol=1e-4, id="nn.conv[dilated]"),
    case("nn", "conv", IMG_NCHW, KERNEL2D, 1, "valid", "channels_first", atol=1e-4,
         id="nn.conv[nchw]"),
    case("nn", "conv", _f(2, 5, 4), _f(3, 2, 6), 2, "same", atol=1e-4, id="nn.conv[1d-groups]"),
    case("nn", "conv", _f(1, 4, 4, 4, 2), _f(2, 2, 2, 2, 3), atol=1e-4, id="nn.conv[3d]"),
    case("nn", "depthwise_conv", IMG, _f(3, 3, 3, 2), 1, "same", atol=1e-4),
    case("nn", "separable_conv", IMG, _f(3, 3, 3, 2), _f(1, 1, 6, 4), 2, "same", atol=1e-4),
    case("nn", "conv_transpose", IMG, _f(3, 3, 4, 3), 2, atol=1e-4),
    case("nn", "conv_transpose", IMG, _f(3, 3, 4, 3), 2, "same", atol=1e-4,
         id="nn.conv_transpose[same]"),
    case("nn", "conv_transpose", IMG, _f(3, 3, 4, 3), 2, "valid", 1, atol=1e-4,
         id="nn.conv_transpose[output_padding]"),
    case("nn", "conv_transpose", SEQ, _f(2, 4, 3), 3, "same", None, None, 2, atol=1e-4,
         id="nn.conv_transpose[1d-dilated]"),
    case("nn", "adaptive_average_pool", IMG, (4, 3)),
    case("nn", "adaptive_max_pool", IMG_NCHW, (4, 3), "channels_first"),
    case("nn", "depth_to_space", _f(1, 2, 3, 8), 2),
    case("nn", "depth_to_space", _f(1, 8, 2, 3), 2, "channels_first",
         id="nn.depth_to_space[nchw]"),
    case("nn", "space_to_depth", _f(1, 4, 6, 2), 2),
    case("nn", "space_to_depth", _f(1, 2, 4, 6), 2, "channels_first",
         id="nn.space_to_depth[nchw]"),
    case("nn", "unfold", IMG_NCHW, (2, 3), (1, 1), (1, 0), (2, 1)),
    case("nn", "fold", _f(2, 12, 4), (4, 5), (2, 2), (1, 1), (0, 0), (2, 2)),
    case("nn", "dot_product_attention", _f(2, 3, 4, 5), _f(2, 6, 2, 5), _f(2, 6, 2, 5),
         atol=1e-4),
    case("nn", "dot_product_attention", _f(2, 4, 2, 3), _f(2, 4, 2, 3), _f(2, 4, 2, 3),
         bias=_f(4, 4), mask=RNG.random((2, 1, 4, 4)) > 0.3, is_causal=True,
         attn_logits_soft_cap=2.0, scale=0.3, atol=1e-4, id="nn.dot_product_attention[masked]"),
    case("nn", "ctc_loss", np.array([[1, 2, 2], [3, 1, 0]], "int32"), _f(2, 7, 5),
         np.array([3, 2], "int32"), np.array([7, 5], "int32"), atol=1e-4),
    case("nn", "ctc_decode", _f(2, 6, 4), np.array([6, 4], "int32")),
    case("nn", "ctc_decode", _f(2, 6, 4), np.array([6, 4], "int32"), merge_repeated=False,
         mask_index=None, id="nn.ctc_decode[no-merge]"),
    case("nn", "ctc_decode", _f(2, 5, 4, low=-3, high=3), np.array([5, 3], "int32"),
         strategy="beam_search", beam_width=4, top_paths=2, atol=1e-4,
         id="nn.ctc_decode[beam]"),
    case("nn", "polar", P, F), case("nn", "psnr", IMG, IMG * 0.9, 1.0),
]

SEG_IDS = np.array([0, 0, 2, 1, 2, 5], "int32")
SIGNAL = _f(2, 32)
SPEC = (_f(2, 3, 5), _f(2, 3, 5))
MATH_CASES = [
    case("math", "logsumexp", F), case("math", "logsumexp", F, axis=1, keepdims=True,
                                       id="math.logsumexp[axis]"),
    case("math", "logsumexp", np.full((2, 3), -np.inf, "float32"), axis=1,
         id="math.logsumexp[-inf]"),
    case("math", "top_k", F, 2), case("math", "top_k", np.array([1, 3, 3, 2], "int32"), 3,
                                      id="math.top_k[ties]"),
    case("math", "in_top_k", LABELS, LOGITS, 2), case("math", "erf", F),
    case("math", "erfinv", U), case("math", "rsqrt", P), case("math", "erfc", F),
    case("math", "segment_sum", _f(6, 2), SEG_IDS, 4),
    case("math", "segment_sum", _f(6), SEG_IDS, id="math.segment_sum[inferred]"),
    case("math", "segment_max", _f(6, 2), SEG_IDS, 4),
    case("math", "segment_min", _f(6), SEG_IDS, 3),
    case("math", "segment_prod", _f(6), SEG_IDS, 6),
    case("math", "segment_max", _i(6), SEG_IDS, 4, id="math.segment_max[int]"),
    case("math", "logdet", SPD), case("math", "cdist", _f(2, 3, 4), _f(2, 5, 4)),
    case("math", "extract_sequences", SIGNAL, 8, 5), case("math", "fft", SPEC, atol=1e-4),
    case("math", "fft2", SPEC, atol=1e-4), case("math", "ifft2", SPEC),
    case("math", "rfft", SIGNAL, atol=1e-4), case("math", "rfft", SIGNAL, 16, atol=1e-4,
                                                  id="math.rfft[length]"),
    case("math", "irfft", SPEC, 8), case("math", "view_as_complex", _f(3, 2)),
    case("math", "view_as_real", (F + 1j * F2).astype("complex64")),
    case("math", "stft", SIGNAL, 8, 4, 8, atol=1e-4),
    case("math", "stft", SIGNAL, 6, 3, 8, window=None, center=False, atol=1e-4,
         id="math.stft[rect]"),
    case("math", "istft", (_f(2, 9, 5), _f(2, 9, 5)), 8, 4, 8, atol=1e-4),
    case("math", "istft", (_f(2, 9, 5), _f(2, 9, 5)), 8, 4, 8, length=20, window="hamming",
         atol=1e-4, id="math.istft[hamming]"),
]

TRI = np.tril(SPD)
LINALG_CASES = [
    case("linalg", "qr", SPD, atol=1e-4), case("linalg", "qr", _f(4, 3), mode="complete",
                                               atol=1e-4, id="linalg.qr[complete]"),
    case("linalg", "norm", F), case("linalg", "norm", F, ord=1, id="linalg.norm[1]"),
    case("linalg", "norm", F, ord="fro", axis=(0, 1), keepdims=True, id="linalg.norm[fro]"),
    case("linalg", "norm", F, ord=np.inf, axis=1, id="linalg.norm[inf]"),
    case("linalg", "inv", SPD, atol=1e-4), case("linalg", "det", SPD, rtol=1e-4),
    case("linalg", "solve", SPD, F[:, :2], atol=1e-4), case("linalg", "cholesky", SPD),
    case("linalg", "cholesky", SPD, upper=True, id="linalg.cholesky[upper]"),
    case("linalg", "svd", F, compute_uv=False, atol=1e-4),
    case("linalg", "svd", F, full_matrices=False, atol=1e-4,
         post=lambda usv: np.asarray(usv[0]) * np.asarray(usv[1])[None] @ np.asarray(usv[2]),
         id="linalg.svd[reconstruction]"),
    case("linalg", "eigh", SPD, post=lambda wv: wv[0], atol=1e-4),
    case("linalg", "cholesky_inverse", np.linalg.cholesky(SPD), atol=1e-4),
    case("linalg", "cholesky_inverse", np.linalg.cholesky(SPD).T, upper=True, atol=1e-4,
         id="linalg.cholesky_inverse[upper]"),
    case("linalg", "eig", SPD, post=lambda wv: np.sort(np.real(wv[0])), atol=1e-4),
    case("linalg", "lstsq", _f(5, 3), _f(5, 2), atol=1e-4),
    case("linalg", "lu_factor", SPD, atol=1e-4),
    case("linalg", "matrix_rank", np.outer(V, V)), case("linalg", "matrix_rank", SPD, tol=0.5,
                                                        id="linalg.matrix_rank[tol]"),
    case("linalg", "pinv", _f(4, 3), atol=1e-4),
    case("linalg", "solve_triangular", TRI, F[:, :2], lower=True, atol=1e-4),
    case("linalg", "solve_triangular", TRI.T, F[:, :2], atol=1e-4,
         id="linalg.solve_triangular[upper]"),
]

COORDS = np.stack(np.meshgrid(np.linspace(-1.5, 6.5, 5), np.linspace(-1.2, 7.7, 4),
                              indexing="ij")).astype("float32")
AFFINE = np.array([[0.9, 0.2, 0.5, -0.1, 1.1, -0.7, 0.01, 0.02]], "float32")
CORNERS = np.array([[0, 0], [6, 0], [0, 5], [6, 5]], "float32")
IMAGE_CASES = [
    case("image", "rgb_to_grayscale", IMG), case("image", "rgb_to_grayscale", IMG_NCHW,
                                                 "channels_first", id="image.gray[nchw]"),
    case("image", "rgb_to_grayscale", (IMG * 255).astype("uint8"), id="image.gray[uint8]"),
    case("image", "rgb_to_hsv", IMG), case("image", "hsv_to_rgb", IMG),
    case("image", "resize", IMG, (4, 9)),
    case("image", "resize", IMG_NCHW, (3, 3), "bicubic", True, data_format="channels_first",
         atol=1e-4, id="image.resize[bicubic-antialias]"),
    case("image", "resize", IMG, (12, 5), "nearest", id="image.resize[nearest]"),
    case("image", "resize", IMG, (3, 5), "lanczos3", True, atol=1e-4,
         id="image.resize[lanczos3]"),
    case("image", "resize", IMG[0], (4, 4), "lanczos5", atol=1e-4, id="image.resize[lanczos5]"),
    case("image", "resize", IMG, (3, 4), "area", id="image.resize[area]"),
    case("image", "resize", IMG, (4, 4), crop_to_aspect_ratio=True, id="image.resize[crop]"),
    case("image", "resize", IMG, (2, 4), pad_to_aspect_ratio=True, fill_value=0.5,
         id="image.resize[pad]"),
    case("image", "resize", (IMG * 255).astype("uint8"), (5, 5), id="image.resize[uint8]"),
    case("image", "scale_and_translate", IMG, (2, 8, 5, 3), np.array([1.3, 0.7], "float32"),
         np.array([0.5, -1.0], "float32"), (1, 2), "linear", atol=1e-4),
    case("image", "pad_images", IMG, 1, 2, 0, 1), case("image", "crop_images", IMG, 1, 2, 3, 4),
    case("image", "affine_transform", IMG, AFFINE, atol=1e-4),
    case("image", "affine_transform", IMG, AFFINE, "nearest", "reflect",
         id="image.affine_transform[nearest-reflect]"),
    case("image", "affine_transform", IMG, AFFINE, "bilinear", "wrap", atol=1e-4,
         id="image.affine_transform[wrap]"),
    case("image", "affine_transform", IMG_NCHW, AFFINE, "bilinear", "nearest", 0,
         "channels_first", atol=1e-4, id="image.affine_transform[edge-nchw]"),
    case("image", "perspective_transform", IMG, CORNERS, CORNERS + _f(4, 2, low=-1, high=1),
         atol=1e-4),
    case("image", "map_coordinates", IMG[0, :, :, 0], COORDS, 1),
    case("image", "map_coordinates", IMG[0, :, :, 0], COORDS, 0, "mirror",
         id="image.map_coordinates[nearest-mirror]"),
    case("image", "map_coordinates", IMG[0, :, :, 0], COORDS, 1, "constant", 0.5,
         id="image.map_coordinates[cval]"),
    case("image", "gaussian_blur", IMG, (3, 5), (1.0, 2.0), atol=1e-4),
    case("image", "sobel_edges", IMG, atol=1e-4),
    case("image", "ssim", IMG, IMG * 0.8 + 0.1, 1.0, 3, atol=1e-4),
    case("image", "extract_patches", IMG, 2), case("image", "extract_patches", IMG, (3, 2), 2,
                                                   1, "same", id="image.extract_patches[same]"),
    case("image", "extract_patches_3d", _f(1, 4, 4, 4, 2), 2),
]

CORE_CASES = [
    case("core", "convert_to_tensor", np.arange(3.0)),
    case("core", "convert_to_tensor", np.arange(3), id="core.convert_to_tensor[int64]"),
    case("core", "convert_to_tensor", [1, 2], id="core.convert_to_tensor[list-int]"),
    case("core", "convert_to_tensor", [True, False], id="core.convert_to_tensor[list-bool]"),
    case("core", "convert_to_tensor", 2.5, id="core.convert_to_tensor[float]"),
    case("core", "convert_to_tensor", F, "float16", id="core.convert_to_tensor[dtype]"),
    case("core", "cast", F, "int32"), case("core", "cast", I, "bfloat16",
                                           id="core.cast[bfloat16]"),
    case("core", "slice", F, (1, 2), (2, -1)), case("core", "slice", F, (2, 3), (2, 2),
                                                    id="core.slice[clamped]"),
    case("core", "slice_update", F, (1, 1), np.ones((2, 2), "float32")),
    case("core", "saturate_cast", F * 200, "int8"),
    case("core", "saturate_cast", F * 200, "uint8", id="core.saturate_cast[uint8]"),
    case("core", "scatter", np.array([[0, 1], [2, 3], [0, 1]], "int32"), V[:3], (3, 4)),
    case("core", "scatter_update", F, np.array([[0, 1], [2, 3]], "int32"), V[:2]),
    case("core", "scatter_update", F, np.array([[0, 1], [0, 1]], "int32"), V[:2], "add",
         id="core.scatter_update[add]"),
    case("core", "scatter_update", F, np.array([[0], [2]], "int32"), F2[:2], "max",
         id="core.scatter_update[rows-max]"),
    case("core", "unstack", F, axis=1), case("core", "standardize_dtype_of", I),
    case("core", "shape", F), case("core", "standardize_dtype_of", 1.0,
                                   id="core.standardize_dtype_of[py]"),
]

TRANSFORM_CASES = [
    case("transforms", "scan", lambda c, x: (c + x, c * x), np.float32(0.0), V),
    case("transforms", "scan", lambda c, x: (c + x["a"], None), np.zeros(4, "float32"),
         {"a": F}, reverse=True, id="transforms.scan[tree-reverse]"),
    case("transforms", "scan", lambda c, _: (c * 2, c), np.int32(1), length=4,
         id="transforms.scan[length]"),
    case("transforms", "fori_loop", 1, 5, lambda i, v: v * i + 1, np.int32(1)),
    case("transforms", "while_loop", lambda v: v[0] < 10, lambda v: (v[0] * 2, v[1] + 1),
         (np.int32(1), np.int32(0))),
    case("transforms", "cond", np.bool_(False), lambda x: x + 1, lambda x: x * 3, F),
    case("transforms", "switch", 5, [lambda x: x + 1, lambda x: x * 3], F),
    case("transforms", "map", lambda x: x.sum(), F),
    case("transforms", "vectorized_map", lambda x: x * x.max(), F),
    case("transforms", "associative_scan", lambda a, b: a + b, F, axis=1),
    case("transforms", "associative_scan", lambda a, b: a * b, F, reverse=True,
         id="transforms.associative_scan[reverse]"),
    case("transforms", "stop_gradient", F),
    case("transforms", "tree_map", lambda a, b: a * b, {"x": F, "y": [V]}, {"x": F2, "y": [V]}),
    case("transforms", "tree_flatten", {"b": (F, None), "a": [I, 3]},
         post=lambda out: out[0]),
    case("transforms", "custom_gradient", lambda x: (x * 2, lambda g: g),
         post=lambda f: f(F)),
]

ALL_CASES = (UNARY_CASES + BINARY_CASES + AXIS_CASES + PRODUCT_CASES + CREATION_CASES
             + SHAPE_CASES + NN_CASES + MATH_CASES + LINALG_CASES + IMAGE_CASES + CORE_CASES
             + TRANSFORM_CASES)


def _leaves(x):
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in _leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _leaves(v)]
    return [x]


def _assert_same(jax_out, numpy_out, rtol, atol, where):
    jax_leaves, numpy_leaves = _leaves(jax_out), _leaves(numpy_out)
    assert len(jax_leaves) == len(numpy_leaves), where
    for a, b in zip(jax_leaves, numpy_leaves):
        if a is None or isinstance(a, (bool, int, float, str)) and not hasattr(a, "dtype"):
            assert a == b, where
            continue
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, (where, a.shape, b.shape)
        assert dtypes.standardize_dtype(a.dtype) == dtypes.standardize_dtype(b.dtype), \
            (where, a.dtype, b.dtype)
        if a.dtype.kind in "biu":
            np.testing.assert_array_equal(a, b, err_msg=where)
        else:
            np.testing.assert_allclose(b.astype("complex128"), a.astype("complex128"),
                                       rtol=rtol, atol=atol, equal_nan=True, err_msg=where)


def _copy(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def test_the_sample_is_broad():
    names = {(p.values[0], p.values[1]) for p in ALL_CASES}
    assert len(names) >= 150, len(names)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN inputs warn in NumPy, not in JAX
@pytest.mark.parametrize("module,name,args,kwargs,post,rtol,atol", ALL_CASES)
def test_numpy_backend_matches_jax_backend(module, name, args, kwargs, post, rtol, atol):
    jax_module, numpy_module = _modules(module)
    expected = getattr(jax_module, name)(*map(_copy, args), **kwargs)
    with np.errstate(all="ignore"):
        actual = getattr(numpy_module, name)(*map(_copy, args), **kwargs)
        if post is not None:
            expected, actual = post(expected), post(actual)
    _assert_same(expected, actual, rtol, atol, f"{module}.{name}")


# -- cases that need more than one call ----------------------------------------------------------
def test_eval_shape_matches_jax():
    jax_core, numpy_core = _modules("core")

    def fn(x, y):
        return {"sum": x + y.astype(x.dtype), "pair": (x @ x.T, y[:1])}

    jax_out = jax_core.eval_shape(fn, [jax_core.Spec((3, 4), "float32"),
                                       jax_core.Spec((3, 4), "int32")])
    numpy_out = numpy_core.eval_shape(fn, [numpy_core.Spec((3, 4), "float32"),
                                           numpy_core.Spec((3, 4), "int32")])
    flat_jax, flat_numpy = _leaves(jax_out), _leaves(numpy_out)
    assert [(s.shape, s.dtype) for s in flat_jax] == [(s.shape, s.dtype) for s in flat_numpy]
    assert [(s.shape, s.dtype) for s in flat_numpy] == [((3, 3), "float32"), ((1, 4), "int32"),
                                                        ((3, 4), "float32")]


def test_tree_unflatten_round_trips_like_jax():
    jax_t, numpy_t = _modules("transforms")
    tree = {"b": (1, None, [2, 3]), "a": 4}
    leaves, treedef = numpy_t.tree_flatten(tree)
    assert leaves == jax_t.tree_flatten(tree)[0] == [4, 1, 2, 3]
    assert numpy_t.tree_unflatten(treedef, [10, 11, 12, 13]) == \
        {"a": 10, "b": (11, None, [12, 13])}
    with pytest.raises(ValueError, match="holds 4 leaves, received 3"):
        numpy_t.tree_unflatten(treedef, [1, 2, 3])


RANDOM_CASES = [
    ("normal", ((3, 400),), {"mean": 1.0, "stddev": 2.0}, (1.0, 2.0)),
    ("uniform", ((3, 400),), {"minval": -1.0, "maxval": 3.0}, (1.0, 4 / np.sqrt(12))),
    ("truncated_normal", ((3, 400),), {"stddev": 1.0}, (0.0, 0.88)),
    ("randint", ((3, 400), 0, 10), {}, (4.5, 2.87)),
    ("gamma", ((3, 400), 2.0), {}, (2.0, np.sqrt(2.0))),
    ("binomial", ((3, 400), 10.0, 0.3), {}, (3.0, np.sqrt(2.1))),
    ("beta", ((3, 400), 2.0, 5.0), {}, (2 / 7, np.sqrt(10 / (49 * 8)))),
    ("categorical", (np.log(np.array([[0.2, 0.8]], "float32")), 1200), {}, (0.8, 0.4)),
    ("bernoulli_keep", ((3, 400), 0.7), {}, (0.7, np.sqrt(0.21))),
]


@pytest.mark.parametrize("name,args,kwargs,moments", RANDOM_CASES, ids=[c[0] for c in RANDOM_CASES])
def test_random_draws_are_deterministic_and_match_jax_in_shape_dtype_and_moments(
        name, args, kwargs, moments):
    jax_random, numpy_random = _modules("random")
    key = numpy_random.key_from_int(42)
    assert key.dtype == np.uint32 and key.shape == (2,)
    jax_key = jax_random.key_from_int(42)
    first = getattr(numpy_random, name)(*args, seed=key, **kwargs)
    again = getattr(numpy_random, name)(*args, seed=key, **kwargs)
    other = getattr(numpy_random, name)(*args, seed=numpy_random.key_from_int(43), **kwargs)
    reference = getattr(jax_random, name)(*args, seed=jax_key, **kwargs)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.shape(first) == np.shape(reference)
    assert dtypes.standardize_dtype(np.asarray(first).dtype) == \
        dtypes.standardize_dtype(np.asarray(reference).dtype)
    values = np.asarray(first, dtype="float64")
    mean, std = moments
    assert abs(values.mean() - mean) < 0.1 * max(std, 1.0), values.mean()
    assert abs(values.std() - std) < 0.1 * max(std, 1.0), values.std()


def test_truncated_normal_stays_within_two_standard_deviations():
    numpy_random = _modules("random")[1]
    values = numpy_random.truncated_normal((1000,), 1.0, 0.5, seed=numpy_random.key_from_int(1))
    assert values.min() >= 0.0 and values.max() <= 2.0


def test_seed_state_advances_to_distinct_keys():
    jax_random, numpy_random = _modules("random")
    state = np.array([7, 0], "uint32")
    nxt = numpy_random.next_state(state)
    np.testing.assert_array_equal(nxt, jax_random.next_state(state))
    keys = {tuple(numpy_random.key_from_state(np.array([7, i], "uint32"))) for i in range(50)}
    assert len(keys) == 50
    np.testing.assert_array_equal(numpy_random.key_from_state(state),
                                  numpy_random.key_from_state(state.copy()))


@pytest.mark.parametrize("name,args", [("shuffle", (np.arange(12).reshape(4, 3),)),
                                       ("permutation", (10,))])
def test_permutations_are_permutations(name, args):
    jax_random, numpy_random = _modules("random")
    key = numpy_random.key_from_int(3)
    out = getattr(numpy_random, name)(*args, seed=key)
    reference = getattr(jax_random, name)(*args, seed=jax_random.key_from_int(3))
    assert np.shape(out) == np.shape(reference)
    assert dtypes.standardize_dtype(np.asarray(out).dtype) == \
        dtypes.standardize_dtype(np.asarray(reference).dtype)
    np.testing.assert_array_equal(np.sort(np.ravel(out)), np.sort(np.ravel(args[0]))
                                  if name == "shuffle" else np.arange(10))
    np.testing.assert_array_equal(out, getattr(numpy_random, name)(*args, seed=key))


def test_elastic_transform_is_deterministic_and_shaped_like_jax():
    jax_image, numpy_image = _modules("image")
    key = _modules("random")[1].key_from_int(5)
    image = IMG[:1, :4, :5]
    out = numpy_image.elastic_transform(image, 5.0, 1.0, seed=key)
    reference = jax_image.elastic_transform(image, 5.0, 1.0,
                                            seed=_modules("random")[0].key_from_int(5))
    assert out.shape == reference.shape and out.dtype == reference.dtype
    np.testing.assert_array_equal(out, numpy_image.elastic_transform(image, 5.0, 1.0, seed=key))
    assert not np.allclose(out, image)


def test_variable_and_conversion_rules_match_jax():
    jax_core, numpy_core = _modules("core")
    for value, dtype in [(np.zeros(3), "float32"), (np.arange(3), "int32"), (1.5, "float32"),
                         ([1, 2], "int32")]:
        v_np, v_jax = numpy_core.Variable(value), jax_core.Variable(value)
        assert v_np.dtype == v_jax.dtype == dtype
        assert isinstance(v_np.value, np.ndarray) and v_np.value.dtype == dtype
    source = np.ones(2, "float32")
    v = numpy_core.Variable(source)
    source[0] = 5.0  # the variable holds its own copy
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])
    v.assign_add(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(v.numpy(), [2.0, 3.0])
    assert numpy_core.is_tensor(v.value) and not numpy_core.is_tracing()
