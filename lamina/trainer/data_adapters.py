"""In-memory data for fit/evaluate/predict: validation, conversion, splitting, class weights.

Arrays are checked once on the host (sample counts agree, numeric, finite), converted to the
model's dtypes and moved to the device once; batches are then gathered inside compiled code.
"""

import numpy as np

from lamina import backend
from lamina.utils import tree


def _is_array_like(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


def to_numpy_structure(x, name):
    """NumPy arrays in the structure of `x`, with clear errors for what cannot be used."""
    if x is None:
        return None
    if isinstance(x, (list, tuple)) and x and all(
            isinstance(v, (int, float, bool, list, tuple)) for v in x) and not any(
            _is_array_like(v) for v in x):
        x = np.asarray(x)  # a plain nested Python list of numbers is one array
    if hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(
            x, (list, tuple, dict)) and not _is_array_like(x)):
        raise TypeError(f"`{name}` is a {type(x).__name__}. This version of lamina trains on "
                        "in-memory arrays: pass NumPy arrays or tensors (or a list/dict of them).")

    def convert(a):
        if isinstance(a, backend.Variable):
            a = a.value
        try:
            arr = np.asarray(a)
        except Exception as e:
            raise TypeError(f"`{name}` could not be converted to a numeric array: {e}") from e
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(f"`{name}` must be numeric; received an array of dtype "
                            f"{arr.dtype} with shape {arr.shape}. Convert strings and mixed "
                            "types to numbers first (e.g. with a StringLookup or np.astype).")
        if arr.ndim == 0:
            raise ValueError(f"`{name}` must have a batch axis; received a scalar {arr!r}.")
        return arr

    return tree.map_structure(convert, x)


def num_samples(*structures, names=("x", "y", "sample_weight")):
    """The common number of samples; a ValueError naming the mismatch otherwise."""
    counts = []
    for name, struct in zip(names, structures):
        if struct is None:
            continue
        for leaf in tree.flatten(struct):
            counts.append((name, leaf.shape[0], tuple(leaf.shape)))
    if not counts:
        raise ValueError("No data: pass `x` (and `y` for training).")
    first = counts[0]
    for name, n, shape in counts[1:]:
        if n != first[1]:
            raise ValueError(
                f"Data cardinality is ambiguous: `{first[0]}` has {first[1]} samples (shape "
                f"{first[2]}) but `{name}` has {n} samples (shape {shape}). All arrays must "
                "have the same number of samples along the first axis.")
    return first[1]


def check_finite(struct, name):
    for leaf in tree.flatten(struct):
        if leaf.dtype.kind == "f" and leaf.size and not np.isfinite(leaf).all():
            bad = np.argwhere(~np.isfinite(leaf))[0]
            value = leaf[tuple(bad)]
            raise ValueError(f"`{name}` contains {value} at index {tuple(int(i) for i in bad)}. "
                             "Training on NaN or infinite values gives NaN weights; clean or "
                             "impute the data first (e.g. np.nan_to_num).")


def standardize_dtypes(struct):
    """float64 becomes floatx and int64 int32, as the model computes in those."""
    floatx = backend.floatx()

    def fix(a):
        if a.dtype == np.float64 and floatx != "float64":
            return a.astype(floatx)
        if a.dtype == np.int64 and not backend.supports("float64"):
            return a.astype(np.int32)
        return a
    return tree.map_structure(fix, struct)


def split_validation(arrays, validation_split):
    """Keras semantics: the last `validation_split` fraction (before shuffling) validates."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"`validation_split` must be in (0, 1). Received: {validation_split!r}")
    n = num_samples(*arrays)
    n_train = int(n * (1.0 - validation_split))
    if n_train == 0 or n_train == n:
        raise ValueError(f"validation_split={validation_split} of {n} samples leaves an empty "
                         "training or validation set. Use more data or another split.")

    def take(lo, hi):
        return tuple(None if s is None else tree.map_structure(lambda a: a[lo:hi], s)
                     for s in arrays)
    return take(0, n_train), take(n_train, n)


def class_weight_to_sample_weight(y, class_weight, sample_weight):
    if not isinstance(class_weight, dict):
        raise TypeError(f"`class_weight` must be a dict mapping class index to weight. "
                         f"Received: {class_weight!r}")
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for models with a single output; use "
                         "`sample_weight` for several outputs.")
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else \
        np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(np.int64)
    weights = np.ones(labels.shape[0], dtype=backend.floatx())
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, dtype=weights.dtype).reshape(weights.shape)
    return weights


def unpack_validation_data(validation_data):
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError("`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                         f"val_sample_weight). Received: {type(validation_data).__name__}")
    x, y = validation_data[0], validation_data[1]
    sw = validation_data[2] if len(validation_data) == 3 else None
    return x, y, sw


def to_device(struct):
    if struct is None:
        return None
    return tree.map_structure(backend.convert_to_tensor, struct)


def batch_slice(struct, start, stop):
    if struct is None:
        return None
    return tree.map_structure(lambda a: a[start:stop], struct)


__all__ = ["batch_slice", "check_finite", "class_weight_to_sample_weight", "num_samples",
           "split_validation", "standardize_dtypes", "to_device", "to_numpy_structure",
           "unpack_validation_data"]
