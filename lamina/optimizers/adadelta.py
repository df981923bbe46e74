"""Adadelta: steps scaled by the ratio of running RMS of past updates to that of gradients."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), multiplied by `learning_rate` as in Keras.

    `a_g = rho * a_g + (1 - rho) * g**2`,
    `delta = -sqrt(a_d + epsilon) * g / sqrt(a_g + epsilon)`,
    `a_d = rho * a_d + (1 - rho) * delta**2` and `w += learning_rate * delta`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        rho: Float in [0, 1], decay rate of the running averages.
        epsilon: Small float added inside the square roots for numerical stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Adadelta(learning_rate=1.0, rho=0.0, epsilon=0.01)
    >>> optimizer.apply([lamina.ops.ones((1,))], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9005]
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7,
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
        check_number("Adadelta", "rho", rho, minimum=0, maximum=1)
        check_number("Adadelta", "epsilon", epsilon, minimum=0)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        """Create "accumulated_grad" and "accumulated_delta_var" slots, interleaved."""
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        rho = self.rho
        index = self._get_variable_index(variable)
        grad_average = self._accumulated_grads[index]
        delta_average = self._accumulated_delta_vars[index]
        grad_average.assign(ops.add(ops.multiply(rho, grad_average.value),
                                    ops.multiply(1.0 - rho, ops.square(gradient))))
        delta = ops.negative(ops.divide(
            ops.multiply(ops.sqrt(ops.add(delta_average.value, self.epsilon)), gradient),
            ops.sqrt(ops.add(grad_average.value, self.epsilon))))
        delta_average.assign(ops.add(ops.multiply(rho, delta_average.value),
                                     ops.multiply(1.0 - rho, ops.square(delta))))
        variable.assign_add(ops.multiply(learning_rate, delta))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
