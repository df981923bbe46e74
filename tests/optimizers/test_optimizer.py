"""The optimizer base: variables, learning rate, clipping, weight decay, accumulation, EMA,
constraints, the stateless twin, config and the family's get/serialize/deserialize."""

import numpy as np
import pytest

from lamina import backend, ops, optimizers
from lamina.optimizers import schedules
from lamina.optimizers.optimizer import Optimizer
from tests.helpers import gradcheck

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
GRADS_W = [np.array([[0.1, -0.2], [0.3, 0.4]], "float32"),
           np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"),
           np.array([[2.0, -1.0], [0.5, -0.3]], "float32"),
           np.array([[0.7, 0.1], [-0.2, 0.9]], "float32")]
GRADS_B = [np.array([1.0, -1.0], "float32"), np.array([0.2, 0.3], "float32"),
           np.array([-0.7, 0.05], "float32"), np.array([0.4, -0.6], "float32")]


def make_variables():
    kernel = backend.Variable(W0, name="kernel")
    bias = backend.Variable(B0, name="bias")
    kernel.path, bias.path = "dense/kernel", "dense/bias"
    return kernel, bias


def run(optimizer, steps=3):
    kernel, bias = make_variables()
    for t in range(steps):
        optimizer.apply([GRADS_W[t], GRADS_B[t]], [kernel, bias])
    return kernel.numpy(), bias.numpy()


def sgd_reference(steps, lr=0.1, transform=lambda gw, gb: (gw, gb), decay_mask=(0.0, 0.0)):
    """Plain SGD in float64 with a gradient transform and per-variable decay factors."""
    w, b = W0.astype("float64"), B0.astype("float64")
    for t in range(steps):
        gw, gb = transform(GRADS_W[t].astype("float64"), GRADS_B[t].astype("float64"))
        w, b = w - w * decay_mask[0] * lr, b - b * decay_mask[1] * lr
        w, b = w - lr * gw, b - lr * gb
    return w, b


# -- variables and names ---------------------------------------------------------------------------
def test_optimizer_variables_in_creation_order_with_keras_names():
    optimizer = optimizers.Adam(amsgrad=True, name="adam")
    kernel, bias = make_variables()
    optimizer.build([kernel, bias])
    assert [v.path for v in optimizer.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/dense_kernel_momentum",
        "adam/dense_kernel_velocity", "adam/dense_bias_momentum", "adam/dense_bias_velocity",
        "adam/dense_kernel_velocity_hat", "adam/dense_bias_velocity_hat"]
    assert optimizer.variables[2].name == "dense_kernel_momentum"
    assert [v.dtype for v in optimizer.variables[:3]] == ["int32", "float32", "float32"]
    assert optimizer.variables[2].shape == (2, 2)
    assert not any(v.trainable for v in optimizer.variables)
    np.testing.assert_array_equal(optimizer.variables[2].numpy(), np.zeros((2, 2)))


def test_optimizer_default_names_follow_keras_snake_case():
    assert optimizers.SGD().name.startswith("sgd")
    assert optimizers.RMSprop().name.startswith("rm_sprop")
    assert optimizers.AdamW().name.startswith("adam_w")
    first, second = optimizers.Adam(), optimizers.Adam()
    assert first.name != second.name


def test_optimizer_schedule_learning_rate_creates_no_variable():
    optimizer = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5), name="s")
    assert [v.path for v in optimizer.variables] == ["s/iteration"]


def test_optimizer_add_variable_initializers_and_paths():
    optimizer = optimizers.SGD(name="opt")
    ones = optimizer.add_variable((2,), initializer="ones", name="extra")
    custom = optimizer.add_variable((1,), initializer=lambda shape, dtype: ops.full(shape, 7.0),
                                    dtype="float32", name="seven")
    assert ones.path == "opt/extra" and custom.path == "opt/seven"
    np.testing.assert_array_equal(ones.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(custom.numpy(), [7.0])
    assert optimizer.variables[-2:] == [ones, custom]


# -- learning rate ---------------------------------------------------------------------------------
def test_optimizer_learning_rate_property_and_setter():
    optimizer = optimizers.SGD(learning_rate=0.1)
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.1, rtol=1e-7)
    optimizer.learning_rate = 0.25
    assert float(optimizer.learning_rate) == 0.25
    assert float(optimizer.variables[1].numpy()) == 0.25
    w, _ = run(optimizer, steps=1)
    np.testing.assert_allclose(w, W0 - 0.25 * GRADS_W[0], rtol=1e-6)


