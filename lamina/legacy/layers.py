"""Keras 0.x/1.x/2.x layer names and signatures, each building today's layer.

`Convolution2D(32, 3, 3, border_mode="same", dim_ordering="th")` returns
`Conv2D(32, (3, 3), padding="same", data_format="channels_first")`. Layers that no longer exist
are here as small layers of their own (`MaxoutDense`, `Highway`) or compositions
(`TimeDistributedDense` = `TimeDistributed(Dense)`, `Merge`/`merge` = today's merging layers).
"""

from lamina import activations, initializers, layers, ops, regularizers
from lamina.layers.layer import Layer
from lamina.layers.rnn.bidirectional import Bidirectional as _Bidirectional
from lamina.layers.rnn.gru import GRU as _GRU
from lamina.layers.rnn.lstm import LSTM as _LSTM
from lamina.layers.rnn.simple_rnn import SimpleRNN as _SimpleRNN
from lamina.layers.rnn.time_distributed import TimeDistributed as _TimeDistributed
from lamina.legacy import arguments
from lamina.legacy.arguments import announce, translate


class LegacyLayer:
    """An old layer name: calling it translates old arguments and returns today's layer.

    Args:
        name: The old name, used in messages ("Convolution2D").
        target: Today's layer class.
        positional: Names of the old positional arguments, in order.
        renames: Extra old -> (new, converter) entries on top of `arguments.LAYER`.
        defaults: The era's defaults where they differ from today's, as today's names.
        sequence: True for layers whose `input_dim` is a feature size of sequences (recurrent,
            Conv1D), so `input_dim`/`input_length` become `input_shape=(input_length, input_dim)`.

    >>> Convolution2D(4, 3, 3, border_mode="same").kernel_size
    (3, 3)
    """

    def __init__(self, name, target, positional=(), renames=None, defaults=None, sequence=False,
                 adapt=None):
        self.__name__ = self.name = name
        self.target = target
        self.positional = tuple(positional)
        self.renames = {**arguments.LAYER, **(renames or {})}
        self.defaults = dict(defaults or {})
        self.sequence = sequence
        self.adapt = adapt
        self.known = arguments.signature_names(target)

    def __repr__(self):
        return f"<legacy layer {self.name} -> {self.target.__name__}>"

    def __instancecheck__(self, obj):
        return isinstance(obj, self.target)

    def __call__(self, *args, **kwargs):
        kwargs = self._name_positionals(args, kwargs)
        if self.adapt is not None:
            kwargs = self.adapt(self.name, kwargs)
        kwargs = _sequence_shape(self.name, kwargs) if self.sequence else kwargs
        if "input_length" in kwargs and "input_length" not in self.known:
            length = kwargs.pop("input_length")
            announce((self.name, "input_length"),
                     f"{self.name}(input_length=...) is the old spelling; today it is "
                     f"{self.name}(input_shape=(input_length,)).")
            kwargs.setdefault("input_shape", (length,))
        weights = kwargs.pop("weights", None) if "weights" not in self.known else None
        kwargs = translate(self.name, kwargs, self.renames, self.known)
        for key, value in self.defaults.items():
            kwargs.setdefault(key, value)
        for key in ("activation", "recurrent_activation"):
            if key in kwargs:
                kwargs[key] = arguments.activation(self.name, kwargs[key])
        layer = self.target(**kwargs)
        if weights is not None:
            set_weights_after_build(layer, weights)
        return layer

    def _name_positionals(self, args, kwargs):
        if len(args) > len(self.positional):
            raise TypeError(f"{self.name}: takes at most {len(self.positional)} positional "
                            f"argument(s) {list(self.positional)}; received {len(args)}.")
        named = dict(zip(self.positional, args))
        for key in named:
            if key in kwargs:
                raise TypeError(f"{self.name}: got `{key}` both by position and by keyword.")
        return {**named, **kwargs}


def set_weights_after_build(layer, weights):
    """Give `layer` its initial `weights` (Keras 1's `weights=` argument) once it is built."""
    if layer.built:
        layer.set_weights(weights)
        return
    build = layer.build

    def build_then_set(input_shape):
        build(input_shape)
        layer.set_weights(weights)
    object.__setattr__(layer, "build", build_then_set)


