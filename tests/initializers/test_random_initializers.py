import json
import math

import numpy as np
import pytest

from lamina import backend, initializers
from lamina.initializers.random_initializers import compute_fans
from lamina.random import SeedGenerator, set_random_seed

# Conv-like kernel: receptive field 5 * 5 = 25, so fan_in = 25 * 40, fan_out = 25 * 80.
CONV = (5, 5, 40, 80)
FAN_IN, FAN_OUT = 1000, 2000
N = math.prod(CONV)


def _stats(init, shape=CONV):
    x = np.asarray(init(shape), dtype=np.float64)
    assert x.shape == shape
    return x, x.mean(), x.std()


def _assert_mean(x, mean, stddev):
    # Five standard errors: the seeded draw passes, a wrong mean fails.
    assert abs(x.mean() - mean) < 5 * stddev / math.sqrt(x.size)


def test_random_normal_statistics():
    x, _, std = _stats(initializers.RandomNormal(mean=0.3, stddev=0.2, seed=1))
    _assert_mean(x, 0.3, 0.2)
    assert std == pytest.approx(0.2, rel=0.02)


def test_random_uniform_bounds_and_statistics():
    x, _, std = _stats(initializers.RandomUniform(minval=-0.1, maxval=0.3, seed=2))
    assert x.min() >= -0.1 and x.max() < 0.3
    assert x.min() < -0.099 and x.max() > 0.299  # the whole interval is used
    _assert_mean(x, 0.1, 0.4 / math.sqrt(12))
    assert std == pytest.approx(0.4 / math.sqrt(12), rel=0.02)


def test_truncated_normal_is_cut_at_two_stddev():
    x, _, std = _stats(initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=3))
    assert np.all(np.abs(x - 1.0) <= 2 * 0.5 + 1e-6)
    assert np.abs(x - 1.0).max() > 0.95  # but reaches close to the cut
    # Std of N(0, 1) truncated to [-2, 2] is 0.8796...; computed here from the normal pdf/cdf.
    z = 2.0
    pdf, mass = math.exp(-z * z / 2) / math.sqrt(2 * math.pi), math.erf(z / math.sqrt(2))
    assert std == pytest.approx(0.5 * math.sqrt(1 - 2 * z * pdf / mass), rel=0.02)
    _assert_mean(x, 1.0, 0.5)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_variance_is_scale_over_fan(mode, distribution):
    fan = {"fan_in": FAN_IN, "fan_out": FAN_OUT, "fan_avg": (FAN_IN + FAN_OUT) / 2}[mode]
    init = initializers.VarianceScaling(scale=3.0, mode=mode, distribution=distribution, seed=4)
    x, _, std = _stats(init)
    assert std == pytest.approx(math.sqrt(3.0 / fan), rel=0.02)
    _assert_mean(x, 0.0, std)
    if distribution == "uniform":
        assert np.abs(x).max() <= math.sqrt(9.0 / fan)
    if distribution == "truncated_normal":
        assert np.abs(x).max() <= 2 * math.sqrt(3.0 / fan) / 0.87962566103423978 + 1e-6


@pytest.mark.parametrize(("cls", "variance", "uniform"), [
    (initializers.GlorotUniform, 2 / (FAN_IN + FAN_OUT), True),
    (initializers.GlorotNormal, 2 / (FAN_IN + FAN_OUT), False),
    (initializers.HeUniform, 2 / FAN_IN, True),
    (initializers.HeNormal, 2 / FAN_IN, False),
    (initializers.LecunUniform, 1 / FAN_IN, True),
    (initializers.LecunNormal, 1 / FAN_IN, False)], ids=lambda v: getattr(v, "__name__", ""))
def test_named_variance_scaling_presets(cls, variance, uniform):
    x, _, std = _stats(cls(seed=5))
    assert std == pytest.approx(math.sqrt(variance), rel=0.02)
    if uniform:  # limit = sqrt(3 * variance), e.g. Glorot's sqrt(6 / (fan_in + fan_out))
        assert np.abs(x).max() <= math.sqrt(3 * variance)
        assert np.abs(x).max() > 0.99 * math.sqrt(3 * variance)


