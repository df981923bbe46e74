"""Muon: momentum orthogonalized by Newton-Schulz iterations for matrices, AdamW for the rest."""

import re

from lamina import ops
from lamina.optimizers.optimizer import Optimizer, check_number


def _swap_last_axes(x):
    axes = list(range(len(x.shape)))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return ops.transpose(x, axes)


class Muon(Optimizer):
    """Muon (Jordan et al., 2024) with the Moonlight update scaling; AdamW for other variables.

    A 2-D variable (not an embedding when `exclude_embeddings`, and whose path matches none of
    `exclude_layers`) keeps `m = momentum * m + g`; the direction `g + momentum * m` (Nesterov)
    or `m` is approximately orthogonalized by `ns_steps` quintic Newton-Schulz iterations
    `X = a X + (b A + c A A) X`, `A = X X^T`, with `(a, b, c) = (muon_a, muon_b, muon_c)`,
    starting from the direction divided by its Frobenius norm. Then
    `w -= learning_rate * O * sqrt(max(rows, cols)) * rms_rate` (no scaling when `rms_rate` is
    None). Every other variable gets Adam with rate `learning_rate * adam_lr_ratio`. Decoupled
    weight decay uses `weight_decay` for Muon variables and `adam_weight_decay` for the others.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        adam_beta_1: Float in [0, 1], Adam's first-moment decay rate.
        adam_beta_2: Float in [0, 1], Adam's second-moment decay rate.
        adam_weight_decay: Float or None, weight decay of the Adam variables.
        epsilon: Small float added to Adam's denominator.
        weight_decay: Float or None, weight decay of the Muon variables.
        exclude_layers: List of regular expressions; variables whose path matches one use Adam.
        exclude_embeddings: Whether variables with "embedding" in their path use Adam.
        muon_a, muon_b, muon_c: Coefficients of the Newton-Schulz iteration.
        adam_lr_ratio: Float, ratio of Adam's learning rate to `learning_rate`.
        momentum: Float in [0, 1], Muon's momentum.
        ns_steps: Int >= 0, number of Newton-Schulz iterations.
        nesterov: Whether to use Nesterov momentum.
        rms_rate: Float or None, scale matching the update's RMS to Adam's.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
            loss_scale_factor, gradient_accumulation_steps, name: As in `Optimizer`.

    Returns:
        `apply(grads, variables)` updates the variables in place.

    >>> v = lamina.backend.Variable([[1.0, 0.0], [0.0, 1.0]])
    >>> optimizer = Muon(learning_rate=0.1, weight_decay=None, rms_rate=None)
    >>> optimizer.apply([lamina.ops.full((2, 2), 1.0)], [v])
    >>> v.shape
    (2, 2)
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        check_number("Muon", "adam_beta_1", adam_beta_1, minimum=0, maximum=1)
        check_number("Muon", "adam_beta_2", adam_beta_2, minimum=0, maximum=1)
        check_number("Muon", "adam_weight_decay", adam_weight_decay, minimum=0, allow_none=True)
        check_number("Muon", "epsilon", epsilon, minimum=0)
        for arg, value in (("muon_a", muon_a), ("muon_b", muon_b), ("muon_c", muon_c),
                           ("adam_lr_ratio", adam_lr_ratio)):
            check_number("Muon", arg, value)
        check_number("Muon", "momentum", momentum, minimum=0, maximum=1)
        check_number("Muon", "rms_rate", rms_rate, minimum=0, allow_none=True)
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, int) or ns_steps < 0:
            raise ValueError(f"Muon: `ns_steps` must be an int >= 0. Received: "
                             f"ns_steps={ns_steps!r}.")
        for arg, value in (("nesterov", nesterov), ("exclude_embeddings", exclude_embeddings)):
            if not isinstance(value, bool):
                raise TypeError(f"Muon: `{arg}` must be True or False. Received: "
                                f"{arg}={value!r}.")
        if exclude_layers is not None and (isinstance(exclude_layers, str) or not all(
                isinstance(p, str) for p in exclude_layers)):
            raise TypeError("Muon: `exclude_layers` must be a list of regular-expression "
                            f"strings or None. Received: exclude_layers={exclude_layers!r}.")
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable):
        if len(variable.shape) != 2:
            return True
        path = str(getattr(variable, "path", variable.name))
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list):
        """Per variable: a "momentum" slot, then a "velocity" slot if it uses Adam."""
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self.momentums, self.adam_velocities = [], []
        for variable in var_list:
            self.momentums.append(self.add_variable_from_reference(variable, "momentum"))
            self.adam_velocities.append(
                self.add_variable_from_reference(variable, "velocity")
                if self._should_use_adamw(variable) else None)

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        m, v = self.momentums[index], self.adam_velocities[index]
        gradient = ops.cast(gradient, variable.dtype)
        if v is not None:
            self._adamw_update_step(gradient, variable,
                                    ops.multiply(learning_rate, self.adam_lr_ratio), m, v)
        else:
            self._muon_update_step(gradient, variable, learning_rate, m)

    def _muon_update_step(self, gradient, variable, learning_rate, m):
        m.assign(ops.add(ops.multiply(self.momentum, m.value), gradient))
        direction = (ops.add(gradient, ops.multiply(self.momentum, m.value)) if self.nesterov
                     else m.value)
        update = self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        update = self.lr_adjust(ops.multiply(ops.cast(learning_rate, variable.dtype), update))
        variable.assign_sub(update)

    def _adamw_update_step(self, gradient, variable, learning_rate, m, v):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        step = ops.cast(ops.add(self.iterations, 1), dtype)
        beta_1_power = ops.power(ops.cast(self.adam_beta_1, dtype), step)
        beta_2_power = ops.power(ops.cast(self.adam_beta_2, dtype), step)
        alpha = ops.divide(ops.multiply(learning_rate, ops.sqrt(ops.subtract(1.0, beta_2_power))),
                           ops.subtract(1.0, beta_1_power))
        m.assign_add(ops.multiply(ops.subtract(gradient, m.value), 1.0 - self.adam_beta_1))
        v.assign_add(ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                  1.0 - self.adam_beta_2))
        variable.assign_sub(ops.divide(ops.multiply(m.value, alpha),
                                       ops.add(ops.sqrt(v.value), self.epsilon)))

    def lr_adjust(self, x):
        """Scale a 2-D update by `sqrt(max(rows, cols)) * rms_rate` (unchanged if None)."""
        if self.rms_rate is None:
            return x
        return ops.multiply(x, (max(x.shape[0], x.shape[1]) ** 0.5) * self.rms_rate)

    def zeropower_via_newtonschulz5(self, x, steps):
        """Approximate the orthogonal factor `U V^T` of `x` (rank >= 2) by `steps` quintic
        Newton-Schulz iterations on the last two axes."""
        if len(x.shape) < 2:
            raise ValueError("Muon: expected a gradient or momentum with at least 2 dimensions. "
                             f"Received: shape={tuple(x.shape)}.")
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _swap_last_axes(x)
        x = ops.divide(x, ops.add(ops.norm(x, axis=(-2, -1), keepdims=True), 1e-7))
        for _ in range(steps):
            gram = ops.matmul(x, _swap_last_axes(x))
            poly = ops.add(ops.multiply(self.muon_b, gram),
                           ops.multiply(self.muon_c, ops.matmul(gram, gram)))
            x = ops.add(ops.multiply(self.muon_a, x), ops.matmul(poly, x))
        return _swap_last_axes(x) if tall else x

    def _apply_weight_decay(self, variables):
        learning_rate = self.learning_rate
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            decay = (self.adam_weight_decay if self._should_use_adamw(variable)
                     else self.weight_decay)
            if decay is None:
                continue
            rate = ops.multiply(ops.cast(decay, variable.dtype),
                                ops.cast(learning_rate, variable.dtype))
            variable.assign(ops.subtract(variable.value, ops.multiply(variable.value, rate)))

    def get_config(self):
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                "exclude_layers": list(self.exclude_layers), "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate}
