"""Every data source fit/evaluate/predict accept, and what turns it into arrays.

In-memory data (NumPy arrays, tensors, lists and dicts of them, pandas DataFrames and Series) is
checked once on the host (sample counts agree, numeric, finite), converted to the model's dtypes
and moved to the device once; batches are then gathered inside compiled code.

Streamed data (Python generators and iterables, `lamina.utils.PyDataset`, a torch `DataLoader`, a
`tf.data.Dataset`, a grain dataset) is wrapped in an adapter: a small object with a `name` for
error messages, `num_batches` (None when unknown), `reiterable` (whether a second pass yields
the data again) and `iterate()`, a fresh iterator of raw batches. `standardize_batch` turns a raw
batch into NumPy `(x, y, sample_weight)`.
"""

import itertools
import operator
import types

import numpy as np

from lamina import backend
from lamina.utils import tree
from lamina.utils.dataset_utils import pack_x_y_sample_weight, unpack_x_y_sample_weight


def _is_array_like(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


def _is_pandas(x):
    return type(x).__module__.split(".")[0] == "pandas" and hasattr(x, "to_numpy")


def to_numpy_structure(x, name):
    """NumPy arrays in the structure of `x`, with clear errors for what cannot be used."""
    if x is None:
        return None
    if _is_pandas(x):
        x = x.to_numpy()  # a DataFrame is one 2D array (columns in order), a Series a 1D one
    elif isinstance(x, dict):
        x = {k: v.to_numpy() if _is_pandas(v) else v for k, v in x.items()}
    elif isinstance(x, (list, tuple)) and any(_is_pandas(v) for v in x):
        x = type(x)(v.to_numpy() if _is_pandas(v) else v for v in x)
    if isinstance(x, (list, tuple)) and x and all(
            isinstance(v, (int, float, bool, list, tuple)) for v in x) and not any(
            _is_array_like(v) for v in x):
        x = np.asarray(x)  # a plain nested Python list of numbers is one array
    if hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(
            x, (list, tuple, dict)) and not _is_array_like(x)):
        raise TypeError(f"`{name}` is a {type(x).__name__}, which is not array data here. "
                        "Pass NumPy arrays or tensors (or a list/dict of them) as in-memory "
                        "arrays, or pass a generator or PyDataset as `x` alone (with `y` and "
                        "`sample_weight` inside its batches).")

    def convert(a):
        if isinstance(a, backend.Variable):
            a = a.value
        elif hasattr(a, "detach") and hasattr(a, "cpu") and hasattr(a, "numpy"):
            a = a.detach().cpu().numpy()  # a torch tensor (from a DataLoader)
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
                         "val_sample_weight) of arrays, or a generator, PyDataset or DataLoader "
                         f"yielding such tuples. Received: {type(validation_data).__name__}")
    x, y = validation_data[0], validation_data[1]
    sw = validation_data[2] if len(validation_data) == 3 else None
    return x, y, sw


def to_device(struct):
    """Arrays for the compiled loops, which gather batches by row (`backend.core.take_rows`).

    On one CPU, large NumPy arrays are read in place rather than copied.
    """
    if struct is None:
        return None
    from lamina.distribution import distribution_lib  # the trainer's, above this module
    if distribution_lib.distribution() is not None:
        # Whole arrays on every device; compiled code lays each gathered batch out.
        return distribution_lib.replicate(tree.map_structure(backend.convert_to_tensor, struct))
    return tree.map_structure(backend.core.rows_to_device, struct)


def batch_slice(struct, start, stop):
    if struct is None:
        return None
    return tree.map_structure(lambda a: a[start:stop], struct)


# -- single batches ---------------------------------------------------------------------------------
def standardize_batch(raw, source, index, class_weight=None):
    """One raw batch from `source` as NumPy `(x, y, sample_weight)` in the model's dtypes.

    Errors name the source and the batch index.
    """
    where = f"batch {index} from {source}"
    try:
        x, y, sample_weight = unpack_x_y_sample_weight(raw)
        x = standardize_dtypes(to_numpy_structure(x, "x"))
        y = standardize_dtypes(to_numpy_structure(y, "y")) if y is not None else None
        sample_weight = to_numpy_structure(sample_weight, "sample_weight")
        if sample_weight is not None:
            sample_weight = tree.map_structure(
                lambda a: a.astype(backend.floatx()), sample_weight)
        num_samples(x, y, sample_weight)
        if class_weight is not None:
            if y is None:
                raise ValueError("`class_weight` needs targets, but the batch holds only `x`.")
            if sample_weight is not None:
                raise ValueError("pass `class_weight` or sample weights in the batches, not both.")
            sample_weight = class_weight_to_sample_weight(y, class_weight, None)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{where}: {e}") from e
    return x, y, sample_weight


