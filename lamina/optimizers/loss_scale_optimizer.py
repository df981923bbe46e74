"""LossScaleOptimizer: dynamic loss scaling around another optimizer (mixed precision)."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number
from lamina.optimizers.wrapping import WrappingOptimizer

# Base arguments belong to the inner optimizer; passing them here (other than at their defaults)
# is an error, as in Keras.
_INNER_ONLY_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                        "ema_overwrite_frequency": None, "loss_scale_factor": None,
                        "gradient_accumulation_steps": None}


class LossScaleOptimizer(WrappingOptimizer):
    """Wrap an optimizer with a dynamic loss scale that guards float16 gradients.

    `scale_loss(loss)` multiplies the loss by the current scale; `apply` divides the gradients
    by it and applies them with `inner_optimizer`. When any gradient holds inf or nan, the step is
    skipped (no variable changes) and the scale halves. After `dynamic_growth_steps` finite steps
    in a row the scale doubles. The choice is made with `where`, so the step stays traceable.

    Args:
        inner_optimizer: The `Optimizer` to wrap; its `loss_scale_factor` is cleared.
        initial_scale: Positive float, the starting loss scale. Defaults to `2.0**15`.
        dynamic_growth_steps: Int >= 1, finite steps between doublings of the scale.
        name: Name of the optimizer.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = LossScaleOptimizer(lamina.optimizers.SGD(0.5), initial_scale=4.0)
    >>> optimizer.apply([lamina.ops.full((1,), 4.0)], [v])
    >>> v.numpy().tolist(), float(optimizer.dynamic_scale.numpy())
    ([0.5], 4.0)
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer: `dynamic=False` is not supported. For a fixed "
                             "scale, set `loss_scale_factor` on the inner optimizer instead.")
        for arg, default in _INNER_ONLY_DEFAULTS.items():
            if arg in kwargs:
                value = kwargs.pop(arg)
                if (default is None and value is not None) or value != default:
                    raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Received: "
                                     f"{arg}={value!r}. Set `{arg}` on the `inner_optimizer` "
                                     "instead.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"{sorted(kwargs)}. Its arguments are inner_optimizer, "
                             "initial_scale, dynamic_growth_steps and name.")
        super().__init__(learning_rate=0.0, name=name)
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError("LossScaleOptimizer: `inner_optimizer` must be an Optimizer "
                            f"instance. Received: {inner_optimizer!r} of type "
                            f"{type(inner_optimizer).__name__}. Wrap e.g. "
                            "lamina.optimizers.Adam().")
        check_number("LossScaleOptimizer", "initial_scale", initial_scale)
        if initial_scale <= 0:
            raise ValueError("LossScaleOptimizer: `initial_scale` must be > 0. Received: "
                             f"initial_scale={initial_scale!r}.")
        if (isinstance(dynamic_growth_steps, bool) or not isinstance(dynamic_growth_steps, int)
                or dynamic_growth_steps < 1):
            raise ValueError("LossScaleOptimizer: `dynamic_growth_steps` must be an int >= 1. "
                             f"Received: dynamic_growth_steps={dynamic_growth_steps!r}.")
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None

    def build(self, var_list):
        """Create "step_counter" (int32) and "dynamic_scale" (float32), then build the inner
        optimizer on `var_list`."""
        if self.built:
            return
        var_list = list(var_list)
        initial_scale = self.initial_scale

        def scale_initializer(shape, dtype=None):
            return ops.full(shape, initial_scale, dtype=dtype)

        self.step_counter = self.add_variable((), initializer="zeros", dtype="int32",
                                              name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=scale_initializer,
                                               dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self):
        """Own variables (iteration, learning_rate, step_counter, dynamic_scale), then the inner
        optimizer's."""
        return list(self._variables) + list(self.inner_optimizer.variables)

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        """The inner optimizer's step counter."""
        return self.inner_optimizer.iterations

    def check_finite(self, grads):
        """Scalar bool tensor: whether every given (non-None) gradient is finite."""
        checks = [ops.all(ops.isfinite(g)) for g in grads if g is not None]
        return ops.all(ops.stack(checks)) if checks else ops.convert_to_tensor(True)

    def apply(self, grads, trainable_variables=None):
        """Unscale `grads`, apply them with the inner optimizer if all are finite, and update
        the loss scale; see the class docstring.

        Args:
            grads: List of gradients of the scaled loss, one per variable (None to skip one).
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
        grads = [None if g is None else ops.convert_to_tensor(g) for g in grads]
        finite = self.check_finite(grads)
        scale = self.dynamic_scale.value
        unscaled = [None if g is None else ops.divide(g, scale) for g in grads]
        touched = trainable_variables + self.inner_optimizer.variables
        before = [v.value for v in touched]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        # A step with non-finite gradients leaves every variable (and the inner state) as it was.
        for variable, old in zip(touched, before):
            variable.assign(ops.where(finite, variable.value, old))
        counter = self.step_counter.value
        grow = ops.equal(counter, self.dynamic_growth_steps - 1)
        self.step_counter.assign(ops.where(
            finite, ops.where(grow, ops.zeros_like(counter), ops.add(counter, 1)),
            ops.zeros_like(counter)))
        self.dynamic_scale.assign(ops.where(
            finite, ops.where(grow, ops.multiply(scale, 2.0), scale), ops.multiply(scale, 0.5)))

    def scale_loss(self, loss):
        """`loss * dynamic_scale` (`initial_scale` before the optimizer is built)."""
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return ops.multiply(loss, scale)

    def finalize_variable_values(self, var_list):
        """Delegate to the inner optimizer (copies EMA averages when it uses them)."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        """`{"name", "inner_optimizer" (serialized), "initial_scale", "dynamic_growth_steps"}`."""
        from lamina import optimizers  # the family module imports this one
        return {"name": self.name,
                "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Create the optimizer (inner one included, without state) from `get_config()`."""
        from lamina import optimizers  # the family module imports this one
        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"),
                                       custom_objects=custom_objects)
        return cls(inner, **config)
