"""Model configs in Keras 3's layout, and rebuilding models from them.

A Functional config lists each layer with its `inbound_nodes`; each node's args hold
`{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history": [layer, node,
tensor]}}` references, which `functional_from_config` resolves in order.
"""

from lamina.layers.input_layer import InputLayer
from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor
from lamina.saving.serialization import serialize_keras_object
from lamina.utils import tree


def _history(tensor):
    node = tensor.node
    layer = node.operation
    node_index = next(i for i, n in enumerate(layer._inbound_nodes) if n is node)
    return [layer.name, node_index, tensor.index]


def _serialize_arg(x):
    if isinstance(x, KerasTensor):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(x.shape), "dtype": x.dtype,
                           "keras_history": _history(x)}}
    return x


def functional_config(model):
    for node in model._nodes:
        if not isinstance(node.operation, Layer):
            name = getattr(node.operation, "__name__", repr(node.operation))
            raise NotImplementedError(
                f"Model '{model.name}' applies the op `{name}` directly to symbolic tensors; "
                "saving such graphs is not supported yet. Wrap the computation in a layer.")
    layers = []
    for layer in model.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        build = layer.get_build_config() if not isinstance(layer, InputLayer) else None
        if build:
            entry["build_config"] = build
        nodes = [n for n in layer._inbound_nodes if any(n is m for m in model._nodes)]
        entry["inbound_nodes"] = [
            {"args": [tree.map_structure(_serialize_arg, a) for a in n.args],
             "kwargs": tree.map_structure(_serialize_arg, n.kwargs)} for n in nodes]
        layers.append(entry)

    def refs(struct):
        return tree.map_structure(lambda t: _history(t), struct) if not isinstance(
            struct, KerasTensor) else [_history(struct)]

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": refs(model._inputs_struct),
            "output_layers": refs(model._outputs_struct)}


def functional_from_config(config, custom_objects=None):
    from lamina.layers import deserialize as deserialize_layer
    from lamina.models.functional import Functional

    created, outputs_by_layer = {}, {}
    for entry in config["layers"]:
        layer = deserialize_layer(entry, custom_objects=custom_objects)
        created[entry["name"]] = layer
        if isinstance(layer, InputLayer):
            outputs_by_layer[entry["name"]] = [[layer.output]]
            continue
        outputs_by_layer[entry["name"]] = []
        for node in entry.get("inbound_nodes", []):
            def resolve(x):
                if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                    name, node_index, tensor_index = x["config"]["keras_history"]
                    return outputs_by_layer[name][node_index][tensor_index]
                return x
            args = [_map_config(resolve, a) for a in node["args"]]
            kwargs = {k: _map_config(resolve, v) for k, v in node.get("kwargs", {}).items()}
            out = layer(*args, **kwargs)
            outputs_by_layer[entry["name"]].append(tree.flatten(out))

    def lookup(ref):
        name, node_index, tensor_index = ref
        return outputs_by_layer[name][node_index][tensor_index]

    inputs = _resolve_refs(config["input_layers"], lookup)
    outputs = _resolve_refs(config["output_layers"], lookup)
    return Functional(inputs, outputs, name=config.get("name"),
                      trainable=config.get("trainable", True))


def _map_config(fn, x):
    if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
        return fn(x)
    if isinstance(x, dict):
        return {k: _map_config(fn, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_map_config(fn, v) for v in x]
    return x


def _is_ref(x):
    return isinstance(x, (list, tuple)) and len(x) == 3 and isinstance(x[0], str)


def _resolve_refs(struct, lookup):
    if _is_ref(struct):
        return lookup(struct)
    if isinstance(struct, dict):
        return {k: _resolve_refs(v, lookup) for k, v in struct.items()}
    items = [_resolve_refs(v, lookup) for v in struct]
    return items[0] if len(items) == 1 else items


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights."""
    from lamina.models.sequential import Sequential
    from lamina.saving.serialization import deserialize_keras_object
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model: `input_tensors` and `clone_function` are not "
                                  "supported yet.")
    if isinstance(model, Sequential):
        return Sequential.from_config(model.get_config())
    return deserialize_keras_object(serialize_keras_object(model),
                                    module_objects={type(model).__name__: type(model)})
