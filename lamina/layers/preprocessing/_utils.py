"""Helpers shared by the preprocessing layers: argument checks, categorical encoding, host data.

Preprocessing layers come in two kinds. Numeric ones (Normalization, CategoryEncoding, the image
layers) are pure `lamina.ops` code and run inside compiled steps. String ones (StringLookup,
TextVectorization, Hashing of strings) run on the host with NumPy object arrays, because JAX
arrays hold no strings: apply them to the data before training (`x = layer(texts)`), as Keras
recommends for its data pipelines.
"""

import numbers

import numpy as np

from lamina import backend, ops
from lamina.layers.layer import Layer, _current_context
from lamina.ops.symbolic import KerasTensor

ENCODE_MODES = ("int", "one_hot", "multi_hot", "count")


def is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_choice(owner, arg, value, choices):
    if value not in choices:
        raise ValueError(f"{owner}: unknown {arg} {value!r}. Known values: {list(choices)}.")
    return value


def index_dtype(dtype="int64"):
    """`dtype`, except that int64 becomes int32 where the backend stores int64 as int32 (JAX
    without x64), so outputs carry the dtype they really have."""
    if dtype == "int64" and backend.convert_to_tensor(np.zeros((), "int64")).dtype != np.int64:
        return "int32"
    return dtype


def encode_categorical(indices, output_mode, depth, dtype, count_weights=None):
    """Integer `indices` encoded as Keras does: "int" casts; "one_hot" adds an axis of size
    `depth` (replacing a trailing axis of size 1); "multi_hot" and "count" reduce the last axis
    into `depth` bins. Indices outside `[0, depth)` set no bin."""
    if output_mode == "int":
        return ops.cast(indices, dtype)
    if len(indices.shape) == 0:
        indices = ops.expand_dims(indices, -1)
    if output_mode == "one_hot":
        if len(indices.shape) > 1 and indices.shape[-1] == 1:
            indices = ops.squeeze(indices, -1)
        return ops.one_hot(indices, depth, dtype=dtype)
    encoded = ops.one_hot(indices, depth, dtype=dtype if count_weights is None else
                          count_weights.dtype)
    if output_mode == "multi_hot":
        return ops.max(encoded, axis=-2)
    if count_weights is not None:
        encoded = ops.multiply(encoded, ops.expand_dims(count_weights, -1))
    return ops.sum(encoded, axis=-2)


def encoded_shape(input_shape, output_mode, depth):
    """The shape `encode_categorical` gives for inputs of `input_shape`."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return (*input_shape[:-1], depth)
        return (*input_shape, depth)
    return (*input_shape[:-1], depth)


def is_string_array(x):
    """Whether `x` holds text: a str, bytes, or a (nested) list / NumPy array of them."""
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "OUS"
    if isinstance(x, (list, tuple)):
        flat = np.asarray(x, dtype=object).ravel()
        return flat.size > 0 and isinstance(flat[0], (str, bytes))
    return False


def to_string_array(x, owner, encoding="utf-8"):
    """`x` as a NumPy object array of Python `str` (bytes are decoded with `encoding`)."""
    if isinstance(x, KerasTensor):
        raise TypeError(f"{owner}: received a symbolic tensor where host strings were needed.")
    array = np.asarray(x, dtype=object)
    flat = [v.decode(encoding) if isinstance(v, bytes) else v for v in array.ravel()]
    if not all(isinstance(v, str) for v in flat):
        bad = next(v for v in flat if not isinstance(v, str))
        raise TypeError(f"{owner}: expected strings, received an element {bad!r} of type "
                        f"{type(bad).__name__}. Pass a list or NumPy array of str.")
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(array.shape)


def host_array(x):
    """`x` as a NumPy array; string data stays an object array."""
    if isinstance(x, backend.Variable):
        x = x.value
    if is_string_array(x):
        return to_string_array(x, "preprocessing")
    return np.asarray(backend.convert_to_numpy(x) if backend.is_tensor(x) else x)


def batches(data):
    """The batches of `adapt` data: one array, or each element of a list of arrays, generator or
    other iterable (a `(x, y)` pair contributes its `x`)."""
    if isinstance(data, (np.ndarray, str, bytes)) or backend.is_tensor(data) or \
            isinstance(data, backend.Variable):
        return [host_array(data)]
    if isinstance(data, (list, tuple)) and (not data or not hasattr(data[0], "shape")):
        return [host_array(data)]  # a plain (nested) list of values is one batch
    if not hasattr(data, "__iter__"):
        raise TypeError("adapt: `data` must be an array, a tensor, or an iterable of batches. "
                        f"Received an object of type {type(data).__name__}.")
    out = []
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        out.append(host_array(batch))
    if not out:
        raise ValueError("adapt: `data` yielded no batches. Pass at least one batch, e.g. "
                         "layer.adapt(x) or layer.adapt([batch1, batch2]).")
    return out


def concrete_values(x):
    """`x` as NumPy when its values are known now, else None (inside a traced function)."""
    if backend.core.is_tracing():
        return None
    try:
        return backend.convert_to_numpy(x)
    except TypeError:
        return None


class HostLayer(Layer):
    """A layer that runs on the host: its inputs reach `call` as NumPy arrays (text as object
    arrays of str), and it cannot run inside a compiled step, where values are not known."""

    def _convert_inputs(self, inputs):
        return self._to_host(inputs)

    def _to_host(self, x):
        owner = f"{type(self).__name__} '{self.name}'"
        if backend.core.is_tracing():
            raise RuntimeError(
                f"{owner} runs on the host (NumPy, with strings), so it cannot run inside a "
                "compiled step such as fit() or predict(). Apply it to the data first, e.g. "
                "`x = layer(texts)`, and train the model on the result.")
        if is_string_array(x):
            return to_string_array(x, owner)
        try:
            return host_array(x)
        except TypeError:  # a tracer from a transformation that stages nothing else
            raise RuntimeError(f"{owner} runs on the host and cannot be transformed (vmap, "
                               "grad). Apply it to the data first.") from None


class RandomLayer(Layer):
    """Base of augmentation layers: like Keras, a direct call outside `fit`/`predict` trains
    (`training` defaults to True in `call`); `predict` and `training=False` give the input."""

    def _resolve_training(self, kwargs):
        if kwargs.get("training") is None:
            context = _current_context()
            if context is None or context.training is None:
                kwargs["training"] = True
                return kwargs
        return super()._resolve_training(kwargs)
