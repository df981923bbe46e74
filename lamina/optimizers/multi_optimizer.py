"""MultiOptimizer: different optimizers for different variables, chosen by path or by a function."""

import re
from collections.abc import MutableMapping

from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.wrapping import WrappingOptimizer
from lamina.saving import serialization


def _check_inner(owner, optimizer, what):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: {what} must be an Optimizer instance. Received: {optimizer!r} "
                        f"of type {type(optimizer).__name__}.")
    if isinstance(optimizer, (LossScaleOptimizer, MultiOptimizer)):
        raise ValueError(f"{owner}: {what} cannot be a {type(optimizer).__name__}; wrap the "
                         "MultiOptimizer in a LossScaleOptimizer instead, and do not nest "
                         "MultiOptimizers.")


class OptimizerMap(MutableMapping):
    """Map from variable paths (exact or full-match regular expressions) to optimizers.

    Looking up a path returns the optimizer stored under exactly that key, else the one whose
    key pattern fully matches the path (an error if several do), else `default_optimizer`.
    Calling the map on a variable looks up its `path`.

    Args:
        default_optimizer: The `Optimizer` for variables no key matches.
        optimizer_map: Optional dict of key (path or pattern) to `Optimizer`.

    Returns:
        A mutable mapping usable as `MultiOptimizer(optimizer_map)`.

    >>> sgd, adam = lamina.optimizers.SGD(name="sgd"), lamina.optimizers.Adam(name="adam")
    >>> m = OptimizerMap(sgd, {"encoder/.*": adam})
    >>> m["encoder/dense/kernel"].name, m["decoder/kernel"].name
    ('adam', 'sgd')
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        _check_inner("OptimizerMap", default_optimizer, "`default_optimizer`")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError("OptimizerMap: `optimizer_map` must be a dict of path patterns to "
                            f"optimizers or None. Received: {optimizer_map!r}.")
        self._default_optimizer = default_optimizer
        self._optimizer_map = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self):
        """The optimizer for variables that no key matches."""
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"OptimizerMap: multiple optimizers assigned to variable {key!r}: "
                             f"the keys {matches} all match it. Make the patterns disjoint.")
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: keys must be strings (variable paths or regular "
                             f"expressions). Received: {key!r}.")
        if key in self._optimizer_map:
            raise ValueError(f"OptimizerMap: {key!r} already exists in the map with value "
                             f"{self._optimizer_map[key]!r}. Keys must not repeat.")
        _check_inner("OptimizerMap", optimizer, f"the optimizer for {key!r}")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        """`{"default_optimizer": serialized, "optimizer_map": {key: serialized}}`."""
        from lamina import optimizers  # the family module imports this one
        return {"default_optimizer": optimizers.serialize(self._default_optimizer),
                "optimizer_map": {key: optimizers.serialize(optimizer)
                                  for key, optimizer in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the map (with new, unbuilt optimizers) from `get_config()`."""
        from lamina import optimizers  # the family module imports this one
        default = optimizers.deserialize(config["default_optimizer"], custom_objects)
        mapping = {key: optimizers.deserialize(value, custom_objects)
                   for key, value in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


class MultiOptimizer(WrappingOptimizer):
    """Update each variable with the optimizer `optimizer_map(variable)` picks for it.

    Sub-optimizers are listed in `optimizers`: the map's values, then its default, then any
    other optimizer a selector function returns. `variables` holds this optimizer's own
    (iteration, learning_rate) and then each sub-optimizer's. There is no single learning rate:
    read and set it on the sub-optimizers.

    Args:
        optimizer_map: An `OptimizerMap`, or a callable `variable -> Optimizer`.
        loss_scale_factor: Float or None; set on every sub-optimizer.
        name: Name of the optimizer.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> kernel = lamina.backend.Variable([1.0], name="kernel")
    >>> bias = lamina.backend.Variable([1.0], name="bias")
    >>> SGD = lamina.optimizers.SGD
    >>> optimizer = MultiOptimizer(OptimizerMap(SGD(0.5), {"bias": SGD(0.1)}))
    >>> optimizer.apply([lamina.ops.ones((1,)), lamina.ops.ones((1,))], [kernel, bias])
    >>> kernel.numpy().tolist(), [round(x, 4) for x in bias.numpy().tolist()]
    ([0.5], [0.9])
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        if not callable(optimizer_map):
            raise TypeError("MultiOptimizer: `optimizer_map` must be an OptimizerMap or a "
                            "callable returning an Optimizer for a variable. Received: "
                            f"{optimizer_map!r}.")
        self._inner_optimizers = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        candidates = list(optimizer_map.values()) if isinstance(optimizer_map,
                                                                 OptimizerMap) else []
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None:
            candidates.append(default)
        for optimizer in candidates:
            self._add_inner(optimizer)
        self._var_to_optimizer_index = {}

    def _add_inner(self, optimizer):
        if not any(optimizer is inner for inner in self._inner_optimizers):
            optimizer.loss_scale_factor = self.loss_scale_factor
            self._inner_optimizers.append(optimizer)
        return next(i for i, inner in enumerate(self._inner_optimizers) if inner is optimizer)

    def build(self, var_list):
        """Pick a sub-optimizer for each variable and build each on its variables."""
        if self.built:
            return
        var_list = list(var_list)
        assigned = {}
        for variable in var_list:
            optimizer = self._optimizer_map(variable)
            _check_inner("MultiOptimizer", optimizer,
                         f"the optimizer chosen for variable {variable.path!r}")
            index = self._add_inner(optimizer)
            self._var_to_optimizer_index[id(variable)] = index
            assigned.setdefault(index, []).append(variable)
        for index, variables in assigned.items():
            self._inner_optimizers[index].build(variables)
        super().build(var_list)

    @property
    def optimizers(self):
        """The sub-optimizers, in the order their variables appear in `variables`."""
        return list(self._inner_optimizers)

    @property
    def variables(self):
        """Own variables (iteration, learning_rate), then each sub-optimizer's."""
        variables = list(self._variables)
        for optimizer in self._inner_optimizers:
            variables.extend(optimizer.variables)
        return variables

    @property
    def learning_rate(self):
        raise AttributeError("MultiOptimizer has no single learning rate: read it on the "
                             "sub-optimizers, e.g. `[o.learning_rate for o in "
                             "optimizer.optimizers]`.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("MultiOptimizer has no single learning rate: set it on the "
                             "sub-optimizers (`optimizer.optimizers`) instead.")

    @property
    def loss_scale_factor(self):
        """The loss scale factor, shared with every sub-optimizer."""
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in self.__dict__.get("_inner_optimizers", ()):
            optimizer.loss_scale_factor = value

    def apply(self, grads, trainable_variables=None):
        """Split `grads` by sub-optimizer and apply each part with its optimizer.

        Args:
            grads: List of gradients, one per variable.
            trainable_variables: List of `Variable`s, or None for the built ones.
        """
        self._check_initialized()
        if not isinstance(grads, (list, tuple)):
            raise TypeError(f"{self._describe()}.apply: `grads` must be a list of tensors. "
                            f"Received: {type(grads).__name__}.")
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{self._describe()}.apply: pass `trainable_variables` on the "
                                 "first call, or call `optimizer.build(trainable_variables)`.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{self._describe()}.apply: received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables; pass one gradient per "
                             "variable (None for a variable without one).")
        parts = [([], []) for _ in self._inner_optimizers]
        for gradient, variable in zip(grads, trainable_variables):
            self._get_variable_index(variable)
            sub_grads, sub_variables = parts[self._var_to_optimizer_index[id(variable)]]
            sub_grads.append(gradient)
            sub_variables.append(variable)
        for optimizer, (sub_grads, sub_variables) in zip(self._inner_optimizers, parts):
            if sub_grads:
                optimizer.apply(sub_grads, sub_variables)
        self._iterations.assign_add(1)

    def finalize_variable_values(self, var_list):
        """Let each sub-optimizer finalize (copy EMA averages into) its own variables."""
        parts = [[] for _ in self._inner_optimizers]
        for variable in var_list:
            parts[self._var_to_optimizer_index[id(variable)]].append(variable)
        for optimizer, variables in zip(self._inner_optimizers, parts):
            if variables:
                optimizer.finalize_variable_values(variables)

    def get_config(self):
        """`{"optimizer_map": serialized map, "loss_scale_factor", "name"}`."""
        if isinstance(self._optimizer_map, OptimizerMap):
            optimizer_map = {"module": "keras.optimizers", "class_name": "OptimizerMap",
                             "config": self._optimizer_map.get_config(),
                             "registered_name": None}
        else:
            optimizer_map = serialization.serialize_keras_object(self._optimizer_map)
        return {"optimizer_map": optimizer_map, "loss_scale_factor": self.loss_scale_factor,
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the optimizer (with new, unbuilt sub-optimizers) from `get_config()`."""
        config = dict(config)
        optimizer_map = config["optimizer_map"]
        if isinstance(optimizer_map, dict) and optimizer_map.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(optimizer_map["config"],
                                                               custom_objects)
        else:
            config["optimizer_map"] = serialization.deserialize_keras_object(
                optimizer_map, custom_objects=custom_objects, family="optimizer selector")
        return cls(**config)
