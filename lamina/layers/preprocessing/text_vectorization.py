"""TextVectorization: raw strings to token indices or bag-of-words vectors, on the host.

Each string goes through standardize -> split -> ngrams -> vocabulary lookup, as in Keras 3.
Strings have no JAX dtype, so the layer runs on the host with NumPy object arrays: apply it to
the data before `fit`/`predict` (`x = vectorizer(texts)`), which is also what Keras recommends.
"""

import re

import numpy as np

from lamina import backend
from lamina.layers.preprocessing import _utils
from lamina.layers.preprocessing.categorical import StringLookup
from lamina.ops.symbolic import KerasTensor
from lamina.saving import serialization

STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")
# The characters Keras strips: ASCII punctuation (Python's string.punctuation).
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")
# TensorFlow splits on ASCII whitespace and lowercases ASCII letters only.
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _check_callable_or_choice(arg, value, choices):
    if value is None or callable(value):
        return value
    return _utils.check_choice("TextVectorization", arg, value, choices)


class TextVectorization(_utils.HostLayer):
    """Turns strings into sequences of token indices, or into multi-hot / count / tf-idf vectors.

    Args:
        max_tokens: Maximum vocabulary size (the padding and OOV tokens included).
        standardize: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation",
            None, or a callable taking and returning a NumPy array of str.
        split: "whitespace" (default), "character", None (each string is one token), or a
            callable taking a 1-D NumPy array of str and returning a list of token lists.
        ngrams: None, an int `n` (all n-grams of length 1..n) or a tuple of lengths.
        output_mode: "int" (indices, 0 is padding and 1 the OOV token), "multi_hot", "count",
            "tf_idf" or "one_hot".
        output_sequence_length: With "int", pad or truncate every sequence to this length;
            None pads to the longest sequence in the batch.
        pad_to_max_tokens: With encoded outputs, make the last axis `max_tokens` long.
        vocabulary: List of terms or a file path; otherwise call `adapt(texts)`.
        idf_weights: With "tf_idf" and a `vocabulary`, one weight per term.
        sparse, ragged: Must be False (lamina has no sparse or ragged tensors).
        encoding: Encoding used to decode bytes inputs.

    Input: strings of shape `(batch,)` or `(batch, 1)`. Output: int indices
    `(batch, sequence_length)` or floats `(batch, vocabulary_size)`.

    >>> layer = lamina.layers.TextVectorization(vocabulary=["the", "cat"])
    >>> layer(["The cat!", "a cat"]).tolist()
    [[2, 3], [1, 3]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(name=name, **kwargs)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        _check_callable_or_choice("standardize", standardize, STANDARDIZE)
        _check_callable_or_choice("split", split, SPLIT)
        if not (ngrams is None or _utils.is_int(ngrams) or (
                isinstance(ngrams, tuple) and all(_utils.is_int(n) for n in ngrams))):
            raise ValueError("TextVectorization: `ngrams` must be None, an int or a tuple of "
                             f"ints. Received: ngrams={ngrams!r}")
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError("TextVectorization: `output_sequence_length` only applies to "
                                 f"output_mode='int'. Received output_mode={output_mode!r}, "
                                 f"output_sequence_length={output_sequence_length!r}.")
            if not _utils.is_int(output_sequence_length) or output_sequence_length < 0:
                raise ValueError("TextVectorization: `output_sequence_length` must be None or a "
                                 f"non-negative int. Received: {output_sequence_length!r}")
        if sparse or ragged:
            raise ValueError("TextVectorization: `sparse` and `ragged` must be False (lamina has "
                             f"no sparse or ragged tensors). Received: sparse={sparse}, "
                             f"ragged={ragged}.")
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if _utils.is_int(ngrams) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            encoding=encoding, vocabulary_size=vocabulary_size)

    # -- text processing --------------------------------------------------------------------------
    def _standardized(self, texts):
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            texts = np.array([t.translate(_ASCII_UPPER) for t in texts.ravel()],
                             dtype=object).reshape(texts.shape)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            texts = np.array([_PUNCTUATION.sub("", t) for t in texts.ravel()],
                             dtype=object).reshape(texts.shape)
        if callable(self._standardize):
            texts = np.asarray(self._standardize(texts.astype(str)), dtype=object)
            texts = _utils.to_string_array(texts, "TextVectorization standardize")
        return texts

    def _tokenized(self, texts):
        """A list of token lists, one per input string (its rows)."""
        if self._split is None:
            return [[t] for t in texts.ravel()] if texts.ndim <= 1 else \
                [list(row) for row in texts.reshape(texts.shape[0], -1)]
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(f"TextVectorization '{self.name}': to split strings, inputs "
                                 "must have shape (batch,) or (batch, 1). Received shape "
                                 f"{texts.shape}.")
            texts = texts[..., 0]
        texts = texts.reshape(-1)
        if self._split == "whitespace":
            rows = [[t for t in _WHITESPACE.split(text) if t] for text in texts]
        elif self._split == "character":
            rows = [list(text) for text in texts]
        else:
            rows = [list(row) for row in self._split(texts.astype(str))]
        if self._ngrams is not None:
            rows = [[" ".join(row[i:i + n]) for n in self._ngrams
                     for i in range(len(row) - n + 1)] for row in rows]
        return rows

    def _rows(self, inputs):
        texts = _utils.to_string_array(inputs, f"TextVectorization '{self.name}'",
                                       self._encoding)
        scalar = texts.ndim == 0
        rows = self._tokenized(self._standardized(texts.reshape(1) if scalar else texts))
        return rows, scalar

    # -- vocabulary -------------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from texts (a list or array of strings, or an iterable of
        batches): terms sorted by frequency, at most `max_tokens`."""
        batches = _utils.batches(data)
        if steps is not None:
            batches = batches[:steps]
        rows = []
        for batch in batches:
            batch_rows, _ = self._rows(np.asarray(batch, dtype=object))
            rows.extend(batch_rows)
        lookup = self._lookup_layer
        if lookup.input_vocabulary is not None and not lookup._adapted:
            raise ValueError(f"TextVectorization '{self.name}' was given a vocabulary; it "
                             "cannot also be adapted. Create it without `vocabulary`.")
        lookup._learn(rows)

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order ("" and "[UNK]" first in "int" mode)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # -- call -------------------------------------------------------------------------------------
    def call(self, inputs):
        rows, scalar = self._rows(inputs)
        lookup = self._lookup_layer
        if self._output_mode == "int":
            length = self._output_sequence_length
            if length is None:
                length = max((len(r) for r in rows), default=0)
            padded = np.full((len(rows), length), "", dtype=object)
            for i, row in enumerate(rows):
                padded[i, :min(len(row), length)] = row[:length]
            out = lookup._lookup_host(padded)
            out = out[0] if scalar else out
            return backend.convert_to_tensor(out, dtype=_utils.index_dtype("int64"))
        lookup._check_depth()
        depth = lookup._depth()
        if self._output_mode == "one_hot":
            width = max((len(r) for r in rows), default=0)
            padded = np.full((len(rows), width), "", dtype=object)
            for i, row in enumerate(rows):
                padded[i, :len(row)] = row
            indices = lookup._lookup_host(padded)
            out = np.zeros(indices.shape + (depth,), backend.floatx())
            rows_i, cols_i = np.nonzero(indices >= 0)
            out[rows_i, cols_i, indices[rows_i, cols_i]] = 1.0
        else:
            out = np.zeros((len(rows), depth), dtype="float64")
            for i, row in enumerate(rows):
                indices = lookup._lookup_host(np.asarray(row, dtype=object))
                indices = indices[(indices >= 0) & (indices < depth)]
                np.add.at(out[i], indices, 1.0)
            if self._output_mode == "multi_hot":
                out = np.minimum(out, 1.0)
            elif self._output_mode == "tf_idf":
                out = out * lookup.idf_weights
        out = out[0] if scalar else out
        return backend.convert_to_tensor(out.astype(backend.floatx()))

    def compute_output_shape(self, input_shape):
        batch = input_shape[0] if input_shape else None
        if self._output_mode == "int":
            return (batch, self._output_sequence_length)
        if self._output_mode == "one_hot":
            return (batch, None, self._lookup_layer._depth())
        return (batch, self._lookup_layer._depth())

    def compute_output_spec(self, inputs):
        dtype = _utils.index_dtype("int64") if self._output_mode == "int" else backend.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    # -- config -----------------------------------------------------------------------------------
    def get_config(self):
        lookup_config = self._lookup_layer.get_config()
        return {**super().get_config(), "max_tokens": self._lookup_layer.max_tokens,
                "standardize": serialization.serialize_keras_object(self._standardize),
                "split": serialization.serialize_keras_object(self._split),
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens, "sparse": False,
                "ragged": False, "vocabulary": lookup_config["vocabulary"],
                "idf_weights": lookup_config["idf_weights"], "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = serialization.deserialize_keras_object(
                    config[key], custom_objects=custom_objects, module_objects={},
                    family="function")
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
