"""Small structure utilities over nested lists, tuples and dicts (leaves are everything else)."""


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def flatten(structure):
    """Leaves in order (dicts by sorted key): `flatten({"b": 1, "a": [2, 3]}) == [2, 3, 1]`."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    """Apply `fn` to every leaf, keeping the nesting."""
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*(map_structure(fn, v) for v in structure))
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def pack_sequence_as(structure, flat):
    """Inverse of `flatten`: rebuild `structure` with the leaves of `flat`."""
    flat = list(flat)
    position = [0]

    def build(s):
        if isinstance(s, dict):
            return {key: build(s[key]) for key in sorted(s)}
        if isinstance(s, (list, tuple)):
            items = [build(v) for v in s]
            return items if isinstance(s, list) else tuple(items)
        leaf = flat[position[0]]
        position[0] += 1
        return leaf

    out = build(structure)
    if isinstance(structure, dict):
        out = {key: out[key] for key in structure}
    return out
