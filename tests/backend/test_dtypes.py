"""Dtype names and the promotion lattice (lamina/backend/common/dtypes.py).

Expected results are Keras 3's promotion table (bool < ints < floats, weak Python scalars); the
one deliberate difference is that 64-bit results stay 64-bit names, where Keras on JAX without
x64 reports them as 32-bit.
"""

import ml_dtypes
import numpy as np
import pytest

from lamina import backend
from lamina.backend.common import dtypes


@pytest.mark.parametrize("args,expected", [
    # bool < integers < floats
    (("bool", "int8"), "int8"), (("bool", "uint8"), "uint8"), (("bool", "float16"), "float16"),
    (("int8", "float32"), "float32"), (("int32", "float16"), "float16"),
    (("int64", "bfloat16"), "bfloat16"), (("uint8", "float16"), "float16"),
    # integers among themselves: the smallest type that holds both
    (("uint8", "int8"), "int16"), (("uint16", "int16"), "int32"), (("int8", "int16"), "int16"),
    (("uint8", "uint16"), "uint16"), (("int8", "uint16"), "int32"), (("int32", "int64"), "int64"),
    # floats among themselves
    (("float16", "bfloat16"), "float32"), (("float16", "float32"), "float32"),
    (("bfloat16", "float32"), "float32"), (("float32", "float64"), "float64"),
    # same type, single argument, none
    (("int16", "int16"), "int16"), (("float16",), "float16"), ((), "float32"),
    # several arguments fold pairwise
    (("bool", "uint8", "int8"), "int16"), (("int8", "float16", "bfloat16"), "float32"),
])
def test_result_type_lattice(args, expected):
    assert dtypes.result_type(*args) == expected
    assert dtypes.result_type(*reversed(args)) == expected


@pytest.mark.parametrize("args,expected", [
    (("int8", 1), "int8"), (("uint8", 300), "uint8"), (("int32", 1.0), "float32"),
    (("int8", 1.0), "float32"), (("float16", 1.0), "float16"), (("bfloat16", 2), "bfloat16"),
    (("bool", 1), "int32"), (("bool", 1.5), "float32"), (("bool", True), "bool"),
    (("int16", True), "int16"), ((1, 2.0), "float32"), ((1,), "int32"), ((1.0,), "float32"),
    ((True,), "bool"), ((1, True), "int32"),
    # the Python types themselves are weak too, as in Keras
    (("int8", int), "int8"), (("float16", float), "float16"), (("int32", float), "float32"),
    ((int,), "int32"), ((float,), "float32"), (("bool", int), "int32"),
])
def test_python_scalars_are_weak(args, expected):
    assert dtypes.result_type(*args) == expected


def test_weak_float_follows_floatx():
    previous = backend.floatx()
    backend.set_floatx("float16")
    try:
        assert dtypes.result_type("int32", 1.0) == "float16"
        assert dtypes.result_type(1.0) == "float16"
        assert dtypes.result_type("float32", 1.0) == "float32"
    finally:
        backend.set_floatx(previous)


@pytest.mark.parametrize("dtype,expected", [
    ("float32", "float32"), ("Float16", "float16"), ("bfloat16", "bfloat16"),
    ("int", "int32"), ("float", "float32"), ("double", "float64"), ("half", "float16"),
    ("bool_", "bool"), ("boolean", "bool"), (None, "float32"),
    (np.float32, "float32"), (np.dtype("int16"), "int16"), (np.dtype("uint8"), "uint8"),
    (np.bool_, "bool"), (ml_dtypes.bfloat16, "bfloat16"),
    (int, "int32"), (float, "float32"), (bool, "bool"), (str, "string"),
    (np.zeros(2, "int8"), "int8"), ("complex64", "complex64"),
])
def test_standardize_dtype(dtype, expected):
    assert dtypes.standardize_dtype(dtype) == expected
    assert backend.standardize_dtype(dtype) == expected


def test_standardize_dtype_reads_tensor_dtypes():
    assert dtypes.standardize_dtype(backend.convert_to_tensor([1.0]).dtype) == "float32"
    assert dtypes.standardize_dtype(backend.convert_to_tensor([1]).dtype) == "int32"


@pytest.mark.parametrize("name", ["floaty", "int4", "float128", "tensor"])
def test_standardize_dtype_rejects_unknown_names_listing_the_known_ones(name):
    with pytest.raises(ValueError, match=f"Unknown dtype '{name}'") as info:
        dtypes.standardize_dtype(name)
    assert "float32" in str(info.value) and "int8" in str(info.value)


def test_is_float_is_int_and_numpy_dtype():
    assert dtypes.is_float("bfloat16") and not dtypes.is_float("int32")
    assert dtypes.is_int("uint8") and not dtypes.is_int("bool")
    assert dtypes.to_numpy_dtype("bfloat16") == np.dtype(ml_dtypes.bfloat16)
    assert dtypes.to_numpy_dtype(None) == np.dtype("float32")
    assert dtypes.to_numpy_dtype("int16") == np.dtype("int16")
