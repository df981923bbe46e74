"""Core layers: Dense, Identity, Embedding, Masking, Lambda."""

import inspect
import numbers

import numpy as np

from lamina import activations, backend, constraints, initializers, ops, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor, compute_output_spec
from lamina.saving import serialization
from lamina.utils import tree


class Dense(Layer):
    """Fully connected layer: `outputs = activation(inputs @ kernel + bias)`.

    Args:
        units: Positive int, size of the output's last axis.
        activation: Activation name or callable. `None` means no activation.
        use_bias: Whether to learn an additive bias.
        kernel_initializer: Initializer for `kernel`. Defaults to `"glorot_uniform"`.
        bias_initializer: Initializer for `bias`. Defaults to `"zeros"`.
        kernel_regularizer / bias_regularizer: Optional weight regularizers.
        kernel_constraint / bias_constraint: Optional weight constraints.

    Input shape: `(..., input_dim)`. Output shape: `(..., units)`.

    >>> layer = lamina.layers.Dense(4, activation="relu")
    >>> tuple(layer(lamina.ops.ones((2, 3))).shape)
    (2, 4)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense: `units` must be a positive int. Received: units={units!r}")
        if lora_rank is not None or lora_alpha is not None:
            raise NotImplementedError("Dense: `lora_rank`/`lora_alpha` (LoRA) are not supported "
                                      "yet; leave them None.")
        if quantization_config is not None:
            raise NotImplementedError("Dense: `quantization_config` is not supported yet. "
                                      f"Received: {quantization_config!r}; leave it None.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}' needs a known last input axis to create its "
                             f"kernel. Received input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(shape=(input_dim, self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight(shape=(self.units,), name="bias",
                                     initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs, training=None):
        y = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            y = ops.add(y, self.bias)
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Identity(Layer):
    """Returns its input unchanged; a placeholder in architectures.

    >>> tuple(lamina.layers.Identity()(lamina.ops.ones((2, 3))).shape)
    (2, 3)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _concrete(x):
    """`x` as a NumPy array when its values are known now, else None (inside a trace)."""
    if backend.core.is_tracing():
        return None
    try:
        return backend.convert_to_numpy(x)
    except TypeError:  # a tracer from a transformation that stages nothing else (vmap, grad)
        return None


