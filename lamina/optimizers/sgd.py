"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


class SGD(Optimizer):
    """Gradient descent with momentum.

    Without momentum: `w -= learning_rate * g`. With momentum, a velocity `m` (zeros at first)
    is updated as `m = momentum * m - learning_rate * g`, then `w += m`, or with Nesterov
    momentum `w += momentum * m - learning_rate * g`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.01.
        momentum: Float in [0, 1]; 0 means plain gradient descent (no slot variables).
        nesterov: Whether to use Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = SGD(learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     optimizer.apply([lamina.ops.ones((1,))], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.71]
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        check_number("SGD", "momentum", momentum, minimum=0, maximum=1)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: `nesterov` must be True or False. Received: "
                            f"nesterov={nesterov!r}.")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        """Create one "momentum" slot per variable (none when `momentum` is 0)."""
        if self.built:
            return
        super().build(variables)
        self.momentums = (self.add_optimizer_variables(variables, "momentum")
                          if self.momentum != 0 else [])

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = ops.cast(learning_rate, variable.dtype)
        step = ops.multiply(ops.cast(gradient, variable.dtype), learning_rate)
        if self.momentum == 0:
            variable.assign_sub(step)
            return
        m = self.momentums[self._get_variable_index(variable)]
        momentum = ops.cast(self.momentum, variable.dtype)
        m.assign(ops.subtract(ops.multiply(m.value, momentum), step))
        if self.nesterov:
            variable.assign_add(ops.subtract(ops.multiply(m.value, momentum), step))
        else:
            variable.assign_add(m.value)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
