import numpy as np
import pytest

from lamina.legacy.preprocessing import Tokenizer, pad_sequences, text_to_word_sequence


def test_pad_sequences_pre_and_post():
    seqs = [[1, 2, 3], [4], []]
    assert pad_sequences(seqs).tolist() == [[1, 2, 3], [0, 0, 4], [0, 0, 0]]
    assert pad_sequences(seqs, maxlen=2).tolist() == [[2, 3], [0, 4], [0, 0]]
    assert pad_sequences(seqs, maxlen=2, truncating="post", padding="post",
                         value=9).tolist() == [[1, 2], [4, 9], [9, 9]]
    assert pad_sequences([[0.5]], maxlen=2, dtype="float32").dtype == np.float32


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="`padding` must be 'pre' or 'post'.*'left'"):
        pad_sequences([[1]], padding="left")
    with pytest.raises(ValueError, match="maxlen"):
        pad_sequences([[1]], maxlen=-1)
    with pytest.raises(ValueError, match="sequence 1 is not a list"):
        pad_sequences([[1], 3])


def test_tokenizer_orders_by_frequency():
    tokenizer = Tokenizer(nb_words=3)
    tokenizer.fit_on_texts(["the cat, the hat!", "The end"])
    assert tokenizer.word_index["the"] == 1
    assert tokenizer.texts_to_sequences(["the cat end"]) == [[1, 2]]
    assert text_to_word_sequence("Hi, there!") == ["hi", "there"]
