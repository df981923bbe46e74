"""Adafactor: second moments of matrices stored as row and column factors (Shazeer & Stern)."""

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


def _rms(x):
    return ops.sqrt(ops.mean(ops.square(x)))


class Adafactor(Optimizer):
    """Adafactor with update clipping and a step size relative to each variable's scale.

    With `t = iterations + 1`, `beta_2_t = 1 - t**beta_2_decay` and `G = g**2 + epsilon_1`:
    a variable of rank >= 2 keeps row means `r = beta_2_t * r + (1 - beta_2_t) * mean(G, -1)`
    and column means `c` (the same over axis -2), with `v = r / mean(r) (outer) c`; smaller
    variables keep the full `v = beta_2_t * v + (1 - beta_2_t) * G`. Then `u = g / sqrt(v)`,
    `u /= max(1, rms(u) / clip_threshold)` and
    `w -= max(epsilon_2, rms(w)) * min(learning_rate, 1 / sqrt(t)) * u`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_2_decay: Float, exponent of the second-moment decay schedule.
        epsilon_1: Small float added to the squared gradients.
        epsilon_2: Small float, the lowest scale used for a variable's step.
        clip_threshold: Positive float, threshold of the update's RMS.
        relative_step: Whether the rate is capped by `1 / sqrt(t)` (kept for Keras
            compatibility; the step size above always applies the cap, as Keras does).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([1.0])
    >>> optimizer = Adafactor(learning_rate=0.1)
    >>> optimizer.apply([lamina.ops.full((1,), 3.0)], [v])
    >>> [round(x, 4) for x in v.numpy().tolist()]
    [0.9]
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        check_number("Adafactor", "beta_2_decay", beta_2_decay)
        check_number("Adafactor", "epsilon_1", epsilon_1, minimum=0)
        check_number("Adafactor", "epsilon_2", epsilon_2, minimum=0)
        check_number("Adafactor", "clip_threshold", clip_threshold)
        if clip_threshold <= 0:
            raise ValueError("Adafactor: `clip_threshold` must be > 0. Received: "
                             f"clip_threshold={clip_threshold!r}.")
        if not isinstance(relative_step, bool):
            raise TypeError("Adafactor: `relative_step` must be True or False. Received: "
                            f"relative_step={relative_step!r}.")
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list):
        """Per variable, in order: the row factor, the column factor (scalar placeholders for
        variables of rank < 2), then a "velocity" slot; the factors are named like the
        variable, as in Keras."""
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for variable in var_list:
            shape = tuple(variable.shape)
            if len(shape) < 2:
                row_shape = column_shape = ()
            else:
                row_shape, column_shape = shape[:-1], shape[:-2] + shape[-1:]
            self._r.append(self.add_variable(row_shape, dtype=variable.dtype,
                                             name=variable.name))
            self._c.append(self.add_variable(column_shape, dtype=variable.dtype,
                                             name=variable.name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho = ops.minimum(learning_rate, ops.divide(1.0, ops.sqrt(step)))
        alpha = ops.multiply(ops.maximum(ops.cast(self.epsilon_2, dtype), _rms(variable.value)),
                             rho)
        squared = ops.add(ops.square(gradient), self.epsilon_1)
        beta_2 = ops.subtract(1.0, ops.power(step, self.beta_2_decay))
        if len(variable.shape) >= 2:
            r.assign(ops.add(ops.multiply(beta_2, r.value),
                             ops.multiply(ops.subtract(1.0, beta_2), ops.mean(squared, axis=-1))))
            c.assign(ops.add(ops.multiply(beta_2, c.value),
                             ops.multiply(ops.subtract(1.0, beta_2), ops.mean(squared, axis=-2))))
            row = ops.divide(r.value, ops.mean(r.value, axis=-1, keepdims=True))
            v.assign(ops.multiply(ops.expand_dims(row, -1), ops.expand_dims(c.value, -2)))
        else:
            v.assign(ops.add(ops.multiply(beta_2, v.value),
                             ops.multiply(ops.subtract(1.0, beta_2), squared)))
        u = ops.divide(gradient, ops.sqrt(v.value))
        u = ops.divide(u, ops.maximum(1.0, ops.divide(_rms(u), self.clip_threshold)))
        variable.assign_sub(ops.multiply(alpha, u))

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
