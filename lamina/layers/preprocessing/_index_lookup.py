"""The vocabulary lookup shared by StringLookup and IntegerLookup (Keras's IndexLookup).

Index layout, as in Keras: `[mask_token]` (only with a mask token and `output_mode="int"`), then
`num_oov_indices` out-of-vocabulary slots, then the vocabulary. The vocabulary lives on the host
(a Python list); adapted vocabularies are saved in the config, since lamina's archives have no
assets folder.
"""

import collections

import numpy as np

from lamina import backend, ops
from lamina.layers.preprocessing import _hashing, _utils
from lamina.ops.symbolic import KerasTensor

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(_utils.HostLayer):
    """Maps tokens to indices (or back, with `invert`); see StringLookup and IntegerLookup."""

    _string = True

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False,
                 sparse=False, oov_method="farmhash", salt=None, **kwargs):
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(**kwargs)
        owner = type(self).__name__
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        _utils.check_choice(owner, "output_mode", output_mode, OUTPUT_MODES)
        if max_tokens is not None and (not _utils.is_int(max_tokens) or max_tokens <= 1):
            raise ValueError(f"{owner}: `max_tokens` must be None or an int > 1. Received: "
                             f"max_tokens={max_tokens!r}")
        if not _utils.is_int(num_oov_indices) or num_oov_indices < 0:
            raise ValueError(f"{owner}: `num_oov_indices` must be an int >= 0. Received: "
                             f"num_oov_indices={num_oov_indices!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{owner}: `invert=True` needs output_mode='int'. Received: "
                             f"output_mode={output_mode!r}")
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported (lamina has no sparse "
                             "tensors). Leave it False.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{owner}: `idf_weights` is only used with output_mode='tf_idf'. "
                             f"Received output_mode={output_mode!r}.")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{owner}: with output_mode='tf_idf' and a `vocabulary`, give "
                             "`idf_weights` too (one weight per vocabulary term).")
        if salt is not None:
            if _utils.is_int(salt):
                salt = [int(salt), int(salt)]
            elif not (isinstance(salt, (list, tuple)) and len(salt) == 2
                      and all(_utils.is_int(s) for s in salt)):
                raise ValueError(f"{owner}: `salt` must be an int or a pair of ints. Received: "
                                 f"salt={salt!r}")
            salt = [int(s) for s in salt]
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse = False
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._vocabulary = []
        self.idf_weights = None
        self._adapted = False
        if isinstance(vocabulary, str):
            vocabulary = self._read_vocabulary_file(vocabulary)
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- vocabulary -------------------------------------------------------------------------------
    def _read_vocabulary_file(self, path):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return lines if self._string else [int(line) for line in lines]

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """Size of the vocabulary, mask and OOV indices included."""
        return len(self._vocabulary) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order: with `include_special_tokens`, index `i` of the list is
        the token that the layer maps to `i` (mask token first, then the OOV token)."""
        special = [self.oov_token] * self._token_start_index()
        if self.mask_token is not None and self.output_mode == "int":
            special[0] = self.mask_token
        vocab = special + list(self._vocabulary)
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def _convert_token(self, token):
        return token

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (a list or 1-D array of tokens, optionally starting with the
        special tokens) and, for "tf_idf", its inverse document frequencies."""
        owner = f"{type(self).__name__} '{self.name}'"
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{owner}: output_mode='tf_idf' needs `idf_weights` with the "
                             "vocabulary.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{owner}: `idf_weights` is only used with output_mode='tf_idf'. "
                             f"Received output_mode={self.output_mode!r}.")
        if isinstance(vocabulary, str):
            vocabulary = self._read_vocabulary_file(vocabulary)
        vocabulary = [self._convert_token(t) for t in np.asarray(
            _utils.host_array(vocabulary), dtype=object).ravel().tolist()]
        if not vocabulary:
            raise ValueError(f"{owner}: cannot set an empty vocabulary.")
        token_start = self._token_start_index()
        special = self.get_vocabulary()[:token_start]
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{owner}: the vocabulary repeats the terms {repeated}. Pass each "
                             "term once.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{owner}: the mask token {self.mask_token!r} is in the vocabulary. "
                             "The vocabulary need not hold the mask and OOV tokens; if it does, "
                             f"they must come first, in this order: {special}.")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError(f"{owner}: the OOV token {self.oov_token!r} is in the vocabulary. "
                             "Remove it, or put the special tokens first, in this order: "
                             f"{special}.")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"{owner}: the vocabulary has {token_start + len(tokens)} entries "
                             f"(special tokens included), more than max_tokens="
                             f"{self.max_tokens}.")
        self._vocabulary = tokens
        if self.output_mode == "tf_idf":
            weights = np.asarray(idf_weights, dtype="float64")
            if weights.ndim != 1 or len(weights) != len(vocabulary):
                raise ValueError(f"{owner}: `idf_weights` must be 1-D with one weight per "
                                 f"vocabulary term ({len(vocabulary)}). Received shape "
                                 f"{weights.shape}.")
            self.idf_weights = self._pad_idf(weights, 0 if found_special else token_start)
        self._record_vocabulary_size()

    def _pad_idf(self, weights, front):
        # The OOV (and mask) slots get the mean weight, unused max_tokens slots get zero.
        back = 0
        if self.pad_to_max_tokens and self.max_tokens is not None:
            back = self.max_tokens - front - len(weights)
        weights = np.pad(weights, (front, back), constant_values=(np.mean(weights), 0.0))
        return weights.astype(backend.floatx())

    def _record_vocabulary_size(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = self.vocabulary_size()
            if self._frozen_vocab_size is not None and self.built and \
                    size != self._frozen_vocab_size:
                raise RuntimeError(f"{type(self).__name__} '{self.name}': with output_mode="
                                   f"{self.output_mode!r} the vocabulary size cannot change "
                                   f"after the layer was called ({self._frozen_vocab_size} -> "
                                   f"{size}). Set pad_to_max_tokens=True for a fixed depth.")
            self._frozen_vocab_size = size

    def adapt(self, data, steps=None):
        """Learn the vocabulary from `data`: tokens sorted by count (ties: larger token first),
        truncated to `max_tokens`; with "tf_idf", also the inverse document frequencies. Each row
        of a 2-D array is one document; a 1-D array holds one-token documents."""
        if self.input_vocabulary is not None and not self._adapted:
            raise ValueError(f"{type(self).__name__} '{self.name}' was given a vocabulary; it "
                             "cannot also be adapted. Create it without `vocabulary`.")
        batches = _utils.batches(data)
        single = len(batches) == 1 and not (isinstance(data, (list, tuple)) and data
                                            and hasattr(data[0], "shape"))
        if steps is not None:
            batches = batches[:steps]
        rows = []
        for batch in batches:
            batch = np.asarray(batch, dtype=object)
            if batch.ndim == 0:
                batch = batch.reshape(1, 1)
            elif batch.ndim == 1:
                batch = batch.reshape(-1, 1) if single else batch.reshape(1, -1)
            rows.extend(row.tolist() for row in batch.reshape(batch.shape[0], -1))
        self._learn(rows)

    def _learn(self, rows):
        """Set the vocabulary (and idf weights) from documents, each a list of tokens."""
        counts, doc_counts = collections.Counter(), collections.Counter()
        for row in rows:
            row = [self._convert_token(t) for t in row]
            counts.update(row)
            doc_counts.update(set(row))
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        self._vocabulary = [token for token, _ in ranked]
        if self.output_mode == "tf_idf":
            frequencies = np.array([doc_counts[t] for t in self._vocabulary], dtype="float64")
            weights = np.log(1.0 + len(rows) / (1.0 + frequencies))
            self.idf_weights = self._pad_idf(weights, self._token_start_index())
        self._adapted = True
        self._record_vocabulary_size()

    # -- lookup -----------------------------------------------------------------------------------
    def _oov_bucket(self, token):
        if not self._string and self.oov_method != "farmhash":
            return int(token) % self.num_oov_indices
        text = _hashing.to_text(token)
        if self.salt is not None:
            return _hashing.siphash24(self.salt, text) % self.num_oov_indices
        return _hashing.fingerprint64(text) % self.num_oov_indices

    def _lookup_host(self, values):
        """Indices of host tokens (NumPy object array) as an int64 NumPy array."""
        table = {t: i + self._token_start_index() for i, t in enumerate(self._vocabulary)}
        mask_index = 0 if self.output_mode == "int" else -1
        out = np.empty(values.shape, dtype="int64")
        flat_out = out.reshape(-1)
        missing = []
        for i, token in enumerate(values.reshape(-1).tolist()):
            token = self._convert_token(token)
            if self.mask_token is not None and token == self.mask_token:
                flat_out[i] = mask_index
            elif token in table:
                flat_out[i] = table[token]
            elif self.num_oov_indices == 0:
                missing.append(token)
                flat_out[i] = -1
            elif self.num_oov_indices == 1:
                flat_out[i] = self._oov_start_index()
            else:
                flat_out[i] = self._oov_start_index() + self._oov_bucket(token)
        if missing:
            raise ValueError(f"{type(self).__name__} '{self.name}': with num_oov_indices=0 every "
                             f"input must be in the vocabulary; found {missing[:5]}. Set "
                             "num_oov_indices=1 to map unknown tokens to an OOV index.")
        return out

    def _invert_host(self, indices):
        vocab = self.get_vocabulary()
        out = np.empty(indices.shape, dtype=object)
        flat = out.reshape(-1)
        for i, index in enumerate(np.asarray(indices).reshape(-1).tolist()):
            if self.mask_token is not None and index == 0:
                flat[i] = self.mask_token
            elif self._token_start_index() <= index < len(vocab):
                flat[i] = vocab[index]
            else:
                flat[i] = self.oov_token
        return out

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _check_depth(self):
        if self.output_mode != "int" and self._depth() is None:
            raise RuntimeError(f"{type(self).__name__} '{self.name}': with output_mode="
                               f"{self.output_mode!r} and pad_to_max_tokens=False the layer "
                               "needs its vocabulary before it is called. Pass `vocabulary` or "
                               "call adapt(data) first.")

    def _encode(self, indices):
        """Int indices (a tensor) encoded per `output_mode`."""
        if self.output_mode == "int":
            return ops.cast(indices, _utils.index_dtype("int64"))
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = _utils.encode_categorical(indices, mode, self._depth(), backend.floatx())
        if self.output_mode == "tf_idf":
            out = ops.multiply(out, ops.cast(self.idf_weights, out.dtype))
        return out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return _utils.encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_spec(self, inputs):
        if self.invert:
            dtype = "string" if self._string else _utils.index_dtype("int64")
        elif self.output_mode == "int":
            dtype = _utils.index_dtype("int64")
        else:
            dtype = backend.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_build_config(self):
        return {}

    def build_from_config(self, config):
        self.built = True

    def get_config(self):
        # An adapted vocabulary goes into the config (Keras writes it to the archive's assets).
        vocabulary = self.input_vocabulary
        idf = self.input_idf_weights
        if self._adapted:
            vocabulary = self.get_vocabulary(include_special_tokens=False)
            if self.output_mode == "tf_idf":
                idf = self.idf_weights[self._token_start_index():len(vocabulary) +
                                       self._token_start_index()].tolist()
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "idf_weights": np.asarray(idf).tolist() if idf is not None else None,
                "vocabulary": (np.asarray(vocabulary, dtype=object).tolist()
                               if vocabulary is not None and not isinstance(vocabulary, str)
                               else vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}