def test_compute_fans():
    assert compute_fans(()) == (1, 1)
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans((3, 4)) == (3, 4)
    assert compute_fans((3, 3, 4, 8)) == (36, 72)
    assert compute_fans((2, 3, 3, 4, 8)) == (72, 144)
    assert compute_fans((4, 2, 8), input_axes=[0], output_axes=[1, 2]) == (4, 16)


def test_variance_scaling_input_and_output_axes_pick_the_fans():
    # As for an attention kernel: fan_in from axis 2 only (40), fan_out from the rest (2000).
    init = initializers.VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform",
                                        seed=6, input_axes=[2], output_axes=[0, 1, 3])
    x = np.asarray(init(CONV))
    assert np.abs(x).max() <= math.sqrt(3.0 / 40) and np.abs(x).max() > 0.99 * math.sqrt(3 / 40)
    with pytest.raises(ValueError, match="outside the shape"):
        init((64, 4))


def test_zero_fan_uses_one():
    x = np.asarray(initializers.VarianceScaling(distribution="uniform", seed=1)((0, 5)))
    assert x.shape == (0, 5)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 2, 4)])  # wide; conv kernel, tall when flat
def test_orthogonal_gram_matrix_is_gain_squared_identity(shape):
    gain = 1.5
    w = np.asarray(initializers.Orthogonal(gain=gain, seed=7)(shape), dtype=np.float64)
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(gram.shape[0]), atol=1e-5)


def test_orthogonal_half_precision_and_rank_check():
    w = initializers.Orthogonal(seed=1)((4, 4), dtype="float16")
    assert backend.standardize_dtype(w.dtype) == "float16"
    flat = np.asarray(w, dtype=np.float64)
    np.testing.assert_allclose(flat.T @ flat, np.eye(4), atol=5e-3)
    with pytest.raises(ValueError, match=r"at least 2-D.*\(4,\)"):
        initializers.Orthogonal()((4,))


# Each sampling path once (the other presets share GlorotUniform's and VarianceScaling's).
RANDOM_CLASSES = [initializers.RandomNormal, initializers.RandomUniform,
                  initializers.TruncatedNormal, initializers.VarianceScaling,
                  initializers.GlorotUniform, initializers.Orthogonal]


@pytest.mark.parametrize("cls", RANDOM_CLASSES, ids=lambda c: c.__name__)
def test_int_seed_repeats_and_seed_generator_advances(cls):
    a, b = cls(seed=11), cls(seed=11)
    first = np.asarray(a((4, 3)))
    np.testing.assert_array_equal(a((4, 3)), first)  # Keras 3: an int seed repeats its values
    np.testing.assert_array_equal(b((4, 3)), first)
    assert not np.array_equal(cls(seed=12)((4, 3)), first)
    streaming = cls(seed=SeedGenerator(3))
    one, two = np.asarray(streaming((4, 3))), np.asarray(streaming((4, 3)))
    assert not np.array_equal(one, two)
    np.testing.assert_array_equal(cls(seed=SeedGenerator(3))((4, 3)), one)


def test_unseeded_initializers_follow_set_random_seed():
    set_random_seed(21)
    a, b = initializers.GlorotUniform(), initializers.GlorotUniform()
    first_a, first_b = np.asarray(a((3, 3))), np.asarray(b((3, 3)))
    assert not np.array_equal(first_a, first_b)  # each instance draws its own seed
    np.testing.assert_array_equal(a((3, 3)), first_a)  # which it keeps, as in Keras 3
    set_random_seed(21)
    np.testing.assert_array_equal(initializers.GlorotUniform()((3, 3)), first_a)
    np.testing.assert_array_equal(initializers.GlorotUniform()((3, 3)), first_b)


