"""Walking symbolic graphs: `get_source_inputs`."""


def get_source_inputs(tensor):
    """The `Input` tensors that symbolic `tensor` is computed from, in first-visit order.

    >>> import lamina
    >>> a, b = lamina.Input((2,)), lamina.Input((2,))
    >>> [t is a for t in get_source_inputs(lamina.layers.Add()([a, b]))]
    [True, False]
    """
    # ops and layers sit above utils (ops.symbolic imports lamina.utils.tree).
    from lamina.layers.input_layer import InputLayer
    from lamina.ops.symbolic import KerasTensor
    if not isinstance(tensor, KerasTensor):
        raise TypeError(f"get_source_inputs: expected a symbolic tensor (from lamina.Input or a "
                        f"layer called on one). Received: {tensor!r}")
    sources, seen, stack = [], set(), [tensor]
    while stack:
        current = stack.pop()
        node = current.node
        if node is None or isinstance(node.operation, InputLayer):
            if not any(current is s for s in sources):
                sources.append(current)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(reversed(node.inputs))
    return sources
