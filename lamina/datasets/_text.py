"""Preprocessing shared by the IMDB and Reuters loaders: word indices as Keras prepares them."""

import json
import numbers

import numpy as np


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_arguments(owner, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from):
    """Raise ValueError/TypeError for arguments the preprocessing cannot honour."""
    for name, value, optional, least in (("num_words", num_words, True, 0),
                                         ("skip_top", skip_top, False, 0),
                                         ("maxlen", maxlen, True, 0),
                                         ("start_char", start_char, True, 0),
                                         ("oov_char", oov_char, True, 0),
                                         ("index_from", index_from, False, 0)):
        if value is None and optional:
            continue
        if not _is_int(value) or value < least:
            raise ValueError(f"{owner}: `{name}` must be a non-negative int"
                             f"{' or None' if optional else ''}. Received: {name}={value!r}")
    if not _is_int(seed):
        raise TypeError(f"{owner}: `seed` must be an int (the shuffle seed). Received: "
                        f"seed={seed!r}")


def shuffle(seed, *arrays_per_set):
    """Shuffle each (x, y) pair with one `RandomState(seed)` drawn in order, as Keras does."""
    rng = np.random.RandomState(seed)
    shuffled = []
    for x, y in arrays_per_set:
        indices = np.arange(len(x))
        rng.shuffle(indices)
        shuffled.append((x[indices], np.asarray(y)[indices]))
    return shuffled


def mark(xs, start_char, index_from):
    """Lists of ints `[start_char] + [w + index_from ...]` (no start mark when it is None)."""
    head = [] if start_char is None else [int(start_char)]
    return [head + [int(w) + index_from for w in x] for x in xs]


def drop_long(xs, labels, maxlen):
    """Keep sequences shorter than `maxlen` (Keras drops longer ones rather than cutting them)."""
    if not maxlen:
        return xs, np.asarray(labels)
    keep = np.array([len(x) < maxlen for x in xs], dtype=bool)
    return [x for x, k in zip(xs, keep) if k], np.asarray(labels)[keep]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Replace (or, with `oov_char=None`, remove) words outside `[skip_top, num_words)`.

    Without `num_words` the limit is the largest index present. Like Keras, the bound is
    exclusive, so that single largest index also becomes `oov_char`.
    """
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0)
    if oov_char is None:
        return [[w for w in x if skip_top <= w < num_words] for x in xs]
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]


def as_object_array(xs):
    """A 1-D object array holding each list, even when all lists have the same length."""
    out = np.empty(len(xs), dtype=object)
    for i, x in enumerate(xs):
        out[i] = x
    return out


def read_word_index(path):
    """The word -> rank dict stored as JSON at `path`."""
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict):
        raise ValueError(f"{path} holds a JSON {type(index).__name__}, not a word index "
                         "object. Delete it so that a good copy is fetched.")
    return index