@pytest.mark.parametrize("init", [
    initializers.RandomNormal(mean=0.1, stddev=0.3, seed=1),
    initializers.RandomUniform(minval=-1.0, maxval=2.0, seed=2),
    initializers.TruncatedNormal(stddev=0.7, seed=None),
    initializers.VarianceScaling(2.0, "fan_avg", "normal", seed=3, input_axes=[0],
                                 output_axes=[1]),
    initializers.GlorotUniform(seed=4), initializers.GlorotNormal(seed=5),
    initializers.HeNormal(seed=6), initializers.HeUniform(seed=7),
    initializers.LecunNormal(seed=8), initializers.LecunUniform(seed=9),
    initializers.Orthogonal(gain=2.0, seed=10)], ids=lambda i: type(i).__name__)
def test_random_config_round_trip(init):
    config = json.loads(json.dumps(initializers.serialize(init)))
    restored = initializers.deserialize(config)
    assert type(restored) is type(init)
    assert restored.get_config() == init.get_config()
    if init.get_config()["seed"] is not None:
        np.testing.assert_array_equal(restored((3, 3)), init((3, 3)))


def test_configs_have_keras_keys():
    # From keras.initializers.<Class>(seed=1).get_config() in Keras 3.15.
    assert initializers.GlorotUniform(seed=1).get_config() == {
        "seed": 1, "input_axes": None, "output_axes": None}
    assert initializers.RandomNormal(seed=1).get_config() == {
        "seed": 1, "mean": 0.0, "stddev": 0.05}
    assert initializers.VarianceScaling(distribution="normal").get_config() == {
        "seed": None, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal",
        "input_axes": None, "output_axes": None}
    assert initializers.Orthogonal().get_config() == {"seed": None, "gain": 1.0}


def test_seed_generator_seed_serializes_and_restores_its_stream():
    init = initializers.RandomNormal(seed=SeedGenerator(5))
    config = init.get_config()
    assert config["seed"]["class_name"] == "SeedGenerator"
    restored = initializers.RandomNormal.from_config(json.loads(json.dumps(config)))
    assert isinstance(restored.seed, SeedGenerator)
    np.testing.assert_array_equal(restored((3,)), init((3,)))


def test_keras_saved_config_with_seed_generator_loads():
    # As written by keras.initializers.serialize(RandomNormal(seed=SeedGenerator(1))).
    config = {"module": "keras.initializers", "class_name": "RandomNormal", "registered_name": None,
              "config": {"mean": 0.0, "stddev": 0.05, "seed": {
                  "module": "keras.random", "class_name": "SeedGenerator",
                  "config": {"seed": 1, "name": "seed_generator"}, "registered_name": None}}}
    init = initializers.deserialize(config)
    assert isinstance(init, initializers.RandomNormal) and isinstance(init.seed, SeedGenerator)
    np.testing.assert_array_equal(init((4, 3)), initializers.RandomNormal(
        seed=SeedGenerator(1))((4, 3)))


def test_random_initializers_keep_requested_float_dtype():
    for cls, dtype in ((initializers.RandomNormal, "float16"),
                       (initializers.HeUniform, "bfloat16"),
                       (initializers.TruncatedNormal, "float16")):
        assert backend.standardize_dtype(cls(seed=1)((4, 3), dtype=dtype).dtype) == dtype


def test_random_initializer_argument_errors():
    with pytest.raises(ValueError, match="RandomNormal: `dtype` must be a float dtype"):
        initializers.RandomNormal()((2,), dtype="int32")
    with pytest.raises(ValueError, match="`seed` must be an int"):
        initializers.RandomUniform(seed="7")
    with pytest.raises(ValueError, match="`scale` must be a positive"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match=r"`mode` must be one of .*'fan_avg'"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="`distribution` must be one of"):
        initializers.VarianceScaling(distribution="laplace")
    with pytest.raises(ValueError, match="`input_axes`"):
        initializers.GlorotUniform(input_axes=0, output_axes=[1])
    with pytest.raises(TypeError, match="`stddev` must be a number"):
        initializers.TruncatedNormal(stddev="big")
    with pytest.raises(ValueError, match=r"HeNormal: `shape`"):
        initializers.HeNormal()((2.5, 3))
    assert initializers.VarianceScaling(distribution="Uniform").distribution == "uniform"
