"""JaxLayer and FlaxLayer: wrap a pure JAX function (or a Flax module) as a lamina layer.

This is the one layers module that imports jax: its whole point is to call JAX code. The
function's parameters and state become the layer's trainable and non-trainable variables, so
the wrapped function trains with `fit` and runs inside compiled steps like any other layer.
"""

import inspect

import numpy as np

from lamina import backend
from lamina.layers.layer import Layer
from lamina.random.seed_generator import SeedGenerator, draw_seed
from lamina.saving import serialization

_CALL_ARGUMENTS = ("params", "state", "rng", "inputs", "training")
_INIT_ARGUMENTS = ("rng", "inputs", "training")


def _jax(owner):
    """The jax module, after checking that the active backend runs JAX code."""
    if not backend.supports("jit"):
        raise ValueError(f"{owner} needs the jax backend, because it calls JAX code directly. "
                         f"The active backend is {backend.backend()!r}: set "
                         "LAMINA_BACKEND=jax (or KERAS_BACKEND=jax) before importing lamina.")
    import jax
    return jax


def _check_signature(owner, fn, fn_name, allowed):
    if not callable(fn):
        raise TypeError(f"{owner}: `{fn_name}` must be a function. Received: {fn_name}={fn!r}")
    parameters = list(inspect.signature(fn).parameters)
    if "inputs" not in parameters:
        raise ValueError(f"{owner}: `{fn_name}` must take an `inputs` argument. Its arguments "
                         f"are {parameters}.")
    unknown = [p for p in parameters if p not in allowed]
    if unknown:
        raise ValueError(f"{owner}: `{fn_name}` takes unsupported argument(s) {unknown}; the "
                         f"supported names are {list(allowed)} (in any order).")
    return parameters


class JaxLayer(Layer):
    """A layer that calls a pure JAX function `call_fn`, with its parameters as variables.

    `call_fn` takes some of `params`, `state`, `rng`, `inputs`, `training` (by these names, in
    any order; `inputs` is required). With `state`, it returns `(outputs, new_state)` and the
    layer stores the new state. `params` and `state` are pytrees (nested dicts, lists, tuples)
    of arrays: given directly, or made on build by `init_fn(rng, inputs, training)` (any
    subset, `inputs` required), which returns `params`, or `(params, state)` when `call_fn`
    takes `state`. Array leaves become trainable (params) and non-trainable (state) variables.

    Args:
        call_fn: The function to wrap.
        init_fn: Function making the initial `params` (and `state`) from sample inputs of the
            build shape (unknown axes become 1).
        params: Initial parameters pytree, instead of `init_fn`.
        state: Initial state pytree, instead of `init_fn`.
        seed: Int seed of the `rng` keys passed to `call_fn` in training (None at inference).
        native_serialization_platforms: Accepted for Keras compatibility (used only when JAX
            code is exported to TensorFlow); stored in the config.

    >>> def call_fn(params, inputs):
    ...     return inputs @ params["w"]
    >>> layer = lamina.layers.JaxLayer(call_fn, params={"w": np.ones((3, 2), "float32")})
    >>> layer(np.ones((1, 3), "float32")).tolist()
    [[3.0, 3.0]]
    """

    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None,
                 native_serialization_platforms=None, **kwargs):
        owner = type(self).__name__
        _jax(owner)
        super().__init__(**kwargs)
        self.call_fn = call_fn
        self.init_fn = init_fn
        self.call_fn_arguments = _check_signature(owner, call_fn, "call_fn", _CALL_ARGUMENTS)
        self.call_fn_has_params = "params" in self.call_fn_arguments
        self.call_fn_has_state = "state" in self.call_fn_arguments
        if init_fn is None and params is None and state is None and (
                self.call_fn_has_params or self.call_fn_has_state):
            raise ValueError(f"{owner}: `call_fn` takes `params` or `state`, so pass `init_fn`, "
                             "`params` or `state` to give them initial values.")
        if init_fn is not None:
            self.init_fn_arguments = _check_signature(owner, init_fn, "init_fn",
                                                      _INIT_ARGUMENTS)
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"{owner}: `seed` must be an int or None. Received: seed={seed!r}")
        self.seed = seed
        self.seed_generator = SeedGenerator(seed) if "rng" in self.call_fn_arguments else None
        self.native_serialization_platforms = native_serialization_platforms
        self.params = self._create_variables(params, trainable=True)
        self.state = self._create_variables(state, trainable=False)
        if params is not None or state is not None:
            self.built = True

    def _create_variables(self, values, trainable):
        """`values` with each array (or Python number) leaf replaced by a new variable."""
        jax = _jax(type(self).__name__)

        def create(value):
            if isinstance(value, (bool, int, float)):
                value = np.asarray(value)
            if not (backend.is_tensor(value) or isinstance(value, (np.ndarray, np.generic))):
                return value
            value = backend.convert_to_tensor(value)
            dtype = backend.standardize_dtype(value.dtype)
            return self.add_weight(shape=tuple(value.shape), initializer=value,
                                   dtype=None if backend.is_float_dtype(dtype) else dtype,
                                   trainable=trainable)

        return jax.tree_util.tree_map(create, values)

    def _initialize_weights(self, input_shape):
        jax = _jax(type(self).__name__)
        if backend.core.is_tracing():
            raise ValueError(f"{type(self).__name__} '{self.name}' cannot run init_fn inside a "
                             "traced function. Build the layer first, e.g. call it once on "
                             "sample data or call `layer.build(input_shape)`.")

        def sample(shape):
            return jax.numpy.ones([1 if d is None else d for d in shape])

        inputs = (jax.tree_util.tree_map(sample, input_shape, is_leaf=_is_shape)
                  if not _is_shape(input_shape) else sample(input_shape))
        values = {"rng": self._init_rng(), "inputs": inputs, "training": True}
        result = self.init_fn(*(values[name] for name in self.init_fn_arguments))
        params, state = result if self.call_fn_has_state else (result, None)
        self.params = self._create_variables(params, trainable=True)
        self.state = self._create_variables(state, trainable=False)

    def _init_rng(self):
        return draw_seed(None)

    def _call_rng(self, training):
        return self.seed_generator.next() if training else None

    def build(self, input_shape):
        if self.params is None and self.state is None and (
                self.call_fn_has_params or self.call_fn_has_state):
            self._initialize_weights(input_shape)

    def call(self, inputs, training=False):
        jax = _jax(type(self).__name__)

        def unwrap(variable):
            return variable.value if isinstance(variable, backend.Variable) else variable

        values = {"params": lambda: jax.tree_util.tree_map(unwrap, self.params),
                  "state": lambda: jax.tree_util.tree_map(unwrap, self.state),
                  "rng": lambda: self._call_rng(training),
                  "inputs": lambda: inputs, "training": lambda: training}
        outputs = self.call_fn(*(values[name]() for name in self.call_fn_arguments))
        if not self.call_fn_has_state:
            return outputs
        outputs, new_state = outputs

        def assign(value, variable):
            if not isinstance(variable, backend.Variable):
                raise ValueError(f"{type(self).__name__} '{self.name}': the state returned by "
                                 "call_fn does not have the structure of the initial state. "
                                 "Return a pytree of the same structure.")
            variable.assign(value)

        jax.tree_util.tree_map(assign, new_state, self.state)
        return outputs

    def get_config(self):
        return {**super().get_config(),
                "call_fn": serialization.serialize_keras_object(self.call_fn),
                "init_fn": serialization.serialize_keras_object(self.init_fn),
                "native_serialization_platforms": self.native_serialization_platforms}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for name in ("call_fn", "init_fn"):
            config[name] = serialization.deserialize_keras_object(
                config.get(name), custom_objects=custom_objects, family="function")
        return cls(**config)


