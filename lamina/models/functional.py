"""Functional models: a graph of layer and op calls from Input tensors to outputs."""

from lamina import backend
from lamina.layers.input_layer import InputLayer
from lamina.models.model import Model
from lamina.ops.symbolic import KerasTensor
from lamina.utils import tree


def _describe_tensor(x):
    return f"{x.name or 'tensor'} with shape {x.shape}"


def topological_nodes(inputs, outputs):
    """Nodes between `inputs` and `outputs`, each after the nodes it depends on.

    Raises a ValueError when an output depends on a symbolic input that is not in `inputs`.
    """
    input_ids = {id(x) for x in inputs}
    order, state = [], {}

    def visit(tensor):
        node = tensor.node
        if node is None:
            raise ValueError(f"{_describe_tensor(tensor)} was not produced by lamina layers or "
                             "ops from an `Input`, so the model cannot replay it.")
        key = id(node)
        if state.get(key) == "done" or id(tensor) in input_ids:
            return
        if isinstance(node.operation, InputLayer):
            raise ValueError(f"The model's outputs depend on the input {_describe_tensor(tensor)}"
                             ", which is not among the model's `inputs`. Add it to `inputs`.")
        if state.get(key) == "active":
            raise ValueError("The layer graph has a cycle; a Functional model must be acyclic.")
        state[key] = "active"
        for parent in node.inputs:
            visit(parent)
        state[key] = "done"
        order.append(node)

    for out in outputs:
        visit(out)
    return order


class Functional(Model):
    """A model defined by `Model(inputs, outputs)`: replays the recorded graph on real tensors.

    Args:
        inputs: An Input tensor, or a list or dict of them.
        outputs: A symbolic tensor computed from the inputs, or a list or dict of them.
        name: Model name.
    """

    def __init__(self, inputs, outputs, name=None, **kwargs):
        trainable = kwargs.pop("trainable", True)
        super().__init__(name=name, trainable=trainable, **kwargs)
        flat_inputs, flat_outputs = tree.flatten(inputs), tree.flatten(outputs)
        for x in flat_inputs + flat_outputs:
            if not isinstance(x, KerasTensor):
                raise ValueError(f"Model '{self.name}': `inputs` and `outputs` must be symbolic "
                                 f"tensors (from lamina.Input and layer calls). Received: {x!r}")
        for x in flat_inputs:
            if x.node is None or not isinstance(x.node.operation, InputLayer):
                raise ValueError(f"Model '{self.name}': every entry of `inputs` must come from "
                                 f"lamina.Input(...). Received: {x!r}")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = flat_inputs
        self._outputs = flat_outputs
        self._nodes = topological_nodes(flat_inputs, flat_outputs)
        # Keras's layer order (deepest first, ties by first visit from the outputs), so that
        # `layers`, `weights` and `get_weights()` list things as Keras does.
        from lamina.saving.weights_h5 import keras_layer_order
        layers = keras_layer_order(self)
        self._graph_layers = layers
        for layer in layers:
            if not any(layer is existing for existing in self._layers):
                self._layers.append(layer)
        self.built = True

    @property
    def layers(self):
        return list(self._graph_layers)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input_shape(self):
        shapes = [x.shape for x in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [x.shape for x in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _flatten_call_inputs(self, inputs):
        struct = self._inputs_struct
        if isinstance(struct, dict):
            if not isinstance(inputs, dict):
                raise TypeError(f"Model '{self.name}' expects a dict of inputs with keys "
                                 f"{sorted(struct)}. Received: {type(inputs).__name__}.")
            missing = [k for k in struct if k not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}': missing inputs {missing}; expected keys "
                                 f"{sorted(struct)}, received {sorted(inputs)}.")
            return tree.flatten({k: inputs[k] for k in struct})
        if isinstance(inputs, dict):
            by_name = {x.name: x for x in self._inputs}
            if all(k in by_name for k in inputs):
                return [inputs[x.name] for x in self._inputs]
            raise ValueError(f"Model '{self.name}': input dict keys {sorted(inputs)} do not match "
                             f"the input names {sorted(by_name)}.")
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self._inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self._inputs)} input(s) "
                             f"({[x.shape for x in self._inputs]}), received {len(flat)}.")
        return flat

    def _check_input(self, spec, x):
        shape = tuple(x.shape)
        ok = len(shape) == len(spec.shape) and all(
            e is None or g is None or e == g for e, g in zip(spec.shape, shape))
        if not ok:
            raise ValueError(
                f"Model '{self.name}': input '{spec.name}' expects shape {spec.shape} (batch axis "
                f"None), received shape {shape}. The input shape given to Input()/input_shape "
                "excludes the batch axis; make the data's sample shape match it.")

    def call(self, inputs, training=None):
        flat = self._flatten_call_inputs(inputs)
        values = {}
        for spec, x in zip(self._inputs, flat):
            if isinstance(x, KerasTensor):
                values[id(spec)] = x
                continue
            x = backend.convert_to_tensor(x)
            self._check_input(spec, x)
            if x.dtype != spec.dtype:
                x = backend.cast(x, spec.dtype)  # as Keras: data takes the Input's dtype
            values[id(spec)] = x
        for node in self._nodes:
            args, kwargs = tree.map_structure(
                lambda t: values[id(t)] if isinstance(t, KerasTensor) else t,
                (node.args, node.kwargs))
            outs = node.replay(args, kwargs)
            for t, v in zip(node.outputs, tree.flatten(outs)):
                values[id(t)] = v
        return tree.pack_sequence_as(self._outputs_struct,
                                     [values[id(t)] for t in self._outputs])

    def _check_inputs(self, inputs):
        """The inputs flattened in Input order; raises if an input's shape does not fit its
        Input (for data, before any tracing)."""
        flat = self._flatten_call_inputs(inputs)
        for spec, x in zip(self._inputs, flat):
            if hasattr(x, "shape"):
                self._check_input(spec, x)
        return flat

    def compute_output_spec(self, inputs, training=None):
        # Checked before the shape probes, whose batch sizes would show in the message.
        flat = self._check_inputs(inputs)
        if all(isinstance(x, KerasTensor) and tuple(x.shape) == tuple(spec.shape)
               and x.dtype == spec.dtype and not x.sparse for x, spec in zip(flat, self._inputs)):
            # The inputs the graph was built from: its recorded outputs answer without tracing
            # the model again (fit asks this before its first step).
            return tree.pack_sequence_as(self._outputs_struct, [
                KerasTensor(t.shape, t.dtype, sparse=t.sparse) for t in self._outputs])
        return super().compute_output_spec(inputs, training=training)

    def get_config(self):
        from lamina.models.cloning import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from lamina.models.cloning import functional_from_config
        return functional_from_config(config, custom_objects=custom_objects)