# -- streamed sources -------------------------------------------------------------------------------
def _module_root(x):
    return type(x).__module__.split(".")[0]


def _is_infinite_iterator(x):
    if isinstance(x, (itertools.count, itertools.cycle)):
        return True
    return isinstance(x, itertools.repeat) and operator.length_hint(x, -1) == -1


class _Adapter:
    """A streamed source: `iterate()` gives a fresh iterator of raw batches (or, when not
    `reiterable`, the same one again)."""

    reiterable = True
    num_batches = None
    infinite = False

    def __init__(self, source, role="x"):
        self.source = source
        self.name = f"the {type(source).__name__} passed as `{role}`"

    def iterate(self):
        return iter(self.source)

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def close(self):
        pass


class GeneratorAdapter(_Adapter):
    """A Python generator or iterator: one pass over its data, ever."""

    reiterable = False

    def __init__(self, source, role="x"):
        super().__init__(source, role)
        self.infinite = _is_infinite_iterator(source)

    def iterate(self):
        return self.source


class IterableAdapter(_Adapter):
    """An iterable that starts over on each `iter()` (a custom class, a torch DataLoader, a
    grain dataset); `len()` when it has one is the number of batches per epoch."""

    def __init__(self, source, role="x"):
        super().__init__(source, role)
        try:
            self.num_batches = len(source)
        except TypeError:
            self.num_batches = None  # an IterableDataset or other stream of unknown length


class TFDatasetAdapter(_Adapter):
    """A `tf.data.Dataset`, read as NumPy through `as_numpy_iterator()`."""

    def __init__(self, source, role="x"):
        super().__init__(source, role)
        cardinality = int(source.cardinality())
        self.infinite = cardinality == -1  # tf.data.INFINITE_CARDINALITY
        self.num_batches = cardinality if cardinality >= 0 else None

    def iterate(self):
        return self.source.as_numpy_iterator()


class PyDatasetAdapter(_Adapter):
    """A `lamina.utils.PyDataset`: batches by index, prefetched by its workers, in order."""

    def __init__(self, source, role="x", shuffle=False):
        super().__init__(source, role)
        self.num_batches = source.num_batches
        self.infinite = self.num_batches is None
        self.shuffle = shuffle
        self._rng = None

    def iterate(self):
        from lamina.utils.py_dataset import iterate_batches
        if self.num_batches is None:
            indices = itertools.count()
        else:
            indices = np.arange(self.num_batches)
            if self.shuffle:
                if self._rng is None:
                    from lamina.random.seed_generator import numpy_rng
                    self._rng = numpy_rng()
                indices = self._rng.permutation(self.num_batches)
        return iterate_batches(self.source, (int(i) for i in indices))

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def is_stream(x):
    """Whether `x` is a streamed source (generator, PyDataset, DataLoader, ...), not arrays."""
    if x is None or isinstance(x, (list, tuple, dict, str, bytes, range, np.ndarray)):
        return False
    if _is_array_like(x) or _is_pandas(x) or isinstance(x, backend.Variable):
        return False
    from lamina.utils.py_dataset import PyDataset
    return isinstance(x, PyDataset) or hasattr(x, "__iter__") or hasattr(x, "__next__")


def get_adapter(x, role="x", shuffle=False):
    """The adapter for a streamed source `x` (see `is_stream`); `role` names the argument."""
    from lamina.utils.py_dataset import PyDataset
    if isinstance(x, PyDataset):
        return PyDatasetAdapter(x, role, shuffle=shuffle)
    if _module_root(x) == "tensorflow" and hasattr(x, "as_numpy_iterator"):
        return TFDatasetAdapter(x, role)
    if isinstance(x, types.GeneratorType) or hasattr(x, "__next__"):
        return GeneratorAdapter(x, role)
    if hasattr(x, "__iter__"):
        return IterableAdapter(x, role)  # torch DataLoader, grain datasets, custom iterables
    raise TypeError(f"Unsupported data source {type(x).__name__}: pass NumPy arrays, a "
                    "generator, a lamina.utils.PyDataset or a torch DataLoader.")


__all__ = ["batch_slice", "check_finite", "class_weight_to_sample_weight", "get_adapter",
           "is_stream", "num_samples", "pack_x_y_sample_weight", "split_validation",
           "standardize_batch", "standardize_dtypes", "to_device", "to_numpy_structure",
           "unpack_validation_data", "unpack_x_y_sample_weight"]
