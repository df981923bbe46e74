"""Sequential: a plain stack of layers, each feeding the next."""

from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.layer import Layer
from lamina.models.functional import Functional
from lamina.models.model import Model
from lamina.ops.symbolic import KerasTensor


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: Optional list of layers to add in order.
        name: Model name.

    The input shape comes from an `Input`/`InputLayer` added first, or from `input_shape=`
    (`input_dim=`) on the first layer; otherwise the model builds on its first call or `fit`.

    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    >>> model.output_shape
    (None, 2)
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._stack = []
        # The input layer and the graph are views of the stack, not extra sublayers to track.
        object.__setattr__(self, "_input_layer", None)
        object.__setattr__(self, "_functional", None)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Append a layer (or an `Input` tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor) and layer.node is not None and \
                isinstance(layer.node.operation, InputLayer):
            layer = layer.node.operation
        if not isinstance(layer, Layer):
            raise ValueError(f"Sequential '{self.name}'.add: expected a Layer instance. "
                             f"Received: {layer!r} of type {type(layer).__name__}. Did you forget "
                             "to instantiate the layer class, e.g. Dense(10) instead of Dense?")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError(f"Sequential '{self.name}': an Input can only be the first "
                                 "entry, before any layer.")
            object.__setattr__(self, "_input_layer", layer)
        else:
            if any(layer is existing for existing in self._stack):
                raise ValueError(f"Sequential '{self.name}': layer '{layer.name}' is already in "
                                 "the model; a layer instance can appear only once.")
            names = {existing.name for existing in self._stack}
            if layer.name in names:
                raise ValueError(f"Sequential '{self.name}': all layers need unique names; "
                                 f"'{layer.name}' is used twice.")
            self._stack.append(layer)
            self._layers.append(layer)
        self.built = False
        object.__setattr__(self, "_functional", None)
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self._stack:
            raise ValueError(f"Sequential '{self.name}' has no layers to pop.")
        layer = self._stack.pop()
        self._layers[:] = [existing for existing in self._layers if existing is not layer]
        self.built = False
        object.__setattr__(self, "_functional", None)
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        if self._input_layer is not None:
            self.build(self._input_layer.batch_shape)
        elif self._stack and self._stack[0]._input_shape_arg is not None:
            first = self._stack[0]
            object.__setattr__(self, "_input_layer", InputLayer(
                batch_shape=first._input_shape_arg, dtype=first.dtype))
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape=None):
        if input_shape is None:
            raise ValueError(f"Sequential '{self.name}' cannot build without an input shape. "
                             "Add an Input, pass input_shape= to the first layer, or call the "
                             "model on data.")
        if not self._stack:
            raise ValueError(f"Sequential '{self.name}' has no layers; add at least one layer "
                             "before building or training it.")
        input_shape = tuple(input_shape)
        if self._input_layer is None or self._input_layer.batch_shape != input_shape:
            dtype = self._input_layer.dtype if self._input_layer is not None else None
            object.__setattr__(self, "_input_layer",
                               InputLayer(batch_shape=input_shape, dtype=dtype))
        x = inputs = self._input_layer.output
        for layer in self._stack:
            x = layer(x)
        object.__setattr__(self, "_functional", Functional(inputs, x, name=f"{self.name}_graph"))
        self.built = True

    def maybe_build(self, inputs):
        if not self.built:
            shape = tuple(inputs.shape)
            self.build((None, *shape[1:]))

    def call(self, inputs, training=None):
        if self._functional is not None:
            return self._functional.call(inputs, training=training)
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training) if layer._call_accepts("training") else layer(x)
        return x

    def _check_inputs(self, inputs):
        if self._functional is not None:
            self._functional._check_inputs(inputs)

    def compute_output_spec(self, inputs, training=None):
        if self._functional is not None:
            return self._functional.compute_output_spec(inputs, training=training)
        return super().compute_output_spec(inputs, training=training)

    @property
    def layers(self):
        return list(self._stack)

    @property
    def inputs(self):
        return self._functional.inputs if self._functional is not None else None

    @property
    def outputs(self):
        return self._functional.outputs if self._functional is not None else None

    @property
    def input_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential '{self.name}' has no input shape until it is built.")
        return self._functional.input_shape

    @property
    def output_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential '{self.name}' has no output shape until it is built.")
        return self._functional.output_shape

    def _layer_output_shapes(self):
        if self._functional is None:
            return {}
        return {id(layer): node.outputs[0].shape for layer in self._stack
                for node in layer._inbound_nodes[-1:]}

    def get_config(self):
        from lamina.saving.serialization import serialize_keras_object
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        for layer in self._stack:
            entry = serialize_keras_object(layer)
            build = layer.get_build_config()
            if build:
                entry["build_config"] = build
            layers.append(entry)
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": Layer.get_config(self)["dtype"], "layers": layers}
        if self._input_layer is not None:
            # Keras records the batch input shape the model was built for.
            config["build_input_shape"] = tuple(self._input_layer.batch_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from lamina.layers import deserialize as deserialize_layer
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            layer = deserialize_layer(entry, custom_objects=custom_objects)
            model.add(layer, rebuild=False)
        model._maybe_rebuild()
        if not model.built and config.get("build_input_shape") is not None:
            model.build(tuple(config["build_input_shape"]))
        if not model.built:
            for entry, layer in zip([e for e in config["layers"]
                                     if e.get("class_name") != "InputLayer"], model._stack):
                if entry.get("build_config") and not layer.built:
                    layer.build_from_config(entry["build_config"])
        return model


# Keep Input importable here for `Sequential([Input(...), ...])` users reading this module.
__all__ = ["Input", "Sequential"]
