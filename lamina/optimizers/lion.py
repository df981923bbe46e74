"""Lion: sign of an interpolated momentum as the update (Chen et al., 2023)."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Lion(Optimizer):
    """Lion: `w -= learning_rate * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Float in [0, 1], interpolation factor of the update direction.
        beta_2: Float in [0, 1], decay rate of the momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Lion(learning_rate=0.1)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9]
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99,
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
        check_number("Lion", "beta_1", beta_1, minimum=0, maximum=1)
        check_number("Lion", "beta_2", beta_2, minimum=0, maximum=1)
        if beta_1 <= 0:
            # Keras rejects 0 too: the update would ignore the momentum entirely.
            raise ValueError(f"Lion: `beta_1` must be in (0, 1]. Received: beta_1={beta_1!r}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, var_list):
        """Create one "momentum" slot per variable."""
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        direction = ops.add(ops.multiply(m.value, beta_1),
                            ops.multiply(gradient, ops.subtract(1.0, beta_1)))
        variable.assign_sub(ops.multiply(learning_rate, ops.sign(direction)))
        m.assign(ops.add(ops.multiply(m.value, beta_2),
                         ops.multiply(gradient, ops.subtract(1.0, beta_2))))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
