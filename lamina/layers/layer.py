"""The Layer base: builds on first call, tracks its variables and sublayers, runs statelessly.

`__call__` is a short list of named steps: convert the inputs, build if needed, check the inputs
against `input_spec`, resolve `training`, run `call` (or record a symbolic node), add activity
losses.
"""

import inspect
import threading

from lamina import backend, ops
from lamina.backend.common.autocast import AutocastScope
from lamina.backend.common.masking import (
    close_mask_table,
    get_keras_mask,
    open_mask_table,
    set_keras_mask,
)
from lamina.backend.common.scopes import current_name_scope, current_remat_scope
from lamina.backend.common.variables import Variable, auto_name, bump_tracking, tracking_version
from lamina.layers.input_spec import assert_input_compatibility
from lamina.ops.symbolic import KerasTensor, compute_output_spec, record_node
from lamina.random.seed_generator import SeedGenerator
from lamina.utils import tree
from lamina.utils.naming import to_snake_case

_CONTEXT = threading.local()
_BASE_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size")


class _CallContext:
    """The training flag of the outermost call, inherited by nested layers."""

    def __init__(self, training):
        self.training = training


def _current_context():
    return getattr(_CONTEXT, "value", None)


class Layer:
    """Base class of all layers.

    Args:
        trainable: Whether the layer's weights are updated by training.
        name: Unique name; generated from the class name when omitted.
        dtype: Dtype of the weights and computations; defaults to `floatx()`.
        activity_regularizer: Regularizer applied to the layer's outputs.
        input_shape / input_dim / batch_input_shape / batch_size: On the first layer of a
            `Sequential` model, the shape of one sample (without the batch axis).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        object.__setattr__(obj, "_variables", _TrackedList())
        object.__setattr__(obj, "_layers", _TrackedList())
        object.__setattr__(obj, "_seed_generators", _TrackedList())
        object.__setattr__(obj, "_losses", [])
        object.__setattr__(obj, "_inbound_nodes", [])
        object.__setattr__(obj, "built", False)
        return obj

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        unknown = [k for k in kwargs if k not in _BASE_KWARGS]
        if unknown:
            raise TypeError(f"{type(self).__name__}: unrecognized keyword argument(s) {unknown}. "
                            "Check the spelling against the layer's documented arguments.")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"{type(self).__name__}: `name` must be a string without '/'. "
                             f"Received: name={name!r}")
        self.name = name or auto_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        from lamina import dtype_policies
        self._dtype_policy = dtype_policies.get(dtype)
        self._dtype = self._dtype_policy.variable_dtype
        self.autocast = autocast
        from lamina import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = None
        self.supports_masking = False
        self._build_shapes = None
        self._input_shape_arg = _input_shape_from_kwargs(type(self).__name__, kwargs)
        self._remat_scope = current_remat_scope()  # as Keras: the scope at creation counts

    # -- tracking --------------------------------------------------------------------------------
    def __setattr__(self, name, value):
        if name == "activity_regularizer":
            bump_tracking()  # model(x)'s compiled path depends on it
        previous = self.__dict__.get(name)
        for kind, registry in ((Variable, self._variables), (Layer, self._layers),
                               (SeedGenerator, self._seed_generators)):
            position = None
            if isinstance(previous, kind) and value is not previous:
                position = _remove(registry, previous)
            if isinstance(value, kind):
                _append(registry, value, position)
            elif isinstance(value, (list, tuple)) and kind is Layer:
                for item in value:
                    if isinstance(item, Layer):
                        _append(registry, item)
        object.__setattr__(self, name, value)

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", name=None):
        """Create a variable owned by this layer and return it.

        `initializer` is a name ("zeros", "glorot_uniform", ...) or callable; it defaults to
        "glorot_uniform" for floats and "zeros" otherwise.
        """
        from lamina import constraints, initializers, regularizers
        shape = () if shape is None else tuple(shape)
        if any(d is None or int(d) < 0 for d in shape):
            raise ValueError(f"{type(self).__name__} '{self.name}': add_weight needs a fully "
                             f"known shape. Received: shape={shape} for weight {name!r}.")
        dtype = backend.standardize_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if backend.dtypes.is_float(dtype) else "zeros"
        variable = backend.Variable(initializers.get(initializer), shape=shape, dtype=dtype,
                                    trainable=trainable, name=name or auto_name("variable"))
        variable.path = "/".join([*current_name_scope(), self.name, variable.name])
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        _append(self._variables, variable)
        return variable

    add_variable = add_weight

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        bump_tracking()
        for layer in self._layers:
            layer.trainable = value

    @property
    def layers(self):
        return list(self._layers)

    def _flat_layers(self):
        out = []
        for layer in self._layers:
            out.append(layer)
            out.extend(layer._flat_layers())
        return out

    @property
    def weights(self):
        """Trainable then non-trainable weights of this layer, then of each sublayer (Keras order)."""
        own = [v for v in self._variables if v.trainable] + \
              [v for v in self._variables if not v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.weights])

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        own = [v for v in self._variables if v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.trainable_weights])

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        trainable = {id(v) for v in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    trainable_variables = trainable_weights

    def _variable_lists(self):
        """`(trainable_variables, non_trainable_variables)`, recomputed only after some layer's
        tracking changed: per-call paths (predict, model(x)) skip walking the layer tree."""
        return self._cached_until_tracking_changes(
            "_variable_lists_cache",
            lambda: (self.trainable_variables, self.non_trainable_variables))

    def _cached_until_tracking_changes(self, name, compute):
        """`compute()`, kept in attribute `name` until any layer's variables, sublayers, seed
        generators, trainability or activity regularizer change."""
        cached = self.__dict__.get(name)
        if cached is None or cached[0] != tracking_version():
            cached = (tracking_version(), compute())
            object.__setattr__(self, name, cached)
        return cached[1]

    @property
    def variables(self):
        """Every variable: weights plus random-seed state."""
        return _unique(self.weights + self._seed_state_variables())

    @property
    def non_trainable_variables(self):
        """All non-trainable state: non-trainable weights and random-seed state."""
        return _unique(self.non_trainable_weights + self._seed_state_variables())

    def _seed_state_variables(self):
        return [g.state for g in self._seed_generators] + \
               [v for layer in self._layers for v in layer._seed_state_variables()]

    def count_params(self):
        if not self.built:
            raise ValueError(f"{type(self).__name__} '{self.name}' is not built yet, so its "
                             "weights do not exist. Call it on data or call build(input_shape).")
        return int(sum(_size(w.shape) for w in self.weights))

    def get_weights(self):
        return [backend.convert_to_numpy(w.value) for w in self.weights]

    def set_weights(self, weights):
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"{type(self).__name__} '{self.name}': set_weights expected "
                             f"{len(own)} arrays ({[w.name for w in own]}), received "
                             f"{len(weights)}.")
        for variable, value in zip(own, weights):
            if tuple(getattr(value, "shape", ())) != variable.shape:
                raise ValueError(f"{type(self).__name__} '{self.name}': weight '{variable.name}' "
                                 f"has shape {variable.shape}, received an array of shape "
                                 f"{tuple(getattr(value, 'shape', ()))}.")
            variable.assign(value)

    # -- losses ----------------------------------------------------------------------------------
    def add_loss(self, loss):
        scope = backend.get_stateless_scope()
        if scope is not None and scope.collect_losses:
            scope.losses.append(loss)
        elif scope is None:
            self._losses.append(loss)

    def _regularization_losses(self):
        return [w.regularizer(w.value) for w in self.trainable_weights if w.regularizer is not None]

    @property
    def losses(self):
        """Losses added during the last call (activity regularization, add_loss) and weight
        regularization terms."""
        added = list(self._losses) + [l for layer in self._flat_layers() for l in layer._losses]
        return added + self._regularization_losses()

    def _clear_losses(self):
        self._losses.clear()
        for layer in self._flat_layers():
            layer._losses.clear()

    # -- build / call ------------------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement call().")

    def compute_output_shape(self, *args, **kwargs):
        raise NotImplementedError

    def compute_output_spec(self, *args, **kwargs):
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            inputs = args[0] if args else None
            shape = self.compute_output_shape(tree.map_structure(lambda t: t.shape, inputs))
            return KerasTensor(shape, self.compute_dtype)
        return compute_output_spec(self.call, *args, **kwargs)

    def maybe_build(self, inputs):
        if self.built:
            return
        shapes = tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else None,
                                    inputs)
        self._build_shapes = shapes
        object.__setattr__(self, "_building_in_call", True)
        try:
            self.build(shapes)
        finally:
            object.__setattr__(self, "_building_in_call", False)
        self.built = True

    def __call__(self, *args, **kwargs):
        if not args:
            raise ValueError(f"{type(self).__name__} '{self.name}' was called without inputs.")
        inputs, rest = args[0], args[1:]
        symbolic = any(isinstance(x, KerasTensor) for x in tree.flatten((args, kwargs)))
        previous_mask = kwargs["mask"] if "mask" in kwargs else _input_masks(inputs)
        if not symbolic:
            inputs = self._convert_inputs(inputs)
        self.maybe_build(inputs)
        assert_input_compatibility(self.input_spec, inputs, self)
        kwargs = self._resolve_training(kwargs)
        if not self._call_accepts("mask"):
            kwargs.pop("mask", None)
        elif "mask" not in kwargs and previous_mask is not None and not symbolic:
            kwargs["mask"] = previous_mask
        if symbolic:
            outputs = self.compute_output_spec(inputs, *rest, **kwargs)
            node_kwargs = {k: v for k, v in kwargs.items() if k != "training"}
            outputs = record_node(self, (inputs, *rest), node_kwargs, outputs)
            self._inbound_nodes.append(tree.flatten(outputs)[0].node)
            return outputs
        outer = _current_context() is None
        if outer:
            self._clear_losses()
            _CONTEXT.value = _CallContext(kwargs.get("training"))
            open_mask_table()
        try:
            with self._autocast_scope():
                outputs = self._remat_call(inputs, rest, kwargs)
            self._set_output_masks(inputs, outputs, previous_mask)
            if self.activity_regularizer is not None:
                for out in tree.flatten(outputs):
                    loss = self.activity_regularizer(out)
                    if len(out.shape) > 0:
                        # Normalized by batch size so the strength does not depend on it.
                        loss = ops.divide(loss, ops.cast(out.shape[0], loss.dtype))
                    self.add_loss(loss)
        finally:
            if outer:
                _CONTEXT.value = None
                close_mask_table()
        return outputs

    def _remat_call(self, inputs, rest, kwargs):
        """`call`, recomputed in the backward pass when a RematScope chose this layer."""
        scope = self._remat_scope

        def plain(x):
            return self.call(x, *rest, **kwargs)

        if scope is None or scope.mode is None:
            return plain(inputs)
        if scope.mode == "activations" and getattr(self, "activation", None) is None:
            return plain(inputs)
        if scope.mode == "list_of_layers" and self.name not in scope.layer_names:
            return plain(inputs)
        if scope.mode == "larger_than":
            flat = tree.flatten(inputs)
            specs = [backend.core.Spec(tuple(x.shape), backend.standardize_dtype(x.dtype))
                     for x in flat]
            outputs = backend.core.eval_shape(
                lambda *xs: plain(tree.pack_sequence_as(inputs, list(xs))), specs)
            if sum(_size(tuple(o.shape)) for o in tree.flatten(outputs)) <= \
                    scope.output_size_threshold:
                return plain(inputs)
        return backend.transforms.remat(plain)(inputs)

    def _autocast_scope(self):
        """Under a mixed policy, float variables read as the compute dtype during `call`; a
        layer whose two dtypes agree turns an enclosing layer's casting off."""
        policy = self._dtype_policy
        mixed = policy.compute_dtype != policy.variable_dtype
        return AutocastScope(policy.compute_dtype if mixed and self.autocast else None)

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs: by default the incoming one (for layers that support
        masking). Layers that create or change masks override it."""
        return previous_mask

    def _set_output_masks(self, inputs, outputs, previous_mask):
        if not (self.supports_masking or type(self).compute_mask is not Layer.compute_mask):
            return
        mask = self.compute_mask(inputs, previous_mask)
        flat = tree.flatten(outputs)
        masks = mask if isinstance(mask, (list, tuple)) and len(mask) == len(flat) \
            else [mask] * len(flat)
        for out, out_mask in zip(flat, masks):
            set_keras_mask(out, out_mask)

    def _convert_inputs(self, inputs):
        compute = self.compute_dtype

        def convert(x):
            if x is None or isinstance(x, (str, bool)):
                return x
            if isinstance(x, Variable):
                x = x.value
            x = backend.convert_to_tensor(x)
            if self.autocast and backend.dtypes.is_float(x.dtype) and x.dtype != compute:
                x = backend.cast(x, compute)
            return x

        return tree.map_structure(convert, inputs)

    def _resolve_training(self, kwargs):
        if not self._call_accepts("training"):
            kwargs.pop("training", None)
            return kwargs
        training = kwargs.get("training")
        if training is None:
            context = _current_context()
            training = context.training if context is not None else None
        kwargs["training"] = bool(training) if training is not None else False
        return kwargs

    def _call_accepts(self, name):
        cache = type(self).__dict__.get("_call_params_cache")
        if cache is None:
            params = inspect.signature(self.call).parameters
            cache = {"_all": set(params)}
            type.__setattr__(type(self), "_call_params_cache", cache)
        return name in cache["_all"]

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses=False, **kwargs):
        """Run the layer with the given variable values, mutating nothing.

        Returns `(outputs, new_non_trainable_values)`, plus the list of losses when
        `return_losses` (added losses and weight regularization).
        """
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        if len(trainable_variables) != len(trainable) or \
                len(non_trainable_variables) != len(non_trainable):
            raise ValueError(f"{type(self).__name__} '{self.name}': stateless_call expected "
                             f"{len(trainable)} trainable and {len(non_trainable)} non-trainable "
                             f"values, received {len(trainable_variables)} and "
                             f"{len(non_trainable_variables)}.")
        mapping = list(zip(trainable, trainable_variables)) + \
            list(zip(non_trainable, non_trainable_variables))
        with backend.StatelessScope(mapping, collect_losses=return_losses) as scope:
            outputs = self(*args, **kwargs)
            losses = list(scope.losses) + self._regularization_losses() if return_losses else None
        new_non_trainable = [scope.get_current_value(v) for v in non_trainable]
        if return_losses:
            return outputs, new_non_trainable, losses
        return outputs, new_non_trainable

    # -- dtype ------------------------------------------------------------------------------------
    @property
    def dtype(self):
        """The dtype of the layer's variables (its policy's `variable_dtype`)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self):
        """The dtype the layer computes in; inputs are cast to it."""
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def dtype_policy(self):
        """The layer's `lamina.dtype_policies.DTypePolicy`."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        from lamina import dtype_policies
        self._dtype_policy = dtype_policies.get(value)
        self._dtype = self._dtype_policy.variable_dtype

    # -- graph ------------------------------------------------------------------------------------
    @property
    def input(self):
        return self._node_tensors("input")

    @property
    def output(self):
        return self._node_tensors("output")

    def _node_tensors(self, which):
        if not self._inbound_nodes:
            raise AttributeError(f"{type(self).__name__} '{self.name}' has not been called on a "
                                 f"symbolic input, so it has no {which}.")
        node = self._inbound_nodes[0]
        tensors = node.inputs if which == "input" else node.outputs
        return tensors[0] if len(tensors) == 1 else list(tensors)

    # -- config -----------------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": {"module": "keras", "class_name": "DTypePolicy",
                            "config": {"name": self._dtype_policy.name},
                            "registered_name": None}}
        if self._input_shape_arg is not None:
            config["batch_input_shape"] = self._input_shape_arg
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {"input_shape": self._build_shapes} if self._build_shapes is not None else None

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None:
            self.maybe_build(_ShapeOnly.wrap(config["input_shape"]))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class _ShapeOnly:
    """Stand-in with a `.shape`, used to build a layer from a stored input shape."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    @staticmethod
    def wrap(shapes):
        if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
            return [_ShapeOnly(s) for s in shapes]
        return _ShapeOnly(shapes)


