"""Lamb: Adam's direction rescaled per variable by a layer-wise trust ratio (You et al.)."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Lamb(Optimizer):
    """Lamb: Adam's bias-corrected update `r = m_hat / (sqrt(v_hat) + epsilon)`, scaled by
    `||w|| / ||r||` (1 when either norm is 0): `w -= ratio * learning_rate * r`.

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

    >>> v = lamina.backend.Variable([2.0])
    >>> optimizer = Lamb(learning_rate=0.1)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [1.8]
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
        check_number("Lamb", "beta_1", beta_1, minimum=0, maximum=1)
        check_number("Lamb", "beta_2", beta_2, minimum=0, maximum=1)
        check_number("Lamb", "epsilon", epsilon, minimum=0)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Create "momentum" and "velocity" slots, interleaved per variable."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        beta_1_power = ops.power(ops.cast(self.beta_1, dtype), step)
        beta_2_power = ops.power(ops.cast(self.beta_2, dtype), step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign_add(ops.multiply(ops.subtract(gradient, m.value), 1.0 - self.beta_1))
        v.assign_add(ops.multiply(ops.subtract(ops.square(gradient), v.value), 1.0 - self.beta_2))
        m_hat = ops.divide(m.value, ops.subtract(1.0, beta_1_power))
        v_root = ops.add(ops.sqrt(ops.divide(v.value, ops.subtract(1.0, beta_2_power))),
                         self.epsilon)
        update = ops.divide(m_hat, v_root)
        w_norm = ops.sqrt(ops.sum(ops.square(variable.value)))
        r_norm = ops.sqrt(ops.sum(ops.square(update)))
        # Divide by a safe norm so the unused branch of `where` never produces inf/nan.
        safe_r_norm = ops.where(ops.greater(r_norm, 0), r_norm, 1.0)
        ratio = ops.where(ops.logical_and(ops.greater(w_norm, 0), ops.greater(r_norm, 0)),
                          ops.divide(w_norm, safe_r_norm), 1.0)
        variable.assign_sub(ops.multiply(ops.multiply(ratio, learning_rate), update))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