def _is_shape(x):
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


class FlaxLayer(JaxLayer):
    """A layer that runs a Flax Linen module; its variables become lamina variables.

    The "params" collection becomes trainable variables and every other collection (e.g.
    "batch_stats") non-trainable state, updated by each call. The module gets a "dropout" rng in
    training, and `training=` if its method takes it. Needs `pip install flax`.

    Args:
        module: A `flax.linen.Module` instance.
        method: The method to call (a method of `module` or its name); `__call__` by default.
        variables: Initial variables (from `module.init`); made on build when omitted.

    >>> layer = lamina.layers.FlaxLayer(flax.linen.Dense(4))  # doctest: +SKIP
    """

    def __init__(self, module, method=None, variables=None, **kwargs):
        _jax("FlaxLayer")
        try:
            from flax.linen import DenyList
        except ImportError:
            raise ImportError("FlaxLayer needs Flax, which is not installed. Install it with "
                              "`pip install flax`, or wrap a plain JAX function with "
                              "JaxLayer(call_fn, init_fn).") from None
        if isinstance(method, str):
            method = getattr(module, method)
        self.module = module
        self.method = method
        mutable = DenyList(["params"])
        takes_training = "training" in inspect.signature(method or module.__call__).parameters

        def apply_with_training(params, state, rng, inputs, training):
            return module.apply(_merge(params, state), inputs, rngs=rng, method=method,
                                mutable=mutable, training=training)

        def apply_without_training(params, state, rng, inputs):
            return module.apply(_merge(params, state), inputs, rngs=rng, method=method,
                                mutable=mutable)

        def init_with_training(rng, inputs, training):
            return _split(module.init(rng, inputs, method=method, training=training))

        def init_without_training(rng, inputs):
            return _split(module.init(rng, inputs, method=method))

        call_fn, init_fn = ((apply_with_training, init_with_training) if takes_training
                            else (apply_without_training, init_without_training))
        params, state = _split(variables) if variables is not None else (None, None)
        super().__init__(call_fn=call_fn, init_fn=init_fn, params=params, state=state, **kwargs)

    def _init_rng(self):
        return {"params": draw_seed(None), "dropout": draw_seed(None)}

    def _call_rng(self, training):
        return {"dropout": self.seed_generator.next()} if training else {}

    def get_config(self):
        config = super().get_config()
        config.pop("call_fn")
        config.pop("init_fn")
        method = self.method
        if getattr(method, "__self__", None) is self.module:
            method = method.__name__
        return {**config, "module": serialization.serialize_keras_object(self.module),
                "method": serialization.serialize_keras_object(method)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        module = serialization.deserialize_keras_object(config["module"],
                                                        custom_objects=custom_objects)
        method = config.get("method")
        if not isinstance(method, str):
            method = serialization.deserialize_keras_object(method, custom_objects=custom_objects)
        config.update(module=module, method=method)
        return cls(**config)


def _merge(params, state):
    return {**(params or {}), **(state or {})}


def _split(variables):
    """Flax variables as `(params, state)`: the "params" collection and all the others."""
    if "params" not in variables:
        return {}, dict(variables)
    state = {k: v for k, v in variables.items() if k != "params"}
    return {"params": variables["params"]}, state
