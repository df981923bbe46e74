"""ScheduleFreeAdamW: AdamW without a learning-rate schedule, by iterate averaging (Defazio et al.)."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW: the trained variable `y` interpolates a base sequence `z` (the
    "momentum" slot) and its running average `x`.

    With `t = iterations + 1` and `lr_t = learning_rate * min(t / warmup_steps, 1)` (no
    warm-up when `warmup_steps` is 0): `v += (1 - beta_2) * (g**2 - v)`,
    `z_new = z - lr_t * g / (sqrt(v / (1 - beta_2**t)) + epsilon)`,
    `x = (y - (1 - beta_1) * z) / beta_1`, `x_new = (1 - 1/t) * x + z_new / t` and
    `y = (1 - beta_1) * z_new + beta_1 * x_new`. `z` starts as a copy of the variable.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.0025.
        beta_1: Float in (0, 1], interpolation between the average and the base sequence.
        beta_2: Float in [0, 1], decay rate of the second-moment estimate.
        epsilon: Small float added to the denominator for numerical stability.
        warmup_steps: Int >= 0, steps of linear learning-rate warm-up.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = ScheduleFreeAdamW(learning_rate=0.1)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9]
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, weight_decay=None, clipnorm=None, clipvalue=None,
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
        owner = "ScheduleFreeAdamW"
        check_number(owner, "beta_1", beta_1, minimum=0, maximum=1)
        if beta_1 <= 0:
            # x is recovered from y by dividing by beta_1.
            raise ValueError(f"{owner}: `beta_1` must be in (0, 1]. Received: beta_1={beta_1!r}.")
        check_number(owner, "beta_2", beta_2, minimum=0, maximum=1)
        check_number(owner, "epsilon", epsilon, minimum=0)
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or warmup_steps < 0:
            raise ValueError(f"{owner}: `warmup_steps` must be an int >= 0. Received: "
                             f"warmup_steps={warmup_steps!r}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list):
        """Create "momentum" (a copy of the variable: the base sequence) and "velocity" slots,
        interleaved per variable."""
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        for momentum, variable in zip(self._momentums, var_list):
            momentum.assign(variable.value)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        if self.warmup_steps > 0:
            learning_rate = ops.multiply(learning_rate, ops.minimum(
                ops.divide(step, float(self.warmup_steps)), 1.0))
        index = self._get_variable_index(variable)
        z, v = self._momentums[index], self._velocities[index]
        z_old = z.value
        v.assign_add(ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                  ops.subtract(1.0, beta_2)))
        denominator = ops.add(ops.sqrt(ops.divide(
            v.value, ops.subtract(1.0, ops.power(beta_2, step)))), self.epsilon)
        z.assign_sub(ops.divide(ops.multiply(learning_rate, gradient), denominator))
        weight = ops.divide(1.0, step)
        x_old = ops.divide(ops.subtract(variable.value,
                                        ops.multiply(ops.subtract(1.0, beta_1), z_old)), beta_1)
        x_new = ops.add(ops.multiply(ops.subtract(1.0, weight), x_old),
                        ops.multiply(weight, z.value))
        variable.assign(ops.add(ops.multiply(ops.subtract(1.0, beta_1), z.value),
                                ops.multiply(beta_1, x_new)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "warmup_steps": self.warmup_steps}
