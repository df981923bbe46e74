"""pad_sequences against values Keras 3 prints for the same calls (pasted as literals)."""

import numpy as np
import pytest

from lamina.utils.sequence_utils import pad_sequences

SEQS = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]


def test_defaults_pad_and_truncate_at_the_front():
    out = pad_sequences(SEQS)
    assert out.dtype == np.int32
    assert out.tolist() == [[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [0, 0, 0, 0, 0], [6, 7, 8, 9, 10]]
    assert pad_sequences(SEQS, maxlen=2).tolist() == [[2, 3], [4, 5], [0, 0], [9, 10]]


def test_post_padding_and_truncating_with_a_value():
    out = pad_sequences(SEQS, maxlen=3, padding="post", truncating="post", value=-1)
    assert out.tolist() == [[1, 2, 3], [4, 5, -1], [-1, -1, -1], [6, 7, 8]]


def test_float_string_and_nd_items():
    out = pad_sequences([[1.5, 2.5], [3.0]], dtype="float32", value=0.5)
    assert out.dtype == np.float32 and out.tolist() == [[1.5, 2.5], [0.5, 3.0]]
    text = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert text.tolist() == [["a", "b"], ["<pad>", "c"]]
    items = pad_sequences([np.ones((2, 2)), np.zeros((1, 2))], maxlen=3)
    assert items.shape == (2, 3, 2)
    assert items.tolist() == [[[0, 0], [1, 1], [1, 1]], [[0, 0], [0, 0], [0, 0]]]


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`padding` must be 'pre' or 'post'. Received: "
                                         r"padding='middle'"):
        pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match=r"`truncating` must be 'pre' or 'post'"):
        pad_sequences(SEQS, truncating="both")
    with pytest.raises(ValueError, match=r"`dtype` 'int32' cannot hold the string padding"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match=r"entry 1 is 5"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match=r"sequence 1 have shape \(3,\), unlike .* \(2,\)"):
        pad_sequences([np.ones((1, 2)), np.ones((1, 3))])
    with pytest.raises(ValueError, match=r"`maxlen` must be None or a non-negative int"):
        pad_sequences(SEQS, maxlen=-1)
