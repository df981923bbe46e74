"""Muon: the update against a NumPy formula and Keras 3's numbers, slots, config, errors."""

import numpy as np
import pytest

from lamina import backend, optimizers

W0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
B0 = np.array([0.5, -0.5], "float32")
GRADS = [(np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([1.0, -1.0], "float32")),
         (np.array([[-0.5, 0.25], [0.0, 1.5]], "float32"), np.array([0.2, 0.3], "float32")),
         (np.array([[2.0, -1.0], [0.5, -0.3]], "float32"), np.array([-0.7, 0.05], "float32"))]


def run(optimizer):
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    for gw, gb in GRADS:
        optimizer.apply([gw, gb], [kernel, bias])
    return kernel.numpy(), bias.numpy()


def check_stateless_matches_apply(make):
    stateful, stateless = make(), make()
    w, b = run(stateful)
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    stateless.build([kernel, bias])
    initial = [v.numpy() for v in stateless.variables]
    trainable, values = [kernel.value, bias.value], [v.value for v in stateless.variables]
    for gw, gb in GRADS:
        trainable, values = stateless.stateless_apply(values, [gw, gb], trainable)
    np.testing.assert_allclose(trainable[0], w, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(trainable[1], b, rtol=1e-6, atol=1e-7)
    for value, variable in zip(values, stateful.variables):
        np.testing.assert_allclose(value, variable.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(kernel.numpy(), W0)
    for before, variable in zip(initial, stateless.variables):
        np.testing.assert_array_equal(variable.numpy(), before)


def slot_names(optimizer):
    kernel, bias = backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias")
    optimizer.build([kernel, bias])
    return [(v.name, tuple(v.shape)) for v in optimizer.variables][2:]

T0 = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], "float32")
TALL_GRADS = [np.array([[0.3, -0.1], [0.2, 0.5], [-1.0, 0.4]], "float32") * (i + 1)
              for i in range(3)]


def run_four(optimizer):
    """A square and a tall matrix (Muon), a vector and an "embedding" matrix (Adam)."""
    variables = [backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias"),
                 backend.Variable(T0, name="tall"), backend.Variable(W0, name="embedding")]
    for (gw, gb), gt in zip(GRADS, TALL_GRADS):
        optimizer.apply([gw, gb, gt, gw], variables)
    return [v.numpy() for v in variables]


def numpy_newton_schulz(x, steps, a=3.4445, b=-4.7750, c=2.0315):
    tall = x.shape[0] > x.shape[1]
    x = x.T if tall else x
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def numpy_muon(lr, momentum=0.95, nesterov=True, ns_steps=5, rms_rate=0.2, weight_decay=0.004,
               adam_weight_decay=0.004, adam_lr_ratio=1.0, tall_uses_adam=False):
    """Muon on the matrices, Adam (beta 0.9/0.999, eps 1e-7) on the rest, decoupled decay."""
    params = [p.astype("float64") for p in (W0, B0, T0, W0)]
    uses_adam = [False, True, tall_uses_adam, True]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, ((gw, gb), gt) in enumerate(zip(GRADS, TALL_GRADS), start=1):
        for i, g in enumerate([gw, gb, gt, gw]):
            decay = adam_weight_decay if uses_adam[i] else weight_decay
            if decay is not None:
                params[i] = params[i] * (1 - decay * lr)
            if uses_adam[i]:
                alr = lr * adam_lr_ratio
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g ** 2
                alpha = alr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
                params[i] = params[i] - alpha * m[i] / (np.sqrt(v[i]) + 1e-7)
            else:
                m[i] = momentum * m[i] + g
                direction = g + momentum * m[i] if nesterov else m[i]
                update = lr * numpy_newton_schulz(direction, ns_steps)
                if rms_rate is not None:
                    update = update * np.sqrt(max(g.shape)) * rms_rate
                params[i] = params[i] - update
    return params


