"""Nadam: Adam with Nesterov momentum and a warming-up momentum schedule."""

from lamina import backend, ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Nadam(Optimizer):
    """Nadam (Dozat, 2016), with the momentum schedule `mu_t = beta_1 * (1 - 0.5 * 0.96**t)`.

    With `t = iterations + 1` and `prod_t = mu_1 * ... * mu_t` (kept in a scalar variable):
    `m += (1 - beta_1) * (g - m)`, `v += (1 - beta_2) * (g**2 - v)`,
    `m_hat = mu_{t+1} * m / (1 - prod_t * mu_{t+1}) + (1 - mu_t) * g / (1 - prod_t)`,
    `v_hat = v / (1 - beta_2**t)` and `w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Float in [0, 1], decay rate of the first-moment estimate.
        beta_2: Float in [0, 1], decay rate of the second-moment estimate.
        epsilon: Small float added to the denominator for numerical stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Nadam(learning_rate=0.1)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.8937]
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
        check_number("Nadam", "beta_1", beta_1, minimum=0, maximum=1)
        check_number("Nadam", "beta_2", beta_2, minimum=0, maximum=1)
        check_number("Nadam", "epsilon", epsilon, minimum=0)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Create "momentum" and "velocity" slots per variable, then the scalar "u_product"."""
        if self.built:
            return
        var_list = list(var_list)
        dtype = var_list[0].dtype if var_list else backend.floatx()
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")

    def _update(self, grads, variables):
        # The product of the momentum schedule advances once per step, before any variable.
        dtype = self._u_product.dtype
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        mu = ops.multiply(self.beta_1, ops.subtract(1.0, ops.multiply(
            0.5, ops.power(ops.cast(0.96, dtype), step))))
        self._u_product.assign(ops.multiply(self._u_product.value, mu))
        super()._update(grads, variables)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        decay = ops.cast(0.96, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        mu_t = ops.multiply(beta_1, ops.subtract(1.0, ops.multiply(0.5, ops.power(decay, step))))
        mu_next = ops.multiply(beta_1, ops.subtract(
            1.0, ops.multiply(0.5, ops.power(decay, ops.add(step, 1.0)))))
        u_product = ops.cast(self._u_product.value, dtype)
        u_product_next = ops.multiply(u_product, mu_next)
        beta_2_power = ops.power(ops.cast(self.beta_2, dtype), step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign_add(ops.multiply(ops.subtract(gradient, m.value), 1.0 - self.beta_1))
        v.assign_add(ops.multiply(ops.subtract(ops.square(gradient), v.value), 1.0 - self.beta_2))
        m_hat = ops.add(
            ops.divide(ops.multiply(mu_next, m.value), ops.subtract(1.0, u_product_next)),
            ops.divide(ops.multiply(ops.subtract(1.0, mu_t), gradient),
                       ops.subtract(1.0, u_product)))
        v_hat = ops.divide(v.value, ops.subtract(1.0, beta_2_power))
        variable.assign_sub(ops.divide(ops.multiply(m_hat, learning_rate),
                                       ops.add(ops.sqrt(v_hat), self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
