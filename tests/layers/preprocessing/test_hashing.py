"""The pure-Python hashes behind Hashing, HashedCrossing and the lookups' OOV buckets."""

from lamina.layers.preprocessing._hashing import fingerprint64, fingerprint_cat64, siphash24

# FarmHash Fingerprint64 values printed by the reference C++ library (pyfarmhash 0.5.1), one per
# length branch of the algorithm (0-16, 17-32, 33-64 and > 64 bytes).
FARMHASH = {
    "": 11160318154034397263,
    "hello": 13009744463427800296,
    "x" * 20: 8233088228747857348,
    "x" * 40: 17003596230054984852,
    "lamina preprocessing " * 5: 14951268836714173465,
}


def test_fingerprint64_reference_values():
    for text, expected in FARMHASH.items():
        assert fingerprint64(text) == expected
    assert fingerprint64("hello") == fingerprint64(b"hello")


def test_fingerprint64_buckets_match_keras_docs():
    # keras.layers.Hashing(num_bins=3) on A..E gives [1, 0, 1, 1, 2] (Keras 3 docstring).
    assert [fingerprint64(c) % 3 for c in "ABCDE"] == [1, 0, 1, 1, 2]
    # Keras's hashing tests: num_bins=2 on these words, and on the ints 0..4 with 3 bins.
    words = ["omar", "stringer", "marlo", "wire", "skywalker"]
    assert [fingerprint64(w) % 2 for w in words] == [0, 0, 1, 0, 0]
    assert [fingerprint64(str(i)) % 3 for i in range(5)] == [1, 0, 1, 0, 2]


def test_fingerprint64_all_length_branches_are_distinct_and_stable():
    texts = ["x" * n for n in (3, 7, 12, 20, 40, 64, 65, 130, 300)]
    values = [fingerprint64(t) for t in texts]
    assert len(set(values)) == len(values)
    assert all(0 <= v < 2**64 for v in values)


def test_siphash24_reference_vector():
    # The SipHash paper's test vector: key 00..0f, message 00..0e.
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))
    assert siphash24(key, bytes(range(15))) == 0xA129CA6149BE45E5


def test_siphash24_buckets_match_keras_docs():
    assert [siphash24([133, 137], c) % 3 for c in "ABCDE"] == [1, 2, 1, 0, 2]
    assert [siphash24([133, 133], c) % 3 for c in "ABCDE"] == [0, 0, 2, 1, 0]


def test_fingerprint_cat64_matches_keras_hashed_crossing():
    # keras.layers.HashedCrossing(num_bins=5) on (A,101) (B,101) (A,101) (B,102) (A,102).
    key = 0xDECAFCAFFE
    out = [fingerprint_cat64(fingerprint_cat64(key, fingerprint64(a)), b) % 5
           for a, b in zip("ABABA", [101, 101, 101, 102, 102])]
    assert out == [1, 4, 1, 1, 3]
