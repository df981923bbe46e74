"""Reuters newswire topics: 11,228 short articles as word-index lists, labelled with 46 topics.

Preprocessed like IMDB (start mark, index shift, vocabulary band), then split into training and
test sets after one shuffle.
"""

import numbers

import numpy as np

from lamina.datasets import _cache, _text

ALTERNATIVE = ("no package ships the Reuters set; download the file on a machine with a network "
               "and copy it to the cache path above.")
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi",
    "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
    "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def check_test_split(owner, test_split):
    """Raise ValueError unless `0 <= test_split < 1`."""
    if (not isinstance(test_split, numbers.Real) or isinstance(test_split, bool)
            or not 0 <= test_split < 1):
        raise ValueError(f"{owner}: `test_split` must be a number with 0 <= test_split < 1 (the "
                         f"fraction held out for testing). Received: test_split={test_split!r}")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Load the Reuters newswires as lists of word indices, shuffled and split as Keras does.

    Args:
        path: Cache file name under `$LAMINA_HOME/datasets`, or an absolute path to an existing
            `reuters.npz`.
        num_words: Keep word indices below this (after `index_from` is added); other words become
            `oov_char`. None: the largest index present (which, like Keras, itself becomes
            `oov_char`).
        skip_top: Word indices below this (after the shift) also become `oov_char`.
        maxlen: Drop every article whose length (start mark included) is `maxlen` or more.
        test_split: Fraction of the articles held out as the test set, `0 <= test_split < 1`.
        seed: Seed of the shuffle.
        start_char: Index put at the start of every article; None for no mark.
        oov_char: Index for words outside the kept band; None removes those words.
        index_from: Added to every word index, leaving room for the marks.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x are 1-D object arrays of int lists, y int topic
        labels 0-45 (names in `get_label_names()`).

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> len(x_train), len(x_test)  # doctest: +SKIP
    (8982, 2246)
    """
    check_test_split("reuters.load_data", test_split)
    _text.check_arguments("reuters.load_data", num_words, skip_top, maxlen, seed, start_char,
                          oov_char, index_from)
    arrays = _cache.load_npz(_cache.fetch("reuters.load_data", "reuters.npz", path,
                                          alternative=ALTERNATIVE))
    [(xs, labels)] = _text.shuffle(seed, (arrays["x"], arrays["y"]))
    xs, labels = _text.drop_long(_text.mark(xs, start_char, index_from), labels, maxlen)
    if not xs:
        raise ValueError(f"reuters.load_data: no article is shorter than maxlen={maxlen}. "
                         "Increase `maxlen`.")
    xs = _text.limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    return ((_text.as_object_array(xs[:split]), np.array(labels[:split])),
            (_text.as_object_array(xs[split:]), np.array(labels[split:])))


def get_word_index(path="reuters_word_index.json"):
    """Dict mapping each word to its frequency rank in the Reuters set (before `index_from`).

    Args:
        path: Cache file name under `$LAMINA_HOME/datasets`, or an absolute path.

    Returns:
        A dict `{word: rank}`; the most frequent word ("the") has rank 1.

    >>> get_word_index()["the"]  # doctest: +SKIP
    1
    """
    return _text.read_word_index(_cache.fetch("reuters.get_word_index",
                                              "reuters_word_index.json", path,
                                              alternative=ALTERNATIVE))


def get_label_names():
    """The 46 topic names, in label order.

    Returns:
        A tuple of strings; `get_label_names()[label]` names a label.

    >>> get_label_names()[:3]
    ('cocoa', 'grain', 'veg-oil')
    """
    return LABEL_NAMES
