"""Small structure utilities over nested lists, tuples and dicts (leaves are everything else).

Dicts flatten in sorted-key order, like `keras.tree` and `jax.tree_util`; namedtuples and dict
subclasses keep their type when rebuilt.
"""

import collections


def is_nested(x):
    """Whether `x` is a list, tuple or dict (a structure rather than a leaf)."""
    return isinstance(x, (list, tuple, dict))


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def flatten(structure):
    """Leaves in order (dicts by sorted key): `flatten({"b": 1, "a": [2, 3]}) == [2, 3, 1]`."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def _rebuild(template, items):
    """A structure of `template`'s type holding `items` (values, or `(key, value)` for dicts)."""
    if isinstance(template, dict):
        values = dict(items)
        # Keys come back in the template's own order, not the sorted flattening order.
        pairs = [(key, values[key]) for key in template]
        if isinstance(template, collections.defaultdict):
            return type(template)(template.default_factory, pairs)
        return type(template)(pairs)
    if _is_namedtuple(template):
        return type(template)(*items)
    return type(template)(items)


def map_structure(fn, *structures):
    """Apply `fn` to the leaves of one or more structures of the same nesting.

    >>> map_structure(lambda a, b: a + b, {"x": [1, 2]}, {"x": [10, 20]})
    {'x': [11, 22]}
    """
    if not structures:
        raise ValueError("map_structure: expected at least one structure after `fn`.")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)

    def build(*items):
        first = items[0]
        if isinstance(first, dict):
            return _rebuild(first, [(key, build(*(s[key] for s in items))) for key in first])
        if isinstance(first, (list, tuple)):
            return _rebuild(first, [build(*parts) for parts in zip(*items)])
        return fn(*items)

    return build(*structures)


def assert_same_structure(a, b):
    """Raise ValueError unless `a` and `b` nest lists, tuples and dicts the same way."""
    def describe(x):
        if isinstance(x, dict):
            return ("dict", tuple(sorted(x)), tuple(describe(x[k]) for k in sorted(x)))
        if isinstance(x, (list, tuple)):
            return ("sequence", len(x), tuple(describe(v) for v in x))
        return "leaf"

    if describe(a) != describe(b):
        raise ValueError("The two structures don't have the same nesting. "
                         f"First: {_sketch(a)}. Second: {_sketch(b)}.")


def _sketch(x):
    """`x` with every leaf shown as `*`, for error messages."""
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_sketch(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_sketch(v) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    return "*"


def pack_sequence_as(structure, flat):
    """Inverse of `flatten`: rebuild `structure` with the leaves of `flat`.

    >>> pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])
    {'b': 3, 'a': [1, 2]}
    """
    flat = list(flat)
    expected = len(flatten(structure))
    if len(flat) != expected:
        raise ValueError(f"pack_sequence_as: the structure {_sketch(structure)} has {expected} "
                         f"leaves, but {len(flat)} values were given.")
    position = [0]

    def build(s):
        if isinstance(s, dict):
            return _rebuild(s, [(key, build(s[key])) for key in sorted(s)])
        if isinstance(s, (list, tuple)):
            return _rebuild(s, [build(v) for v in s])
        leaf = flat[position[0]]
        position[0] += 1
        return leaf

    return build(structure)
