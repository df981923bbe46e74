"""Learning-rate schedules: callables from the optimizer's step counter to a learning rate.

Each schedule is pure (built from `lamina.ops`), so `step` may be a Python int, a tensor or a traced
integer inside a compiled training step. Pass one as an optimizer's `learning_rate`; the optimizer
evaluates it at `optimizer.iterations` on every update.
"""

import itertools
import math
import numbers

from lamina import ops
from lamina.saving import serialization


class LearningRateSchedule:
    """Base class of learning-rate schedules: subclasses define `__call__(step)` and `get_config`.

    Returns:
        Calling a schedule on `step` returns the learning rate at that step, a scalar tensor.

    >>> class Halving(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step):
    ...         return self.initial_learning_rate / (ops.cast(step, "float32") + 1.0)
    ...     def get_config(self):
    ...         return {"initial_learning_rate": self.initial_learning_rate}
    >>> float(Halving(1.0)(1))
    0.5
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` to be "
            "serializable.")

    @classmethod
    def from_config(cls, config):
        """Rebuild a schedule from the dict `get_config()` returned."""
        return cls(**config)


def _check_number(owner, arg, value, minimum=None, strict=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: `{arg}` must be a Python number. Received: {arg}={value!r} "
                        f"of type {type(value).__name__}.")
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        relation = ">" if strict else ">="
        raise ValueError(f"{owner}: `{arg}` must be {relation} {minimum}. Received: "
                         f"{arg}={value!r}.")


def _check_bool(owner, arg, value):
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: `{arg}` must be True or False. Received: {arg}={value!r}.")


def _float_step(step, dtype):
    """`step` (int, tensor or Variable) as a scalar of the schedule's float dtype."""
    return ops.cast(ops.convert_to_tensor(step), dtype)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Positive number of steps over which the rate is multiplied by `decay_rate`.
        decay_rate: Float, the multiplier per `decay_steps` steps.
        staircase: If True, `step / decay_steps` is floored, so the rate drops in steps.
        name: Name of the schedule.

    Returns:
        Called on `step`, the decayed learning rate (scalar float tensor).

    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(float(schedule(10)), 6)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _check_number("ExponentialDecay", "initial_learning_rate", initial_learning_rate)
        _check_number("ExponentialDecay", "decay_steps", decay_steps, minimum=0, strict=True)
        _check_number("ExponentialDecay", "decay_rate", decay_rate)
        _check_bool("ExponentialDecay", "staircase", staircase)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        p = ops.divide(_float_step(step, initial.dtype), ops.cast(self.decay_steps, initial.dtype))
        if self.staircase:
            p = ops.floor(p)
        return ops.multiply(initial, ops.power(ops.cast(self.decay_rate, initial.dtype), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Positive number of steps, the unit of `step` in the formula.
        decay_rate: Float, how fast the rate falls.
        staircase: If True, `step / decay_steps` is floored.
        name: Name of the schedule.

    Returns:
        Called on `step`, the decayed learning rate (scalar float tensor).

    >>> schedule = InverseTimeDecay(0.1, decay_steps=1, decay_rate=1.0)
    >>> round(float(schedule(1)), 6)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _check_number("InverseTimeDecay", "initial_learning_rate", initial_learning_rate)
        _check_number("InverseTimeDecay", "decay_steps", decay_steps, minimum=0, strict=True)
        _check_number("InverseTimeDecay", "decay_rate", decay_rate)
        _check_bool("InverseTimeDecay", "staircase", staircase)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        p = ops.divide(_float_step(step, initial.dtype), ops.cast(self.decay_steps, initial.dtype))
        if self.staircase:
            p = ops.floor(p)
        denominator = ops.add(1.0, ops.multiply(ops.cast(self.decay_rate, initial.dtype), p))
        return ops.divide(initial, denominator)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[i]` on the i-th interval of `boundaries`: `values[0]` while `step <= boundaries[0]`,
    `values[1]` while `boundaries[0] < step <= boundaries[1]`, ..., `values[-1]` after the last.

    Args:
        boundaries: Strictly increasing list of step numbers.
        values: List of learning rates, one longer than `boundaries`.
        name: Name of the schedule.

    Returns:
        Called on `step`, the learning rate of the interval holding `step` (scalar tensor with the
        dtype of `values[0]`).

    >>> schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> [float(schedule(s)) for s in (10, 11, 21)]
    [1.0, 0.5, 0.10000000149011612]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)):
            raise TypeError("PiecewiseConstantDecay: `boundaries` and `values` must be lists. "
                            f"Received: boundaries={boundaries!r}, values={values!r}.")
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: `values` must have one more entry than `boundaries`. "
                f"Received: boundaries={list(boundaries)} (length {len(boundaries)}) and "
                f"values={list(values)} (length {len(values)}).")
        for arg, seq in (("boundaries", boundaries), ("values", values)):
            for item in seq:
                _check_number("PiecewiseConstantDecay", arg, item)
        if any(b >= a for b, a in itertools.pairwise(boundaries)):
            raise ValueError("PiecewiseConstantDecay: `boundaries` must be strictly increasing. "
                             f"Received: boundaries={list(boundaries)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = ops.convert_to_tensor(step)
        first = ops.convert_to_tensor(self.values[0])
        result = first
        # Later boundaries override earlier ones, so each step keeps the last interval it passed.
        for boundary, value in zip(self.boundaries, self.values[1:]):
            passed = ops.greater(step, ops.cast(boundary, step.dtype))
            result = ops.where(passed, ops.cast(value, first.dtype), result)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate` over `decay_steps`:
    `(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end`.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Positive number of steps to reach `end_learning_rate`.
        end_learning_rate: Float, the final learning rate.
        power: Float, the power of the polynomial (1.0 is linear).
        cycle: If True, restart past `decay_steps`, decaying over the first multiple of
            `decay_steps` that exceeds `step`.
        name: Name of the schedule.

    Returns:
        Called on `step`, the decayed learning rate (scalar float tensor).

    >>> schedule = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)
    >>> float(schedule(1))
    0.75
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _check_number("PolynomialDecay", "initial_learning_rate", initial_learning_rate)
        _check_number("PolynomialDecay", "decay_steps", decay_steps, minimum=0, strict=True)
        _check_number("PolynomialDecay", "end_learning_rate", end_learning_rate)
        _check_number("PolynomialDecay", "power", power)
        _check_bool("PolynomialDecay", "cycle", cycle)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        end = ops.cast(self.end_learning_rate, dtype)
        step = _float_step(step, dtype)
        decay_steps = ops.cast(self.decay_steps, dtype)
        if self.cycle:
            # Step 0 would give a multiplier of 0; it belongs to the first cycle.
            multiplier = ops.where(ops.equal(step, 0.0), 1.0, ops.ceil(step / decay_steps))
            decay_steps = ops.multiply(decay_steps, multiplier)
        else:
            step = ops.minimum(step, decay_steps)
        fraction_left = ops.subtract(1.0, ops.divide(step, decay_steps))
        decayed = ops.multiply(ops.subtract(initial, end),
                               ops.power(fraction_left, ops.cast(self.power, dtype)))
        return ops.add(decayed, end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


def _cosine_multiplier(fraction, alpha, dtype):
    """`(1 - alpha) * 0.5 * (1 + cos(pi * fraction)) + alpha`, from 1 at 0 down to alpha at 1."""
    cosine = ops.multiply(0.5, ops.add(1.0, ops.cos(ops.multiply(
        ops.cast(math.pi, dtype), fraction))))
    return ops.add(ops.multiply(1.0 - alpha, cosine), alpha)


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay (SGDR without restarts).

    Without `warmup_target` the rate goes from `initial_learning_rate` to
    `initial_learning_rate * alpha` over `decay_steps`. With it, the rate first rises linearly
    from `initial_learning_rate` to `warmup_target` over `warmup_steps`, then decays to
    `warmup_target * alpha` over the next `decay_steps`; it stays at the floor afterwards.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Positive number of decay steps.
        alpha: Float, the final rate as a fraction of the rate where decay starts.
        name: Name of the schedule.
        warmup_target: Float or None, the rate reached at the end of warmup.
        warmup_steps: Number of warmup steps (used only with `warmup_target`).

    Returns:
        Called on `step`, the learning rate (scalar float tensor).

    >>> schedule = CosineDecay(1.0, decay_steps=4)
    >>> round(float(schedule(2)), 6)
    0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_number("CosineDecay", "initial_learning_rate", initial_learning_rate)
        _check_number("CosineDecay", "decay_steps", decay_steps, minimum=0, strict=True)
        _check_number("CosineDecay", "alpha", alpha)
        if warmup_target is not None:
            _check_number("CosineDecay", "warmup_target", warmup_target)
        _check_number("CosineDecay", "warmup_steps", warmup_steps, minimum=0)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        step = _float_step(step, dtype)
        decay_steps = ops.cast(self.decay_steps, dtype)
        if self.warmup_target is None:
            fraction = ops.divide(ops.minimum(step, decay_steps), decay_steps)
            return ops.multiply(initial, _cosine_multiplier(fraction, self.alpha, dtype))
        target = ops.cast(self.warmup_target, dtype)
        warmup_steps = ops.cast(self.warmup_steps, dtype)
        step = ops.minimum(step, ops.add(decay_steps, warmup_steps))
        # With warmup_steps == 0 this divides by zero, but that branch is then never selected.
        warmup = ops.add(ops.multiply(ops.subtract(target, initial),
                                      ops.divide(step, warmup_steps)), initial)
        fraction = ops.divide(ops.subtract(step, warmup_steps), decay_steps)
        decay = ops.multiply(target, _cosine_multiplier(fraction, self.alpha, dtype))
        return ops.where(ops.less(step, warmup_steps), warmup, decay)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period i lasts `first_decay_steps * t_mul ** i`
    steps and starts at `initial_learning_rate * m_mul ** i`.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        first_decay_steps: Positive number of steps in the first period.
        t_mul: Float, how much longer each period is than the previous one.
        m_mul: Float, how much lower each period starts than the previous one.
        alpha: Float, the floor of each period as a fraction of `initial_learning_rate`.
        name: Name of the schedule.

    Returns:
        Called on `step`, the learning rate (scalar float tensor).

    >>> schedule = CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=1.0)
    >>> [round(float(schedule(s)), 6) for s in (0, 1, 2)]
    [1.0, 0.5, 1.0]
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _check_number("CosineDecayRestarts", "initial_learning_rate", initial_learning_rate)
        _check_number("CosineDecayRestarts", "first_decay_steps", first_decay_steps, minimum=0,
                      strict=True)
        _check_number("CosineDecayRestarts", "t_mul", t_mul, minimum=0, strict=True)
        _check_number("CosineDecayRestarts", "m_mul", m_mul)
        _check_number("CosineDecayRestarts", "alpha", alpha)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        fraction = ops.divide(_float_step(step, dtype), ops.cast(self.first_decay_steps, dtype))
        if self.t_mul == 1.0:
            restart = ops.floor(fraction)
            fraction = ops.subtract(fraction, restart)
        else:
            # Periods grow geometrically: period i starts after (1 - t_mul**i) / (1 - t_mul)
            # first periods, so i is found with a logarithm.
            t_mul = ops.cast(self.t_mul, dtype)
            restart = ops.floor(ops.divide(
                ops.log(ops.subtract(1.0, ops.multiply(fraction, 1.0 - self.t_mul))),
                ops.log(t_mul)))
            start = ops.divide(ops.subtract(1.0, ops.power(t_mul, restart)), 1.0 - self.t_mul)
            fraction = ops.divide(ops.subtract(fraction, start), ops.power(t_mul, restart))
        period_scale = ops.power(ops.cast(self.m_mul, dtype), restart)
        cosine = ops.multiply(ops.multiply(0.5, period_scale), ops.add(1.0, ops.cos(
            ops.multiply(ops.cast(math.pi, dtype), fraction))))
        decayed = ops.add(ops.multiply(1.0 - self.alpha, cosine), self.alpha)
        return ops.multiply(initial, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


class OneCycle(LearningRateSchedule):
    """The one-cycle policy: warm up to `max_learning_rate`, then anneal far below the start.

    A lamina extension (Keras has no one-cycle schedule), with PyTorch's `OneCycleLR` numbers.
    The rate starts at `max_learning_rate / div_factor`, rises over the first
    `pct_start * total_steps - 1` steps to `max_learning_rate`, then falls until step
    `total_steps - 1` to `max_learning_rate / (div_factor * final_div_factor)`, where it stays.
    With `three_phase`, it first falls back to the starting rate over as many steps as it rose,
    then to the floor.

    Args:
        max_learning_rate: Positive float, the peak rate.
        total_steps: Positive int, the number of optimizer steps in the cycle (epochs times
            steps per epoch).
        pct_start: Float in (0, 1), the fraction of the cycle spent warming up.
        div_factor: Float > 0, the peak rate divided by the starting rate.
        final_div_factor: Float > 0, the starting rate divided by the final rate.
        anneal_strategy: "cos" or "linear", the shape of each phase.
        three_phase: Whether to add the symmetric descent phase before the final annealing.
        name: Name of the schedule.

    Returns:
        Called on `step`, the learning rate (scalar float tensor).

    >>> schedule = OneCycle(1.0, total_steps=10, pct_start=0.5, div_factor=10.0)
    >>> [round(float(schedule(s)), 4) for s in (0, 4)]
    [0.1, 1.0]
    """

    def __init__(self, max_learning_rate, total_steps, pct_start=0.3, div_factor=25.0,
                 final_div_factor=1e4, anneal_strategy="cos", three_phase=False,
                 name="OneCycle"):
        _check_number("OneCycle", "max_learning_rate", max_learning_rate, minimum=0, strict=True)
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 2:
            raise ValueError("OneCycle: `total_steps` must be an int >= 2 (epochs times steps "
                             f"per epoch). Received: total_steps={total_steps!r}.")
        _check_number("OneCycle", "pct_start", pct_start, minimum=0, strict=True)
        if pct_start >= 1:
            raise ValueError(f"OneCycle: `pct_start` must be in (0, 1). Received: "
                             f"pct_start={pct_start!r}.")
        _check_number("OneCycle", "div_factor", div_factor, minimum=0, strict=True)
        _check_number("OneCycle", "final_div_factor", final_div_factor, minimum=0, strict=True)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("OneCycle: `anneal_strategy` must be 'cos' or 'linear'. Received: "
                             f"anneal_strategy={anneal_strategy!r}.")
        _check_bool("OneCycle", "three_phase", three_phase)
        self.max_learning_rate = max_learning_rate
        self.total_steps = total_steps
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor
        self.anneal_strategy = anneal_strategy
        self.three_phase = three_phase
        self.name = name

    def _phases(self):
        """(last step, start rate, end rate) of each phase, as PyTorch lays them out."""
        initial = self.max_learning_rate / self.div_factor
        final = initial / self.final_div_factor
        rise_end = float(self.pct_start * self.total_steps) - 1
        if self.three_phase:
            return [(rise_end, initial, self.max_learning_rate),
                    (2 * rise_end, self.max_learning_rate, initial),
                    (self.total_steps - 1.0, initial, final)]
        return [(rise_end, initial, self.max_learning_rate),
                (self.total_steps - 1.0, self.max_learning_rate, final)]

    def __call__(self, step):
        dtype = ops.convert_to_tensor(float(self.max_learning_rate)).dtype
        step = ops.minimum(_float_step(step, dtype), float(self.total_steps - 1))
        rate = None
        phase_start = 0.0
        # Phases are selected from the last to the first, so the earliest matching one wins.
        phases = self._phases()
        selected = []
        for end, start_rate, end_rate in phases:
            fraction = ops.divide(ops.subtract(step, phase_start), end - phase_start)
            if self.anneal_strategy == "cos":
                value = ops.add(end_rate, ops.multiply((start_rate - end_rate) / 2.0, ops.add(
                    ops.cos(ops.multiply(ops.cast(math.pi, dtype), fraction)), 1.0)))
            else:
                value = ops.add(start_rate, ops.multiply(end_rate - start_rate, fraction))
            selected.append((end, value))
            phase_start = end
        for end, value in reversed(selected):
            rate = value if rate is None else ops.where(ops.less_equal(step, end), value, rate)
        return rate

    def get_config(self):
        return {"max_learning_rate": self.max_learning_rate, "total_steps": self.total_steps,
                "pct_start": self.pct_start, "div_factor": self.div_factor,
                "final_div_factor": self.final_div_factor,
                "anneal_strategy": self.anneal_strategy, "three_phase": self.three_phase,
                "name": self.name}


ALL_SCHEDULES = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
    PolynomialDecay, CosineDecay, CosineDecayRestarts, OneCycle)}