def _sequence_shape(owner, kwargs):
    """Keras 1's `input_dim`/`input_length` on a sequence layer -> `input_shape`."""
    if "input_dim" in kwargs or "input_length" in kwargs:
        dim, length = kwargs.pop("input_dim", None), kwargs.pop("input_length", None)
        announce((owner, "input_dim/input_length"),
                 f"{owner}(input_dim=..., input_length=...) is the old spelling; today it is "
                 f"{arguments.owner_today(owner)}(input_shape=(input_length, input_dim)).")
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (length, dim)
    return kwargs


def _kernel_size(*names):
    """Adapter folding Keras 1's nb_row/nb_col (or kernel_dim1..3) into `kernel_size`; Keras 2
    scripts that pass the size second (`Conv2D(32, (3, 3))`, `Conv2D(32, 3)`) keep it, and a
    third positional argument is then their `strides`."""
    def adapt(owner, kwargs):
        if names[0] not in kwargs:
            return kwargs
        rest = [n for n in names[1:] if n in kwargs]
        if isinstance(kwargs[names[0]], (list, tuple)) or not rest:
            kwargs["kernel_size"] = kwargs.pop(names[0])
            if rest:
                kwargs["strides"] = kwargs.pop(rest[0])
            return kwargs
        missing = [n for n in names if n not in kwargs]
        if missing:
            raise TypeError(f"{owner}: the Keras 1 signature needs {list(names)}; missing "
                            f"{missing}. Or pass kernel_size=(...) as today.")
        announce((owner, "/".join(names)),
                 f"{owner}(nb_filter, {', '.join(names)}) is the old signature; today it is "
                 f"{arguments.owner_today(owner)}(filters, kernel_size=({', '.join(names)})).")
        kwargs["kernel_size"] = tuple(kwargs.pop(n) for n in names)
        return kwargs
    return adapt


def _conv_filters(kwargs):
    if "nb_filter" in kwargs and isinstance(kwargs["nb_filter"], int):
        kwargs["filters"] = kwargs.pop("nb_filter")
    return kwargs


def _conv_adapter(*names, sequence=False):
    fold = _kernel_size(*names) if names else None

    def adapt(owner, kwargs):
        kwargs = fold(owner, kwargs) if fold is not None else kwargs
        if "nb_filter" in kwargs:
            announce((owner, "nb_filter"), f"{owner}(nb_filter=...) is the old spelling; today "
                                           f"it is {arguments.owner_today(owner)}(filters=...).")
        kwargs = _conv_filters(kwargs)
        if "output_shape" in kwargs:  # Deconvolution2D: today the output shape is computed
            kwargs.pop("output_shape")
            announce((owner, "output_shape"), f"{owner}(output_shape=...) has no meaning today "
                     "and is ignored: Conv2DTranspose computes its output shape.")
        return _sequence_shape(owner, kwargs) if sequence else kwargs
    return adapt


def _forget_bias(owner, kwargs):
    if "forget_bias_init" in kwargs:
        value = kwargs.pop("forget_bias_init")
        announce((owner, "forget_bias_init"),
                 f"{owner}(forget_bias_init=...) is the old spelling; today it is "
                 f"{owner}(unit_forget_bias=True) for 'one' (False otherwise).")
        kwargs["unit_forget_bias"] = value in ("one", "ones")
    return kwargs


def _embedding(owner, kwargs):
    dropout = kwargs.pop("dropout", 0.0)
    if dropout:
        raise ValueError(f"{owner}: Keras 1's word dropout (dropout={dropout!r}) has no "
                         "equivalent today; remove it, or add SpatialDropout1D after the layer.")
    return kwargs


def _batch_norm(owner, kwargs):
    mode = kwargs.get("mode", 0)
    if mode != 0:
        raise ValueError(f"{owner}: Keras 1's mode={mode!r} (per-sample normalization) has no "
                         "equivalent today; use mode=0, or LayerNormalization for mode=1.")
    return kwargs


_UNITS = {"output_dim": ("units", None)}
_RNN_ERA = {"recurrent_activation": "hard_sigmoid"}

# -- core ----------------------------------------------------------------------------------------------
Dense = LegacyLayer("Dense", layers.Dense, ("units",))
Activation = LegacyLayer("Activation", layers.Activation, ("activation",))
Dropout = LegacyLayer("Dropout", layers.Dropout, ("rate",))
Flatten = LegacyLayer("Flatten", layers.Flatten)
Reshape = LegacyLayer("Reshape", layers.Reshape, ("target_shape",),
                      {"dims": ("target_shape", None)})
