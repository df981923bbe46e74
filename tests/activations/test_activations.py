import inspect
import math

import numpy as np
import pytest

from lamina import activations, backend, ops
from lamina.saving import register_keras_serializable
from tests.helpers import gradcheck

X = np.array([[-3.0, -1.0, -0.6, -0.5, -0.2, 0.0, 0.3, 0.5, 0.9, 1.0, 2.5, 7.0]], dtype=np.float32)

_erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sparsemax_row(z):
    """Sparsemax of a 1-D array by its definition (Martins & Astudillo, 2016)."""
    z_sorted = np.sort(z)[::-1]
    cumsum = np.cumsum(z_sorted)
    k = np.arange(1, len(z) + 1)
    k_z = k[1 + k * z_sorted > cumsum].max()
    tau = (cumsum[k_z - 1] - 1) / k_z
    return np.maximum(z - tau, 0)


# (name, kwargs, NumPy reference)
REFERENCES = [
    ("relu", {}, lambda x: np.maximum(x, 0)),
    ("relu", {"negative_slope": 0.1}, lambda x: np.where(x > 0, x, 0.1 * x)),
    ("relu", {"max_value": 2.0}, lambda x: np.clip(x, 0, 2.0)),
    ("relu", {"threshold": 0.5}, lambda x: np.where(x > 0.5, x, 0.0)),
    ("relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5},
     lambda x: np.where(x > 0.5, np.minimum(x, 2.0), 0.1 * (x - 0.5))),
    ("leaky_relu", {}, lambda x: np.where(x > 0, x, 0.2 * x)),
    ("leaky_relu", {"negative_slope": 0.5}, lambda x: np.where(x > 0, x, 0.5 * x)),
    ("relu6", {}, lambda x: np.clip(x, 0, 6)),
    ("elu", {}, lambda x: np.where(x > 0, x, np.expm1(x))),
    ("elu", {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    ("selu", {}, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    ("softplus", {}, _softplus),
    ("softsign", {}, lambda x: x / (1 + np.abs(x))),
    ("soft_shrink", {}, lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0))),
    ("soft_shrink", {"threshold": 1.0},
     lambda x: np.where(x > 1, x - 1, np.where(x < -1, x + 1, 0.0))),
    ("sparse_plus", {}, lambda x: np.where(x <= -1, 0.0, np.where(x < 1, (x + 1) ** 2 / 4, x))),
    ("silu", {}, lambda x: x * _sigmoid(x)),
    ("swish", {}, lambda x: x * _sigmoid(x)),
    ("squareplus", {}, lambda x: (x + np.sqrt(x * x + 4)) / 2),
    ("squareplus", {"b": 1}, lambda x: (x + np.sqrt(x * x + 1)) / 2),
    ("gelu", {}, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    ("gelu", {"approximate": True},
     lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    ("celu", {}, lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x))),
    ("celu", {"alpha": 2.0}, lambda x: np.maximum(x, 0) + 2.0 * np.minimum(0, np.expm1(x / 2))),
    ("glu", {}, lambda x: x[..., :6] * _sigmoid(x[..., 6:])),
    ("tanh", {}, np.tanh),
    ("tanh_shrink", {}, lambda x: x - np.tanh(x)),
    ("hard_tanh", {}, lambda x: np.clip(x, -1, 1)),
    ("hard_shrink", {}, lambda x: np.where(np.abs(x) > 0.5, x, 0.0)),
    ("hard_shrink", {"threshold": 1.0}, lambda x: np.where(np.abs(x) > 1.0, x, 0.0)),
    ("threshold", {"threshold": 0.4, "default_value": -1.0}, lambda x: np.where(x > 0.4, x, -1.0)),
    ("sigmoid", {}, _sigmoid),
    ("sparse_sigmoid", {}, lambda x: np.clip((x + 1) / 2, 0, 1)),
    ("exponential", {}, np.exp),
    ("hard_sigmoid", {}, lambda x: np.clip(x + 3, 0, 6) / 6),
    ("log_sigmoid", {}, lambda x: -_softplus(-x)),
    ("hard_silu", {}, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_swish", {}, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("linear", {}, lambda x: x),
    ("mish", {}, lambda x: x * np.tanh(_softplus(x))),
    ("softmax", {}, _softmax),
    ("log_softmax", {}, lambda x: np.log(_softmax(x))),
    ("sparsemax", {}, lambda x: np.stack([_sparsemax_row(r) for r in x])),
]


@pytest.mark.parametrize(("name", "kwargs", "reference"), REFERENCES,
                         ids=[f"{n}-{k}" for n, k, _ in REFERENCES])
def test_activation_matches_numpy(name, kwargs, reference):
    result = np.asarray(getattr(activations, name)(X, **kwargs))
    expected = reference(X.astype(np.float64))
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)


KERAS_RELU = [  # keras.activations.relu(x, **kwargs) from Keras 3.15 (JAX), x = X_RELU
    ({"negative_slope": 0.1, "threshold": 0.5},
     [-0.35, -0.15, -0.1, -0.05, -0.02, 0.0, 0.9, 2.5, 7.0]),
    ({"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5},
     [-0.35, -0.15, -0.1, -0.05, -0.02, 0.0, 0.9, 2.0, 2.0]),
    ({"threshold": -0.5, "max_value": 1.0}, [0.0, 0.0, 0.0, 0.0, 0.3, 0.5, 0.9, 1.0, 1.0]),
    ({"negative_slope": 0.2, "max_value": 6.0}, [-0.6, -0.2, -0.1, 0.0, 0.3, 0.5, 0.9, 2.5, 6.0]),
]
X_RELU = np.array([-3.0, -1.0, -0.5, 0.0, 0.3, 0.5, 0.9, 2.5, 7.0], dtype=np.float32)


@pytest.mark.parametrize(("kwargs", "expected"), KERAS_RELU)
def test_relu_options_match_keras(kwargs, expected):
    np.testing.assert_allclose(activations.relu(X_RELU, **kwargs), expected, atol=1e-6)


def test_gelu_default_is_exact_and_selu_matches_keras_values():
    # Keras 3.15 values: gelu's default is the exact (erf) form, not the tanh approximation.
    x = np.array([-3.0, -1.0, 0.3, 2.5], dtype=np.float32)
    np.testing.assert_allclose(activations.gelu(x), [-0.00405, -0.158655, 0.185373, 2.484476],
                               atol=1e-6)
    np.testing.assert_allclose(activations.selu(x), [-1.670569, -1.111331, 0.31521, 2.626752],
                               atol=1e-6)


def test_sparsemax_sums_to_one_along_axis_and_is_sparse():
    x = np.array([[-1.0, 0.5, 0.3, 2.0], [0.1, 0.1, 0.1, 0.1], [3.0, -2.0, 2.9, 0.0]], "float32")
    # One compiled program per axis is much quicker than the sort/cumsum ops one by one.
    by_row = backend.transforms.jit(activations.sparsemax)(x)
    np.testing.assert_allclose(by_row, [[0, 0, 0, 1], [0.25] * 4, [0.55, 0, 0.45, 0]], atol=1e-6)
    by_column = np.asarray(backend.transforms.jit(lambda v: activations.sparsemax(v, axis=0))(x))
    np.testing.assert_allclose(by_column.sum(axis=0), np.ones(4), atol=1e-6)
    np.testing.assert_allclose(by_column, np.stack([_sparsemax_row(c) for c in x.T], axis=1),
                               atol=1e-6)


def test_softmax_axis_and_tuple_axis():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0
    np.testing.assert_allclose(activations.softmax(x, axis=1), _softmax(x, axis=1), rtol=1e-5)
    flat = _softmax(x.reshape(2, 12)).reshape(2, 3, 4)
    np.testing.assert_allclose(activations.softmax(x, axis=(1, 2)), flat, rtol=1e-5)
    np.testing.assert_allclose(activations.log_softmax(x, axis=0), np.log(_softmax(x, axis=0)),
                               rtol=1e-5, atol=1e-6)


def test_signatures_and_defaults_match_keras():
    # From inspect.signature(keras.activations.<name>) in Keras 3.15.
    expected = {
        "relu": "(x, negative_slope=0.0, max_value=None, threshold=0.0)",
        "leaky_relu": "(x, negative_slope=0.2)", "elu": "(x, alpha=1.0)",
        "celu": "(x, alpha=1.0)", "gelu": "(x, approximate=False)", "glu": "(x, axis=-1)",
        "softmax": "(x, axis=-1)", "log_softmax": "(x, axis=-1)", "sparsemax": "(x, axis=-1)",
        "squareplus": "(x, b=4)", "soft_shrink": "(x, threshold=0.5)",
        "hard_shrink": "(x, threshold=0.5)", "threshold": "(x, threshold, default_value)",
    }
    for name in ("celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid",
                 "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid",
                 "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
                 "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus",
                 "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
                 "threshold"):
        signature = str(inspect.signature(getattr(activations, name)))
        assert signature == expected.get(name, "(x)"), name


# One case per distinct code path (aliases and extra option values add nothing here).
GRAD_CASES = [
    ("relu", {}), ("relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}),
    ("leaky_relu", {}), ("relu6", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("softplus", {}),
    ("softsign", {}), ("soft_shrink", {}), ("sparse_plus", {}), ("silu", {}),
    ("squareplus", {"b": 1}), ("gelu", {}), ("gelu", {"approximate": True}),
    ("celu", {"alpha": 2.0}), ("glu", {}), ("tanh", {}), ("tanh_shrink", {}), ("hard_tanh", {}),
    ("hard_shrink", {}), ("threshold", {"threshold": 0.4, "default_value": -1.0}),
    ("sigmoid", {}), ("sparse_sigmoid", {}), ("exponential", {}), ("hard_sigmoid", {}),
    ("log_sigmoid", {}), ("hard_silu", {}), ("mish", {}), ("softmax", {}), ("log_softmax", {}),
    ("sparsemax", {})]
# Points clear of every kink: 0, +-0.5 and +-1 (shrinks, sparse_*), 0.4 (threshold), 2 (clip).
X_SMOOTH = np.array([-2.25, -0.65, -0.25, 0.25, 0.75, 1.65])
WEIGHTS = np.linspace(0.5, 1.5, X_SMOOTH.size)


@pytest.mark.parametrize(("name", "kwargs"), GRAD_CASES, ids=[f"{n}-{k}" for n, k in GRAD_CASES])
def test_activation_gradients_match_finite_differences(name, kwargs):
    fn = getattr(activations, name)

    def weighted_sum(x):
        y = fn(x, **kwargs)
        return ops.sum(ops.multiply(y, WEIGHTS[:y.shape[-1]]))

    gradcheck.check_grads(backend.transforms.jit(weighted_sum), [X_SMOOTH], rtol=1e-4, atol=1e-6)


def test_dtypes_half_precision_kept_and_ints_become_floatx():
    x16 = ops.cast(ops.array([-1.0, 0.5, 3.0]), "float16")
    for fn in (activations.relu, activations.gelu, activations.softmax, activations.mish):
        assert backend.standardize_dtype(fn(x16).dtype) == "float16", fn.__name__
    y = activations.relu(x16, negative_slope=0.1, max_value=2.0, threshold=0.5)
    assert backend.standardize_dtype(y.dtype) == "float16"
    y = activations.relu(np.array([-2, 1, 3], dtype="int32"), max_value=2, threshold=1)
    assert backend.standardize_dtype(y.dtype) == "float32"
    np.testing.assert_allclose(y, [0.0, 0.0, 2.0])


def test_symbolic_inputs_give_symbolic_outputs():
    x = ops.KerasTensor((None, 6))
    assert activations.relu(x, negative_slope=0.1, max_value=2.0, threshold=0.5).shape == (None, 6)
    assert activations.glu(x).shape == (None, 3)
    assert activations.softmax(x).shape == (None, 6)


def test_activations_trace_under_jit():
    fn = backend.transforms.jit(lambda v: activations.relu(v, 0.1, 2.0, 0.5))
    np.testing.assert_allclose(fn(X_RELU), KERAS_RELU[1][1], atol=1e-6)


def test_get_resolves_none_names_aliases_callables_and_dicts():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    config = {"module": "keras.activations", "class_name": "function", "config": "gelu",
              "registered_name": "gelu"}
    assert activations.get(config) is activations.gelu


def test_serialize_gives_keras_names_and_round_trips():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    for name in ("celu", "exponential", "sparsemax", "threshold", "linear", "log_sigmoid"):
        fn = getattr(activations, name)
        assert activations.deserialize(activations.serialize(fn)) is fn


def test_custom_activation_round_trips_through_registration_or_custom_objects():
    @register_keras_serializable(package="test_act")
    def doubled(x):
        return ops.multiply(x, 2.0)

    config = activations.serialize(doubled)
    assert isinstance(config, dict) and config["registered_name"] == "test_act>doubled"
    assert activations.deserialize(config) is doubled

    def tripled(x):
        return ops.multiply(x, 3.0)

    assert activations.deserialize("tripled", custom_objects={"tripled": tripled}) is tripled


def test_unknown_name_error_lists_known_names():
    with pytest.raises(ValueError, match="Unknown activation: 'rleu'") as info:
        activations.get("rleu")
    assert "'relu'" in str(info.value) and "'swish'" in str(info.value)
    with pytest.raises(ValueError, match="could not interpret"):
        activations.get(3)
    with pytest.raises(ValueError, match="cannot serialize"):
        activations.serialize(type("NoConfig", (), {"__call__": lambda self, x: x})())


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="max_value"):
        activations.relu(X, max_value=-1.0)
    with pytest.raises(TypeError, match="negative_slope"):
        activations.relu(X, negative_slope="0.1")
    with pytest.raises(TypeError, match="axis"):
        activations.softmax(X, axis="last")
    with pytest.raises(ValueError, match=r"even.*\(1, 3\)"):
        activations.glu(np.ones((1, 3)))
    with pytest.raises(TypeError, match="approximate"):
        activations.gelu(X, approximate="yes")
    with pytest.raises(ValueError, match="alpha"):
        activations.celu(X, alpha=0.0)
    with pytest.raises(ValueError, match="`b`"):
        activations.squareplus(X, b=-1)


def test_public_names_are_exported():
    assert set(activations.__all__) >= {"get", "serialize", "deserialize", "relu", "swish",
                                        "hard_swish", "sparsemax", "threshold"}
    assert all(hasattr(activations, name) for name in activations.__all__)