def _input_masks(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return get_keras_mask(inputs)


def _marks_built(build):
    """Wrap a subclass's build so that calling it directly also marks the layer built."""
    if getattr(build, "_marks_built", False):
        return build

    def wrapped(self, *args, **kwargs):
        out = build(self, *args, **kwargs)
        if args and self._build_shapes is None:
            self._build_shapes = args[0]
        self.built = True
        return out

    wrapped._marks_built = True
    wrapped.__name__, wrapped.__doc__ = build.__name__, build.__doc__
    return wrapped


def _input_shape_from_kwargs(cls_name, kwargs):
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])
    shape = kwargs.get("input_shape")
    if shape is None and kwargs.get("input_dim") is not None:
        shape = (kwargs["input_dim"],)
    if shape is None:
        return None
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"{cls_name}: `input_shape` must be a tuple (the shape of one sample, "
                         f"without the batch axis). Received: input_shape={shape!r}")
    return (kwargs.get("batch_size"), *shape)


class _TrackedList(list):
    """A layer's registry of variables, sublayers or seed generators: every change moves the
    tracking version, so cached variable lists know to recompute."""

    def _changed(method):
        def changed(self, *args, **kwargs):
            bump_tracking()
            return method(self, *args, **kwargs)
        changed.__name__ = method.__name__
        return changed

    append = _changed(list.append)
    extend = _changed(list.extend)
    insert = _changed(list.insert)
    remove = _changed(list.remove)
    pop = _changed(list.pop)
    clear = _changed(list.clear)
    sort = _changed(list.sort)
    reverse = _changed(list.reverse)
    __setitem__ = _changed(list.__setitem__)
    __delitem__ = _changed(list.__delitem__)
    __iadd__ = _changed(list.__iadd__)
    del _changed


def _append(registry, item, position=None):
    """Track `item` once; a replacement takes the place of what it replaces."""
    if not any(existing is item for existing in registry):
        registry.insert(len(registry) if position is None else position, item)


def _remove(registry, item):
    for i, existing in enumerate(registry):
        if existing is item:
            del registry[i]
            return i
    return None


def _unique(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n