Permute = LegacyLayer("Permute", layers.Permute, ("dims",))
RepeatVector = LegacyLayer("RepeatVector", layers.RepeatVector, ("n",))
Lambda = LegacyLayer("Lambda", layers.Lambda, ("function", "output_shape"))
Masking = LegacyLayer("Masking", layers.Masking, ("mask_value",))
ActivityRegularization = LegacyLayer("ActivityRegularization", layers.ActivityRegularization,
                                     ("l1", "l2"))
SpatialDropout1D = LegacyLayer("SpatialDropout1D", layers.SpatialDropout1D, ("rate",))
SpatialDropout2D = LegacyLayer("SpatialDropout2D", layers.SpatialDropout2D, ("rate",))
SpatialDropout3D = LegacyLayer("SpatialDropout3D", layers.SpatialDropout3D, ("rate",))

# -- convolution ---------------------------------------------------------------------------------------
Convolution1D = LegacyLayer("Convolution1D", layers.Conv1D, ("filters", "kernel_size"),
                            adapt=_conv_adapter(sequence=True))
AtrousConvolution1D = LegacyLayer("AtrousConvolution1D", layers.Conv1D,
                                  ("filters", "kernel_size"),
                                  adapt=_conv_adapter(sequence=True))
Convolution2D = LegacyLayer("Convolution2D", layers.Conv2D, ("filters", "nb_row", "nb_col"),
                            adapt=_conv_adapter("nb_row", "nb_col"))
AtrousConvolution2D = LegacyLayer("AtrousConvolution2D", layers.Conv2D,
                                  ("filters", "nb_row", "nb_col"),
                                  adapt=_conv_adapter("nb_row", "nb_col"))
Deconvolution2D = LegacyLayer("Deconvolution2D", layers.Conv2DTranspose,
                              ("filters", "nb_row", "nb_col", "output_shape"),
                              adapt=_conv_adapter("nb_row", "nb_col"))
SeparableConvolution2D = LegacyLayer("SeparableConvolution2D", layers.SeparableConv2D,
                                     ("filters", "nb_row", "nb_col"),
                                     adapt=_conv_adapter("nb_row", "nb_col"))
Convolution3D = LegacyLayer("Convolution3D", layers.Conv3D,
                            ("filters", "kernel_dim1", "kernel_dim2", "kernel_dim3"),
                            adapt=_conv_adapter("kernel_dim1", "kernel_dim2", "kernel_dim3"))
Conv1D = LegacyLayer("Conv1D", layers.Conv1D, ("filters", "kernel_size"),
                     adapt=_conv_adapter(sequence=True))
Conv2D = LegacyLayer("Conv2D", layers.Conv2D, ("filters", "nb_row", "nb_col"),
                     adapt=_conv_adapter("nb_row", "nb_col"))
Conv3D = LegacyLayer("Conv3D", layers.Conv3D,
                     ("filters", "kernel_dim1", "kernel_dim2", "kernel_dim3"),
                     adapt=_conv_adapter("kernel_dim1", "kernel_dim2", "kernel_dim3"))
Conv2DTranspose = LegacyLayer("Conv2DTranspose", layers.Conv2DTranspose,
                              ("filters", "kernel_size"))

_POOL_1D = ("pool_size", "strides", "padding")
MaxPooling1D = LegacyLayer("MaxPooling1D", layers.MaxPooling1D, _POOL_1D)
AveragePooling1D = LegacyLayer("AveragePooling1D", layers.AveragePooling1D, _POOL_1D)
MaxPooling2D = LegacyLayer("MaxPooling2D", layers.MaxPooling2D, _POOL_1D)
AveragePooling2D = LegacyLayer("AveragePooling2D", layers.AveragePooling2D, _POOL_1D)
MaxPooling3D = LegacyLayer("MaxPooling3D", layers.MaxPooling3D, _POOL_1D)
AveragePooling3D = LegacyLayer("AveragePooling3D", layers.AveragePooling3D, _POOL_1D)
GlobalMaxPooling1D = LegacyLayer("GlobalMaxPooling1D", layers.GlobalMaxPooling1D)
GlobalAveragePooling1D = LegacyLayer("GlobalAveragePooling1D", layers.GlobalAveragePooling1D)
GlobalMaxPooling2D = LegacyLayer("GlobalMaxPooling2D", layers.GlobalMaxPooling2D)
GlobalAveragePooling2D = LegacyLayer("GlobalAveragePooling2D", layers.GlobalAveragePooling2D)
UpSampling1D = LegacyLayer("UpSampling1D", layers.UpSampling1D, ("size",),
                           {"length": ("size", None)})