@pytest.mark.parametrize("kwargs", [
    {}, {"nesterov": False, "rms_rate": None, "weight_decay": None, "adam_weight_decay": None,
         "ns_steps": 3},
    {"exclude_layers": ["tall"], "adam_lr_ratio": 0.5, "momentum": 0.5}])
def test_muon_matches_numpy(kwargs):
    results = run_four(optimizers.Muon(learning_rate=0.1, **kwargs))
    reference_kwargs = {k: v for k, v in kwargs.items() if k != "exclude_layers"}
    references = numpy_muon(0.1, tall_uses_adam="exclude_layers" in kwargs, **reference_kwargs)
    for result, reference in zip(results, references):
        np.testing.assert_allclose(result, reference, rtol=1e-5, atol=1e-6)


def test_muon_matches_keras_reference():
    # Keras 3.15 (JAX backend) on the same inputs, learning_rate=0.1, other arguments default.
    kernel, bias, tall, embedding = run_four(optimizers.Muon(learning_rate=0.1))
    np.testing.assert_allclose(kernel, [[0.9788923263549805, 2.027303457260132],
                                        [2.9616129398345947, 3.9350857734680176]], rtol=1e-6)
    np.testing.assert_allclose(bias, [0.30422332882881165, -0.3267381191253662], rtol=1e-6)
    np.testing.assert_allclose(tall, [[0.978919506072998, -0.9949017763137817],
                                      [0.45613569021224976, 1.8880754709243774],
                                      [0.06273899972438812, 0.9726136326789856]],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(embedding, [[0.9082130193710327, 2.1382620334625244],
                                           [2.7480850219726562, 3.7506191730499268]], rtol=1e-6)


def test_muon_newton_schulz_nearly_orthogonalizes():
    x = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5]], "float32")
    out = np.asarray(optimizers.Muon().zeropower_via_newtonschulz5(x, 5))
    # The quintic iteration pushes all singular values into roughly [0.7, 1.2].
    singular_values = np.linalg.svd(out, compute_uv=False)
    assert np.all(singular_values > 0.6) and np.all(singular_values < 1.25)
    np.testing.assert_allclose(out, numpy_newton_schulz(x.astype("float64"), 5), rtol=1e-5)


def test_muon_slots_velocity_only_for_adam_variables():
    optimizer = optimizers.Muon()
    variables = [backend.Variable(W0, name="kernel"), backend.Variable(B0, name="bias"),
                 backend.Variable(W0, name="embedding")]
    optimizer.build(variables)
    assert [v.name for v in optimizer.variables][2:] == [
        "kernel_momentum", "bias_momentum", "bias_velocity", "embedding_momentum",
        "embedding_velocity"]


def test_muon_stateless_apply_matches_apply():
    check_stateless_matches_apply(lambda: optimizers.Muon(0.1, clipnorm=1.0))


def test_muon_defaults_and_config_round_trip():
    optimizer = optimizers.get("muon")
    assert isinstance(optimizer, optimizers.Muon)
    assert (optimizer.weight_decay, optimizer.adam_weight_decay, optimizer.momentum,
            optimizer.ns_steps, optimizer.nesterov, optimizer.rms_rate, optimizer.muon_a,
            optimizer.muon_b, optimizer.muon_c, optimizer.exclude_layers) == (
        0.004, 0.004, 0.95, 5, True, 0.2, 3.4445, -4.7750, 2.0315, [])
    config = optimizers.Muon(exclude_layers=["dense"], ns_steps=3, rms_rate=None).get_config()
    assert config["exclude_layers"] == ["dense"] and config["ns_steps"] == 3
    assert optimizers.Muon.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"ns_steps": -1}, ValueError, "Muon: `ns_steps` must be an int >= 0. Received: ns_steps=-1"),
    ({"momentum": 2.0}, ValueError, r"Muon: `momentum` must be in \[0, 1\]"),
    ({"nesterov": "yes"}, TypeError, "Muon: `nesterov` must be True or False"),
    ({"exclude_layers": "dense"}, TypeError, "Muon: `exclude_layers` must be a list"),
])
def test_muon_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimizers.Muon(**kwargs)