class Embedding(Layer):
    """Turns non-negative integer indices into dense vectors: row `i` of `embeddings` for index `i`.

    Args:
        input_dim: Positive int, the vocabulary size (largest index + 1).
        output_dim: Positive int, the size of each vector.
        embeddings_initializer: Initializer for `embeddings`. Defaults to `"uniform"`.
        embeddings_regularizer: Optional regularizer of `embeddings`.
        embeddings_constraint: Optional constraint of `embeddings`.
        mask_zero: Whether index 0 is padding: the output then carries the mask `inputs != 0`,
            and the vocabulary's real tokens start at 1 (so `input_dim` = vocabulary + 1).
        weights: Optional initial `(input_dim, output_dim)` matrix (or a list holding it).
        lora_rank / lora_alpha / quantization_config: Not supported yet; must be None.

    Indices are cast to int32 unless already int32/int64. In an eager call an index outside
    `[0, input_dim)` raises a ValueError. Inside a compiled step values cannot be inspected, so
    such an index gives, as in Keras on JAX, a row of NaN (an index in `[-input_dim, -1]` counts
    from the end instead).

    Input shape: `(batch, ...)` integers. Output shape: `(batch, ..., output_dim)`.

    >>> layer = lamina.layers.Embedding(10, 4)
    >>> tuple(layer(lamina.ops.array([[1, 2, 3]])).shape)
    (1, 3, 4)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        kwargs.pop("input_length", None)  # a Keras 2 argument with no effect in Keras 3
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not _is_int(value) or value <= 0:
                raise ValueError(f"Embedding: `{arg}` must be a positive int. Received: "
                                 f"{arg}={value!r} (of type {type(value).__name__}).")
        if lora_rank is not None or lora_alpha is not None:
            raise NotImplementedError("Embedding: LoRA (`lora_rank`, `lora_alpha`) is not "
                                      f"supported yet. Received: lora_rank={lora_rank!r}; "
                                      "leave it None.")
        if quantization_config is not None:
            raise NotImplementedError("Embedding: `quantization_config` is not supported yet. "
                                      f"Received: {quantization_config!r}; leave it None.")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        # Indices must not be cast to the float compute dtype before the lookup.
        self.autocast = False
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1
                             else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        if backend.standardize_dtype(inputs.dtype) not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        self._check_indices(inputs)
        return ops.cast(ops.take(self.embeddings, inputs, axis=0), self.compute_dtype)

    def _check_indices(self, inputs):
        values = _concrete(inputs)
        if values is None or values.size == 0:
            return
        low, high = int(values.min()), int(values.max())
        if low < 0 or high >= self.input_dim:
            bad = low if low < 0 else high
            raise ValueError(f"Embedding '{self.name}' has input_dim={self.input_dim}, so indices "
                             f"must be in [0, {self.input_dim - 1}]. Received index {bad} (inputs "
                             f"of shape {tuple(values.shape)} range over [{low}, {high}]). "
                             "Increase input_dim to the vocabulary size (+1 with mask_zero), or "
                             "check the tokenizer.")

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "quantization_config": None}


class Masking(Layer):
    """Marks time steps whose features all equal `mask_value` as padding, and zeroes them.

    Args:
        mask_value: Number; a step `inputs[b, t, :]` equal to it everywhere is masked.

    The output carries the mask `any(inputs != mask_value, axis=-1)`, which layers that support
    masking (recurrent layers, attention, pooling) use to skip the padded steps.

    Input shape: `(batch, steps, features)` (any rank >= 2). Output shape: the same.

    >>> x = lamina.ops.array([[[1.0, 2.0], [0.0, 0.0]]])
    >>> lamina.layers.Masking()(x).tolist()
    [[[1.0, 2.0], [0.0, 0.0]]]
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and "class_name" in mask_value:
            mask_value = serialization.deserialize_keras_object(mask_value)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (numbers.Number, np.ndarray)):
            raise TypeError(f"Masking: `mask_value` must be a number. Received: "
                            f"mask_value={mask_value!r} (of type {type(mask_value).__name__}).")
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs, keepdims):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=keepdims)

    def call(self, inputs):
        return ops.where(self._keep(inputs, True), inputs, ops.zeros((), dtype=inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs, False)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "mask_value": serialization.serialize_keras_object(self.mask_value)}


def _function_tables(module=None):
    """Names that a saved Lambda may refer to: lamina's ops and activations. The table that
    `module` names wins where both hold a name (`relu` is in both)."""
    from lamina import activations as activations_module
    op_table = {}
    for family in (ops.core, ops.numpy, ops.nn, ops.math, ops.linalg):
        op_table.update({name: getattr(family, name) for name in getattr(family, "__all__", ())})
    activation_table = dict(activations_module.ALL_OBJECTS_DICT)
    if module == "keras.activations":
        return {**op_table, **activation_table}
    return {**activation_table, **op_table}


def _shape_like(value):
    return isinstance(value, (list, tuple)) and all(d is None or _is_int(d) for d in value)


def _map_shapes(fn, shapes):
    """`fn` applied to each shape tuple in a shape or a (nested) list of shapes."""
    if _shape_like(shapes):
        return fn(tuple(shapes))
    return [_map_shapes(fn, s) for s in shapes]


