import numpy as np
import pytest

from lamina.layers.preprocessing.text_vectorization import TextVectorization
from lamina.ops.symbolic import KerasTensor


def test_adapt_and_int_output_match_keras():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
    np.testing.assert_array_equal(layer([["foo qux bar"], ["qux baz"]]),
                                  [[4, 1, 3, 0], [1, 2, 0, 0]])


def test_given_vocabulary_matches_keras():
    layer = TextVectorization(vocabulary=["earth", "wind", "and", "fire"],
                              output_sequence_length=4)
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(
        layer([["earth wind and also fire"], ["fire and earth michigan"]]),
        [[2, 3, 4, 1], [5, 4, 2, 1]])
    ragged = TextVectorization(vocabulary=["baz", "bar", "foo"])
    np.testing.assert_array_equal(ragged(["foo qux bar", "qux baz", "foo"]),
                                  [[4, 1, 3], [1, 2, 0], [4, 0, 0]])


def test_standardize_and_split_options():
    texts = np.array(["Hello, World! It's  FINE.", "A-b c"])
    standard = TextVectorization(vocabulary=["hello", "world", "its", "fine", "ab", "c"])
    np.testing.assert_array_equal(standard(texts), [[2, 3, 4, 5], [6, 7, 0, 0]])
    lower = TextVectorization(standardize="lower", vocabulary=["hello,", "a-b"])
    np.testing.assert_array_equal(lower(["Hello, a-B"]), [[2, 3]])
    raw = TextVectorization(standardize=None, split=None, vocabulary=["Ab c"])
    np.testing.assert_array_equal(raw(["Ab c", "ab c"]), [[2], [1]])
    chars = TextVectorization(split="character", vocabulary=["a", "b"])
    np.testing.assert_array_equal(chars(["aba"]), [[2, 3, 2]])
    custom = TextVectorization(standardize=lambda t: np.char.upper(t),
                               split=lambda t: [s.split("|") for s in t],
                               vocabulary=["A", "B C"])
    np.testing.assert_array_equal(custom(["a|b c|d"]), [[2, 3, 1]])
    non_ascii = TextVectorization(vocabulary=["émile"])  # only ASCII letters are lowercased
    np.testing.assert_array_equal(non_ascii(["émile Émile"]), [[2, 1]])


def test_ngrams_multi_hot_count_and_tf_idf():
    ngrams = TextVectorization(ngrams=2, vocabulary=["a", "b", "a b", "b a"])
    np.testing.assert_array_equal(ngrams(["a b a"]), [[2, 3, 2, 4, 5]])
    only_bigrams = TextVectorization(ngrams=(2,), vocabulary=["a b"])
    np.testing.assert_array_equal(only_bigrams(["a b c"]), [[2, 1]])
    multi = TextVectorization(output_mode="multi_hot", vocabulary=["foo", "bar", "baz"])
    np.testing.assert_allclose(multi(["foo bar foo", "qux"]), [[0, 1, 1, 0], [1, 0, 0, 0]])
    count = TextVectorization(output_mode="count", vocabulary=["foo", "bar"],
                              pad_to_max_tokens=True, max_tokens=5)
    np.testing.assert_allclose(count(["foo bar foo zz"]), [[1, 2, 1, 0, 0]])
    docs = ["a b a", "b c", "c c d"]
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(docs)
    vocab = tfidf.get_vocabulary()
    assert vocab == ["[UNK]", "c", "b", "a", "d"]
    doc_freq = np.array([2, 2, 1, 1])  # c, b, a, d
    idf = np.log(1 + 3 / (1 + doc_freq))
    np.testing.assert_allclose(tfidf(["a a c e"]), [[idf.mean(), idf[0], 0, 2 * idf[2], 0]],
                               rtol=1e-6)


def test_shapes_symbolic_and_scalar_input():
    layer = TextVectorization(vocabulary=["x"], output_sequence_length=3)
    assert layer(KerasTensor((None, 1), "string")).shape == (None, 3)
    multi = TextVectorization(vocabulary=["x", "y"], output_mode="multi_hot")
    out = multi(KerasTensor((None,), "string"))
    assert out.shape == (None, 3) and out.dtype == "float32"  # [UNK], x, y: no mask slot
    np.testing.assert_array_equal(layer("x y"), [2, 1, 0])
    np.testing.assert_array_equal(layer([b"x"]), [[2, 0, 0]])


def test_config_round_trip_keeps_adapted_vocabulary():
    layer = TextVectorization(max_tokens=10, ngrams=(1, 2), output_sequence_length=5)
    layer.adapt(["the cat sat", "the dog sat"])
    config = layer.get_config()
    assert config["vocabulary_size"] == layer.vocabulary_size()
    clone = TextVectorization.from_config(config)
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(clone(["the cat ran"]), layer(["the cat ran"]))
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["a b", "b"])
    clone = TextVectorization.from_config(tfidf.get_config())
    np.testing.assert_allclose(clone(["a b b"]), tfidf(["a b b"]), rtol=1e-6)


def test_adapt_from_generator_with_steps():
    def batches():
        yield np.array(["hello world"])
        yield np.array(["hello there"])
        yield np.array(["never read"])

    layer = TextVectorization()
    layer.adapt(batches(), steps=2)
    assert layer.get_vocabulary() == ["", "[UNK]", "hello", "world", "there"]


def test_errors():
    with pytest.raises(ValueError, match="unknown standardize 'upper'.*Known values"):
        TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="unknown split"):
        TextVectorization(split="comma")
    with pytest.raises(ValueError, match="`ngrams`"):
        TextVectorization(ngrams=[1, 2])
    with pytest.raises(ValueError, match="only applies to output_mode='int'"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="sparse"):
        TextVectorization(ragged=True)
    with pytest.raises(ValueError, match=r"shape \(batch,\) or \(batch, 1\)"):
        TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="expected strings"):
        TextVectorization(vocabulary=["a"])([1, 2])
    with pytest.raises(ValueError, match="cannot also be adapted"):
        TextVectorization(vocabulary=["a"]).adapt(["a"])
