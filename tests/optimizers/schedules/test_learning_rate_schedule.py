"""Learning-rate schedules against NumPy formulas and Keras 3's numbers, traced steps, config."""

import math

import numpy as np
import pytest

from lamina import backend, ops, optimizers
from lamina.optimizers import schedules

STEPS = [0, 1, 2, 3, 5, 7, 10, 13]


def numpy_exponential(step, lr, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr * rate ** (math.floor(p) if staircase else p)


def numpy_inverse_time(step, lr, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr / (1 + rate * (math.floor(p) if staircase else p))


def numpy_piecewise(step, boundaries, values):
    for boundary, value in zip(boundaries, values):
        if step <= boundary:
            return value
    return values[-1]


def numpy_polynomial(step, lr, decay_steps, end, power, cycle=False):
    if cycle:
        decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (lr - end) * (1 - step / decay_steps) ** power + end


def numpy_cosine(step, lr, decay_steps, alpha, warmup_target=None, warmup_steps=0):
    if warmup_target is None:
        fraction = min(step, decay_steps) / decay_steps
        return lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return lr + (warmup_target - lr) * step / warmup_steps
    fraction = (step - warmup_steps) / decay_steps
    return warmup_target * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)


def numpy_restarts(step, lr, first_steps, t_mul, m_mul, alpha):
    """Walk the periods one by one (no closed form), as SGDR defines them."""
    start, length, peak = 0.0, float(first_steps), 1.0
    while step >= start + length:
        start, length, peak = start + length, length * t_mul, peak * m_mul
    fraction = (step - start) / length
    return lr * ((1 - alpha) * peak * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)


CASES = {
    "exponential": (lambda: schedules.ExponentialDecay(0.1, 3, 0.5),
                    lambda s: numpy_exponential(s, 0.1, 3, 0.5)),
    "exponential_staircase": (lambda: schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True),
                              lambda s: numpy_exponential(s, 0.1, 3, 0.5, staircase=True)),
    "inverse_time": (lambda: schedules.InverseTimeDecay(0.1, 2, 0.5),
                     lambda s: numpy_inverse_time(s, 0.1, 2, 0.5)),
    "inverse_time_staircase": (lambda: schedules.InverseTimeDecay(0.1, 2, 0.5, staircase=True),
                               lambda s: numpy_inverse_time(s, 0.1, 2, 0.5, staircase=True)),
    "piecewise": (lambda: schedules.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
                  lambda s: numpy_piecewise(s, [2, 5], [1.0, 0.5, 0.1])),
    "polynomial": (lambda: schedules.PolynomialDecay(0.1, 5, 0.01, power=2.0),
                   lambda s: numpy_polynomial(s, 0.1, 5, 0.01, 2.0)),
    "polynomial_cycle": (lambda: schedules.PolynomialDecay(0.1, 5, 0.01, power=0.5, cycle=True),
                         lambda s: numpy_polynomial(s, 0.1, 5, 0.01, 0.5, cycle=True)),
    "cosine": (lambda: schedules.CosineDecay(0.1, 6, alpha=0.1),
               lambda s: numpy_cosine(s, 0.1, 6, 0.1)),
    "cosine_warmup": (lambda: schedules.CosineDecay(0.0, 6, alpha=0.1, warmup_target=0.2,
                                                    warmup_steps=4),
                      lambda s: numpy_cosine(s, 0.0, 6, 0.1, warmup_target=0.2, warmup_steps=4)),
    "restarts": (lambda: schedules.CosineDecayRestarts(0.1, 2, t_mul=2.0, m_mul=0.5, alpha=0.1),
                 lambda s: numpy_restarts(s, 0.1, 2, 2.0, 0.5, 0.1)),
    "restarts_constant_period": (lambda: schedules.CosineDecayRestarts(0.1, 3, t_mul=1.0,
                                                                       m_mul=0.5),
                                 lambda s: numpy_restarts(s, 0.1, 3, 1.0, 0.5, 0.0)),
}

