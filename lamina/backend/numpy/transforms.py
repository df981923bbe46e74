"""The trainer's transforms on NumPy: no compilation, no differentiation, loops in Python.

`jit` returns the function unchanged; `scan`, `fori_loop`, `while_loop` and `cond` are Python
loops and branches with the semantics of their `lax` namesakes. Gradients need the jax backend.
Pytrees follow `jax.tree_util`: tuples, lists and dicts (by sorted key) are nodes, `None` is an
empty node, everything else is a leaf.
"""

import numpy as np

TRAINING_ERROR = (
    "The numpy backend runs inference only (predict, evaluate): NumPy has no automatic "
    "differentiation, so it cannot compute gradients or train. Training needs the jax backend: "
    "set LAMINA_BACKEND=jax (or KERAS_BACKEND=jax) before importing lamina.")


def jit(fn, donate_argnums=(), static_argnums=(), fast_compile=False, top_level=False):
    return fn


def value_and_grad(fn, has_aux=False):
    """A function that raises: NumPy cannot differentiate (see `TRAINING_ERROR`).

    Building the gradient function succeeds, so objects that prepare one up front (the
    trainer's steps) still serve predict and evaluate; only calling it fails.
    """
    def unavailable(*args, **kwargs):
        raise NotImplementedError(f"value_and_grad: {TRAINING_ERROR}")
    return unavailable


def grad(fn, has_aux=False):
    """A function that raises: NumPy cannot differentiate (see `TRAINING_ERROR`)."""
    def unavailable(*args, **kwargs):
        raise NotImplementedError(f"grad: {TRAINING_ERROR}")
    return unavailable


