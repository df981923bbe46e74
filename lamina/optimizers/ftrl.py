"""FTRL-Proximal: follow-the-regularized-leader with L1/L2 regularization (McMahan et al.)."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Ftrl(Optimizer):
    """FTRL-Proximal with an adaptive per-coordinate rate, as in Keras.

    With `p = -learning_rate_power`, `n` the accumulator, `z` the linear slot and
    `l2 = l2_regularization_strength + beta / (2 * learning_rate)`:
    `n_new = n + g**2`,
    `z += g + 2 * l2_shrinkage * w - (n_new**p - n**p) / learning_rate * w`,
    `w = (clip(z, -l1, l1) - z) / (n_new**p / learning_rate + 2 * l2)` and `n = n_new`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        learning_rate_power: Float <= 0; how the rate shrinks as gradients accumulate.
        initial_accumulator_value: Float >= 0, starting value of the accumulators.
        l1_regularization_strength: Float >= 0.
        l2_regularization_strength: Float >= 0.
        l2_shrinkage_regularization_strength: Float >= 0; an L2 penalty applied to the
            gradient (magnitude shrinkage) instead of the stabilizing term.
        beta: Float, added as `beta / (2 * learning_rate)` to the L2 strength.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Ftrl(learning_rate=0.1, initial_accumulator_value=0.0)
    >>> optimizer.apply([lamina.ops.ones((1,))], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9]
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        check_number("Ftrl", "learning_rate_power", learning_rate_power)
        if learning_rate_power > 0:
            raise ValueError("Ftrl: `learning_rate_power` must be <= 0. Received: "
                             f"learning_rate_power={learning_rate_power!r}.")
        check_number("Ftrl", "initial_accumulator_value", initial_accumulator_value, minimum=0)
        check_number("Ftrl", "l1_regularization_strength", l1_regularization_strength,
                     minimum=0)
        check_number("Ftrl", "l2_regularization_strength", l2_regularization_strength,
                     minimum=0)
        check_number("Ftrl", "l2_shrinkage_regularization_strength",
                     l2_shrinkage_regularization_strength, minimum=0)
        check_number("Ftrl", "beta", beta)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        """Create "accumulator" (filled with `initial_accumulator_value`) and "linear" slots,
        interleaved per variable."""
        if self.built:
            return
        super().build(var_list)
        value = self.initial_accumulator_value

        def initializer(shape, dtype=None):
            return ops.full(shape, value, dtype=dtype)

        self._accumulators, self._linears = [], []
        for variable in var_list:
            self._accumulators.append(self.add_variable_from_reference(
                variable, "accumulator", initializer=initializer))
            self._linears.append(self.add_variable_from_reference(variable, "linear"))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l2 = ops.add(self.l2_regularization_strength,
                     ops.divide(self.beta, ops.multiply(2.0, learning_rate)))
        shrunk_gradient = ops.add(gradient, ops.multiply(
            2.0 * self.l2_shrinkage_regularization_strength, variable.value))
        new_accumulator = ops.add(accumulator.value, ops.square(gradient))
        sigma = ops.divide(ops.subtract(ops.power(new_accumulator, power),
                                        ops.power(accumulator.value, power)), learning_rate)
        linear.assign_add(ops.subtract(shrunk_gradient, ops.multiply(sigma, variable.value)))
        quadratic = ops.add(ops.divide(ops.power(new_accumulator, power), learning_rate),
                            ops.multiply(2.0, l2))
        l1 = self.l1_regularization_strength
        clipped = ops.clip(linear.value, -l1, l1)
        variable.assign(ops.divide(ops.subtract(clipped, linear.value), quadratic))
        accumulator.assign(new_accumulator)

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