# Keras 3.15 (JAX backend): the same schedules at STEPS.
KERAS = {
    "exponential_staircase": [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125, 0.00625],
    "polynomial_cycle": [0.10000000149011612, 0.09049844741821289, 0.07971370220184326,
                         0.06692100316286087, 0.009999999776482582, 0.059295035898685455,
                         0.009999999776482582, 0.042863354086875916],
    "cosine_warmup": [0.0, 0.05000000074505806, 0.10000000149011612, 0.15000000596046448,
                      0.1879422962665558, 0.10999999195337296, 0.020000001415610313,
                      0.020000001415610313],
    "restarts": [0.10000000149011612, 0.05499999597668648, 0.055000003427267075,
                 0.04840990528464317, 0.016590097919106483, 0.031643643975257874,
                 0.021250000223517418, 0.010856354609131813],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_matches_numpy(case):
    make, reference = CASES[case]
    schedule = make()
    values = [float(schedule(step)) for step in STEPS]
    np.testing.assert_allclose(values, [reference(s) for s in STEPS], rtol=2e-6, atol=1e-8)
    assert ops.dtype(schedule(3)) == "float32"


@pytest.mark.parametrize("case", sorted(KERAS))
def test_schedule_matches_keras_reference(case):
    schedule = CASES[case][0]()
    np.testing.assert_allclose([float(schedule(s)) for s in STEPS], KERAS[case], rtol=2e-6,
                               atol=1e-8)


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_accepts_a_traced_step(case):
    make, reference = CASES[case]
    schedule = make()
    compiled = backend.transforms.jit(schedule)
    values = [float(compiled(ops.convert_to_tensor(s, "int32"))) for s in (1, 7)]
    np.testing.assert_allclose(values, [reference(1), reference(7)], rtol=2e-6, atol=1e-8)


def test_schedule_reads_a_variable_step():
    step = backend.Variable(4, dtype="int32")
    schedule = schedules.ExponentialDecay(1.0, 2, 0.5)
    np.testing.assert_allclose(float(schedule(step)), 0.25, rtol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_config_round_trip(case):
    schedule = CASES[case][0]()
    config = schedules.serialize(schedule)
    assert config["module"] == "keras.optimizers.schedules"
    assert config["class_name"] == type(schedule).__name__
    restored = schedules.deserialize(config)
    assert type(restored) is type(schedule) and restored.get_config() == schedule.get_config()
    assert float(restored(5)) == float(schedule(5))


def test_schedule_config_keys_match_keras():
    assert schedules.CosineDecayRestarts(0.1, 2).get_config() == {
        "initial_learning_rate": 0.1, "first_decay_steps": 2, "t_mul": 2.0, "m_mul": 1.0,
        "alpha": 0.0, "name": "SGDRDecay"}
    assert schedules.PiecewiseConstantDecay([1], [1.0, 0.5]).get_config()["name"] == (
        "PiecewiseConstant")


class Halving(schedules.LearningRateSchedule):
    def __init__(self, initial_learning_rate):
        self.initial_learning_rate = initial_learning_rate

    def __call__(self, step):
        return self.initial_learning_rate / (ops.cast(step, "float32") + 1.0)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate}


def test_custom_schedule_drives_an_optimizer_and_round_trips():
    optimizer = optimizers.SGD(learning_rate=Halving(1.0))
    v = backend.Variable(np.array([0.0], "float32"))
    for _ in range(3):
        optimizer.apply([np.array([1.0], "float32")], [v])
    np.testing.assert_allclose(v.numpy(), [-(1.0 + 1 / 2 + 1 / 3)], rtol=1e-6)
    config = optimizers.serialize(optimizer)
    with pytest.raises(ValueError, match="Unknown learning rate schedule: 'Halving'"):
        optimizers.deserialize(config)
    restored = optimizers.deserialize(config, custom_objects={"Halving": Halving})
    assert isinstance(restored._learning_rate, Halving)


def test_schedule_base_requires_call_and_config():
    base = schedules.LearningRateSchedule()
    with pytest.raises(NotImplementedError, match=r"must override `__call__\(self, step\)`"):
        base(0)
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        base.get_config()


@pytest.mark.parametrize("make, error, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), ValueError,
     "ExponentialDecay: `decay_steps` must be > 0. Received: decay_steps=0"),
    (lambda: schedules.InverseTimeDecay("0.1", 1, 0.5), TypeError,
     "InverseTimeDecay: `initial_learning_rate` must be a Python number"),
    (lambda: schedules.PolynomialDecay(0.1, -1), ValueError, "`decay_steps` must be > 0"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_steps=-1), ValueError,
     "`warmup_steps` must be >= 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), ValueError, "`first_decay_steps` must be > 0"),
    (lambda: schedules.ExponentialDecay(0.1, 1, 0.5, staircase="yes"), TypeError,
     "`staircase` must be True or False"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5]), ValueError,
     r"one more entry than `boundaries`.*length 2.*length 2"),
    (lambda: schedules.PiecewiseConstantDecay([5, 2], [1.0, 0.5, 0.1]), ValueError,
     "strictly increasing"),
    (lambda: schedules.deserialize({"class_name": "Nope", "config": {}}), ValueError,
     r"Unknown learning rate schedule: 'Nope'.*'CosineDecay'"),
    (lambda: schedules.serialize(0.1), TypeError, "expected a LearningRateSchedule"),
])
def test_schedule_rejects_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