def test_optimizer_setting_a_schedule_replaces_the_variable():
    optimizer = optimizers.SGD(learning_rate=0.1, name="s")
    optimizer.learning_rate = schedules.InverseTimeDecay(1.0, 1, 1.0)
    assert [v.path for v in optimizer.variables] == ["s/iteration"]
    assert float(optimizer.learning_rate) == 1.0


def test_optimizer_schedule_learning_rate_cannot_be_set_to_a_number():
    optimizer = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5))
    with pytest.raises(TypeError, match="cannot be set to a number"):
        optimizer.learning_rate = 0.5


def test_optimizer_schedule_is_evaluated_at_iterations():
    optimizer = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5))
    w, b = run(optimizer, steps=3)
    rates = [0.1 * 0.5 ** (t / 2) for t in range(3)]
    expected_w = W0 - sum(r * g for r, g in zip(rates, GRADS_W))
    expected_b = B0 - sum(r * g for r, g in zip(rates, GRADS_B))
    np.testing.assert_allclose(w, expected_w, rtol=1e-6)
    np.testing.assert_allclose(b, expected_b, rtol=1e-6)
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.1 * 0.5 ** 1.5, rtol=1e-6)


def test_optimizer_callable_learning_rate():
    optimizer = optimizers.SGD(learning_rate=lambda: 0.5)
    w, _ = run(optimizer, steps=1)
    np.testing.assert_allclose(w, W0 - 0.5 * GRADS_W[0], rtol=1e-6)


# -- gradient processing ---------------------------------------------------------------------------
def test_optimizer_weight_decay_excludes_by_name():
    optimizer = optimizers.SGD(learning_rate=0.1, weight_decay=0.2)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    w, b = run(optimizer)
    ref_w, ref_b = sgd_reference(3, decay_mask=(0.2, 0.0))
    np.testing.assert_allclose(w, ref_w, rtol=1e-6)
    np.testing.assert_allclose(b, ref_b, rtol=1e-6)


def test_optimizer_weight_decay_excludes_by_variable():
    optimizer = optimizers.SGD(learning_rate=0.1, weight_decay=0.2)
    kernel, bias = make_variables()
    optimizer.exclude_from_weight_decay(var_list=[kernel])
    for t in range(3):
        optimizer.apply([GRADS_W[t], GRADS_B[t]], [kernel, bias])
    ref_w, ref_b = sgd_reference(3, decay_mask=(0.0, 0.2))
    np.testing.assert_allclose(kernel.numpy(), ref_w, rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), ref_b, rtol=1e-6)


def test_optimizer_exclude_from_weight_decay_after_build_raises():
    optimizer = optimizers.SGD(weight_decay=0.1)
    optimizer.build(make_variables())
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_names=["bias"])


def _clip_norm(g, c):
    return g * c / max(np.sqrt(np.sum(g ** 2)), c)


@pytest.mark.parametrize("kind", ["clipnorm", "clipvalue", "global_clipnorm"])
def test_optimizer_clipping_matches_numpy(kind):
    limit = 0.3 if kind == "clipvalue" else 0.5
    optimizer = optimizers.SGD(learning_rate=0.1, **{kind: limit})

    def transform(gw, gb):
        if kind == "clipnorm":
            return _clip_norm(gw, limit), _clip_norm(gb, limit)
        if kind == "clipvalue":
            return np.clip(gw, -limit, limit), np.clip(gb, -limit, limit)
        norm = np.sqrt(np.sum(gw ** 2) + np.sum(gb ** 2))
        return gw * limit / max(norm, limit), gb * limit / max(norm, limit)

    w, b = run(optimizer)
    ref_w, ref_b = sgd_reference(3, transform=transform)
    np.testing.assert_allclose(w, ref_w, rtol=1e-6)
    np.testing.assert_allclose(b, ref_b, rtol=1e-6)


