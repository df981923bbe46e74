"""Categorical preprocessing layers: CategoryEncoding, Hashing, HashedCrossing, IntegerLookup,
StringLookup.

CategoryEncoding and IntegerLookup (default `oov_method`) are pure ops code and run inside
compiled steps. Hashing, HashedCrossing and StringLookup work on host values (strings have no
JAX dtype): apply them to the data before `fit`/`predict`, e.g. `x = lookup(texts)`.
"""

import numpy as np

from lamina import backend, ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _hashing, _utils
from lamina.layers.preprocessing._index_lookup import IndexLookup
from lamina.ops.symbolic import KerasTensor

# TensorFlow's default key for hashed feature crosses (SPARSE_CROSS_DEFAULT_HASH_KEY).
_CROSS_HASH_KEY = 0xDECAFCAFFE
_UINT64 = (1 << 64) - 1


class CategoryEncoding(Layer):
    """Encodes integer category ids as one-hot, multi-hot or count vectors of size `num_tokens`.

    Args:
        num_tokens: Number of categories; inputs must lie in `[0, num_tokens)`.
        output_mode: "one_hot" (one vector per input value; a trailing axis of size 1 is
            replaced), "multi_hot" (one vector per sample with a 1 for each id present; the
            last axis is the sample) or "count" (like "multi_hot", counting repeats).
        sparse: Must be False (lamina has no sparse tensors).

    `call(inputs, count_weights=None)`: with output_mode="count", `count_weights` (same shape as
    `inputs`) weights each occurrence.

    >>> layer = lamina.layers.CategoryEncoding(num_tokens=4, output_mode="count")
    >>> layer(np.array([[0, 1, 1], [3, 3, 2]])).tolist()
    [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        _utils.check_choice("CategoryEncoding", "output_mode", output_mode,
                            ("count", "one_hot", "multi_hot"))
        if num_tokens is None:
            raise ValueError("CategoryEncoding: `num_tokens` must be set (the number of "
                             "categories). If it is not known in advance, use IntegerLookup.")
        if not _utils.is_int(num_tokens) or num_tokens < 1:
            raise ValueError("CategoryEncoding: `num_tokens` must be an int >= 1. Received: "
                             f"num_tokens={num_tokens!r}")
        if sparse:
            raise ValueError("CategoryEncoding: `sparse=True` is not supported (lamina has no "
                             "sparse tensors). Leave it False.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False
        self.autocast = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` is only used "
                                 f"with output_mode='count'. Received output_mode="
                                 f"{self.output_mode!r}.")
            count_weights = ops.cast(count_weights, self.compute_dtype)
        values = _utils.concrete_values(inputs)
        if values is not None and values.size and (values.min() < 0 or
                                                   values.max() >= self.num_tokens):
            raise ValueError(f"CategoryEncoding '{self.name}' has num_tokens={self.num_tokens}, "
                             f"so inputs must be in [0, {self.num_tokens - 1}]. Received values "
                             f"in [{values.min()}, {values.max()}]. Increase num_tokens.")
        return _utils.encode_categorical(ops.cast(inputs, "int32"), self.output_mode,
                                         self.num_tokens, self.compute_dtype, count_weights)

    def compute_output_shape(self, input_shape):
        return _utils.encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def compute_output_spec(self, inputs, count_weights=None):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


def _host_result(array, dtype):
    return backend.convert_to_tensor(np.asarray(array), dtype=dtype)


class Hashing(_utils.HostLayer):
    """Hashes strings or integers into `num_bins` bins, the same bins as Keras.

    The bin of a value is FarmHash `Fingerprint64(text) % num_bins`, or SipHash-2-4 keyed by
    `salt`; numbers are hashed as their decimal text (floats are truncated to ints first), as
    in Keras. Runs on the host: apply it to the data before training.

    Args:
        num_bins: Number of bins, including the mask bin when `mask_value` is set.
        mask_value: A value that maps to bin 0; the others then use bins `1 .. num_bins - 1`.
        salt: Int or pair of ints; if given, SipHash-2-4 with this key is used instead.
        output_mode: "int" (bin indices), "one_hot", "multi_hot" or "count".
        sparse: Must be False.

    >>> lamina.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"]]).tolist()
    [[1], [0], [1]]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        super().__init__(**kwargs)
        if not _utils.is_int(num_bins) or num_bins <= 0:
            raise ValueError("Hashing: `num_bins` must be a positive int. Received: "
                             f"num_bins={num_bins!r}")
        _utils.check_choice("Hashing", "output_mode", output_mode, _utils.ENCODE_MODES)
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError("Hashing: with output_mode='int', `dtype` must be 'int32' or "
                             f"'int64'. Received: dtype={self.dtype!r}")
        if sparse:
            raise ValueError("Hashing: `sparse=True` is not supported (lamina has no sparse "
                             "tensors). Leave it False.")
        if salt is not None:
            if _utils.is_int(salt):
                salt = [int(salt), int(salt)]
            elif isinstance(salt, (list, tuple)) and len(salt) == 2 and \
                    all(_utils.is_int(s) for s in salt):
                salt = [int(s) for s in salt]
            else:
                raise ValueError("Hashing: `salt` must be an int or a pair of ints. Received: "
                                 f"salt={salt!r}")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = False

    def _hash(self, value, bins):
        text = _hashing.to_text(value)
        if self.salt is not None:
            return _hashing.siphash24(self.salt, text) % bins
        return _hashing.fingerprint64(text) % bins

    def _bins(self, values):
        bins = self.num_bins
        masked = self.mask_value is not None and bins > 1
        if masked:
            bins -= 1
        cache = {}
        out = np.empty(values.shape, dtype="int64")
        flat = out.reshape(-1)
        for i, value in enumerate(values.reshape(-1).tolist()):
            if masked and value == self.mask_value:
                flat[i] = 0
                continue
            if value not in cache:
                cache[value] = self._hash(value, bins) + (1 if masked else 0)
            flat[i] = cache[value]
        return out

    def call(self, inputs):
        values = np.asarray(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        indices = _host_result(self._bins(values), "int32")
        dtype = _utils.index_dtype(self.dtype) if self.output_mode == "int" else self.dtype
        return _utils.encode_categorical(indices, self.output_mode, self.num_bins, dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if not input_shape:
            return (self.num_bins,)
        return (*input_shape[:-1], self.num_bins)

    def compute_output_spec(self, inputs):
        dtype = _utils.index_dtype(self.dtype) if self.output_mode == "int" else self.dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


class HashedCrossing(_utils.HostLayer):
    """Crosses two or more categorical features and hashes each combination into `num_bins`.

    Gives the bins of Keras (TensorFlow's `sparse.cross_hashed`): strings contribute their
    FarmHash fingerprint, integers their value, combined with FingerprintCat64. Runs on the host.

    Args:
        num_bins: Number of hash bins.
        output_mode: "int" (bin indices) or "one_hot".
        sparse: Must be False.

    Inputs: a tuple of features of equal shape `()`, `(batch,)` or `(batch, 1)`, strings or ints.

    >>> layer = lamina.layers.HashedCrossing(num_bins=5)
    >>> layer((np.array(["A", "B"]), np.array([101, 101]))).tolist()
    [1, 4]
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if not _utils.is_int(num_bins) or num_bins <= 0:
            raise ValueError("HashedCrossing: `num_bins` must be a positive int. Received: "
                             f"num_bins={num_bins!r}")
        _utils.check_choice("HashedCrossing", "output_mode", output_mode, ("int", "one_hot"))
        if sparse:
            raise ValueError("HashedCrossing: `sparse=True` is not supported (lamina has no "
                             "sparse tensors). Leave it False.")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False

    def _convert_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"HashedCrossing '{self.name}' takes a list or tuple of at least "
                             f"two features. Received: {type(inputs).__name__}. Call it as "
                             "layer((feature_a, feature_b)).")
        return [self._to_host(x) for x in inputs]

    def _check(self, features):
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"HashedCrossing '{self.name}': each feature must have shape (), "
                             f"(batch,) or (batch, 1). Received shape {shape}.")
        for f in features:
            if f.shape != shape:
                raise ValueError(f"HashedCrossing '{self.name}': all features must have the "
                                 f"same shape. Received {[x.shape for x in features]}.")
            if not (f.dtype.kind in "iuOUS"):
                raise ValueError(f"HashedCrossing '{self.name}': features must be integers or "
                                 f"strings. Received dtype {f.dtype}; cast floats to int or "
                                 "bucket them with Discretization first.")

    def call(self, inputs):
        features = [np.asarray(x) for x in inputs]
        self._check(features)
        shape = features[0].shape
        columns = [f.reshape(-1).tolist() for f in features]
        out = np.empty(len(columns[0]), dtype="int64")
        for i, row in enumerate(zip(*columns)):
            h = _CROSS_HASH_KEY
            for value in row:
                part = (_hashing.fingerprint64(value) if isinstance(value, (str, bytes))
                        else int(value) & _UINT64)
                h = _hashing.fingerprint_cat64(h, part)
            out[i] = h % self.num_bins
        indices = _host_result(out.reshape(shape), "int32")
        dtype = _utils.index_dtype(self.dtype) if self.output_mode == "int" else self.dtype
        return _utils.encode_categorical(indices, self.output_mode, self.num_bins, dtype)

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        return _utils.encoded_shape(first, "one_hot", self.num_bins)

    def compute_output_spec(self, inputs):
        dtype = _utils.index_dtype(self.dtype) if self.output_mode == "int" else self.dtype
        return KerasTensor(self.compute_output_shape([x.shape for x in inputs]), dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "output_mode": self.output_mode, "sparse": self.sparse}


class StringLookup(IndexLookup):
    """Maps strings to integer indices from a vocabulary (or indices back to strings).

    Index layout: the mask token (if any, in "int" mode) is 0, then `num_oov_indices`
    out-of-vocabulary indices, then the vocabulary in order. Unknown strings go to an OOV index
    (FarmHash of the string when there are several, as in Keras). Runs on the host with NumPy
    object arrays: apply it to the data before training.

    Args:
        max_tokens: Maximum vocabulary size, special tokens included; None for no limit.
        num_oov_indices: Number of OOV indices (0 makes unknown strings an error).
        mask_token: Token that maps to index 0 (masking); None for no mask index.
        oov_token: Token returned for OOV indices when `invert=True`.
        vocabulary: List of strings, or a path to a file with one per line.
        idf_weights: With output_mode="tf_idf", one inverse document frequency per term.
        invert: Map indices back to strings.
        output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        pad_to_max_tokens: With encoded outputs, use depth `max_tokens` instead of the
            vocabulary size.
        sparse: Must be False.
        encoding: Text encoding used to decode bytes inputs.
        salt: Key of the SipHash used for several OOV indices (FarmHash when None).

    >>> layer = lamina.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> layer([["a", "c", "z"]]).tolist()
    [[1, 3, 0]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, **kwargs)

    def _convert_token(self, token):
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        if isinstance(token, np.str_):
            return str(token)
        return token

    def call(self, inputs):
        if self.invert:
            return self._invert_host(np.asarray(inputs).astype("int64"))
        self._check_depth()
        return self._encode(_host_result(self._lookup_host(np.asarray(inputs, dtype=object)),
                                         "int32"))

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices from a vocabulary (or indices back to integers).

    Same index layout and arguments as StringLookup, for integer tokens. With the default
    `oov_method="floormod"` the lookup is pure ops code (a sorted-key search), so it also runs
    inside compiled steps; `oov_method="farmhash"` with several OOV indices hashes on the host.

    Args:
        max_tokens, num_oov_indices, vocabulary, idf_weights, invert, output_mode, sparse,
        pad_to_max_tokens: As in StringLookup.
        mask_token: Integer that maps to index 0; None for no mask index.
        oov_token: Integer returned for OOV indices when `invert=True` (default -1).
        vocabulary_dtype: Must be "int64".
        oov_method: "floormod" (OOV index `x % num_oov_indices`) or "farmhash".
        salt: SipHash key for `oov_method="farmhash"`.

    >>> layer = lamina.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).tolist()
    [[1, 3, 4], [4, 0, 2]]
    """

    _string = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("IntegerLookup: only vocabulary_dtype='int64' is supported. "
                             f"Received: vocabulary_dtype={vocabulary_dtype!r}")
        _utils.check_choice("IntegerLookup", "oov_method", oov_method, ("floormod", "farmhash"))
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         oov_method=oov_method, salt=salt, **kwargs)
        self.autocast = False

    def _convert_token(self, token):
        if token is None or isinstance(token, (str, bytes)):
            return token
        return int(token)

    def _convert_inputs(self, inputs):
        if self.num_oov_indices > 1 and self.oov_method == "farmhash" and not self.invert:
            return self._to_host(inputs)
        return Layer._convert_inputs(self, inputs)

    def _lookup_ops(self, x):
        dtype = _utils.index_dtype("int64")
        x = ops.cast(x, dtype)
        n_oov, start = self.num_oov_indices, self._token_start_index()
        if n_oov == 0:
            default = ops.full_like(x, -1)
        elif n_oov == 1:
            default = ops.full_like(x, self._oov_start_index())
        else:
            default = ops.add(ops.mod(x, n_oov), self._oov_start_index())
        indices, found = default, ops.zeros(x.shape, dtype="bool")
        if self._vocabulary:
            vocab = np.asarray(self._vocabulary, dtype="int64")
            order = np.argsort(vocab, kind="stable")
            keys = ops.convert_to_tensor(vocab[order], dtype=dtype)
            positions = ops.clip(ops.searchsorted(keys, x), 0, len(vocab) - 1)
            found = ops.equal(ops.take(keys, positions), x)
            values = ops.convert_to_tensor(order + start, dtype=dtype)
            indices = ops.where(found, ops.take(values, positions), default)
        if self.mask_token is not None:
            masked = ops.equal(x, self.mask_token)
            indices = ops.where(masked, 0 if self.output_mode == "int" else -1, indices)
            found = ops.logical_or(found, masked)
        known = _utils.concrete_values(found) if n_oov == 0 else None
        if known is not None and not known.all():
            missing = _utils.concrete_values(x)[~known]
            raise ValueError(f"IntegerLookup '{self.name}': with num_oov_indices=0 every input "
                             f"must be in the vocabulary; found {missing[:5].tolist()}. Set "
                             "num_oov_indices=1 to map unknown values to an OOV index.")
        return indices

    def _invert_ops(self, x):
        dtype = _utils.index_dtype("int64")
        table = np.asarray(self.get_vocabulary(), dtype="int64")
        x = ops.cast(x, dtype)
        inside = ops.logical_and(ops.greater_equal(x, 0), ops.less(x, len(table)))
        tokens = ops.take(ops.convert_to_tensor(table, dtype=dtype),
                          ops.clip(x, 0, len(table) - 1))
        return ops.where(inside, tokens, ops.cast(self.oov_token, dtype))

    def call(self, inputs):
        if self.invert:
            return self._invert_ops(inputs)
        self._check_depth()
        if isinstance(inputs, np.ndarray):  # the host path of oov_method="farmhash"
            indices = _host_result(self._lookup_host(inputs.astype(object)), "int32")
        else:
            indices = self._lookup_ops(inputs)
        return self._encode(indices)

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if isinstance(config["vocabulary"], list):
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return {**config, "vocabulary_dtype": self.vocabulary_dtype}