UpSampling2D = LegacyLayer("UpSampling2D", layers.UpSampling2D, ("size",))
UpSampling3D = LegacyLayer("UpSampling3D", layers.UpSampling3D, ("size",))
ZeroPadding1D = LegacyLayer("ZeroPadding1D", layers.ZeroPadding1D, ("padding",))
ZeroPadding2D = LegacyLayer("ZeroPadding2D", layers.ZeroPadding2D, ("padding",))
ZeroPadding3D = LegacyLayer("ZeroPadding3D", layers.ZeroPadding3D, ("padding",))
Cropping1D = LegacyLayer("Cropping1D", layers.Cropping1D, ("cropping",))
Cropping2D = LegacyLayer("Cropping2D", layers.Cropping2D, ("cropping",))
Cropping3D = LegacyLayer("Cropping3D", layers.Cropping3D, ("cropping",))

# -- recurrent, embeddings, normalization, activations, noise, wrappers -------------------------------
SimpleRNN = LegacyLayer("SimpleRNN", _SimpleRNN, ("units",), sequence=True)
GRU = LegacyLayer("GRU", _GRU, ("units",), defaults={**_RNN_ERA, "reset_after": False},
                  sequence=True)
LSTM = LegacyLayer("LSTM", _LSTM, ("units",), defaults=_RNN_ERA, sequence=True,
                   adapt=_forget_bias)
Embedding = LegacyLayer("Embedding", layers.Embedding, ("input_dim", "output_dim"),
                        {"init": ("embeddings_initializer", arguments.initializer),
                         "W_regularizer": ("embeddings_regularizer", None),
                         "W_constraint": ("embeddings_constraint", None)}, adapt=_embedding)
BatchNormalization = LegacyLayer("BatchNormalization", layers.BatchNormalization,
                                 ("epsilon", "mode", "axis", "momentum"), adapt=_batch_norm)
LeakyReLU = LegacyLayer("LeakyReLU", layers.LeakyReLU, ("negative_slope",),
                        {"alpha": ("negative_slope", None)})
PReLU = LegacyLayer("PReLU", layers.PReLU, ("alpha_initializer",),
                    {"init": ("alpha_initializer", arguments.initializer)})
ELU = LegacyLayer("ELU", layers.ELU, ("alpha",))
ThresholdedReLU = LegacyLayer("ThresholdedReLU", layers.ReLU, ("threshold",),
                              {"theta": ("threshold", None)}, defaults={"threshold": 1.0})
GaussianNoise = LegacyLayer("GaussianNoise", layers.GaussianNoise, ("stddev",))
GaussianDropout = LegacyLayer("GaussianDropout", layers.GaussianDropout, ("rate",))
TimeDistributed = LegacyLayer("TimeDistributed", _TimeDistributed, ("layer",))
Bidirectional = LegacyLayer("Bidirectional", _Bidirectional, ("layer", "merge_mode"))


def TimeDistributedDense(*args, **kwargs):
    """Keras 1's `TimeDistributedDense(output_dim, ...)`: today `TimeDistributed(Dense(...))`.

    Args:
        *args, **kwargs: Dense's arguments (old or new spellings), plus `input_dim`,
            `input_length` and `input_shape` for the sequence.

    Returns:
        A `TimeDistributed` layer wrapping a `Dense` layer.
    """
    announce(("TimeDistributedDense",), "TimeDistributedDense(...) is the old name; today it is "
                                        "TimeDistributed(Dense(...)).")
    outer = {k: kwargs.pop(k) for k in ("name", "input_shape", "batch_input_shape")
             if k in kwargs}
    outer = _sequence_shape("TimeDistributedDense",
                            {**outer, **{k: kwargs.pop(k) for k in ("input_dim", "input_length")
                                         if k in kwargs}})
    return _TimeDistributed(Dense(*args, **kwargs), **outer)


