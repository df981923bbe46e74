"""Structure utilities (lamina/utils/tree.py): flatten, pack, map, structure checks."""

import collections

import pytest

from lamina.utils import tree

Point = collections.namedtuple("Point", ["x", "y"])


@pytest.mark.parametrize("structure,leaves", [
    ({"b": 1, "a": [2, (3, 4)]}, [2, 3, 4, 1]), ([1, [2, [3]]], [1, 2, 3]), (None, [None]),
    (5, [5]), ("abc", ["abc"]), ([], []), ({}, []), (Point(1, [2, 3]), [1, 2, 3]),
    (collections.OrderedDict([("b", 1), ("a", 2)]), [2, 1]), ([{"z": 1, "y": 2}, (3,)], [2, 1, 3]),
])
def test_flatten(structure, leaves):
    assert tree.flatten(structure) == leaves


def test_is_nested():
    assert tree.is_nested([1]) and tree.is_nested((1,)) and tree.is_nested({"a": 1})
    assert tree.is_nested(Point(1, 2))
    assert not tree.is_nested(1) and not tree.is_nested("ab") and not tree.is_nested(None)


@pytest.mark.parametrize("structure", [
    {"b": 1, "a": [2, (3, 4)]}, [1, [2, [3]]], Point(1, [2, 3]), (1,), 7,
    collections.OrderedDict([("b", 1), ("a", [2, 3])]),
    collections.defaultdict(list, {"k": [1, 2]}),
])
def test_pack_sequence_as_inverts_flatten_and_keeps_types(structure):
    leaves = tree.flatten(structure)
    packed = tree.pack_sequence_as(structure, [v * 10 for v in leaves])
    assert type(packed) is type(structure)
    assert tree.flatten(packed) == [v * 10 for v in leaves]
    if isinstance(structure, dict):
        assert list(packed) == list(structure)  # the structure's own key order
    if isinstance(structure, collections.defaultdict):
        assert packed.default_factory is list


def test_pack_sequence_as_places_leaves_in_sorted_key_order():
    assert tree.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3]) == {"b": 3, "a": [1, 2]}


@pytest.mark.parametrize("flat", [[1], [1, 2, 3, 4]])
def test_pack_sequence_as_rejects_the_wrong_number_of_leaves(flat):
    with pytest.raises(ValueError, match="has 3 leaves, but .* values were given"):
        tree.pack_sequence_as([0, (0, 0)], flat)


def test_map_structure_one_structure():
    assert tree.map_structure(lambda v: v * 2, {"b": 1, "a": (2, [3])}) == {"b": 2, "a": (4, [6])}
    assert tree.map_structure(lambda v: -v, Point(1, 2)) == Point(-1, -2)
    assert tree.map_structure(str, 3) == "3"


def test_map_structure_several_structures():
    out = tree.map_structure(lambda a, b: a + b, {"x": [1, 2], "y": 3}, {"x": [10, 20], "y": 30})
    assert out == {"x": [11, 22], "y": 33}
    with pytest.raises(ValueError, match="don't have the same nesting"):
        tree.map_structure(lambda a, b: a, [1, 2], [1, [2]])
    with pytest.raises(ValueError, match="at least one structure"):
        tree.map_structure(lambda: 0)


def test_assert_same_structure():
    tree.assert_same_structure({"a": [1, 2]}, {"a": [3, 4]})
    tree.assert_same_structure((1, 2), [3, 4])  # lists and tuples nest alike
    with pytest.raises(ValueError, match=r"First: \{'a': \[\*, \*\]\}. Second: \{'b': \[\*, \*\]\}"):
        tree.assert_same_structure({"a": [1, 2]}, {"b": [3, 4]})
    with pytest.raises(ValueError, match="same nesting"):
        tree.assert_same_structure([1, 2], [1, 2, 3])