def test_optimizer_clipnorm_leaves_zero_gradient_finite():
    optimizer = optimizers.SGD(learning_rate=0.1, clipnorm=1.0)
    v = backend.Variable(np.ones(3, "float32"))
    optimizer.apply([np.zeros(3, "float32")], [v])
    np.testing.assert_array_equal(v.numpy(), np.ones(3))


def test_optimizer_loss_scale_factor():
    optimizer = optimizers.SGD(learning_rate=0.1, loss_scale_factor=4.0)
    assert float(optimizer.scale_loss(ops.convert_to_tensor(2.0))) == 8.0
    assert optimizers.SGD().scale_loss(3.0) == 3.0
    w, b = run(optimizer)
    ref_w, ref_b = sgd_reference(3, transform=lambda gw, gb: (gw / 4, gb / 4))
    np.testing.assert_allclose(w, ref_w, rtol=1e-6)
    np.testing.assert_allclose(b, ref_b, rtol=1e-6)


def test_optimizer_applies_constraint_after_update():
    optimizer = optimizers.SGD(learning_rate=1.0)
    kernel, bias = make_variables()
    kernel.constraint = lambda w: ops.clip(w, 0.0, 3.5)
    optimizer.apply([GRADS_W[1], GRADS_B[1]], [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), np.clip(W0 - GRADS_W[1], 0.0, 3.5), rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), B0 - GRADS_B[1], rtol=1e-6)


def test_optimizer_skips_none_gradients_with_a_warning():
    optimizer = optimizers.SGD(learning_rate=0.1)
    kernel, bias = make_variables()
    with pytest.warns(UserWarning, match="dense/bias"):
        optimizer.apply([GRADS_W[0], None], [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), W0 - 0.1 * GRADS_W[0], rtol=1e-6)
    np.testing.assert_array_equal(bias.numpy(), B0)
    assert int(optimizer.iterations.numpy()) == 1
    with pytest.raises(ValueError, match="no gradients provided"):
        optimizer.apply([None, None], [kernel, bias])


def test_optimizer_apply_gradients_returns_iterations():
    optimizer = optimizers.SGD(learning_rate=0.1)
    kernel, bias = make_variables()
    iterations = optimizer.apply_gradients(zip([GRADS_W[0], GRADS_B[0]], [kernel, bias]))
    assert iterations is optimizer.iterations and int(iterations.numpy()) == 1
    optimizer.apply([GRADS_W[1], GRADS_B[1]])  # built: the variables are remembered
    np.testing.assert_allclose(kernel.numpy(), W0 - 0.1 * (GRADS_W[0] + GRADS_W[1]), rtol=1e-6)


# -- gradient accumulation and moving averages -----------------------------------------------------
def test_optimizer_gradient_accumulation_matches_numpy():
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.5, gradient_accumulation_steps=2)
    w, b = run(optimizer, steps=4)
    params = [W0.astype("float64"), B0.astype("float64")]
    momenta = [np.zeros_like(p) for p in params]
    sums = [np.zeros_like(p) for p in params]
    for t in range(4):
        sums = [s + g for s, g in zip(sums, (GRADS_W[t], GRADS_B[t]))]
        if (t + 1) % 2 == 0:
            momenta = [0.5 * m - 0.1 * s / 2 for m, s in zip(momenta, sums)]
            params = [p + m for p, m in zip(params, momenta)]
            sums = [np.zeros_like(p) for p in params]
    np.testing.assert_allclose(w, params[0], rtol=1e-6)
    np.testing.assert_allclose(b, params[1], rtol=1e-6)
    assert int(ops.convert_to_numpy(optimizer.iterations)) == 2
    # Keras 3.15 (JAX backend), same inputs.
    np.testing.assert_allclose(w, [[0.8949999809265137, 2.041249990463257],
                                   [2.9624998569488525, 3.8274998664855957]], rtol=1e-6)


def test_optimizer_gradient_accumulation_holds_variables_between_updates():
    optimizer = optimizers.SGD(learning_rate=0.1, weight_decay=0.5, gradient_accumulation_steps=3)
    kernel, bias = make_variables()
    optimizer.apply([GRADS_W[0], GRADS_B[0]], [kernel, bias])
    np.testing.assert_array_equal(kernel.numpy(), W0)
    np.testing.assert_allclose(optimizer.variables[2].numpy(), GRADS_W[0], rtol=1e-7)


