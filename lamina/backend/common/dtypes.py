"""Dtype names and the promotion rules shared by every backend.

Dtypes are handled by name ("float32", "int64", ...). Promotion follows the lattice Keras 3 uses:
bool < integers < floats, integer pairs promote as in NumPy, an integer meeting a float takes the
float, float16 meeting bfloat16 gives float32, and Python scalars are "weak": they adopt the
dtype of the tensor they meet.
"""

import ml_dtypes
import numpy as np

from lamina.backend import config

FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
ALLOWED_DTYPES = ("bool", *INT_TYPES, *FLOAT_TYPES, "complex64", "complex128", "string")

# "int" and `int` mean int32, as in Keras 3 on JAX and torch (TensorFlow is the one exception).
_ALIASES = {"float": None, "int": "int32", "double": "float64", "half": "float16",
            "bool_": "bool", "boolean": "bool"}
_FLOAT_BITS = {"bfloat16": 16, "float16": 16, "float32": 32, "float64": 64}


def standardize_dtype(dtype):
    """Return the canonical dtype name for `dtype` (a name, NumPy dtype, Python type or None).

    `None` and "float" mean `floatx()`.
    """
    if dtype is None:
        return config.floatx()
    if dtype is bool:
        return "bool"
    if dtype is int:
        return "int32"
    if dtype is float:
        return config.floatx()
    if dtype is str:
        return "string"
    if isinstance(dtype, str):
        name = dtype.lower()
        if name in _ALIASES:
            return _ALIASES[name] or config.floatx()
    else:
        name = getattr(dtype, "name", None)
        if name is None:
            name = getattr(getattr(dtype, "dtype", None), "name", None)
        if name is None:
            try:
                name = np.dtype(dtype).name
            except TypeError:
                name = str(dtype)
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Unknown dtype {dtype!r}. Expected one of {list(ALLOWED_DTYPES)}.")
    return name


def is_float(dtype):
    return standardize_dtype(dtype) in FLOAT_TYPES


def is_int(dtype):
    return standardize_dtype(dtype) in INT_TYPES


def to_numpy_dtype(dtype):
    name = standardize_dtype(dtype)
    if name == "bfloat16":
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _promote_pair(a, b):
    if a == b:
        return a
    if a == "bool":
        return b
    if b == "bool":
        return a
    a_float, b_float = a in FLOAT_TYPES, b in FLOAT_TYPES
    if a_float and b_float:
        if {a, b} == {"float16", "bfloat16"}:
            return "float32"
        return a if _FLOAT_BITS[a] >= _FLOAT_BITS[b] else b
    if a_float:
        return a
    if b_float:
        return b
    if a.startswith("complex") or b.startswith("complex"):
        return np.promote_types(a, b).name
    # Two integers: NumPy's rule, except that uint64 with a signed int stays an integer.
    if {a, b} & {"uint64"} and (a.startswith("int") or b.startswith("int")):
        return "int64"
    return np.promote_types(a, b).name


def result_type(*dtypes):
    """Common dtype of the arguments: dtype names, or Python scalars (weak types).

    The Python types `bool`, `int` and `float` count as weak too, as they do in Keras 3.

    >>> result_type("int32", "float32"), result_type("float16", 1.0), result_type(1, 2.0)
    ('float32', 'float16', 'float32')
    """
    strong, weak = [], []
    for d in dtypes:
        if d is bool or d is int or d is float:
            weak.append({bool: "bool", int: "int", float: "float"}[d])
        elif isinstance(d, bool):
            weak.append("bool")
        elif isinstance(d, int):
            weak.append("int")
        elif isinstance(d, float):
            weak.append("float")
        else:
            strong.append(standardize_dtype(d))
    if strong:
        out = strong[0]
        for d in strong[1:]:
            out = _promote_pair(out, d)
        if "float" in weak and out not in FLOAT_TYPES and not out.startswith("complex"):
            out = config.floatx()
        if "int" in weak and out == "bool":
            out = "int32"
        return out
    if "float" in weak:
        return config.floatx()
    if "int" in weak:
        return "int32"
    return "bool" if weak else config.floatx()
