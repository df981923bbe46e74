"""`keras.preprocessing.sequence` and `keras.preprocessing.text` of the era: padding sequences
and simple word tokenization, on the host with NumPy."""

import collections
import string

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or cut) a list of sequences to one length, giving a 2D array.

    Args:
        sequences: List of lists (or 1D arrays) of numbers.
        maxlen: Output length; default the longest sequence's.
        dtype: Output dtype.
        padding: "pre" or "post": where the padding goes.
        truncating: "pre" or "post": which end long sequences lose.
        value: The padding value.

    Returns:
        An array of shape `(len(sequences), maxlen)`.

    >>> pad_sequences([[1, 2], [3]], maxlen=3).tolist()
    [[0, 1, 2], [0, 0, 3]]
    """
    for arg, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f"pad_sequences: `{arg}` must be 'pre' or 'post'. Received: "
                             f"{arg}={choice!r}")
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list of sequences. Received: "
                         f"{type(sequences).__name__}")
    lengths = []
    for i, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(f"pad_sequences: sequence {i} is not a list or array: {s!r}")
        lengths.append(len(s))
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: `maxlen` must be a non-negative int or None. "
                         f"Received: maxlen={maxlen!r}")
    out = np.full((len(sequences), maxlen), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        s = np.asarray(s, dtype=dtype)
        s = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if padding == "post":
            out[i, :len(s)] = s
        else:
            out[i, -len(s):] = s
    return out


_FILTERS = string.punctuation.replace("'", "") + "\t\n"


def text_to_word_sequence(text, filters=_FILTERS, lower=True, split=" "):
    """Words of `text`: filter characters dropped, lower-cased, split on `split`.

    >>> text_to_word_sequence("Hello, world!")
    ['hello', 'world']
    """
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


def one_hot(text, n, filters=_FILTERS, lower=True, split=" "):
    """Each word hashed to an index in [1, n) (Keras 1's hashing trick, stable across runs)."""
    import zlib
    return [zlib.crc32(w.encode()) % (n - 1) + 1
            for w in text_to_word_sequence(text, filters, lower, split)]


class Tokenizer:
    """Word index by frequency (1 = most frequent), and texts to index sequences.

    Args:
        nb_words: Keep only the `nb_words - 1` most frequent words (Keras 1's name; today
            `num_words`).
        filters, lower, split: As in `text_to_word_sequence`.

    >>> t = Tokenizer(); t.fit_on_texts(["a b b"]); t.texts_to_sequences(["b a"])
    [[1, 2]]
    """

    def __init__(self, nb_words=None, filters=_FILTERS, lower=True, split=" ", num_words=None):
        self.num_words = num_words if num_words is not None else nb_words
        self.filters, self.lower, self.split = filters, lower, split
        self.word_counts = collections.OrderedDict()
        self.word_index = {}

    @property
    def nb_words(self):
        return self.num_words

    def fit_on_texts(self, texts):
        for text in texts:
            for w in text_to_word_sequence(text, self.filters, self.lower, self.split):
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
        ordered = sorted(self.word_counts.items(), key=lambda kv: -kv[1])
        self.word_index = {w: i + 1 for i, (w, _) in enumerate(ordered)}

    def texts_to_sequences(self, texts):
        out = []
        for text in texts:
            words = text_to_word_sequence(text, self.filters, self.lower, self.split)
            out.append([self.word_index[w] for w in words if w in self.word_index and (
                self.num_words is None or self.word_index[w] < self.num_words)])
        return out


__all__ = ["Tokenizer", "one_hot", "pad_sequences", "text_to_word_sequence"]
