"""StatelessScope: variables read mapped values and record assignments without mutating."""

import numpy as np
import pytest

from lamina import backend

Variable = backend.Variable


def values(x):
    return np.asarray(x).tolist()


def test_reads_the_mapped_value_and_records_assignments():
    v = Variable(np.zeros(2, "float32"), name="v")
    with backend.StatelessScope([(v, np.array([5.0, 6.0]))]) as scope:
        assert values(v.value) == [5.0, 6.0]
        # the mapped value is a tensor of the variable's dtype, whatever array-like was given
        assert backend.standardize_dtype(v.value.dtype) == "float32"
        v.assign_add([1.0, 1.0])
        assert values(v.value) == [6.0, 7.0]  # later reads see the recorded assignment
        assert values(scope.get_current_value(v)) == [6.0, 7.0]
        assert values(scope.updated_value(v)) == [6.0, 7.0]
    assert values(v.value) == [0.0, 0.0]  # nothing was applied to the variable itself
    assert backend.get_stateless_scope() is None and not backend.in_stateless_scope()


def test_unmapped_variables_read_their_own_value_until_assigned():
    v, w = Variable(np.zeros(2, "float32")), Variable(np.ones(2, "float32"))
    with backend.StatelessScope([(v, np.full(2, 3.0))]) as scope:
        assert values(w.value) == [1.0, 1.0]
        assert scope.get_current_value(w) is None and scope.updated_value(v) is None
        w.assign([4.0, 4.0])
        assert values(w.value) == [4.0, 4.0]
    assert values(w.value) == [1.0, 1.0]


def test_an_empty_scope_captures_assignments():
    v = Variable(np.zeros(2, "float32"))
    with backend.StatelessScope() as scope:
        v.assign([1.0, 2.0])
    assert values(scope.get_current_value(v)) == [1.0, 2.0]
    assert values(v.value) == [0.0, 0.0]


def test_nested_scopes_use_the_innermost_one():
    v = Variable(np.zeros(2, "float32"))
    with backend.StatelessScope([(v, np.full(2, 1.0))]) as outer:
        with backend.StatelessScope([(v, np.full(2, 2.0))]) as inner:
            assert backend.get_stateless_scope() is inner
            assert values(v.value) == [2.0, 2.0]
            v.assign([9.0, 9.0])
        assert backend.get_stateless_scope() is outer
        # the inner assignment stayed in the inner scope
        assert values(v.value) == [1.0, 1.0]
        assert values(inner.get_current_value(v)) == [9.0, 9.0]
    assert values(v.value) == [0.0, 0.0]


def test_scope_is_popped_when_the_body_raises():
    v = Variable(np.zeros(2, "float32"))
    with pytest.raises(RuntimeError), backend.StatelessScope([(v, np.ones(2))]):
        raise RuntimeError("boom")
    assert not backend.in_stateless_scope()


def test_scope_works_under_jit():
    v = Variable(np.zeros(2, "float32"))

    def step(value):
        with backend.StatelessScope([(v, value)]) as scope:
            v.assign(v.value * 2.0 + 1.0)
        return scope.get_current_value(v)

    out = backend.transforms.jit(step)(np.array([1.0, 2.0], "float32"))
    assert values(out) == [3.0, 5.0] and values(v.value) == [0.0, 0.0]


def test_mapping_errors():
    v = Variable(np.zeros((2, 3)), name="kernel")
    with pytest.raises(ValueError, match=r"variable 'kernel' has shape \(3, 2\), expected the "
                                         r"variable's shape \(2, 3\)"):
        backend.StatelessScope([(v, np.zeros((3, 2)))])
    with pytest.raises(TypeError, match="must be a Variable"):
        backend.StatelessScope([("kernel", np.zeros((2, 3)))])


def test_collect_losses_flag():
    scope = backend.StatelessScope(collect_losses=True)
    assert scope.collect_losses is True and scope.losses == []