class MaxoutDense(Layer):
    """Keras 1's maxout layer: the maximum over `nb_feature` dense projections.

    `output = max_k(inputs @ kernel[k] + bias[k])`.

    Args:
        output_dim: Positive int, the output size.
        nb_feature: Positive int, how many projections the maximum runs over.
        init: Kernel initializer.
        W_regularizer, b_regularizer: Optional regularizers for kernel and bias.
        bias: Whether to add a bias.

    Input shape: `(batch, input_dim)`. Output shape: `(batch, output_dim)`.

    >>> tuple(MaxoutDense(3, nb_feature=2)(np.ones((2, 4))).shape)
    (2, 3)
    """

    def __init__(self, output_dim, nb_feature=4, init="glorot_uniform", W_regularizer=None,
                 b_regularizer=None, bias=True, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("output_dim", output_dim), ("nb_feature", nb_feature)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"MaxoutDense: `{arg}` must be a positive int. Received: "
                                 f"{arg}={value!r}")
        self.output_dim, self.nb_feature, self.bias = output_dim, nb_feature, bool(bias)
        self.init = initializers.get(arguments.initializer("MaxoutDense", init))
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(self.nb_feature, input_shape[-1], self.output_dim),
                                      initializer=self.init, regularizer=self.W_regularizer,
                                      name="kernel")
        self.bias_weight = (self.add_weight(shape=(self.nb_feature, self.output_dim),
                                            initializer="zeros", regularizer=self.b_regularizer,
                                            name="bias") if self.bias else None)

    def call(self, inputs):
        y = ops.einsum("bi,kio->bko", inputs, self.kernel)
        if self.bias_weight is not None:
            y = ops.add(y, self.bias_weight)
        return ops.max(y, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.output_dim)

    def get_config(self):
        return {**super().get_config(), "output_dim": self.output_dim,
                "nb_feature": self.nb_feature, "bias": self.bias,
                "init": initializers.serialize(self.init),
                "W_regularizer": regularizers.serialize(self.W_regularizer),
                "b_regularizer": regularizers.serialize(self.b_regularizer)}


