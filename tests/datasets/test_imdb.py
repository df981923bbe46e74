import inspect
import json

import numpy as np
import pytest

from lamina.datasets import imdb
from tests.datasets._fixtures import npz_bytes, object_array

# Raw word ranks; the expected values below were computed by hand from these and checked against
# Keras 3.15.1's loader run on the same file.
X_TRAIN = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]]
X_TEST = [[2, 2], [11, 1, 3], [5]]


@pytest.fixture
def imdb_file(mirror):
    mirror("imdb.npz", npz_bytes(x_train=object_array(X_TRAIN), y_train=np.array([0, 1, 0, 1]),
                                 x_test=object_array(X_TEST), y_test=np.array([1, 0, 1])))


def as_lists(result):
    (x_train, y_train), (x_test, y_test) = result
    assert x_train.dtype == object and x_train.ndim == 1 and x_test.ndim == 1
    return [list(x) for x in x_train], y_train.tolist(), [list(x) for x in x_test], y_test.tolist()


def test_signature_is_keras():
    assert str(inspect.signature(imdb.load_data)) == (
        "(path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, "
        "oov_char=2, index_from=3, **kwargs)")
    assert str(inspect.signature(imdb.get_word_index)) == "(path='imdb_word_index.json')"


def test_defaults_shuffle_mark_and_shift(imdb_file):
    # RandomState(113) orders train as [3, 2, 0, 1] and then test as [1, 0, 2]; every word gets
    # +3 and a leading 1; the largest index (11 + 3 = 14) is not below num_words=14, so it is 2.
    assert np.random.RandomState(113).permutation(4).tolist() == [3, 2, 0, 1]
    assert as_lists(imdb.load_data()) == (
        [[1, 13], [1, 9, 10, 11, 12], [1, 4, 5, 6], [1, 7, 8]], [1, 0, 0, 1],
        [[1, 2, 4, 6], [1, 5, 5], [1, 8]], [0, 1, 1])


def test_num_words_and_skip_top(imdb_file):
    # Only shifted indices 5, 6, 7 survive; the start mark 1 < skip_top also becomes 2.
    assert as_lists(imdb.load_data(num_words=8, skip_top=5)) == (
        [[2, 2], [2, 2, 2, 2, 2], [2, 2, 5, 6], [2, 7, 2]], [1, 0, 0, 1],
        [[2, 2, 2, 6], [2, 5, 5], [2, 2]], [0, 1, 1])


def test_maxlen_drops_long_reviews(imdb_file):
    (x_train, y_train), (x_test, _) = imdb.load_data(maxlen=4)
    assert [list(x) for x in x_train] == [[1, 2], [1, 7, 8]]   # lengths 5 and 4 are dropped
    assert y_train.tolist() == [1, 1] and y_train.dtype == np.int64
    assert [list(x) for x in x_test] == [[1, 5, 5], [1, 8]]
    with pytest.raises(ValueError, match="maxlen=2.*Increase `maxlen`"):
        imdb.load_data(maxlen=2)


def test_no_marks_and_removed_oov(imdb_file):
    assert as_lists(imdb.load_data(start_char=None, oov_char=None, index_from=0, num_words=9,
                                   skip_top=2)) == (
        [[], [6, 7, 8], [2, 3], [4, 5]], [1, 0, 0, 1], [[3], [2, 2], [5]], [0, 1, 1])


def test_other_seed_and_marks(imdb_file):
    assert as_lists(imdb.load_data(seed=7, index_from=1, start_char=0)) == (
        [[0, 7, 8, 9, 10], [0, 5, 6], [0, 2, 3, 4], [0, 11]], [0, 1, 0, 1],
        [[0, 3, 3], [0, 2, 2, 4], [0, 6]], [1, 0, 1])


def test_equal_lengths_still_give_one_dimensional_arrays(mirror):
    mirror("imdb.npz", npz_bytes(x_train=object_array([[1, 2], [3, 4]]), y_train=np.array([0, 1]),
                                 x_test=object_array([[5, 6]]), y_test=np.array([1])))
    (x_train, _), (x_test, _) = imdb.load_data()
    assert x_train.shape == (2,) and x_test.shape == (1,)


def test_word_index(mirror):
    mirror("imdb_word_index.json", json.dumps({"the": 1, "and": 2}).encode())
    assert imdb.get_word_index() == {"the": 1, "and": 2}


def test_argument_errors():
    with pytest.raises(ValueError, match="`num_words` must be a non-negative int or None"):
        imdb.load_data(num_words=-1)
    with pytest.raises(ValueError, match="`skip_top`.*Received: skip_top=None"):
        imdb.load_data(skip_top=None)
    with pytest.raises(TypeError, match="`seed` must be an int"):
        imdb.load_data(seed=1.5)
    with pytest.raises(TypeError, match=r"unexpected arguments \['nb_words'\]"):
        imdb.load_data(nb_words=10)


def test_refuses_code_in_pickles(homes, tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    bad = np.empty(1, dtype=object)
    bad[0] = Evil()
    path = tmp_path / "imdb.npz"
    with open(path, "wb") as f:
        np.savez(f, x_train=bad, y_train=np.array([0]), x_test=bad, y_test=np.array([0]))
    with pytest.raises(pickle.UnpicklingError, match="builtins.print"):
        imdb.load_data(path=str(path))
