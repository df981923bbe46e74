"""The optimizer base: its variables, gradient clipping, weight decay, and the stateless twin.

A subclass writes `build(variables)` (slot variables through `add_variable_from_reference`) and
`update_step(gradient, variable, learning_rate)` with `lamina.ops` and `Variable.assign`. The base
does everything around it: building on first use, skipping missing gradients, loss-scale
unscaling, clipping, decoupled weight decay, gradient accumulation, weight averaging (EMA),
constraints and the step counter. `stateless_apply` runs the same code in a stateless scope, so a
compiled training step can call it on raw arrays.
"""

import numbers
import re
import warnings

from lamina import backend, ops
from lamina.backend.common.variables import Variable, auto_name
from lamina.optimizers.schedules import learning_rate_schedule
from lamina.saving import serialization
from lamina.utils.naming import to_snake_case

_LEGACY_ARGUMENTS = {
    "lr": "`lr` was renamed `learning_rate`: pass learning_rate=... instead.",
    "decay": ("`decay` (inverse-time learning-rate decay) is no longer an optimizer argument: "
              "pass learning_rate=schedules.InverseTimeDecay(initial_learning_rate, "
              "decay_steps=1, decay_rate=decay) instead (from lamina.optimizers import "
              "schedules)."),
}




def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(owner, arg, value, minimum=None, maximum=None, allow_none=False):
    """Raise a clear error unless `value` is a real number within [minimum, maximum]."""
    if value is None and allow_none:
        return
    if not _is_number(value):
        expected = "a number or None" if allow_none else "a number"
        raise TypeError(f"{owner}: `{arg}` must be {expected}. Received: {arg}={value!r} of type "
                        f"{type(value).__name__}.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"in [{minimum}, {maximum}]" if maximum is not None else f">= {minimum}"
        raise ValueError(f"{owner}: `{arg}` must be {bounds}. Received: {arg}={value!r}.")


def _zeros(shape, dtype=None):
    return ops.zeros(shape, dtype=dtype)


def _ones(shape, dtype=None):
    return ops.ones(shape, dtype=dtype)


def _resolve_initializer(initializer):
    if callable(initializer):
        return initializer
    if initializer == "zeros":
        return _zeros
    if initializer == "ones":
        return _ones
    # Imported here: only custom optimizers with unusual slot initializers need the family.
    from lamina import initializers
    if not hasattr(initializers, "get"):
        raise ValueError(f"Optimizer.add_variable: unknown initializer {initializer!r}. Use "
                         "'zeros', 'ones' or a callable `initializer(shape, dtype)`.")
    return initializers.get(initializer)


class Optimizer:
    """Base class of optimizers: updates variables from their gradients.

    Args:
        learning_rate: Float, a `LearningRateSchedule`, or a callable with no arguments that
            returns the rate. A float is stored in a non-trainable variable, so it can be changed
            during training (`optimizer.learning_rate = 0.01`).
        weight_decay: Float or None. If set, each variable first decays as
            `variable -= variable * weight_decay * learning_rate` (decoupled weight decay).
        clipnorm: Float or None. Clip each gradient so its L2 norm is at most this.
        clipvalue: Float or None. Clip each gradient element to `[-clipvalue, clipvalue]`.
        global_clipnorm: Float or None. Scale all gradients together so their joint L2 norm is at
            most this. At most one of the three clipping arguments may be set.
        use_ema: Whether to keep an exponential moving average of the trained variables.
        ema_momentum: Float in [0, 1], `average = ema_momentum * average + (1 - ema_momentum) *
            variable` (used only with `use_ema`).
        ema_overwrite_frequency: Int or None. With `use_ema`, copy the averages into the
            variables every this many steps; with None, only `finalize_variable_values` does.
        loss_scale_factor: Float or None. `scale_loss` multiplies the loss by it and updates
            divide the gradients by it (mixed-precision training).
        gradient_accumulation_steps: Int >= 2 or None. Update variables only every this many
            steps, with the mean of the gradients received since the last update.
        name: Name of the optimizer; prefixes the paths of its variables.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0, 2.0])
    >>> optimizer = lamina.optimizers.SGD(learning_rate=0.5)
    >>> optimizer.apply([lamina.ops.ones((2,))], [v])
    >>> v.numpy().tolist()
    [0.5, 1.5]
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        for key, value in kwargs.items():
            if key in _LEGACY_ARGUMENTS:
                raise TypeError(f"{owner}: {_LEGACY_ARGUMENTS[key]} Received: {key}={value!r}.")
        if kwargs:
            raise TypeError(f"{owner}: unexpected keyword argument(s) {sorted(kwargs)}. Check the "
                            "spelling; the accepted arguments are those of Keras 3's "
                            f"keras.optimizers.{owner}.")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(f"{owner}: `name` must be a non-empty string without '/'. Received: "
                             f"name={name!r}.")
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            check_number(owner, arg, value, minimum=0, allow_none=True)
        clipping = {"clipnorm": clipnorm, "clipvalue": clipvalue,
                    "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clipping.values()) > 1:
            received = ", ".join(f"{k}={v!r}" for k, v in clipping.items())
            raise ValueError(f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` "
                             f"can be set. Received: {received}.")
        if not isinstance(use_ema, bool):
            raise TypeError(f"{owner}: `use_ema` must be True or False. Received: "
                            f"use_ema={use_ema!r}.")
        if use_ema:
            check_number(owner, "ema_momentum", ema_momentum, minimum=0, maximum=1)
            if ema_overwrite_frequency is not None and (
                    not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
                raise ValueError(f"{owner}: `ema_overwrite_frequency` must be an int >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency!r}.")
        check_number(owner, "loss_scale_factor", loss_scale_factor, allow_none=True)
        if loss_scale_factor is not None and loss_scale_factor <= 0:
            raise ValueError(f"{owner}: `loss_scale_factor` must be > 0. Received: "
                             f"loss_scale_factor={loss_scale_factor!r}.")
        if gradient_accumulation_steps is not None and (
                isinstance(gradient_accumulation_steps, bool)
                or not isinstance(gradient_accumulation_steps, int)
                or gradient_accumulation_steps < 2):
            raise ValueError(f"{owner}: `gradient_accumulation_steps` must be an int >= 2 or None. "
                             f"Received: gradient_accumulation_steps="
                             f"{gradient_accumulation_steps!r}.")

        self.name = name or auto_name(to_snake_case(owner))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._trainable_variables_indices = {}
        self._exclude_from_weight_decay = set()
        self._exclude_from_weight_decay_pattern = None
        # JAX keeps int64 off by default; the counter then lives in int32, as in Keras on JAX.
        self._iterations = self._add_scalar_variable(
            0, "int64" if backend.supports("int64") else "int32", "iteration")
        self._learning_rate = self._make_learning_rate(learning_rate)

    # -- variables --------------------------------------------------------------------------------
    def _describe(self):
        return f"{type(self).__name__} '{self.name}'"

    def _check_initialized(self):
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"Optimizer {type(self).__name__}: call `super().__init__(...)` as "
                               "the first statement of `__init__`.")

    def _track(self, variable, name):
        variable.path = f"{self.name}/{name}" if name else f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def _add_scalar_variable(self, value, dtype, name):
        variable = backend.Variable(value, dtype=dtype, trainable=False, name=name,
                                    aggregation="only_first_replica")
        return self._track(variable, name)

    def _make_learning_rate(self, learning_rate):
        if isinstance(learning_rate, learning_rate_schedule.LearningRateSchedule):
            return learning_rate
        if _is_number(learning_rate):
            return self._add_scalar_variable(float(learning_rate), backend.floatx(),
                                             "learning_rate")
        if callable(learning_rate) and not isinstance(learning_rate, Variable):
            return learning_rate
        raise ValueError(f"{self._describe()}: `learning_rate` must be a float, a "
                         "LearningRateSchedule, or a callable with no arguments returning the "
                         f"rate. Received: learning_rate={learning_rate!r}.")

    @property
    def variables(self):
        """All optimizer variables in creation order: iteration, learning_rate, then slots."""
        return list(self._variables)

    @property
    def iterations(self):
        """The step counter variable (with gradient accumulation: completed updates, a tensor)."""
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    def build(self, variables):
        """Record the variables to train and create the base's slots (EMA, accumulators).

        Subclasses call `super().build(variables)` first, then add their own slots.

        Args:
            variables: List of the trainable `Variable`s this optimizer will update.
        """
        self._check_initialized()
        variables = list(variables)
        for v in variables:
            if not isinstance(v, Variable):
                raise TypeError(f"{self._describe()}.build: expected a list of Variables. "
                                f"Received an item {v!r} of type {type(v).__name__}.")
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator")
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self._trainable_variables = variables
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None):
        """Create a non-trainable optimizer variable (its path is "<optimizer name>/<name>").

        Args:
            shape: Tuple of ints.
            initializer: "zeros", "ones", or a callable `initializer(shape, dtype)`.
            dtype: Dtype name; defaults to `floatx()`.
            aggregation: Multi-replica aggregation hint, stored on the variable.
            layout: Accepted for Keras compatibility; unused.
            name: Variable name (no '/').

        Returns:
            The new `Variable`.
        """
        self._check_initialized()
        variable = backend.Variable(_resolve_initializer(initializer), shape=shape, dtype=dtype,
                                    trainable=False, name=name, aggregation=aggregation)
        return self._track(variable, name)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Create a slot shaped and typed like `reference_variable`.

        Args:
            reference_variable: The trained `Variable` the slot belongs to.
            name: Slot kind, e.g. "momentum"; the variable is named
                "<reference path with '/' as '_'>_<name>", e.g. "dense_kernel_momentum".
            initializer: As in `add_variable`.

        Returns:
            The new `Variable`.
        """
        prefix = str(getattr(reference_variable, "path", reference_variable.name))
        full_name = f"{prefix.replace('/', '_').replace(':', '_')}_{name or 'var'}"
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=full_name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Create one slot per variable for `name` (a string) or for each of a list of names.

        Slots are created variable by variable (all names for the first variable, then the next).

        Args:
            trainable_variables: The trained `Variable`s.
            name: Slot kind, or a list of kinds.
            initializer: As in `add_variable`.

        Returns:
            A list of slots, or a tuple of such lists (one per name) when `name` is a list.
        """
        names = [name] if isinstance(name, str) else list(name)
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, slot_name in enumerate(names):
                slots[i].append(self.add_variable_from_reference(variable, slot_name,
                                                                 initializer=initializer))
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable):
        try:
            return self._trainable_variables_indices[id(variable)]
        except KeyError:
            raise ValueError(f"{self._describe()} was built for other variables and does not know "
                             f"{getattr(variable, 'path', variable)!r}. Create a new optimizer "
                             "for a new set of variables.") from None

    def assign(self, variable, value):
        """`variable.assign(value)`; kept for Keras-style optimizer code."""
        variable.assign(value)

    def assign_add(self, variable, value):
        """`variable.assign_add(value)`; kept for Keras-style optimizer code."""
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        """`variable.assign_sub(value)`; kept for Keras-style optimizer code."""
        variable.assign_sub(value)

    # -- learning rate ----------------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate: its Variable (as Keras, so `.assign()` and `float()` work),
        a schedule's value at `iterations`, or a callable's result."""
        if isinstance(self._learning_rate, learning_rate_schedule.LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        is_schedule = isinstance(learning_rate, learning_rate_schedule.LearningRateSchedule)
        if is_schedule or (callable(learning_rate) and not isinstance(learning_rate, Variable)):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = learning_rate
            return
        if isinstance(learning_rate, bool) or not (
                _is_number(learning_rate) or getattr(learning_rate, "ndim", None) == 0):
            raise TypeError(f"{self._describe()}: the learning rate must be set to a scalar, a "
                            "LearningRateSchedule or a callable. Received: "
                            f"{learning_rate!r} of type {type(learning_rate).__name__}.")
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(f"{self._describe()} was created with a schedule or callable as its "
                            "`learning_rate`, so the rate cannot be set to a number. Create the "
                            "optimizer with a float `learning_rate` to make it settable.")
        self._learning_rate.assign(learning_rate)

    # -- applying gradients -----------------------------------------------------------------------
    def update_step(self, gradient, variable, learning_rate):
        """Update one variable from its gradient; each optimizer implements it.

        Args:
            gradient: Tensor shaped like `variable` (already unscaled, clipped, and after decay).
            variable: The `Variable` to update with `assign`/`assign_add`/`assign_sub`.
            learning_rate: The current learning rate, a scalar tensor.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "`update_step(gradient, variable, learning_rate)`.")

    def apply_gradients(self, grads_and_vars):
        """Apply `(gradient, variable)` pairs; see `apply`.

        Args:
            grads_and_vars: Iterable of `(gradient, variable)` pairs.

        Returns:
            The `iterations` variable.
        """
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ValueError(f"{self._describe()}.apply_gradients: expected (gradient, "
                                 f"variable) pairs. Received an item {pair!r}.")
        if pairs:
            self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update `trainable_variables` (default: those given to `build`) from `grads`.

        Builds on first use; gradients that are None are skipped; then unscale, clip, decay,
        `update_step` for each variable, constraints, and `iterations += 1`.

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
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{self._describe()}.apply: received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables; pass one gradient per "
                             "variable (None for a variable without one).")
        for variable in trainable_variables:
            self._get_variable_index(variable)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads = [self._standardize_gradient(g, v) for g, v in zip(grads, trainable_variables)]
        if self.loss_scale_factor is not None:
            grads = [ops.divide(g, self.loss_scale_factor) for g in grads]
        if self.gradient_accumulation_steps:
            self._accumulate_then_update(grads, trainable_variables)
        else:
            self._update(grads, trainable_variables)
        if self.use_ema:
            self._update_moving_averages()
        for variable in trainable_variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable.value))
        self._iterations.assign_add(1)

    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError(f"{self._describe()}: no gradients provided for any variable. Check "
                             "that the loss depends on the trainable variables.")
        if len(kept) < len(grads):
            missing = [v.path for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _standardize_gradient(self, gradient, variable):
        gradient = ops.convert_to_tensor(gradient)
        if tuple(gradient.shape) != tuple(variable.shape):
            raise ValueError(f"{self._describe()}: the gradient for variable '{variable.path}' has "
                             f"shape {tuple(gradient.shape)}, but the variable has shape "
                             f"{tuple(variable.shape)}. Check that gradients and variables are "
                             "passed in the same order.")
        return gradient

    def _update(self, grads, variables):
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables)
        learning_rate = self.learning_rate
        for gradient, variable in zip(grads, variables):
            self.update_step(gradient, variable, learning_rate)

    def _accumulate_then_update(self, grads, variables):
        # Both outcomes are computed and one is selected with `where`, so the step stays a pure
        # function of its inputs (no Python branch on the traced step counter).
        steps = self.gradient_accumulation_steps
        is_update = ops.equal(ops.mod(ops.add(self._iterations.value, 1), steps), 0)
        accumulators = [self._accumulated_gradients[self._get_variable_index(v)]
                        for v in variables]
        summed = [ops.add(a.value, g) for a, g in zip(accumulators, grads)]
        touched = list(variables) + self._variables
        before = [v.value for v in touched]
        self._update([ops.divide(s, steps) for s in summed], variables)
        for variable, old in zip(touched, before):
            variable.assign(ops.where(is_update, variable.value, old))
        for accumulator, total in zip(accumulators, summed):
            accumulator.assign(ops.where(is_update, ops.zeros_like(total), total))

    def _clip_gradients(self, grads):
        if self.clipnorm:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm:
            squared = ops.stack([ops.sum(ops.square(g)) for g in grads])
            norm = ops.sqrt(ops.sum(squared))
            clip = self.global_clipnorm
            # Equals min(1, clip / norm) for a finite norm; an inf or NaN norm makes it NaN
            # (through `norm - norm`) so the failure shows instead of silently zeroing gradients.
            scale = ops.add(ops.multiply(clip, ops.minimum(ops.divide(1.0, norm), 1.0 / clip)),
                            ops.subtract(norm, norm))
            return [ops.multiply(g, ops.cast(scale, ops.dtype(g))) for g in grads]
        if self.clipvalue:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_by_norm(self, gradient):
        squared_sum = ops.sum(ops.square(gradient), keepdims=True)
        positive = ops.greater(squared_sum, 0)
        # The inner `where` keeps sqrt's gradient finite for an all-zero gradient.
        safe = ops.where(positive, squared_sum, ops.ones_like(squared_sum))
        norm = ops.where(positive, ops.sqrt(safe), squared_sum)
        return ops.divide(ops.multiply(gradient, self.clipnorm),
                          ops.maximum(norm, self.clipnorm))

    # -- weight decay -----------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables from `weight_decay`; call before the optimizer is built.

        Args:
            var_list: List of `Variable`s to exempt.
            var_names: List of regular expressions; a variable whose `name` matches any of them
                is exempt (e.g. `["bias"]`).
        """
        if self.built:
            raise ValueError(f"{self._describe()}: `exclude_from_weight_decay()` must be called "
                             "before the optimizer is built (before the first `apply`).")
        if var_names is not None and (isinstance(var_names, str) or not all(
                isinstance(n, str) for n in var_names)):
            raise TypeError(f"{self._describe()}.exclude_from_weight_decay: `var_names` must be a "
                            f"list of strings. Received: var_names={var_names!r}.")
        self._exclude_from_weight_decay = {id(v) for v in var_list or ()}
        self._exclude_from_weight_decay_pattern = (
            re.compile("|".join(sorted(set(var_names)))) if var_names else None)

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_from_weight_decay:
            return False
        pattern = self._exclude_from_weight_decay_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables):
        if self.weight_decay is None:
            return
        learning_rate = self.learning_rate
        for variable in variables:
            if self._use_weight_decay(variable):
                rate = ops.multiply(ops.cast(self.weight_decay, variable.dtype),
                                    ops.cast(learning_rate, variable.dtype))
                variable.assign(ops.subtract(variable.value, ops.multiply(variable.value, rate)))

    # -- moving averages --------------------------------------------------------------------------
    def _update_moving_averages(self):
        iterations = self.iterations
        for variable, average in zip(self._trainable_variables,
                                     self._model_variables_moving_average):
            # The first step copies the variable: an average of zeros would lag for many steps.
            momentum = ops.multiply(ops.cast(ops.not_equal(iterations, 0), variable.dtype),
                                    self.ema_momentum)
            average.assign(ops.add(ops.multiply(momentum, average.value),
                                   ops.multiply(ops.subtract(1.0, momentum), variable.value)))
        if self.ema_overwrite_frequency:
            overwrite = ops.equal(ops.mod(ops.add(iterations, 1), self.ema_overwrite_frequency),
                                  0)
            for variable, average in zip(self._trainable_variables,
                                         self._model_variables_moving_average):
                variable.assign(ops.where(overwrite, average.value, variable.value))

    def finalize_variable_values(self, var_list):
        """With `use_ema`, copy the moving averages into `var_list` (end of training).

        Args:
            var_list: The trained variables, in the order given to `build`.
        """
        if not self.use_ema:
            return
        var_list = list(var_list)
        if len(var_list) != len(self._model_variables_moving_average):
            raise ValueError(f"{self._describe()}.finalize_variable_values: received "
                             f"{len(var_list)} variables, but the optimizer averages "
                             f"{len(self._model_variables_moving_average)}.")
        for variable, average in zip(var_list, self._model_variables_moving_average):
            variable.assign(average.value)

    # -- stateless twin ---------------------------------------------------------------------------
    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """`apply` on raw values, returning new values instead of changing any variable.

        Args:
            optimizer_variables: Values of `self.variables`, in that order.
            grads: Gradients, one per variable given to `build` (None to skip one).
            trainable_variables: Values of the variables given to `build`, in that order.

        Returns:
            `(new_trainable_values, new_optimizer_values)`, two lists ordered like the inputs.
        """
        self._check_initialized()
        if not self.built:
            raise ValueError(f"{self._describe()}.stateless_apply: the optimizer must be built "
                             "first. Call `optimizer.build(trainable_variables)`.")
        optimizer_variables = list(optimizer_variables)
        trainable_variables = list(trainable_variables)
        for arg, values, owners in (("optimizer_variables", optimizer_variables, self._variables),
                                    ("trainable_variables", trainable_variables,
                                     self._trainable_variables)):
            if len(values) != len(owners):
                raise ValueError(f"{self._describe()}.stateless_apply: `{arg}` must hold one "
                                 f"value per variable ({len(owners)}). Received {len(values)}.")
        mapping = []
        for variable, value in zip(self._trainable_variables + self._variables,
                                   trainable_variables + optimizer_variables):
            value = ops.convert_to_tensor(value, dtype=variable.dtype)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(f"{self._describe()}.stateless_apply: the value for variable "
                                 f"'{variable.path}' has shape {tuple(value.shape)}, expected "
                                 f"{tuple(variable.shape)}.")
            mapping.append((variable, value))
        with backend.StatelessScope(state_mapping=mapping) as scope:
            self.apply(list(grads))
        return ([scope.get_current_value(v) for v in self._trainable_variables],
                [scope.get_current_value(v) for v in self._variables])

    def scale_loss(self, loss):
        """`loss * loss_scale_factor` when a factor is set, else `loss` unchanged."""
        if self.loss_scale_factor is None:
            return loss
        return ops.multiply(loss, self.loss_scale_factor)

    # -- state and config -------------------------------------------------------------------------
    def set_weights(self, weights):
        """Assign `weights` (arrays ordered like `variables`) to the optimizer's variables."""
        if not self.built:
            raise ValueError(f"{self._describe()}.set_weights: build the optimizer first with "
                             "`optimizer.build(trainable_variables)`.")
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(f"{self._describe()}.set_weights: expected {len(self._variables)} "
                             f"arrays (one per optimizer variable). Received {len(weights)}.")
        for variable, weight in zip(self._variables, weights):
            if tuple(ops.shape(weight)) != tuple(variable.shape):
                raise ValueError(f"{self._describe()}.set_weights: variable '{variable.path}' has "
                                 f"shape {tuple(variable.shape)}; received an array of shape "
                                 f"{tuple(ops.shape(weight))}.")
            variable.assign(weight)

    def save_own_variables(self, store):
        """Write each variable's value into the dict-like `store` under keys "0", "1", ..."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Read values written by `save_own_variables`; warn and skip on a count mismatch."""
        if len(store.keys()) != len(self._variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}': it has "
                          f"{len(self._variables)} variables, the saved optimizer has "
                          f"{len(store.keys())}. Build the optimizer (or train one step) before "
                          "loading.", stacklevel=2)
            return
        for i, variable in enumerate(self._variables):
            variable.assign(store[str(i)])

    def get_config(self):
        """Constructor arguments as a JSON-compatible dict (a schedule as its config dict)."""
        if isinstance(self._learning_rate, learning_rate_schedule.LearningRateSchedule):
            learning_rate = learning_rate_schedule.serialize(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = serialization.serialize_keras_object(self._learning_rate)
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Create an optimizer (without its state) from `get_config()`'s dict."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = serialization.deserialize_keras_object(
                config["learning_rate"], custom_objects=custom_objects,
                module_objects=learning_rate_schedule.ALL_SCHEDULES,
                family="learning rate schedule")
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"
