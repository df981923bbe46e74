"""RMSprop: gradients divided by a running root-mean-square of their magnitudes."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class RMSprop(Optimizer):
    """RMSprop, optionally centered and with momentum.

    `v = rho * v + (1 - rho) * g**2`; centered also keeps `a = rho * a + (1 - rho) * g` and uses
    `v - a**2` in place of `v`. The increment is `learning_rate * g / sqrt(v + epsilon)`; with
    momentum, `m = momentum * m + increment` and `w -= m`, otherwise `w -= increment`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        rho: Float in [0, 1], decay rate of the running averages.
        momentum: Float >= 0; 0 means no momentum slot.
        epsilon: Small float added inside the square root for numerical stability.
        centered: Whether to normalize by the estimated variance instead of the second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = RMSprop(learning_rate=0.1, rho=0.75)
    >>> optimizer.apply([lamina.ops.ones((1,))], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.8]
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
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
        check_number("RMSprop", "rho", rho, minimum=0, maximum=1)
        check_number("RMSprop", "momentum", momentum, minimum=0)
        check_number("RMSprop", "epsilon", epsilon, minimum=0)
        if not isinstance(centered, bool):
            raise TypeError(f"RMSprop: `centered` must be True or False. Received: "
                            f"centered={centered!r}.")
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        """Create "velocity" slots, then "momentum" (if momentum > 0), then "average_gradient"
        (if centered) slots."""
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = (self.add_optimizer_variables(var_list, "momentum")
                           if self.momentum > 0 else [])
        self._average_gradients = (self.add_optimizer_variables(var_list, "average_gradient")
                                   if self.centered else [])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        rho = self.rho
        velocity = self._velocities[index]
        velocity.assign(ops.add(ops.multiply(rho, velocity.value),
                                ops.multiply(1.0 - rho, ops.square(gradient))))
        denominator = velocity.value
        if self.centered:
            average = self._average_gradients[index]
            average.assign(ops.add(ops.multiply(rho, average.value),
                                   ops.multiply(1.0 - rho, gradient)))
            denominator = ops.subtract(denominator, ops.square(average.value))
        increment = ops.divide(ops.multiply(learning_rate, gradient),
                               ops.sqrt(ops.add(denominator, self.epsilon)))
        if self.momentum > 0:
            momentum = self._momentums[index]
            momentum.assign(ops.add(ops.multiply(self.momentum, momentum.value), increment))
            variable.assign_sub(momentum.value)
        else:
            variable.assign_sub(increment)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