def serialize(learning_rate_schedule):
    """Config dict of a schedule: `{"module", "class_name", "config", "registered_name"}`.

    Args:
        learning_rate_schedule: A `LearningRateSchedule` instance.

    Returns:
        A JSON-compatible dict that `deserialize` turns back into an equal schedule.

    >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
    'ExponentialDecay'
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError("schedules.serialize: expected a LearningRateSchedule instance. Received: "
                        f"{learning_rate_schedule!r} of type "
                        f"{type(learning_rate_schedule).__name__}.")
    config = serialization.serialize_keras_object(learning_rate_schedule)
    if type(learning_rate_schedule).__name__ in ALL_SCHEDULES and \
            not isinstance(learning_rate_schedule, OneCycle):
        config["module"] = "keras.optimizers.schedules"
    return config


def deserialize(config, custom_objects=None):
    """Rebuild a schedule from `serialize`'s dict (or a registered custom schedule's).

    Args:
        config: Dict with "class_name" and "config".
        custom_objects: Optional dict of names to custom schedule classes.

    Returns:
        A `LearningRateSchedule` instance.

    >>> deserialize({"class_name": "InverseTimeDecay", "config": {"initial_learning_rate": 0.1,
    ...              "decay_steps": 1, "decay_rate": 0.5}}).decay_rate
    0.5
    """
    if not isinstance(config, dict):
        raise TypeError("schedules.deserialize: expected a config dict with 'class_name' and "
                        f"'config'. Received: {config!r}.")
    return serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_SCHEDULES,
        family="learning rate schedule")
