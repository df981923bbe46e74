import numpy as np
import pytest

import lamina
from lamina.layers.preprocessing.categorical import (
    CategoryEncoding,
    HashedCrossing,
    Hashing,
    IntegerLookup,
    StringLookup,
)
from lamina.ops.symbolic import KerasTensor

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]


def _np(x):
    return lamina.backend.convert_to_numpy(x)


# -- CategoryEncoding ------------------------------------------------------------------------------
def test_category_encoding_modes_match_numpy():
    x = np.array([[0, 1, 1], [3, 3, 2]])
    eye = np.eye(4)
    np.testing.assert_allclose(CategoryEncoding(4, "count")(x), eye[x].sum(1))
    np.testing.assert_allclose(CategoryEncoding(4, "multi_hot")(x), eye[x].max(1))
    np.testing.assert_allclose(CategoryEncoding(4, "one_hot")(np.array([[1], [3]])), eye[[1, 3]])
    np.testing.assert_allclose(CategoryEncoding(4, "one_hot")(np.array([1, 3])), eye[[1, 3]])
    np.testing.assert_allclose(CategoryEncoding(4, "multi_hot")(np.array([1, 3])),
                               [0.0, 1.0, 0.0, 1.0])
    weights = np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 4.0]], "float32")
    np.testing.assert_allclose(CategoryEncoding(4, "count")(x, count_weights=weights),
                               [[0.5, 3.0, 0.0, 0.0], [0.0, 0.0, 4.0, 2.0]])


def test_category_encoding_shapes_config_and_errors():
    layer = CategoryEncoding(num_tokens=5, output_mode="one_hot")
    assert layer(KerasTensor((None, 3), "int32")).shape == (None, 3, 5)
    assert layer(KerasTensor((None, 1), "int32")).shape == (None, 5)
    assert CategoryEncoding(5)(KerasTensor((None, 3), "int32")).shape == (None, 5)
    clone = CategoryEncoding.from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    with pytest.raises(ValueError, match=r"inputs must be in \[0, 4\]"):
        CategoryEncoding(5)(np.array([[1, 7]]))
    with pytest.raises(ValueError, match="`num_tokens` must be set"):
        CategoryEncoding()
    with pytest.raises(ValueError, match="unknown output_mode 'tf_idf'.*Known values"):
        CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="`count_weights` is only used"):
        CategoryEncoding(3, "one_hot")(np.array([1]), count_weights=np.array([1.0]))


def test_category_encoding_runs_under_jit():
    layer = CategoryEncoding(3, "count")
    out = lamina.backend.transforms.jit(lambda x: layer(x))(np.array([[0, 2, 2]]))
    np.testing.assert_allclose(out, [[1.0, 0.0, 2.0]])


