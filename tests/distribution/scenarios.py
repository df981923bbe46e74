"""Distributed-training scenarios, each run in a fresh process by tests/distribution.

JAX fixes its device count when it starts, so the tests launch this script with
XLA_FLAGS=--xla_force_host_platform_device_count=N already set:

    python tests/distribution/scenarios.py single_host OUT.npz
    python tests/distribution/scenarios.py multi_process OUT.npz ADDRESS NUM_PROCESSES PROCESS_ID

Each scenario writes its results (weights, initial weights, shardings as strings, error
messages) to OUT.npz; the tests compare them with NumPy references.
"""

import os
import sys

import numpy as np

os.environ.setdefault("LAMINA_BACKEND", "jax")

import lamina
from lamina import layers, ops
from lamina.backend import transforms
from lamina.distribution import distribution_lib as dl

BATCH, STEPS, FEATURES, HIDDEN, OUTPUTS = 16, 3, 6, 8, 4
LEARNING_RATE, MOMENTUM = 0.1, 0.9


def data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(BATCH * STEPS, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH * STEPS, OUTPUTS)).astype("float32")
    return x, y


def build(seed=0):
    """The MLP (its initial weights fixed by `seed`) and its built SGD-with-momentum optimizer."""
    lamina.utils.set_random_seed(seed)
    model = lamina.Sequential([lamina.Input((FEATURES,)),
                               layers.Dense(HIDDEN, activation="relu"),
                               layers.Dense(OUTPUTS)])
    model.compile(optimizer=lamina.optimizers.SGD(LEARNING_RATE, momentum=MOMENTUM), loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def make_step(model):
    optimizer = model.optimizer

    def loss_fn(trainable, non_trainable, x, y):
        y_pred, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
        return ops.mean(ops.square(ops.subtract(y_pred, y))), non_trainable

    grad_fn = transforms.value_and_grad(loss_fn, has_aux=True)

    def step(trainable, non_trainable, opt_vars, x, y):
        (loss, non_trainable), grads = grad_fn(trainable, non_trainable, x, y)
        trainable, opt_vars = optimizer.stateless_apply(opt_vars, grads, trainable)
        return trainable, non_trainable, opt_vars, loss

    return transforms.jit(step)


def train(model, distribution=None, multi_process=False):
    """STEPS steps of the hand-written loop; batches laid out by `distribution` when given."""
    x, y = data()
    step = make_step(model)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    opt_vars = [v.value for v in model.optimizer.variables]
    for k in range(STEPS):
        batch = (x[k * BATCH:(k + 1) * BATCH], y[k * BATCH:(k + 1) * BATCH])
        if distribution is not None:
            if multi_process:
                batch = dl.process_shard(batch, distribution=distribution)
            batch = dl.distribute_data(batch, distribution)
        trainable, non_trainable, opt_vars, _ = step(trainable, non_trainable, opt_vars, *batch)
    return trainable, opt_vars


def spec(array):
    """The mesh axis per array axis (None: not split), as a string; JAX may drop trailing Nones."""
    if not hasattr(array.sharding, "spec"):
        return "unnamed"
    axes = tuple(array.sharding.spec)
    return str(axes + (None,) * (array.ndim - len(axes)))


def error_of(fn):
    try:
        fn()
    except (ValueError, TypeError) as error:
        return str(error)
    return "no error"


def single_host(out):
    results = {}
    model = build()
    results["initial"] = np.array([v.numpy() for v in model.trainable_variables], dtype=object)
    trainable, _ = train(model)
    results["single_device"] = np.array([np.asarray(t) for t in trainable], dtype=object)

    # Data parallel over all 8 devices.
    dp = dl.DataParallel()
    model = build()
    dl.distribute_model_variables(model, dp)
    results["dp_placed"] = np.array([spec(v.value) for v in model.variables])
    results["dp_devices"] = np.array([len(v.value.sharding.device_set) for v in model.variables])
    x, _ = data()
    batch = dl.distribute_data(x[:BATCH], dp)
    results["dp_batch_spec"] = np.array(spec(batch))
    results["dp_batch_shard_rows"] = np.array(sorted({s.data.shape[0]
                                                      for s in batch.addressable_shards}))
    # Inside a compiled function the same call constrains the layout of a computed batch.
    doubled = transforms.jit(lambda a: dl.distribute_data(ops.multiply(a, 2.0), dp))(x[:BATCH])
    results["dp_traced_spec"] = np.array(spec(doubled))
    results["dp_traced_values"] = np.asarray(doubled)
    trainable, _ = train(model, dp)
    results["data_parallel"] = np.array([np.asarray(t) for t in trainable], dtype=object)

    # Model parallel: Dense kernels split over the 4-device "model" axis of a 2x4 mesh.
    mesh = dl.DeviceMesh((2, 4), ["batch", "model"])
    layout_map = dl.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    layout_map[".*dense.*bias"] = ("model",)
    mp = dl.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    model = build()
    with mp.scope():
        dl.distribute_model_variables(model)
    results["mp_placed"] = np.array([spec(v.value) for v in model.variables])
    results["mp_slots"] = np.array([spec(v.value) for v in model.optimizer.variables])
    results["mp_kernel_shard_shape"] = np.array(
        model.layers[0].kernel.value.addressable_shards[0].data.shape)
    trainable, opt_vars = train(model, mp)
    results["model_parallel"] = np.array([np.asarray(t) for t in trainable], dtype=object)
    results["mp_trained_specs"] = np.array([spec(t) for t in trainable])
    results["mp_trained_slot_specs"] = np.array([spec(t) for t in opt_vars])

    # fit, unchanged, on variables placed beforehand: the same numbers, layouts kept.
    x, y = data()
    reference = build()
    reference.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    results["fit_single"] = np.array([v.numpy() for v in reference.trainable_variables],
                                     dtype=object)
    model = build()
    dl.distribute_model_variables(model, mp)
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    results["fit_mp"] = np.array([v.numpy() for v in model.trainable_variables], dtype=object)
    results["fit_mp_specs"] = np.array([spec(v.value) for v in model.trainable_variables])

    # fit, evaluate and predict under a distribution set for the process: the trainer places
    # the variables by their layouts and splits each batch over the mesh by itself.
    dl.set_distribution(mp)
    try:
        model = build()
        model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
        results["fit_set_mp"] = np.array([v.numpy() for v in model.trainable_variables],
                                         dtype=object)
        results["fit_set_mp_specs"] = np.array([spec(v.value)
                                                for v in model.trainable_variables])
        results["fit_set_predict"] = np.asarray(model.predict(x, batch_size=BATCH, verbose=0))
        results["fit_set_error_batch"] = np.array(error_of(
            lambda: build().fit(x, y, batch_size=7, epochs=1, verbose=0)))
        # Saving gathers the sharded values; loading into a fresh model re-shards them at the
        # next fit.
        path = out + ".weights.h5"
        model.save_weights(path)
        restored = build()
        restored.load_weights(path)
        results["save_load_values"] = np.array([v.numpy() for v in restored.trainable_variables],
                                               dtype=object)
        restored.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        results["save_load_specs"] = np.array([spec(v.value)
                                               for v in restored.trainable_variables])
    finally:
        dl.set_distribution(None)
    results["fit_set_predict_reference"] = np.asarray(
        reference.predict(x, batch_size=BATCH, verbose=0))

    # Bad configurations, each caught before any training step.
    bad_map = dl.LayoutMap(mesh)
    results["error_unknown_axis"] = np.array(error_of(
        lambda: bad_map.__setitem__(".*kernel", (None, "modle"))))
    results["error_batch"] = np.array(error_of(lambda: dl.distribute_data(x[:12], dp)))
    uneven = dl.LayoutMap(dl.DeviceMesh((1, 8), ["batch", "model"]))
    uneven[".*dense.*kernel"] = ("model", None)  # the first kernel has 6 rows, not 8k
    results["error_uneven"] = np.array(error_of(lambda: dl.distribute_model_variables(
        build(), dl.ModelParallel(layout_map=uneven))))
    np.savez(out, **results)


def multi_process(out, address, num_processes, process_id):
    dl.initialize(address, int(num_processes), int(process_id))
    results = {"process_id": np.array(dl.process_id()), "num_processes": np.array(
        dl.num_processes()), "is_chief": np.array(dl.is_chief()),
        "devices": np.array(dl.get_device_count())}
    dp = dl.DataParallel()
    model = build()
    results["initial"] = np.array([v.numpy() for v in model.trainable_variables], dtype=object)
    dl.distribute_model_variables(model, dp)
    trainable, _ = train(model, dp, multi_process=True)
    results["data_parallel"] = np.array([dl.gather(t) for t in trainable], dtype=object)
    results["spec"] = np.array(spec(trainable[0]))
    # An in-memory dataset whole on all 8 devices of both processes; compiled code picks rows
    # and lays the batch out over the mesh (what fit does with arrays).
    x, _ = data()
    rows = np.arange(BATCH)[::-1] * 2
    full = dl.replicate(x, dp)
    picked = transforms.jit(lambda a, i: dl.distribute_data(a[i], dp))(full, rows)
    results["replicated_spec"] = np.array(spec(full))
    results["picked_spec"] = np.array(spec(picked))
    results["picked"] = dl.gather(picked)
    results["per_shard"] = np.array(dl.check_global_batch_size(BATCH, dp))
    np.savez(out, **results)


if __name__ == "__main__":
    {"single_host": single_host, "multi_process": multi_process}[sys.argv[1]](*sys.argv[2:])
