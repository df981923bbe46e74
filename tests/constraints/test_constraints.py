import json

import numpy as np
import pytest

from lamina import backend, constraints, ops
from tests.helpers import gradcheck

EPS = 1e-7  # backend.epsilon(), added to the norm in the denominator as Keras 3 does
W = np.array([[3.0, 0.0, 0.1], [4.0, 0.0, -0.2], [0.0, 0.0, 0.05]], dtype=np.float32)
W4 = (np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 10 - 1.0)


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w.astype(np.float64)), axis=axis, keepdims=True))


def _max_norm(w, max_value, axis):
    n = _norms(w, axis)
    return w * (np.clip(n, 0, max_value) / (EPS + n))


def _min_max_norm(w, min_value, max_value, rate, axis):
    n = _norms(w, axis)
    desired = rate * np.clip(n, min_value, max_value) + (1 - rate) * n
    return w * (desired / (EPS + n))


@pytest.mark.parametrize(("max_value", "axis", "w"), [
    (2.0, 0, W), (0.5, 1, W), (1.5, (0, 1, 2), W4), (1.0, None, W)])
def test_max_norm_matches_numpy(max_value, axis, w):
    result = constraints.MaxNorm(max_value, axis=list(axis) if isinstance(axis, tuple) else axis)
    np.testing.assert_allclose(result(w), _max_norm(w, max_value, axis), rtol=1e-6, atol=1e-7)


def test_max_norm_matches_keras_values_including_epsilon():
    # keras.constraints.MaxNorm(2.0)(W) in Keras 3.15: the last column is 1e-7 short of itself.
    expected = [[1.2000000476837158, 0.0, 0.09999995678663254],
                [1.600000023841858, 0.0, -0.19999991357326508], [0.0, 0.0, 0.04999997839331627]]
    np.testing.assert_array_equal(np.asarray(constraints.MaxNorm(2.0)(W)),
                                  np.array(expected, dtype=np.float32))


def test_unit_norm_matches_numpy_and_keeps_zero_columns_zero():
    np.testing.assert_allclose(constraints.UnitNorm()(W), W / (EPS + _norms(W, 0)), rtol=1e-6)
    np.testing.assert_allclose(constraints.UnitNorm(axis=1)(W), W / (EPS + _norms(W, 1)),
                               rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(constraints.UnitNorm()(W))[:, 1], 0.0)
    unit = np.asarray(constraints.UnitNorm(axis=[0, 1, 2])(W4), dtype=np.float64)
    np.testing.assert_allclose(_norms(unit, (0, 1, 2)).ravel(), [1.0, 1.0], rtol=1e-5)


@pytest.mark.parametrize(("min_value", "max_value", "rate", "axis"), [
    (1.0, 2.0, 1.0, 0), (1.0, 2.0, 0.5, 1), (0.0, 1.0, 1.0, 0), (0.3, 0.4, 0.25, None)])
def test_min_max_norm_matches_numpy(min_value, max_value, rate, axis):
    result = constraints.MinMaxNorm(min_value, max_value, rate=rate, axis=axis)(W)
    np.testing.assert_allclose(result, _min_max_norm(W, min_value, max_value, rate, axis),
                               rtol=1e-6, atol=1e-7)


def test_min_max_norm_matches_keras_values():
    # keras.constraints.MinMaxNorm(1.0, 2.0, rate=0.5, axis=1)(W) in Keras 3.15.
    expected = [[2.4994447231292725, 0.0, 0.08331482857465744],
                [2.9987523555755615, 0.0, -0.14993761479854584], [0.0, 0.0, 0.5249989032745361]]
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 2.0, rate=0.5, axis=1)(W), expected,
                               rtol=1e-6)


def test_non_neg_zeroes_negatives_and_keeps_dtype():
    np.testing.assert_array_equal(constraints.NonNeg()(W), np.maximum(W, 0))
    ints = constraints.NonNeg()(np.array([-2, 3], dtype="int32"))
    assert backend.standardize_dtype(ints.dtype) == "int32" and ints.tolist() == [0, 3]