class Lambda(Layer):
    """Wraps a Python function as a layer: `outputs = function(inputs, **arguments)`.

    Args:
        function: Callable taking the input tensor first. If it accepts `mask` or `training`
            arguments, the layer passes them.
        output_shape: Output shape without the batch axis (a tuple, or a list of tuples for
            several outputs), or a callable mapping the full input shape to the full output
            shape. Inferred by tracing `function` when omitted.
        mask: None (the output carries no mask), a callable `mask(inputs, previous_mask)`, or
            a fixed mask tensor.
        arguments: Dict of extra keyword arguments for `function`.

    lamina never saves Python code: `get_config` works only when `function` (and a callable
    `output_shape` or `mask`) is a lamina op or activation, or a function registered with
    `@lamina.saving.register_keras_serializable()`. For anything else, write a `Layer` subclass.

    >>> layer = lamina.layers.Lambda(lamina.ops.square)
    >>> layer(lamina.ops.array([[1.0, -2.0]])).tolist()
    [[1.0, 4.0]]
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable. Received: function="
                            f"{function!r} (of type {type(function).__name__}).")
        if not (output_shape is None or callable(output_shape) or _shape_like(output_shape)
                or (isinstance(output_shape, list) and all(_shape_like(s) for s in output_shape))):
            raise ValueError("Lambda: `output_shape` must be a tuple of ints/None without the "
                             "batch axis, a list of such tuples, or a callable. Received: "
                             f"output_shape={output_shape!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Lambda: `arguments` must be a dict of keyword arguments for the "
                            f"function. Received: arguments={arguments!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            params = {}
        self._passes_mask = "mask" in params
        self._passes_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._passes_mask:
            kwargs["mask"] = mask
        if self._passes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self._output_shape is None:
            try:
                return compute_output_spec(self.call, inputs, *args, **kwargs)
            except Exception as error:
                raise ValueError(f"Lambda '{self.name}' could not infer its output shape by "
                                 f"tracing its function ({type(error).__name__}: {error}). Pass "
                                 "`output_shape=` explicitly.") from error
        shapes = self.compute_output_shape(tree.map_structure(lambda t: t.shape, inputs))
        return _map_shapes(lambda s: KerasTensor(s, self.compute_dtype), shapes)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            specs = _map_shapes(lambda s: KerasTensor(s, self.compute_dtype), input_shape)
            return tree.map_structure(lambda t: t.shape, self.compute_output_spec(specs))
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape
        while not _shape_like(first):
            first = first[0]
        batch = first[0] if first else None
        return _map_shapes(lambda s: (batch, *s), self._output_shape)

    # -- config -----------------------------------------------------------------------------------
    def _serialize_function(self, fn, what):
        registered = getattr(fn, "_registered_name", None)
        if registered is not None and serialization.get_registered_object(registered) is fn:
            return serialization.serialize_keras_object(fn)
        name = getattr(fn, "__name__", None)
        for module in ("keras.ops", "keras.activations"):
            if name is not None and _function_tables(module).get(name) is fn:
                return {"module": module, "class_name": "function", "config": name,
                        "registered_name": name}
        raise ValueError(
            f"Lambda '{self.name}' cannot be saved: its `{what}` {fn!r} is Python code, and lamina "
            "never saves code (loading it back would run it). Only lamina ops and activations, "
            "and functions decorated with @lamina.saving.register_keras_serializable(), are "
            "saved by name. Register the function, or write a Layer subclass with get_config() "
            "and decorate it with @lamina.saving.register_keras_serializable().")

    def get_config(self):
        config = {"function": self._serialize_function(self.function, "function")}
        if self._output_shape is not None:
            config["output_shape"] = (self._serialize_function(self._output_shape, "output_shape")
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = (self._serialize_function(self.mask, "mask") if callable(self.mask)
                              else serialization.serialize_keras_object(
                                  backend.convert_to_numpy(self.mask)))
        config["arguments"] = serialization.serialize_keras_object(
            {k: backend.convert_to_numpy(v) if backend.is_tensor(v) else v
             for k, v in self.arguments.items()})
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)

        def load(value, what):
            if isinstance(value, dict) and value.get("class_name") == "__lambda__":
                raise ValueError(
                    f"Lambda.from_config: the saved `{what}` is Python bytecode (a lambda saved "
                    "by Keras). lamina never runs code from a file. Rebuild the layer in code, "
                    "or replace the lambda with a registered function or a Layer subclass.")
            if isinstance(value, dict) and "class_name" in value:
                return serialization.deserialize_keras_object(
                    value, custom_objects=custom_objects,
                    module_objects=_function_tables(value.get("module")), family="function")
            return value

        config["function"] = load(config["function"], "function")
        if "output_shape" in config:
            shape = load(config["output_shape"], "output_shape")
            if isinstance(shape, list) and shape and all(_shape_like(s) for s in shape) \
                    and not _shape_like(shape):
                shape = [tuple(s) for s in shape]
            elif _shape_like(shape):
                shape = tuple(shape)
            config["output_shape"] = shape
        if "mask" in config:
            config["mask"] = load(config["mask"], "mask")
        if "arguments" in config:
            config["arguments"] = {k: load(v, "arguments")
                                   for k, v in (config["arguments"] or {}).items()}
        return cls(**config)