def scan(fn, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = fn(carry, x)` over the leading axis of `xs`; returns `(carry, stacked ys)`."""
    leaves, treedef = tree_flatten(xs)
    lengths = {int(np.shape(leaf)[0]) for leaf in leaves}
    if length is not None:
        lengths.add(int(length))
    if len(lengths) != 1:
        raise ValueError("scan: every array in `xs` must have the same leading axis length, "
                         f"and `length` (if given) must equal it. Received lengths "
                         f"{sorted(lengths)} (length={length!r}). Pass `length` when `xs` is None.")
    n = lengths.pop()
    carry, ys = init, []
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        x = tree_unflatten(treedef, [leaf[i] for leaf in leaves]) if leaves else None
        carry, y = fn(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    y_leaves = [tree_flatten(y)[0] for y in ys]
    y_def = tree_flatten(ys[0])[1]
    stacked = [np.stack([np.asarray(row[j]) for row in y_leaves]) for j in range(len(y_leaves[0]))]
    return carry, tree_unflatten(y_def, stacked)


def fori_loop(lower, upper, body_fn, init_val):
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fn(np.int32(i), val)
    return val


def while_loop(cond_fn, body_fn, init_val):
    val = init_val
    while bool(cond_fn(val)):
        val = body_fn(val)
    return val


def cond(pred, true_fn, false_fn, *operands):
    return true_fn(*operands) if bool(pred) else false_fn(*operands)


def stop_gradient(x):
    return x


def jvp(fn, primals, tangents, has_aux=False):
    """Raises: NumPy cannot differentiate (see `TRAINING_ERROR`)."""
    raise NotImplementedError(f"jvp: {TRAINING_ERROR}")


def custom_gradient(fn):
    """`fn` returns `(value, grad_fn)`; without differentiation only the value is used."""
    def value_only(*args, **kwargs):
        value, _ = fn(*args, **kwargs)
        return value
    return value_only


def associative_scan(fn, elems, reverse=False, axis=0):
    """Inclusive scan of `fn` along `axis` of every array in `elems`, run left to right (right
    to left with `reverse`); for an associative `fn` this is what `lax.associative_scan` gives."""
    leaves, treedef = tree_flatten(elems)
    n = np.shape(leaves[0])[axis]
    order = range(n - 1, -1, -1) if reverse else range(n)
    outs, acc = [None] * n, None
    for i in order:
        item = tree_unflatten(treedef, [np.take(leaf, i, axis=axis) for leaf in leaves])
        acc = item if acc is None else fn(acc, item)
        outs[i] = tree_flatten(acc)[0]
    stacked = [np.stack([np.asarray(o[j]) for o in outs], axis=axis) for j in range(len(leaves))]
    return tree_unflatten(treedef, stacked)


def map(fn, xs):
    """`fn` over the leading axis of `xs`, outputs stacked (`lax.map`)."""
    return scan(lambda carry, x: (carry, fn(x)), 0, xs)[1]


def vectorized_map(fn, elements):
    """`fn` on each slice along the leading axis, outputs stacked; a loop rather than vmap."""
    return map(fn, elements)


def switch(index, branches, *operands):
    # As `lax.switch`: an index out of range is clamped to the first or last branch.
    index = int(np.clip(int(index), 0, len(branches) - 1))
    return branches[index](*operands)


# -- pytrees --------------------------------------------------------------------------------------
class _TreeDef:
    """Structure of a pytree: a node kind, its keys or type, and its children's structures."""

    __slots__ = ("children", "kind", "meta")

    def __init__(self, kind, meta=None, children=()):
        self.kind, self.meta, self.children = kind, meta, tuple(children)

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

    def __eq__(self, other):
        return (isinstance(other, _TreeDef) and (self.kind, self.meta, self.children)
                == (other.kind, other.meta, other.children))

    def __hash__(self):
        return hash((self.kind, self.children))

    def __repr__(self):
        return f"PyTreeDef({self.kind}, {self.meta!r}, {list(self.children)})"


def _flatten(tree, leaves, is_leaf):
    if is_leaf is not None and is_leaf(tree):
        leaves.append(tree)
        return _TreeDef("leaf")
    if tree is None:
        return _TreeDef("none")
    if isinstance(tree, dict):
        keys = sorted(tree)
        return _TreeDef("dict", (type(tree), tuple(keys)),
                        [_flatten(tree[k], leaves, is_leaf) for k in keys])
    if isinstance(tree, (list, tuple)):
        return _TreeDef("seq", type(tree), [_flatten(v, leaves, is_leaf) for v in tree])
    leaves.append(tree)
    return _TreeDef("leaf")


def _unflatten(treedef, leaves):
    if treedef.kind == "leaf":
        return next(leaves)
    if treedef.kind == "none":
        return None
    values = [_unflatten(child, leaves) for child in treedef.children]
    if treedef.kind == "dict":
        kind, keys = treedef.meta
        return kind(zip(keys, values))
    kind = treedef.meta
    if kind is not tuple and kind is not list and hasattr(kind, "_fields"):
        return kind(*values)  # a namedtuple
    return kind(values)


def tree_flatten(tree):
    return _tree_flatten(tree)


def _tree_flatten(tree, is_leaf=None):
    leaves = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def tree_unflatten(treedef, leaves):
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree_unflatten: the structure holds {treedef.num_leaves} leaves, "
                         f"received {len(leaves)}.")
    return _unflatten(treedef, iter(leaves))


def tree_map(fn, *trees):
    return _tree_map(fn, *trees)


def _tree_map(fn, *trees, is_leaf=None):
    leaves, treedef = _tree_flatten(trees[0], is_leaf)
    others = []
    for other in trees[1:]:
        other_leaves, other_def = _tree_flatten(other, is_leaf)
        if other_def != treedef:
            raise ValueError(f"tree_map: the trees differ in structure: {treedef} and "
                             f"{other_def}.")
        others.append(other_leaves)
    return tree_unflatten(treedef, [fn(*args) for args in zip(leaves, *others)])


def remat(fn):
    """Nothing is differentiated on the NumPy backend, so nothing needs recomputing."""
    return fn