def test_optimizer_ema_matches_numpy():
    optimizer = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5,
                               ema_overwrite_frequency=2)
    w, b = run(optimizer, steps=4)
    params = [W0.astype("float64"), B0.astype("float64")]
    averages = [np.zeros_like(p) for p in params]
    for t in range(4):
        params = [p - 0.1 * g for p, g in zip(params, (GRADS_W[t], GRADS_B[t]))]
        momentum = 0.0 if t == 0 else 0.5
        averages = [momentum * a + (1 - momentum) * p for a, p in zip(averages, params)]
        if (t + 1) % 2 == 0:
            params = [a.copy() for a in averages]
    np.testing.assert_allclose(w, params[0], rtol=1e-6)
    np.testing.assert_allclose(b, params[1], rtol=1e-6)
    # Keras 3.15 (JAX backend), same inputs.
    np.testing.assert_allclose(b, [0.42249998450279236, -0.38875001668930054], rtol=1e-6)


def test_optimizer_finalize_variable_values_copies_averages():
    optimizer = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
    kernel, bias = make_variables()
    for t in range(3):
        optimizer.apply([GRADS_W[t], GRADS_B[t]], [kernel, bias])
    optimizer.finalize_variable_values([kernel, bias])
    # Keras 3.15 (JAX backend), same inputs.
    np.testing.assert_allclose(kernel.numpy(), [[0.9275000095367432, 2.0512499809265137],
                                                [2.945000171661377, 3.862499952316284]],
                               rtol=1e-6)


# -- the stateless twin ----------------------------------------------------------------------------
STATELESS_CASES = {
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
    "adam_amsgrad": lambda: optimizers.Adam(0.1, amsgrad=True, weight_decay=0.1),
    "adamw_schedule": lambda: optimizers.AdamW(schedules.CosineDecay(0.1, 3), global_clipnorm=1.0),
    "rmsprop": lambda: optimizers.RMSprop(0.1, momentum=0.5, centered=True, clipvalue=0.5),
    "accumulation": lambda: optimizers.Adam(0.1, gradient_accumulation_steps=2),
    "ema": lambda: optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2),
}


