import inspect
import json

import numpy as np
import pytest

from lamina.datasets import reuters
from tests.datasets._fixtures import npz_bytes, object_array

# Expected values computed by hand and checked against Keras 3.15.1 on the same file.
XS = [[1, 2], [3, 4, 5], [6], [7, 8, 9, 10], [2, 11], [12, 1, 1]]
YS = [0, 3, 1, 2, 4, 3]


@pytest.fixture
def reuters_file(mirror):
    mirror("reuters.npz", npz_bytes(x=object_array(XS), y=np.array(YS)))


def lists(result):
    (x_train, y_train), (x_test, y_test) = result
    return [list(x) for x in x_train], y_train.tolist(), [list(x) for x in x_test], y_test.tolist()


def test_signature_is_keras():
    assert str(inspect.signature(reuters.load_data)) == (
        "(path='reuters.npz', num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, "
        "start_char=1, oov_char=2, index_from=3)")


def test_defaults_split_at_eighty_percent(reuters_file):
    # RandomState(113) orders the six articles [1, 0, 3, 2, 4, 5]; int(6 * 0.8) = 4 train.
    assert np.random.RandomState(113).permutation(6).tolist() == [1, 0, 3, 2, 4, 5]
    assert lists(reuters.load_data()) == (
        [[1, 6, 7, 8], [1, 4, 5], [1, 10, 11, 12, 13], [1, 9]], [3, 0, 2, 1],
        [[1, 5, 14], [1, 2, 4, 4]], [4, 3])


def test_test_split_and_num_words(reuters_file):
    assert lists(reuters.load_data(test_split=0.5, num_words=9)) == (
        [[1, 6, 7, 8], [1, 4, 5], [1, 2, 2, 2, 2]], [3, 0, 2],
        [[1, 2], [1, 5, 2], [1, 2, 4, 4]], [1, 4, 3])


def test_maxlen_with_removed_words(reuters_file):
    # Only [1, 9] is shorter than 3; 1 < skip_top and 9 == the default num_words are removed.
    (x_train, y_train), (x_test, y_test) = reuters.load_data(maxlen=3, oov_char=None,
                                                             skip_top=4)
    assert len(x_train) == 0 and y_train.shape == (0,)
    assert [list(x) for x in x_test] == [[]] and y_test.tolist() == [1]


def test_no_test_set_and_other_seed(reuters_file):
    assert lists(reuters.load_data(seed=3, test_split=0.0)) == (
        [[1, 10, 11, 12, 13], [1, 2, 4, 4], [1, 5, 14], [1, 6, 7, 8], [1, 4, 5], [1, 9]],
        [2, 3, 4, 3, 0, 1], [], [])


def test_word_index_and_label_names(mirror):
    mirror("reuters_word_index.json", json.dumps({"the": 1}).encode())
    assert reuters.get_word_index() == {"the": 1}
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and names[-1] == "lead"


@pytest.mark.parametrize("split", [1.0, -0.1, "0.2"])
def test_bad_test_split(split):
    with pytest.raises(ValueError, match="0 <= test_split < 1"):
        reuters.load_data(test_split=split)
