"""Adagrad: per-coordinate step sizes from the running sum of squared gradients."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Adagrad(Optimizer):
    """Adagrad: `a += g**2` and `w -= learning_rate * g / sqrt(a + epsilon)`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        initial_accumulator_value: Float >= 0, starting value of the accumulators.
        epsilon: Small float added inside the square root for numerical stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Adagrad(learning_rate=0.1, initial_accumulator_value=0.0)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9]
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None,
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
        check_number("Adagrad", "initial_accumulator_value", initial_accumulator_value,
                     minimum=0)
        check_number("Adagrad", "epsilon", epsilon, minimum=0)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        """Create one "accumulator" slot per variable, filled with `initial_accumulator_value`."""
        if self.built:
            return
        super().build(var_list)
        value = self.initial_accumulator_value

        def initializer(shape, dtype=None):
            return ops.full(shape, value, dtype=dtype)

        self._accumulators = self.add_optimizer_variables(var_list, "accumulator",
                                                          initializer=initializer)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator.assign_add(ops.square(gradient))
        variable.assign_sub(ops.divide(ops.multiply(learning_rate, gradient),
                                       ops.sqrt(ops.add(accumulator.value, self.epsilon))))

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