def test_norm_constraints_work_in_half_precision_and_on_variables():
    half = constraints.MaxNorm(2.0)(ops.cast(W, "float16"))
    assert backend.standardize_dtype(half.dtype) == "float16"
    np.testing.assert_allclose(np.asarray(half, dtype=np.float32), _max_norm(W, 2.0, 0),
                               rtol=2e-3, atol=1e-3)
    variable = backend.Variable(W)
    np.testing.assert_allclose(constraints.UnitNorm()(variable), W / (EPS + _norms(W, 0)),
                               rtol=1e-6)


@pytest.mark.parametrize("constraint", [
    constraints.MaxNorm(1.0), constraints.UnitNorm(axis=1),
    constraints.MinMaxNorm(0.5, 1.5, rate=0.7), constraints.NonNeg()],
    ids=lambda c: type(c).__name__)
def test_constraint_gradients_match_finite_differences(constraint):
    # Entries clear of 0 (NonNeg's kink) and column norms clear of the clip bounds.
    w = np.array([[0.3, -1.2, 0.4], [0.2, 1.0, -0.25]])
    weights = np.linspace(-1.0, 1.0, w.size).reshape(w.shape)
    # Compiled once: eagerly, each of the many small ops would compile on its own.
    loss = backend.transforms.jit(lambda v: ops.sum(ops.multiply(constraint(v), weights)))
    gradcheck.check_grads(loss, [w], rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("constraint", [
    constraints.MaxNorm(3, axis=[0, 1, 2]), constraints.UnitNorm(axis=1),
    constraints.MinMaxNorm(0.5, 1.5, rate=0.7, axis=None), constraints.NonNeg(),
    constraints.Constraint()], ids=lambda c: type(c).__name__)
def test_config_round_trip(constraint):
    config = json.loads(json.dumps(constraints.serialize(constraint)))
    restored = constraints.deserialize(config)
    assert type(restored) is type(constraint)
    assert restored.get_config() == constraint.get_config()
    np.testing.assert_allclose(restored(W4), constraint(W4))


def test_configs_have_keras_keys_and_defaults():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0,
                                                     "rate": 1.0, "axis": 0}
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    assert constraints.NonNeg().get_config() == {}


@pytest.mark.parametrize(("name", "cls"), [
    ("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
    ("min_max_norm", constraints.MinMaxNorm), ("non_neg", constraints.NonNeg),
    ("unit_norm", constraints.UnitNorm), ("UnitNorm", constraints.UnitNorm)])
def test_get_by_name(name, cls):
    assert type(constraints.get(name)) is cls


def test_get_accepts_none_classes_instances_callables_and_dicts():
    assert constraints.get(None) is None
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)
    unit = constraints.UnitNorm(axis=1)
    assert constraints.get(unit) is unit

    def clip(w):
        return ops.clip(w, -1.0, 1.0)

    assert constraints.get(clip) is clip
    assert constraints.get({"class_name": "MaxNorm", "config": {"max_value": 4}}).max_value == 4
    assert constraints.max_norm is constraints.MaxNorm
    with pytest.raises(ValueError, match="Unknown constraint: 'maxnorm'") as info:
        constraints.get("maxnorm")
    assert "'max_norm'" in str(info.value)
    with pytest.raises(ValueError, match="could not interpret"):
        constraints.get(2)


def test_argument_validation():
    with pytest.raises(ValueError, match="MaxNorm: `max_value` must be a non-negative"):
        constraints.MaxNorm(-1)
    with pytest.raises(ValueError, match="MaxNorm: `axis` must be an int"):
        constraints.MaxNorm(axis="rows")
    with pytest.raises(ValueError, match="`min_value` must not exceed `max_value`"):
        constraints.MinMaxNorm(min_value=2.0, max_value=1.0)
    with pytest.raises(ValueError, match="`rate` must be a non-negative"):
        constraints.MinMaxNorm(rate=-0.5)
    with pytest.raises(ValueError, match="UnitNorm: `axis`"):
        constraints.UnitNorm(axis=[0.5])