@pytest.mark.parametrize("case", sorted(STATELESS_CASES))
def test_optimizer_stateless_apply_matches_apply_and_mutates_nothing(case):
    stateful, stateless = STATELESS_CASES[case](), STATELESS_CASES[case]()
    kernel, bias = make_variables()
    for t in range(3):
        stateful.apply([GRADS_W[t], GRADS_B[t]], [kernel, bias])

    twin_kernel, twin_bias = make_variables()
    stateless.build([twin_kernel, twin_bias])
    initial = [v.numpy() for v in stateless.variables]
    trainable = [twin_kernel.value, twin_bias.value]
    optimizer_values = [v.value for v in stateless.variables]
    for t in range(3):
        trainable, optimizer_values = stateless.stateless_apply(
            optimizer_values, [GRADS_W[t], GRADS_B[t]], trainable)
    np.testing.assert_allclose(trainable[0], kernel.numpy(), rtol=1e-6)
    np.testing.assert_allclose(trainable[1], bias.numpy(), rtol=1e-6)
    for value, variable in zip(optimizer_values, stateful.variables):
        np.testing.assert_allclose(value, variable.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(twin_kernel.numpy(), W0)
    for before, variable in zip(initial, stateless.variables):
        np.testing.assert_array_equal(variable.numpy(), before)


def test_optimizer_stateless_apply_compiles_once():
    optimizer = optimizers.Adam(0.1, weight_decay=0.1, clipnorm=1.0)
    kernel, bias = make_variables()
    optimizer.build([kernel, bias])
    traces = []

    def step(optimizer_values, grads, trainable):
        traces.append(1)
        return optimizer.stateless_apply(optimizer_values, grads, trainable)

    compiled = backend.transforms.jit(step)
    trainable = [kernel.value, bias.value]
    optimizer_values = [v.value for v in optimizer.variables]
    for t in range(2):
        trainable, optimizer_values = compiled(
            optimizer_values, [ops.convert_to_tensor(g) for g in (GRADS_W[t], GRADS_B[t])],
            trainable)
    assert len(traces) == 1
    reference = optimizers.Adam(0.1, weight_decay=0.1, clipnorm=1.0)
    ref_kernel, ref_bias = make_variables()
    for t in range(2):
        reference.apply([GRADS_W[t], GRADS_B[t]], [ref_kernel, ref_bias])
    np.testing.assert_allclose(trainable[0], ref_kernel.numpy(), rtol=1e-6)
    assert int(optimizer_values[0]) == 2
    np.testing.assert_array_equal(kernel.numpy(), W0)


def test_optimizer_stateless_apply_errors():
    optimizer = optimizers.SGD()
    with pytest.raises(ValueError, match="must be built first"):
        optimizer.stateless_apply([], [], [])
    kernel, bias = make_variables()
    optimizer.build([kernel, bias])
    with pytest.raises(ValueError, match=r"`optimizer_variables` must hold one value per variable"):
        optimizer.stateless_apply([0], [GRADS_W[0], GRADS_B[0]], [W0, B0])
    values = [v.value for v in optimizer.variables]
    with pytest.raises(ValueError, match=r"`trainable_variables` must hold one value per variable"):
        optimizer.stateless_apply(values, [GRADS_W[0], GRADS_B[0]], [W0])
    with pytest.raises(ValueError, match=r"'dense/bias' has shape \(3,\), expected \(2,\)"):
        optimizer.stateless_apply(values, [GRADS_W[0], GRADS_B[0]], [W0, np.zeros(3)])


def test_optimizer_update_is_differentiable_in_the_gradient():
    # d(updated weights)/d(gradient) through clipping and Adam's normalization.
    with gradcheck.float64_mode():
        variable = backend.Variable(np.array([0.5, -1.0, 2.0]))
        optimizer = optimizers.Adam(learning_rate=0.1, clipnorm=1.0, epsilon=1e-3)
        optimizer.build([variable])
        values = [v.value for v in optimizer.variables]

    @backend.transforms.jit
    def updated(gradient):
        (new,), _ = optimizer.stateless_apply(values, [gradient], [variable.value])
        return ops.sum(ops.multiply(new, ops.convert_to_tensor([1.0, 2.0, 3.0], "float64")))

    gradcheck.check_grads(updated, [np.array([0.3, -0.8, 1.1])], rtol=1e-4, atol=1e-8)


# -- errors ----------------------------------------------------------------------------------------
def test_optimizer_legacy_arguments_name_the_modern_spelling():
    with pytest.raises(TypeError, match="pass learning_rate=... instead"):
        optimizers.SGD(lr=0.1)
    with pytest.raises(TypeError, match=r"learning_rate=schedules.InverseTimeDecay"):
        optimizers.Adam(decay=1e-4)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['beta_3'\]"):
        optimizers.RMSprop(beta_3=0.5)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"clipnorm": 1.0, "clipvalue": 1.0}, ValueError, "only one of `clipnorm`, `clipvalue`"),
    ({"clipnorm": -1.0}, ValueError, r"`clipnorm` must be >= 0. Received: clipnorm=-1.0"),
    ({"weight_decay": "big"}, TypeError, "`weight_decay` must be a number or None"),
    ({"gradient_accumulation_steps": 1}, ValueError, "must be an int >= 2 or None"),
    ({"use_ema": True, "ema_momentum": 1.5}, ValueError, r"`ema_momentum` must be in \[0, 1\]"),
    ({"use_ema": True, "ema_overwrite_frequency": 0}, ValueError, "ema_overwrite_frequency"),
    ({"loss_scale_factor": 0.0}, ValueError, "`loss_scale_factor` must be > 0"),
    ({"learning_rate": "fast"}, ValueError, "`learning_rate` must be a float"),
    ({"name": "a/b"}, ValueError, "without '/'"),
])
def test_optimizer_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.SGD(**kwargs)