# -- Hashing ---------------------------------------------------------------------------------------
def test_hashing_matches_keras_reference_outputs():
    letters = [["A"], ["B"], ["C"], ["D"], ["E"]]
    np.testing.assert_array_equal(Hashing(num_bins=3)(letters), [[1], [0], [1], [1], [2]])
    masked = Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    np.testing.assert_array_equal(masked, [[1], [1], [0], [2], [2]])
    np.testing.assert_array_equal(Hashing(num_bins=3, salt=[133, 137])(letters),
                                  [[1], [2], [1], [0], [2]])
    np.testing.assert_array_equal(Hashing(num_bins=3, salt=133)(letters),
                                  [[0], [0], [2], [1], [0]])
    ints = np.array([[0], [1], [2], [3], [4]])
    np.testing.assert_array_equal(Hashing(num_bins=3)(ints), [[1], [0], [1], [0], [2]])
    np.testing.assert_array_equal(Hashing(num_bins=3, salt=[133, 137])(ints),
                                  [[1], [1], [2], [0], [1]])
    words = np.array([["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]])
    np.testing.assert_array_equal(Hashing(num_bins=3, mask_value="omar")(words),
                                  [[0], [1], [2], [1], [1]])
    np.testing.assert_array_equal(Hashing(num_bins=1)(words), np.zeros((5, 1)))


def test_hashing_encoded_modes_and_shapes():
    layer = Hashing(num_bins=3, output_mode="one_hot")
    np.testing.assert_allclose(layer([["A"], ["B"]]), [[0, 1, 0], [1, 0, 0]])
    counts = Hashing(num_bins=3, output_mode="count")([["A", "C", "E"]])
    np.testing.assert_allclose(counts, [[0, 2, 1]])
    assert Hashing(num_bins=3)(KerasTensor((None, 2), "string")).shape == (None, 2)
    assert layer(KerasTensor((None, 1), "string")).shape == (None, 3)
    assert layer.get_config()["dtype"]["config"]["name"] == "float32"
    clone = Hashing.from_config(Hashing(5, salt=7, mask_value="x").get_config())
    assert clone.salt == [7, 7] and clone.mask_value == "x"


def test_hashing_errors_and_compiled_use():
    with pytest.raises(ValueError, match="`num_bins` must be a positive int"):
        Hashing(0)
    with pytest.raises(ValueError, match="`salt`"):
        Hashing(3, salt="pepper")
    with pytest.raises(ValueError, match="unknown output_mode"):
        Hashing(3, output_mode="tf_idf")
    layer = Hashing(3)
    with pytest.raises(RuntimeError, match="apply it to the data first|Apply it to the data"):
        lamina.backend.transforms.jit(lambda x: layer(x))(np.array([1, 2]))


# -- HashedCrossing --------------------------------------------------------------------------------
def test_hashed_crossing_matches_keras():
    feat1 = np.array(["A", "B", "A", "B", "A"])
    feat2 = np.array([101, 101, 101, 102, 102])
    np.testing.assert_array_equal(HashedCrossing(num_bins=5)((feat1, feat2)), [1, 4, 1, 1, 3])
    one_hot = HashedCrossing(num_bins=5, output_mode="one_hot")((feat1, feat2))
    np.testing.assert_allclose(one_hot, np.eye(5)[[1, 4, 1, 1, 3]])
    column = HashedCrossing(num_bins=5)((feat1[:, None], feat2[:, None]))
    np.testing.assert_array_equal(column, [[1], [4], [1], [1], [3]])
    assert int(_np(HashedCrossing(num_bins=10)(("A", 101)))) == 1


def test_hashed_crossing_errors_and_config():
    layer = HashedCrossing(num_bins=4)
    with pytest.raises(ValueError, match="at least two features"):
        layer(np.array([1, 2]))
    with pytest.raises(ValueError, match="same shape"):
        layer((np.array([1, 2]), np.array([1])))
    with pytest.raises(ValueError, match="integers or strings"):
        layer((np.array([1.0]), np.array([1.0])))
    out = layer((KerasTensor((None,), "string"), KerasTensor((None,), "int32")))
    assert out.shape == (None,)
    assert HashedCrossing.from_config(layer.get_config()).num_bins == 4


# -- StringLookup ----------------------------------------------------------------------------------
def test_string_lookup_keras_docstring_examples():
    np.testing.assert_array_equal(StringLookup(vocabulary=VOCAB)(DATA), [[1, 3, 4], [4, 0, 2]])
    adapted = StringLookup()
    adapted.adapt(DATA)
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(adapted(DATA), [[5, 3, 1], [1, 2, 4]])
    two_oov = StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(two_oov([["a", "c", "d"], ["m", "z", "b"]]),
                                  [[2, 4, 5], [0, 1, 3]])
    one_hot = StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_allclose(one_hot, np.eye(5)[[1, 2, 3, 4, 0]])
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    np.testing.assert_allclose(StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(data),
                               [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_allclose(StringLookup(vocabulary=VOCAB, output_mode="count")(data),
                               [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])


def test_string_lookup_tf_idf_keras_examples():
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    np.testing.assert_allclose(layer(data), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]],
                               rtol=1e-6)
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(layer(data), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]],
                               rtol=1e-6)


def test_string_lookup_adapt_tf_idf_matches_formula():
    docs = [["x", "y", "x"], ["y", "z", "z"], ["x", "w", "w"]]
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt(docs)
    vocab = layer.get_vocabulary(include_special_tokens=False)
    assert vocab == ["x", "z", "y", "w"]  # counts 3, 2, 2, 2; ties: larger token first
    doc_freq = np.array([2, 1, 2, 1])
    idf = np.log(1 + 3 / (1 + doc_freq))
    np.testing.assert_allclose(layer.idf_weights, [idf.mean(), *idf], rtol=1e-6)
    np.testing.assert_allclose(layer([["x", "x", "q"]]), [[idf.mean(), 2 * idf[0], 0, 0, 0]],
                               rtol=1e-6)


def test_string_lookup_invert_mask_and_max_tokens():
    inverse = StringLookup(vocabulary=VOCAB, invert=True)
    assert inverse(np.array([[1, 3, 4], [4, 0, 2]])).tolist() == [["a", "c", "d"],
                                                                 ["d", "[UNK]", "b"]]
    masked = StringLookup(vocabulary=VOCAB, mask_token="")
    np.testing.assert_array_equal(masked([["a", "", "q"]]), [[2, 0, 1]])
    assert masked.get_vocabulary()[:2] == ["", "[UNK]"]
    assert StringLookup(vocabulary=VOCAB, mask_token="", invert=True)(
        np.array([0, 2])).tolist() == ["", "a"]
    small = StringLookup(max_tokens=3)
    small.adapt([["q", "q", "r", "s", "s", "s"]])
    assert small.get_vocabulary() == ["[UNK]", "s", "q"]
    assert small.vocabulary_size() == 3
    no_oov = StringLookup(vocabulary=VOCAB, num_oov_indices=0)
    np.testing.assert_array_equal(no_oov(["a", "d"]), [0, 3])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        no_oov(["zz"])


def test_string_lookup_symbolic_config_and_errors(tmp_path):
    layer = StringLookup(vocabulary=VOCAB, output_mode="multi_hot")
    out = layer(KerasTensor((None, 3), "string"))
    assert out.shape == (None, 5) and out.dtype == "float32"
    assert StringLookup(vocabulary=VOCAB, invert=True)(KerasTensor((None,), "int32")).dtype \
        == "string"
    adapted = StringLookup()
    adapted.adapt(DATA)
    clone = StringLookup.from_config(adapted.get_config())
    np.testing.assert_array_equal(clone(DATA), adapted(DATA))
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\n")
    np.testing.assert_array_equal(StringLookup(vocabulary=str(path))(["c", "a"]), [3, 1])
    with pytest.raises(ValueError, match="repeats the terms"):
        StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="mask token"):
        StringLookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match="more than max_tokens"):
        StringLookup(vocabulary=VOCAB, max_tokens=3)
    with pytest.raises(ValueError, match="`invert=True` needs output_mode='int'"):
        StringLookup(invert=True, output_mode="count")
    with pytest.raises(RuntimeError, match="needs its vocabulary"):
        StringLookup(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="cannot also be adapted"):
        StringLookup(vocabulary=VOCAB).adapt(DATA)


