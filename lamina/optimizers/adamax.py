"""Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Adamax(Optimizer):
    """Adamax, the infinity-norm variant of Adam.

    With `t = iterations + 1`: `m += (1 - beta_1) * (g - m)`, `u = max(beta_2 * u, |g|)` and
    `w -= learning_rate * m / ((1 - beta_1**t) * (u + epsilon))`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Float in [0, 1], decay rate of the first-moment estimate.
        beta_2: Float in [0, 1], decay rate of the infinity norm.
        epsilon: Small float added to the denominator for numerical stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Adamax(learning_rate=0.1)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9]
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
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
        check_number("Adamax", "beta_1", beta_1, minimum=0, maximum=1)
        check_number("Adamax", "beta_2", beta_2, minimum=0, maximum=1)
        check_number("Adamax", "epsilon", epsilon, minimum=0)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Create "momentum" and "norm" slots, interleaved per variable."""
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        beta_1_power = ops.power(ops.cast(self.beta_1, dtype), step)
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        m.assign_add(ops.multiply(ops.subtract(gradient, m.value), 1.0 - self.beta_1))
        u.assign(ops.maximum(ops.multiply(self.beta_2, u.value), ops.abs(gradient)))
        variable.assign_sub(ops.divide(
            ops.multiply(learning_rate, m.value),
            ops.multiply(ops.subtract(1.0, beta_1_power), ops.add(u.value, self.epsilon))))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
