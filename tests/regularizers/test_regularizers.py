import json

import numpy as np
import pytest

from lamina import backend, ops, regularizers
from tests.helpers import gradcheck

A = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 3.0], [2.0, 0.1, 0.3], [0.0, 1.0, 1.0]],
             dtype=np.float32)


def _orthogonal_reference(x, factor, mode):
    """Mean |cosine| over distinct pairs of rows (or columns), times factor."""
    x = np.asarray(x, dtype=np.float64)
    vectors = x if mode == "rows" else x.T
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = unit @ unit.T
    n = len(vectors)
    pairs = [abs(cosines[i, j]) for i in range(n) for j in range(i + 1, n)]
    return factor * np.mean(pairs)


def test_l1_l2_and_l1l2_match_numpy():
    np.testing.assert_allclose(regularizers.L1(0.3)(A), 0.3 * np.abs(A).sum(), rtol=1e-6)
    np.testing.assert_allclose(regularizers.L2(0.2)(A), 0.2 * np.square(A).sum(), rtol=1e-6)
    np.testing.assert_allclose(regularizers.L1L2(0.1, 0.2)(A),
                               0.1 * np.abs(A).sum() + 0.2 * np.square(A).sum(), rtol=1e-6)
    np.testing.assert_allclose(regularizers.L1()(A), 0.01 * np.abs(A).sum(), rtol=1e-6)
    np.testing.assert_allclose(regularizers.L2()(A), 0.01 * np.square(A).sum(), rtol=1e-6)
    assert float(regularizers.L1L2()(A)) == 0.0


def test_penalties_are_scalar_tensors_in_the_weight_dtype():
    for regularizer in (regularizers.L1(), regularizers.L2(), regularizers.L1L2(0.1, 0.1),
                        regularizers.L1L2(), regularizers.OrthogonalRegularizer()):
        penalty = regularizer(A)
        assert tuple(penalty.shape) == ()
        assert backend.standardize_dtype(penalty.dtype) == "float32"
        half = regularizer(ops.cast(A, "float16"))
        assert backend.standardize_dtype(half.dtype) == "float16", regularizer


def test_regularizers_read_variables_and_integer_inputs():
    variable = backend.Variable(A)
    np.testing.assert_allclose(regularizers.L2(0.5)(variable), 0.5 * np.square(A).sum(), rtol=1e-6)
    ints = np.array([[1, -2], [3, 0]], dtype="int32")
    np.testing.assert_allclose(regularizers.L1(1.0)(ints), 6.0)


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer_matches_mean_absolute_cosine(mode):
    result = regularizers.OrthogonalRegularizer(factor=0.1, mode=mode)(A)
    np.testing.assert_allclose(result, _orthogonal_reference(A, 0.1, mode), rtol=1e-5)


def test_orthogonal_regularizer_matches_keras_values():
    # keras.regularizers.OrthogonalRegularizer(0.1, mode)(A) in Keras 3.15.
    np.testing.assert_allclose(regularizers.OrthogonalRegularizer(0.1)(A), 0.035077445, rtol=1e-6)
    np.testing.assert_allclose(regularizers.OrthogonalRegularizer(0.1, "columns")(A), 0.031102866,
                               rtol=1e-6)


def test_orthogonal_regularizer_is_zero_for_orthogonal_rows_and_keeps_zero_rows_finite():
    q = np.array([[0.6, 0.8, 0.0], [-0.8, 0.6, 0.0], [0.0, 0.0, 2.0]], dtype=np.float32)
    np.testing.assert_allclose(regularizers.OrthogonalRegularizer(1.0)(q), 0.0, atol=1e-7)
    with_zero_row = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    # Pairs: (r0, r1) 0, (r0, r2) cos 45 degrees, (r1, r2) 0.
    np.testing.assert_allclose(regularizers.OrthogonalRegularizer(1.0)(with_zero_row),
                               np.sqrt(0.5) / 3, rtol=1e-6)