def test_string_model_predict_raises_clear_error():
    inputs = lamina.layers.Input(shape=(1,), dtype="string")
    model = lamina.Model(inputs, StringLookup(vocabulary=VOCAB)(inputs))
    with pytest.raises((TypeError, RuntimeError), match="(?i)string|apply it to the data"):
        model.predict(np.array([["a"], ["b"]]), verbose=0)


# -- IntegerLookup ---------------------------------------------------------------------------------
def test_integer_lookup_keras_examples():
    vocab = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    np.testing.assert_array_equal(IntegerLookup(vocabulary=vocab)(data), [[1, 3, 4], [4, 0, 2]])
    adapted = IntegerLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(adapted(data), [[5, 2, 1], [1, 3, 4]])
    two_oov = IntegerLookup(vocabulary=vocab, num_oov_indices=2)
    np.testing.assert_array_equal(two_oov(np.array([[12, 1138, 42], [37, 1000, 36]])),
                                  [[2, 4, 5], [1, 0, 3]])  # 37 % 2 = 1, 1000 % 2 = 0
    inverse = IntegerLookup(vocabulary=vocab, invert=True)
    np.testing.assert_array_equal(inverse(np.array([[1, 3, 4], [4, 0, 2]])),
                                  [[12, 1138, 42], [42, -1, 36]])
    masked = IntegerLookup(vocabulary=vocab, mask_token=0)
    np.testing.assert_array_equal(masked(np.array([12, 0, 5])), [2, 0, 1])


def test_integer_lookup_encoded_modes_and_farmhash_oov():
    vocab = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])
    np.testing.assert_allclose(IntegerLookup(vocabulary=vocab, output_mode="count")(data),
                               [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    padded = IntegerLookup(vocabulary=vocab, output_mode="multi_hot", pad_to_max_tokens=True,
                           max_tokens=8)
    assert tuple(padded(data).shape) == (2, 8)
    farm = IntegerLookup(vocabulary=vocab, num_oov_indices=3, oov_method="farmhash")
    from lamina.layers.preprocessing._hashing import fingerprint64
    np.testing.assert_array_equal(farm(np.array([1000, 12])),
                                  [fingerprint64("1000") % 3, 3])


def test_integer_lookup_runs_under_jit_and_in_fit():
    layer = IntegerLookup(vocabulary=[5, 9, 2])
    out = lamina.backend.transforms.jit(lambda x: layer(x))(np.array([9, 2, 4, 5]))
    np.testing.assert_array_equal(out, [2, 3, 0, 1])
    model = lamina.Sequential([lamina.layers.Input((2,), dtype="int32"),
                               IntegerLookup(vocabulary=[5, 9, 2], output_mode="multi_hot"),
                               lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.array([[5, 9], [2, 7]]), np.array([[1.0], [0.0]]), epochs=2,
                        verbose=0)
    assert len(history.history["loss"]) == 2


def test_integer_lookup_config_and_errors():
    layer = IntegerLookup(vocabulary=[3, 4], mask_token=0, oov_token=-7)
    config = layer.get_config()
    assert config["vocabulary"] == [3, 4] and config["oov_token"] == -7
    assert config["vocabulary_dtype"] == "int64"
    clone = IntegerLookup.from_config(config)
    np.testing.assert_array_equal(clone(np.array([4, 0, 9])), layer(np.array([4, 0, 9])))
    assert layer(KerasTensor((None, 2), "int32")).shape == (None, 2)
    with pytest.raises(ValueError, match="`max_tokens`"):
        IntegerLookup(max_tokens=1)
    with pytest.raises(ValueError, match="`num_oov_indices`"):
        IntegerLookup(num_oov_indices=-1)
    with pytest.raises(ValueError, match="vocabulary_dtype"):
        IntegerLookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match="unknown oov_method"):
        IntegerLookup(oov_method="md5")
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)(np.array([3]))
