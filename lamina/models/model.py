"""Model: a Layer that trains. `Model(inputs, outputs)` builds a Functional model; subclassing
Model (layers in `__init__`, the forward pass in `call`) builds a subclassed one."""

from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor
from lamina.trainer.loop import Trainer


class Model(Trainer, Layer):
    """A trainable graph of layers: compile, fit, evaluate, predict, summary.

    `Model(inputs=..., outputs=...)` returns a Functional model; a subclass defines layers in
    `__init__` and the forward pass in `call(inputs, training=None)`.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from lamina.models.functional import Functional
            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        # Functional models run their own __init__ (Model(inputs, outputs) returns one), which
        # comes here with name/trainable only; a subclass comes here with its Layer kwargs.
        if args:
            raise TypeError(f"{type(self).__name__}: Model() takes `inputs` and `outputs` to "
                            "build a Functional model, or keyword arguments (name=, trainable=) "
                            f"from a subclass. Received {len(args)} positional argument(s).")
        Layer.__init__(self, **kwargs)
        self._init_trainer()

    def __call__(self, *args, **kwargs):
        fast = self._compiled_inference_call(args, kwargs)
        if fast is not None:
            return fast[0]
        return super().__call__(*args, **kwargs)

    def _compiled_inference_call(self, args, kwargs):
        """`(outputs,)` from a compiled forward pass, or None when the plain call must run.

        `model(x)` on arrays outside any training step runs layer by layer, dispatching every
        op from Python. When the same input shapes come back (a serving loop), the forward pass
        is compiled once and reused, as `predict` does; variable values are passed in, and
        state a layer changes (seed generators) is written back, so results equal the plain
        call. Calls that could differ keep the plain path: symbolic inputs, `training=True`,
        explicit masks, calls inside another layer or a stateless scope, models that attach
        output masks or add activity losses.
        """
        from lamina import backend
        from lamina.layers.layer import _current_context
        from lamina.utils import tree
        if len(args) != 1 or set(kwargs) - {"training"} or kwargs.get("training") or \
                not self.built or not backend.supports("jit") or \
                backend.get_stateless_scope() is not None or _current_context() is not None:
            return None
        leaves = tree.flatten(args[0])
        if not leaves or not all(hasattr(x, "shape") and hasattr(x, "dtype") and
                                 not isinstance(x, KerasTensor) for x in leaves):
            return None
        signature = tuple((tuple(x.shape), str(x.dtype)) for x in leaves)
        seen = self.__dict__.setdefault("_inference_signatures", {})
        seen[signature] = seen.get(signature, 0) + 1
        # The first call with a shape runs eagerly: compiling pays off only when it repeats.
        if seen[signature] < 2 or not self._compiled_inference_is_exact():
            return None
        forward = self.__dict__.get("_inference_forward")
        if forward is None:
            def run(trainable, non_trainable, inputs):
                return self.stateless_call(trainable, non_trainable, inputs)
            forward = backend.transforms.jit(run)
            object.__setattr__(self, "_inference_forward", forward)
        trainable, non_trainable = self._variable_lists()
        outputs, new_values = forward([v.value for v in trainable],
                                      [v.value for v in non_trainable], args[0])
        for variable, value in zip(non_trainable, new_values):
            variable.assign(value)
        return (outputs,)

    def _compiled_inference_is_exact(self):
        return self._cached_until_tracking_changes("_inference_exact",
                                                   self._inference_is_exact_now)

    def _inference_is_exact_now(self):
        from lamina.layers.layer import Layer
        for layer in [self, *self._flat_layers()]:
            if layer.activity_regularizer is not None:
                return False
            if type(layer).compute_mask is not Layer.compute_mask and layer is not self:
                return False
        return True

    def build(self, input_shape):
        """Create a subclassed model's weights for inputs of `input_shape` (batch axis may be
        None) by running it once on zeros; on a first call the call itself builds them."""
        if getattr(self, "_building_in_call", False):
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(f"Model '{self.name}'.build: expected a shape tuple such as "
                             f"(None, 784), or a list of them. Received: {input_shape!r}")
        import numpy as np
        zeros = [np.zeros(tuple(1 if d is None else d for d in s), dtype="float32")
                 for s in shapes]
        self(zeros if isinstance(input_shape, list) else zeros[0])

    @property
    def outputs(self):
        return None

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print a table of the layers with output shapes and parameter counts."""
        from lamina.utils.summary_utils import print_summary
        print_summary(self, line_length=line_length, print_fn=print_fn,
                      show_trainable=show_trainable)

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in `model.layers`."""
        if index is not None:
            if not 0 <= index < len(self.layers):
                raise ValueError(f"Model '{self.name}' has {len(self.layers)} layers; index "
                                 f"{index} is out of range.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model '{self.name}' has no layer named {name!r}. Layers: "
                         f"{[layer.name for layer in self.layers]}")

    def get_config(self):
        config = Layer.get_config(self)
        return {"name": config["name"], "trainable": config["trainable"]}

    # -- saving (thin wrappers over lamina.saving) ---------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save architecture, weights and compile/optimizer state to a `.keras` file."""
        from lamina.saving import saving_api
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights (and optimizer state) to a `.weights.h5` file."""
        from lamina.saving import saving_api
        saving_api.save_weights(self, filepath, overwrite=overwrite,
                                max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights from a `.weights.h5` or `.keras` file into this built model."""
        from lamina.saving import saving_api
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)
        self._distributed = False  # loaded values are re-placed by the distribution, if any

    def to_json(self, **kwargs):
        """The model's config as a JSON string (`json.dumps` keyword arguments apply)."""
        from lamina.saving import archive
        return archive.to_json_string(archive.model_config(self), **kwargs)