def test_orthogonal_regularizer_shape_errors():
    with pytest.raises(ValueError, match=r"2-D.*\(2, 2, 2\)"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match=r"at least 2 rows.*\(1, 4\)"):
        regularizers.OrthogonalRegularizer()(np.ones((1, 4)))
    with pytest.raises(ValueError, match="`mode` must be 'rows' or 'columns'"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize("regularizer", [
    regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.2),
    regularizers.OrthogonalRegularizer(0.5), regularizers.OrthogonalRegularizer(0.5, "columns")],
    ids=lambda r: repr(r))
def test_regularizer_gradients_match_finite_differences(regularizer):
    # Shifted so that no entry sits at 0, where abs (L1) has a kink.
    x = A.astype(np.float64) + 0.05
    # Compiled once: eagerly, each of the many small ops would compile on its own.
    gradcheck.check_grads(backend.transforms.jit(regularizer), [x], rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("regularizer", [
    regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.2),
    regularizers.OrthogonalRegularizer(0.5, "columns")], ids=lambda r: type(r).__name__)
def test_config_round_trip(regularizer):
    config = json.loads(json.dumps(regularizers.serialize(regularizer)))
    restored = regularizers.deserialize(config)
    assert type(restored) is type(regularizer)
    assert restored.get_config() == regularizer.get_config()
    np.testing.assert_allclose(restored(A), regularizer(A))


def test_configs_have_keras_keys_and_defaults():
    assert regularizers.L1().get_config() == {"l1": 0.01}
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.L1L2(l1=None, l2=0.5).get_config() == {"l1": 0.0, "l2": 0.5}
    assert regularizers.OrthogonalRegularizer().get_config() == {"factor": 0.01, "mode": "rows"}


@pytest.mark.parametrize(("name", "cls"), [
    ("l1", regularizers.L1), ("l2", regularizers.L2), ("l1_l2", regularizers.L1L2),
    ("l1l2", regularizers.L1L2), ("L1L2", regularizers.L1L2),
    ("orthogonal_regularizer", regularizers.OrthogonalRegularizer),
    ("OrthogonalRegularizer", regularizers.OrthogonalRegularizer)])
def test_get_by_name(name, cls):
    assert type(regularizers.get(name)) is cls


def test_get_accepts_none_classes_instances_callables_and_dicts():
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)
    l1 = regularizers.L1(0.2)
    assert regularizers.get(l1) is l1

    def total(x):
        return ops.sum(x)

    assert regularizers.get(total) is total
    assert regularizers.get({"class_name": "L2", "config": {"l2": 0.7}}).l2 == 0.7
    assert regularizers.l1_l2 is regularizers.L1L2
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'") as info:
        regularizers.get("l3")
    assert "'l1_l2'" in str(info.value)
    with pytest.raises(ValueError, match="could not interpret"):
        regularizers.get(0.1)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", True])
def test_factor_validation(bad):
    with pytest.raises(ValueError, match="non-negative float"):
        regularizers.L1(bad)
    with pytest.raises(ValueError, match="`l2` must be"):
        regularizers.L1L2(l2=bad)
    with pytest.raises(ValueError, match="`factor` must be"):
        regularizers.OrthogonalRegularizer(factor=bad)


def test_base_regularizer_and_custom_subclass_config():
    assert regularizers.Regularizer()(A) == 0.0
    assert regularizers.Regularizer.from_config(regularizers.Regularizer().get_config())

    class Scaled(regularizers.Regularizer):
        def __init__(self, scale):
            self.scale = scale

        def __call__(self, x):
            return ops.multiply(ops.sum(x), self.scale)

    with pytest.raises(NotImplementedError, match="Scaled takes constructor arguments"):
        Scaled(2.0).get_config()


def test_orthogonal_regularizer_half_precision_zero_row_stays_finite():
    x = ops.cast(np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]), "float16")
    penalty = regularizers.OrthogonalRegularizer(1.0)(x)
    assert backend.standardize_dtype(penalty.dtype) == "float16"
    np.testing.assert_allclose(np.float32(penalty), np.sqrt(0.5) / 3, rtol=1e-3)
