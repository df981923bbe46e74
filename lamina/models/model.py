"""Model: a Layer that trains. `Model(inputs, outputs)` builds a Functional model; subclassing
Model (layers in `__init__`, the forward pass in `call`) builds a subclassed one."""

from lamina.layers.layer import Layer
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

