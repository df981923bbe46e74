"""Symbolic tensors and the graph nodes they record.

`Input(shape=(3,))` yields a KerasTensor: a shape (batch axis None) and a dtype, no values. Calling
an op or a layer on one infers the output's shape and dtype by abstract evaluation and records a
Node, from which a Functional model later replays the computation on real tensors.
"""

from lamina import backend
from lamina.backend.common.variables import Variable
from lamina.utils import tree

# Sizes substituted for unknown axes during abstract evaluation; an output axis that differs
# between the two evaluations depends on an unknown input axis and stays unknown. Both have many
# divisors, so a reshape that needs, say, an even batch still infers.
_PROBE_SIZES = (720, 840)


class Node:
    """One call in a symbolic graph: `outputs = operation(*args, **kwargs)`."""

    __slots__ = ("args", "inputs", "kwargs", "operation", "outputs")

    def __init__(self, operation, args, kwargs, outputs):
        self.operation = operation
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.inputs = [x for x in tree.flatten((args, kwargs)) if isinstance(x, KerasTensor)]

    def replay(self, args, kwargs):
        return self.operation(*args, **kwargs)


class KerasTensor:
    """A symbolic tensor: shape (None for unknown axes) and dtype, plus the node that made it."""

    def __init__(self, shape, dtype="float32", name=None, node=None, index=0, sparse=False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = backend.standardize_dtype(dtype)
        self.name = name
        self.sparse = sparse
        self.node = node
        self.index = index

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"{self!r} is symbolic: it has a shape and dtype but no values yet. Symbolic tensors "
            "(from `Input`) can only flow through lamina layers and `lamina.ops`. Build a model "
            "with `Model(inputs, outputs)` and call it on data to get numbers.")

    def __bool__(self):
        raise TypeError(f"{self!r} is symbolic and has no truth value; use `lamina.ops.cond` or "
                        "`lamina.ops.where` to branch on tensor values.")

    def __iter__(self):
        raise TypeError(f"{self!r} is symbolic and cannot be iterated.")

    __hash__ = object.__hash__

    def _np(self):
        from lamina.ops import numpy as np_ops
        return np_ops

    def __neg__(self): return self._np().negative(self)
    def __abs__(self): return self._np().abs(self)
    def __add__(self, o): return self._np().add(self, o)
    def __radd__(self, o): return self._np().add(o, self)
    def __sub__(self, o): return self._np().subtract(self, o)
    def __rsub__(self, o): return self._np().subtract(o, self)
    def __mul__(self, o): return self._np().multiply(self, o)
    def __rmul__(self, o): return self._np().multiply(o, self)
    def __truediv__(self, o): return self._np().divide(self, o)
    def __rtruediv__(self, o): return self._np().divide(o, self)
    def __pow__(self, o): return self._np().power(self, o)
    def __rpow__(self, o): return self._np().power(o, self)
    def __matmul__(self, o): return self._np().matmul(self, o)
    def __rmatmul__(self, o): return self._np().matmul(o, self)
    def __floordiv__(self, o): return self._np().floor_divide(self, o)
    def __rfloordiv__(self, o): return self._np().floor_divide(o, self)
    def __mod__(self, o): return self._np().mod(self, o)
    def __rmod__(self, o): return self._np().mod(o, self)
    # `==` stays identity so that symbolic tensors can be found in lists; use ops.equal.
    def __ne__(self, o): return self._np().not_equal(self, o)
    def __and__(self, o): return self._np().logical_and(self, o)
    def __rand__(self, o): return self._np().logical_and(o, self)
    def __or__(self, o): return self._np().logical_or(self, o)
    def __ror__(self, o): return self._np().logical_or(o, self)
    def __xor__(self, o): return self._np().logical_xor(self, o)
    def __rxor__(self, o): return self._np().logical_xor(o, self)
    def __invert__(self): return self._np().logical_not(self)
    def __lt__(self, o): return self._np().less(self, o)
    def __le__(self, o): return self._np().less_equal(self, o)
    def __gt__(self, o): return self._np().greater(self, o)
    def __ge__(self, o): return self._np().greater_equal(self, o)

    def __getitem__(self, key):
        from lamina.ops import core as core_ops
        return core_ops.getitem(self, key)


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)


def any_symbolic(*args):
    for x in args:
        if isinstance(x, KerasTensor):
            return True
        if isinstance(x, (list, tuple)) and any(isinstance(v, KerasTensor) for v in x):
            return True
    return False


def unwrap_variables(x):
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (list, tuple)) and any(isinstance(v, Variable) for v in x):
        return type(x)(v.value if isinstance(v, Variable) else v for v in x)
    return x


def compute_output_spec(fn, *args, **kwargs):
    """Shapes and dtypes of `fn(*args, **kwargs)` where args may hold KerasTensors.

    Returns the output structure with KerasTensors (no history) as leaves.
    """
    flat = tree.flatten((args, kwargs))
    symbolic = [x for x in flat if isinstance(x, KerasTensor)]
    has_unknown = any(d is None for x in symbolic for d in x.shape)
    probes = _PROBE_SIZES if has_unknown else _PROBE_SIZES[:1]
    results = [_eval_with_size(fn, args, kwargs, flat, size) for size in probes]
    first = tree.flatten(results[0])
    others = [tree.flatten(r) for r in results[1:]]
    outs = []
    for i, spec in enumerate(first):
        shape = list(spec.shape)
        for other in others:
            shape = [a if a == b else None for a, b in zip(shape, other[i].shape)]
        outs.append(KerasTensor(shape, spec.dtype))
    return tree.pack_sequence_as(results[0], outs)


def _eval_with_size(fn, args, kwargs, flat, size):
    positions = [i for i, x in enumerate(flat) if isinstance(x, KerasTensor)]
    specs = [backend.core.Spec(tuple(size if d is None else d for d in flat[i].shape),
                               flat[i].dtype) for i in positions]

    def concrete_fn(*tensors):
        leaves = list(flat)
        for i, t in zip(positions, tensors):
            leaves[i] = t
        a, k = tree.pack_sequence_as((args, kwargs), leaves)
        with backend.StatelessScope():
            return fn(*a, **k)

    return backend.core.eval_shape(concrete_fn, specs)


def symbolic_call(operation, *args, **kwargs):
    """Run `operation` abstractly on symbolic inputs, record a Node, return symbolic outputs."""
    outputs = compute_output_spec(operation, *args, **kwargs)
    return record_node(operation, args, kwargs, outputs)


def record_node(operation, args, kwargs, outputs):
    flat_outputs = tree.flatten(outputs)
    node = Node(operation, args, kwargs, flat_outputs)
    for i, t in enumerate(flat_outputs):
        t.node, t.index = node, i
    return outputs