# -- OneCycle (a lamina extension; the reference is PyTorch's OneCycleLR formula in NumPy) ----------
def _one_cycle_reference(step, max_lr, total, pct, div, final_div, strategy, three_phase):
    initial = max_lr / div
    final = initial / final_div
    rise_end = pct * total - 1
    if three_phase:
        phases = [(rise_end, initial, max_lr), (2 * rise_end, max_lr, initial),
                  (total - 1, initial, final)]
    else:
        phases = [(rise_end, initial, max_lr), (total - 1, max_lr, final)]
    start = 0.0
    for i, (end, lo, hi) in enumerate(phases):
        if step <= end or i == len(phases) - 1:
            frac = (step - start) / (end - start)
            if strategy == "cos":
                return hi + (lo - hi) / 2 * (np.cos(np.pi * frac) + 1)
            return lo + (hi - lo) * frac
        start = end
    raise AssertionError


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_matches_reference_formula(strategy, three_phase):
    from lamina.optimizers.schedules import OneCycle
    schedule = OneCycle(0.5, total_steps=40, pct_start=0.25, div_factor=10.0,
                        final_div_factor=100.0, anneal_strategy=strategy,
                        three_phase=three_phase)
    got = [float(schedule(s)) for s in range(40)]
    expected = [_one_cycle_reference(s, 0.5, 40, 0.25, 10.0, 100.0, strategy, three_phase)
                for s in range(40)]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-8)
    assert got[0] == pytest.approx(0.05)
    assert max(got) == pytest.approx(0.5, rel=1e-5)
    assert got[-1] == pytest.approx(0.05 / 100.0, rel=1e-4)
    # Past the end the rate stays at the floor.
    assert float(schedule(100)) == pytest.approx(0.0005, rel=1e-4)


def test_one_cycle_traces_and_round_trips():
    from lamina import ops
    from lamina.backend import transforms
    from lamina.optimizers.schedules import OneCycle, deserialize, serialize
    schedule = OneCycle(1.0, total_steps=10, pct_start=0.5, div_factor=10.0)
    jitted = transforms.jit(lambda s: schedule(s))
    assert float(jitted(ops.convert_to_tensor(4))) == pytest.approx(1.0)
    clone = deserialize(serialize(schedule))
    assert isinstance(clone, OneCycle) and clone.get_config() == schedule.get_config()


@pytest.mark.parametrize("kwargs, message", [
    ({"total_steps": 1}, "total_steps"),
    ({"pct_start": 1.0}, "pct_start"),
    ({"anneal_strategy": "step"}, "'cos' or 'linear'"),
])
def test_one_cycle_rejects_bad_arguments(kwargs, message):
    from lamina.optimizers.schedules import OneCycle
    with pytest.raises(ValueError, match=message):
        OneCycle(0.1, **{"total_steps": 10, **kwargs})


def test_one_cycle_drives_an_optimizer():
    from lamina import optimizers
    from lamina.optimizers.schedules import OneCycle
    optimizer = optimizers.SGD(learning_rate=OneCycle(1.0, total_steps=10, div_factor=4.0))
    assert float(optimizer.learning_rate) == pytest.approx(0.25)
