"""Training on 8 simulated CPU devices, and on 2 processes x 4 devices joined by jax.distributed.

JAX fixes its devices when it starts, so each scenario of scenarios.py runs in a fresh process
with XLA_FLAGS=--xla_force_host_platform_device_count set; these tests check its results
against a NumPy implementation of the same MLP and SGD-with-momentum updates.
"""

import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.distribution import scenarios

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = pathlib.Path(__file__).with_name("scenarios.py")


def _env(devices):
    env = dict(os.environ)
    env.update(XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
               JAX_PLATFORMS="cpu", LAMINA_BACKEND="jax",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _load(path):
    with np.load(path, allow_pickle=True) as results:
        return {k: results[k] for k in results.files}


@pytest.fixture(scope="module")
def single_host(tmp_path_factory):
    out = tmp_path_factory.mktemp("single_host") / "results.npz"
    run = subprocess.run([sys.executable, str(SCRIPT), "single_host", str(out)], env=_env(8),
                         cwd=ROOT, capture_output=True, text=True, timeout=180,
                         check=False)
    assert run.returncode == 0, run.stderr[-4000:]
    return _load(out)


def numpy_sgd_mlp(initial, steps):
    """`steps` SGD-with-momentum steps on the scenario's MLP and data, in float64 NumPy."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in initial)
    params = [w1, b1, w2, b2]
    moments = [np.zeros_like(p) for p in params]
    x, y = scenarios.data()
    batch = scenarios.BATCH
    for k in range(steps):
        k %= len(x) // batch
        xb, yb = x[k * batch:(k + 1) * batch], y[k * batch:(k + 1) * batch]
        w1, b1, w2, b2 = params
        pre = xb @ w1 + b1
        hidden = np.maximum(pre, 0.0)
        out = hidden @ w2 + b2
        d_out = 2.0 * (out - yb) / out.size  # mean squared error over every element
        d_hidden = (d_out @ w2.T) * (pre > 0)
        grads = [xb.T @ d_hidden, d_hidden.sum(0), hidden.T @ d_out, d_out.sum(0)]
        for i, g in enumerate(grads):
            moments[i] = scenarios.MOMENTUM * moments[i] - scenarios.LEARNING_RATE * g
            params[i] = params[i] + moments[i]
    return params


def assert_weights_close(actual, expected, atol=2e-5):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(np.asarray(a, dtype=np.float64), e, rtol=1e-5, atol=atol)


def test_single_device_training_matches_numpy(single_host):
    assert_weights_close(single_host["single_device"],
                         numpy_sgd_mlp(single_host["initial"], scenarios.STEPS))


def test_data_parallel_matches_single_device_training(single_host):
    # Every variable sits whole on all 8 devices; each batch of 16 is split 2 rows per device.
    assert single_host["dp_placed"].tolist() == ["(None, None)", "(None,)"] * 2
    assert single_host["dp_devices"].tolist() == [8, 8, 8, 8]
    assert str(single_host["dp_batch_spec"]) == "('batch', None)"
    assert single_host["dp_batch_shard_rows"].tolist() == [2]
    assert str(single_host["dp_traced_spec"]) == "('batch', None)"
    np.testing.assert_array_equal(single_host["dp_traced_values"],
                                  2.0 * scenarios.data()[0][:scenarios.BATCH])
    for dp, single in zip(single_host["data_parallel"], single_host["single_device"]):
        np.testing.assert_allclose(dp, single, rtol=1e-6, atol=1e-6)
    assert_weights_close(single_host["data_parallel"],
                         numpy_sgd_mlp(single_host["initial"], scenarios.STEPS))


def test_model_parallel_shards_dense_kernels_and_matches_unsharded(single_host):
    sharded = ["(None, 'model')", "('model',)"] * 2
    assert single_host["mp_placed"].tolist() == sharded
    # The first kernel (6, 8) split over 4 devices: each holds a (6, 2) block.
    assert single_host["mp_kernel_shard_shape"].tolist() == [6, 2]
    # Momentum slots follow their variables; the step counter and learning rate are replicated.
    assert single_host["mp_slots"].tolist() == ["()", "()"] + sharded
    # The compiled step keeps the layouts.
    assert single_host["mp_trained_specs"].tolist() == sharded
    assert single_host["mp_trained_slot_specs"].tolist() == ["()", "()"] + sharded
    for mp, single in zip(single_host["model_parallel"], single_host["single_device"]):
        np.testing.assert_allclose(mp, single, rtol=1e-6, atol=1e-6)


def test_fit_trains_pre_placed_variables_unchanged(single_host):
    expected = numpy_sgd_mlp(single_host["initial"], 2 * scenarios.STEPS)  # 2 epochs
    assert_weights_close(single_host["fit_single"], expected)
    assert_weights_close(single_host["fit_mp"], expected)
    assert single_host["fit_mp_specs"].tolist() == ["(None, 'model')", "('model',)"] * 2


def test_fit_under_set_distribution_places_and_splits_by_itself(single_host):
    expected = numpy_sgd_mlp(single_host["initial"], 2 * scenarios.STEPS)
    assert_weights_close(single_host["fit_set_mp"], expected)
    assert single_host["fit_set_mp_specs"].tolist() == ["(None, 'model')", "('model',)"] * 2
    np.testing.assert_allclose(single_host["fit_set_predict"],
                               single_host["fit_set_predict_reference"], rtol=1e-5, atol=1e-6)
    assert "global batch size 7 does not divide into the 2 data shards" in \
        str(single_host["fit_set_error_batch"])
    assert_weights_close(single_host["save_load_values"], expected)
    assert single_host["save_load_specs"].tolist() == ["(None, 'model')", "('model',)"] * 2


def test_bad_configurations_raise_clear_errors_before_training(single_host):
    assert str(single_host["error_unknown_axis"]) == (
        "TensorLayout (None, 'modle'): ['modle'] is not an axis of the device mesh, whose axes "
        "are ['batch', 'model']. Use those names (or None) in the layout.")
    assert str(single_host["error_batch"]).startswith(
        "distribute_data: the global batch of 12 rows does not divide into the 8 data shards "
        "of mesh axis 'batch'.")
    message = str(single_host["error_uneven"])
    assert message.startswith("ModelParallel: variable '") and "kernel'" in message
    assert "splits an axis of size 6 over mesh axis 'model' of 8 devices" in message


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_train_data_parallel_to_identical_weights(tmp_path):
    address = f"127.0.0.1:{_free_port()}"
    outs = [tmp_path / f"process_{i}.npz" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, str(SCRIPT), "multi_process", str(out), address,
                               "2", str(i)], env=_env(4), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i, out in enumerate(outs)]
    try:
        logs = [p.communicate(timeout=120)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0], "\n".join(log[-3000:] for log in logs)
    first, second = (_load(out) for out in outs)
    assert (int(first["process_id"]), int(second["process_id"])) == (0, 1)
    assert int(first["num_processes"]) == int(second["num_processes"]) == 2
    assert bool(first["is_chief"]) and not bool(second["is_chief"])
    assert int(first["devices"]) == 8  # both processes' devices, one global mesh
    assert str(first["spec"]) == "(None, None)"
    assert str(first["replicated_spec"]) == "(None, None)"
    assert str(first["picked_spec"]) == "('batch', None)"
    rows = np.arange(scenarios.BATCH)[::-1] * 2
    np.testing.assert_array_equal(first["picked"], scenarios.data()[0][rows])
    np.testing.assert_array_equal(second["picked"], scenarios.data()[0][rows])
    assert int(first["per_shard"]) == scenarios.BATCH // 8
    for a, b in zip(first["initial"], second["initial"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(first["data_parallel"], second["data_parallel"]):
        np.testing.assert_array_equal(a, b)
    assert_weights_close(first["data_parallel"],
                         numpy_sgd_mlp(first["initial"], scenarios.STEPS))


def test_distributed_mnist_example_trains_model_parallel_on_simulated_devices():
    pytest.importorskip("sklearn")
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "distributed_mnist.py"),
                          "--mode", "model", "--epochs", "2", "--simulated-devices", "8"],
                         env=_env(8), cwd=ROOT, capture_output=True, text=True, timeout=180,
                         check=False)
    assert run.returncode == 0, run.stderr[-4000:]
    lines = run.stdout.splitlines()
    assert lines[0].startswith("1 process(es), 8 devices, <ModelParallel device_mesh=<DeviceMesh "
                               "shape=(2, 4), axis_names=['batch', 'model']>>")
    assert "  hidden_1/kernel: (None, 'model')" in lines
    assert "  output/kernel: (None, None)" in lines  # 10 classes do not split over 4 devices
    losses = [float(line.split()[-1]) for line in lines if line.startswith("epoch")]
    assert len(losses) == 2 and losses[1] < losses[0] < np.log(10) + 0.1
    accuracy = float(lines[-1].split()[-1])
    assert lines[-1].startswith("test accuracy") and accuracy > 0.5
