"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled positive (1) or negative (0).

Each review is a list of word indices; index `i` is the `i`-th most frequent word (see
`get_word_index`). Loading marks each review with `start_char`, shifts word indices by
`index_from`, and can keep only a band of the vocabulary.
"""

from lamina.datasets import _cache, _text

ALTERNATIVE = ("no package ships IMDB; download the file on a machine with a network and copy "
               "it to the cache path above.")


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    """Load the IMDB reviews as lists of word indices, shuffled and preprocessed as Keras does.

    Args:
        path: Cache file name under `$LAMINA_HOME/datasets`, or an absolute path to an existing
            `imdb.npz`.
        num_words: Keep word indices below this (after `index_from` is added); other words become
            `oov_char`. None: the largest index present (which, like Keras, itself becomes
            `oov_char`).
        skip_top: Word indices below this (after the shift) also become `oov_char`.
        maxlen: Drop every review whose length (start mark included) is `maxlen` or more. Reviews
            are dropped, not cut. None keeps all.
        seed: Seed of the shuffle (one `np.random.RandomState`, train then test).
        start_char: Index put at the start of every review; None for no mark.
        oov_char: Index for words outside the kept band; None removes those words.
        index_from: Added to every word index, leaving room for the marks.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x are 1-D object arrays of int lists, y int
        labels 0/1.

    Raises:
        DatasetUnavailableError: no local copy and no network (or `LAMINA_OFFLINE=1`).

    >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
    >>> x_train[0][0], max(max(x) for x in x_train) < 10000  # doctest: +SKIP
    (1, True)
    """
    if kwargs:
        raise TypeError(f"imdb.load_data: unexpected arguments {sorted(kwargs)}. Known "
                        "arguments: path, num_words, skip_top, maxlen, seed, start_char, "
                        "oov_char, index_from.")
    _text.check_arguments("imdb.load_data", num_words, skip_top, maxlen, seed, start_char,
                          oov_char, index_from)
    arrays = _cache.load_npz(_cache.fetch("imdb.load_data", "imdb.npz", path,
                                          alternative=ALTERNATIVE))
    (x_train, y_train), (x_test, y_test) = _text.shuffle(
        seed, (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]))
    x_train, y_train = _text.drop_long(_text.mark(x_train, start_char, index_from), y_train,
                                       maxlen)
    x_test, y_test = _text.drop_long(_text.mark(x_test, start_char, index_from), y_test, maxlen)
    if not x_train or not x_test:
        raise ValueError(f"imdb.load_data: no review is shorter than maxlen={maxlen} in the "
                         f"{'training' if not x_train else 'test'} set. Increase `maxlen`.")
    xs = _text.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    split = len(x_train)
    return ((_text.as_object_array(xs[:split]), y_train),
            (_text.as_object_array(xs[split:]), y_test))


def get_word_index(path="imdb_word_index.json"):
    """Dict mapping each word to its frequency rank in IMDB (the raw index before `index_from`).

    Args:
        path: Cache file name under `$LAMINA_HOME/datasets`, or an absolute path.

    Returns:
        A dict `{word: rank}`; the most frequent word has rank 1.

    >>> get_word_index()["the"]  # doctest: +SKIP
    1
    """
    return _text.read_word_index(_cache.fetch("imdb.get_word_index", "imdb_word_index.json",
                                              path, alternative=ALTERNATIVE))