class Highway(Layer):
    """Keras 1's highway layer: `y = t * activation(x @ W + b) + (1 - t) * x`, with the gate
    `t = sigmoid(x @ W_carry + b_carry)` and `b_carry` starting at `transform_bias`.

    Args:
        init: Kernel initializer.
        transform_bias: Float, the gate bias's initial value (negative favours carrying x).
        activation: Activation of the transform.
        W_regularizer, b_regularizer: Optional regularizers for the transform's kernel and bias.
        bias: Whether to add biases.

    Input shape: `(batch, dim)`. Output shape: `(batch, dim)`.

    >>> tuple(Highway()(np.ones((2, 4))).shape)
    (2, 4)
    """

    def __init__(self, init="glorot_uniform", transform_bias=-2.0, activation=None,
                 W_regularizer=None, b_regularizer=None, bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(transform_bias, bool) or not isinstance(transform_bias, (int, float)):
            raise ValueError("Highway: `transform_bias` must be a number. Received: "
                             f"transform_bias={transform_bias!r}")
        self.init = initializers.get(arguments.initializer("Highway", init))
        self.transform_bias = float(transform_bias)
        self.activation = activations.get(arguments.activation("Highway", activation))
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.bias = bool(bias)

    def build(self, input_shape):
        dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(dim, dim), initializer=self.init,
                                      regularizer=self.W_regularizer, name="kernel")
        self.carry_kernel = self.add_weight(shape=(dim, dim), initializer=self.init,
                                            name="carry_kernel")
        if self.bias:
            self.bias_weight = self.add_weight(shape=(dim,), initializer="zeros",
                                               regularizer=self.b_regularizer, name="bias")
            self.carry_bias = self.add_weight(
                shape=(dim,), initializer=initializers.Constant(self.transform_bias),
                name="carry_bias")

    def call(self, inputs):
        transform = ops.matmul(inputs, self.kernel)
        gate = ops.matmul(inputs, self.carry_kernel)
        if self.bias:
            transform = ops.add(transform, self.bias_weight)
            gate = ops.add(gate, self.carry_bias)
        gate = ops.sigmoid(gate)
        transformed = self.activation(transform)
        return ops.add(ops.multiply(gate, transformed), ops.multiply(ops.subtract(1.0, gate),
                                                                     inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "init": initializers.serialize(self.init),
                "transform_bias": self.transform_bias,
                "activation": activations.serialize(self.activation), "bias": self.bias,
                "W_regularizer": regularizers.serialize(self.W_regularizer),
                "b_regularizer": regularizers.serialize(self.b_regularizer)}


# -- merging -------------------------------------------------------------------------------------------
MERGE_MODES = ("sum", "mul", "concat", "ave", "max", "dot", "cos")


def merge_layer(mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, name=None):
    """Today's merging layer for a Keras 1 merge `mode`.

    Args:
        mode: One of "sum", "mul", "concat", "ave", "max", "dot", "cos", or a callable taking
            the list of inputs.
        concat_axis: Axis for "concat".
        dot_axes: Axes for "dot" and "cos".
        output_shape: Output shape (without batch) for a callable mode.
        name: Layer name.

    Returns:
        A layer to call on a list of tensors.

    >>> type(merge_layer("concat")).__name__
    'Concatenate'
    """
    kwargs = {"name": name} if name else {}
    if callable(mode):
        return layers.Lambda(mode, output_shape=output_shape, **kwargs)
    if mode == "sum":
        return layers.Add(**kwargs)
    if mode == "mul":
        return layers.Multiply(**kwargs)
    if mode == "ave":
        return layers.Average(**kwargs)
    if mode == "max":
        return layers.Maximum(**kwargs)
    if mode == "concat":
        return layers.Concatenate(axis=concat_axis, **kwargs)
    if mode in ("dot", "cos"):
        axes = tuple(dot_axes) if isinstance(dot_axes, (list, tuple)) else dot_axes
        return layers.Dot(axes=axes, normalize=mode == "cos", **kwargs)
    raise ValueError(f"Merge: unknown mode {mode!r}. Known modes: {', '.join(MERGE_MODES)}, or "
                     "a callable.")


_MERGE_TODAY = {"sum": "Add", "mul": "Multiply", "ave": "Average", "max": "Maximum",
                "concat": "Concatenate(axis=concat_axis)", "dot": "Dot(axes=dot_axes)",
                "cos": "Dot(axes=dot_axes, normalize=True)"}


class BranchMerge:
    """Keras 1's `Merge([model_a, model_b], mode=...)`: the first entry of a Sequential model
    whose inputs feed the branch models, merged by `layer`."""

    def __init__(self, branches, layer):
        self.branches = list(branches)
        self.layer = layer


def Merge(layers=None, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None,
          node_indices=None, tensor_indices=None, name=None, **kwargs):
    """Keras 1's Merge layer: given models, the merged first entry of a Sequential model; given
    nothing, a layer to call on a list of tensors.

    Args:
        layers: Optional list of (Sequential) models whose outputs are merged.
        mode: "sum", "mul", "concat", "ave", "max", "dot", "cos" or a callable.
        concat_axis, dot_axes, output_shape, name: As in `merge_layer`.

    Returns:
        A merging layer, or a `BranchMerge` for `Sequential.add`.
    """
    if kwargs:
        raise arguments.unknown_argument("Merge", next(iter(kwargs)), {
            "layers", "mode", "concat_axis", "dot_axes", "output_shape", "node_indices",
            "tensor_indices", "name"})
    mode_name = mode if isinstance(mode, str) else "a callable"
    announce(("Merge", mode_name), f"Merge(mode={mode_name!r}) is the old spelling; today it is "
             f"layers.{_MERGE_TODAY.get(mode, 'Lambda(function)')} on a list of tensors.")
    layer = merge_layer(mode, concat_axis, dot_axes, output_shape, name)
    if layers is None:
        return layer
    if not isinstance(layers, (list, tuple)) or len(layers) < 2:
        raise ValueError(f"Merge: `layers` must be a list of at least two models. Received: "
                         f"{layers!r}")
    return BranchMerge(layers, layer)


def merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, name=None,
          **kwargs):
    """Keras 1's functional `merge([a, b], mode=...)`: the merged tensor.

    Args:
        inputs: List of tensors.
        mode, concat_axis, dot_axes, output_shape, name: As in `Merge`.

    Returns:
        The merged tensor.
    """
    return Merge(None, mode, concat_axis, dot_axes, output_shape, name=name, **kwargs)(
        list(inputs))


# Keras 3 names old scripts import from the same modules; they take today's arguments.
Input = layers.Input
InputLayer = layers.InputLayer
Add, Multiply, Average, Maximum, Minimum, Subtract, Concatenate, Dot = (
    layers.Add, layers.Multiply, layers.Average, layers.Maximum, layers.Minimum, layers.Subtract,
    layers.Concatenate, layers.Dot)
add, multiply, average, maximum, minimum, subtract, concatenate, dot = (
    layers.add, layers.multiply, layers.average, layers.maximum, layers.minimum, layers.subtract,
    layers.concatenate, layers.dot)