def test_optimizer_apply_errors():
    optimizer = optimizers.SGD()
    kernel, bias = make_variables()
    with pytest.raises(ValueError, match="pass `trainable_variables` on the first call"):
        optimizer.apply([GRADS_W[0]])
    with pytest.raises(ValueError, match="received 1 gradients for 2 variables"):
        optimizer.apply([GRADS_W[0]], [kernel, bias])
    with pytest.raises(ValueError, match=r"'dense/bias' has shape \(2, 2\).*has shape \(2,\)"):
        optimizer.apply([GRADS_W[0], GRADS_W[0]], [kernel, bias])
    other = backend.Variable(B0, name="other")
    with pytest.raises(ValueError, match="does not know 'other'"):
        optimizer.apply([GRADS_B[0]], [other])
    with pytest.raises(TypeError, match="expected a list of Variables"):
        optimizers.SGD().build([W0])


def test_optimizer_base_update_step_and_missing_super_init():
    with pytest.raises(NotImplementedError, match="update_step"):
        Optimizer(learning_rate=0.1).apply([B0], [backend.Variable(B0)])

    class Forgetful(Optimizer):
        def __init__(self):
            self.rate = 1.0

    with pytest.raises(RuntimeError, match=r"call `super\(\).__init__"):
        Forgetful().build([backend.Variable(B0)])


# -- state and config ------------------------------------------------------------------------------
def test_optimizer_save_load_and_set_weights():
    source = optimizers.SGD(0.1, momentum=0.9)
    run(source)
    store = {}
    source.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2", "3"]
    target = optimizers.SGD(0.1, momentum=0.9)
    target.build(make_variables())
    target.load_own_variables(store)
    for a, b in zip(source.variables, target.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizers.SGD(0.1, momentum=0.9).load_own_variables(store)
    with pytest.raises(ValueError, match="expected 4 arrays"):
        target.set_weights([np.zeros(())])
    target.set_weights([np.array(7), np.array(0.5), np.ones((2, 2)), np.ones(2)])
    assert int(target.iterations.numpy()) == 7
    np.testing.assert_array_equal(target.variables[3].numpy(), np.ones(2))


def test_optimizer_config_round_trip_with_schedule():
    optimizer = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([2], [0.1, 0.01]),
                               momentum=0.5, clipvalue=0.3, use_ema=True, name="mine")
    config = optimizer.get_config()
    assert config["learning_rate"]["class_name"] == "PiecewiseConstantDecay"
    restored = optimizers.SGD.from_config(config)
    assert restored.get_config() == config
    assert isinstance(restored._learning_rate, schedules.PiecewiseConstantDecay)


def test_optimizers_get_serialize_deserialize():
    for name, cls in [("sgd", optimizers.SGD), ("Adam", optimizers.Adam),
                      ("adamw", optimizers.AdamW), ("RMSprop", optimizers.RMSprop)]:
        assert type(optimizers.get(name)) is cls
    adam = optimizers.Adam(learning_rate=0.01, beta_1=0.8)
    assert optimizers.get(adam) is adam
    assert optimizers.get(None) is None
    config = optimizers.serialize(adam)
    assert config["class_name"] == "Adam" and config["module"] == "keras.optimizers"
    restored = optimizers.deserialize(config)
    assert type(restored) is optimizers.Adam and restored.get_config() == adam.get_config()
    assert optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5}}).get_config()[
        "learning_rate"] == 0.5
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'nope'.*'adam', 'adamax', 'adamw'"):
        optimizers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)


def test_optimizers_deserialize_custom_optimizer():
    class HalfSGD(optimizers.SGD):
        pass

    config = optimizers.serialize(HalfSGD(learning_rate=0.5))
    restored = optimizers.deserialize(config, custom_objects={"HalfSGD": HalfSGD})
    assert type(restored) is HalfSGD and float(restored.learning_rate) == 0.5


def test_optimizers_deserialize_keeps_a_registered_class_with_a_builtin_name():
    class SGD(optimizers.SGD):
        pass

    SGD._registered_name = "Mine>SGD"
    config = optimizers.serialize(SGD(learning_rate=0.5))
    assert config["registered_name"] == "Mine>SGD"
    assert type(optimizers.deserialize(config, custom_objects={"Mine>SGD": SGD})) is SGD
