"""lamina.distribution in this (one-device) process: the API, its checks and its arithmetic.

The multi-device and multi-process behaviour runs in subprocesses: see test_multi_device.py.
"""


import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.distribution import distribution_lib as dl
from tests.helpers import gradcheck

ONE = dl.list_devices("cpu")[:1]


@pytest.fixture(autouse=True)
def _no_distribution():
    dl.set_distribution(None)
    yield
    dl.set_distribution(None)


def mesh(shape=(1,), names=("batch",)):
    return dl.DeviceMesh(shape, list(names), devices=ONE)


# -- distributions ---------------------------------------------------------------------------------
def test_data_parallel_builds_a_batch_mesh_and_replicates_variables():
    dp = dl.DataParallel(devices=ONE)
    assert dp.batch_dim_name == "batch" and dp.device_mesh.axis_names == ["batch"]
    assert dp.num_model_replicas == 1 and dp.num_processes == 1 and dp.data_shard_id == 0
    variable = lamina.Variable(np.zeros((3, 2)), name="w")
    assert dp.get_variable_layout(variable).axes == (None, None)
    assert dp.get_data_layout((8, 5, 2)).axes == ("batch", None, None)
    assert dp.get_tensor_layout("anything") is None
    again = dl.DataParallel.from_config(dp.get_config())
    assert again.device_mesh.devices.tolist() == ["cpu:0"]


def test_data_parallel_takes_the_first_axis_of_a_mesh_and_warns_for_2d():
    with pytest.warns(UserWarning, match="first axis, 'data', splits the batch"):
        dp = dl.DataParallel(mesh((1, 1), ("data", "model")))
    assert dp.batch_dim_name == "data"
    with pytest.raises(ValueError, match="not both"):
        dl.DataParallel(mesh(), devices=ONE)
    with pytest.raises(TypeError, match="must be a DeviceMesh"):
        dl.DataParallel("mesh")


def test_model_parallel_uses_the_layout_map_and_checks_its_arguments():
    layout_map = dl.LayoutMap(mesh((1, 1), ("data", "model")))
    layout_map[".*kernel"] = (None, "model")
    mp = dl.ModelParallel(layout_map=layout_map)
    assert mp.batch_dim_name == "data"  # the mesh's first axis
    kernel = lamina.Variable(np.zeros((3, 2)), name="kernel")
    kernel.path = "dense/kernel"
    bias = lamina.Variable(np.zeros((2,)), name="bias")
    assert mp.get_variable_layout(kernel).axes == (None, "model")
    assert mp.get_variable_layout(bias).axes == (None,)
    assert mp.get_tensor_layout("dense/kernel").axes == (None, "model")
    assert dl.ModelParallel(layout_map=layout_map, batch_dim_name="model").num_model_replicas == 1
    again = dl.ModelParallel.from_config(mp.get_config())
    assert again.layout_map["x/kernel"].axes == (None, "model") and again.batch_dim_name == "data"
    with pytest.raises(ValueError, match="`layout_map` is required"):
        dl.ModelParallel()
    with pytest.raises(TypeError, match="must be a LayoutMap"):
        dl.ModelParallel(layout_map={".*": (None,)})
    with pytest.raises(ValueError, match=r"batch_dim_name='batch' is not an axis of the device "
                                         r"mesh, whose axes are \['data', 'model'\]"):
        dl.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['devices'\]"):
        dl.ModelParallel(layout_map=layout_map, devices=ONE)


def test_model_parallel_rejects_process_counts_that_do_not_share_replicas(monkeypatch):
    # Two replicas along "batch" (the mesh is never placed, so one device may be named twice).
    two = dl.DeviceMesh((2, 1), ["batch", "model"], devices=ONE * 2)
    layout_map = dl.LayoutMap(two)
    monkeypatch.setattr(dl._backend(), "num_processes", lambda: 3)
    with pytest.raises(ValueError, match=r"3 processes cannot share 2 model replicas.*"
                                         r"num_processes=3, num_model_replicas=2"):
        dl.ModelParallel(layout_map=layout_map)
    monkeypatch.setattr(dl._backend(), "num_processes", lambda: 4)
    assert dl.ModelParallel(layout_map=layout_map).num_data_shards == 2


def test_data_shard_id_follows_processes_and_replicas():
    dp = dl.DataParallel(devices=ONE)
    # 4 processes, 2 replicas: processes 0-1 feed shard 0, 2-3 shard 1.
    dp._num_processes, dp._device_mesh = 4, dl.DeviceMesh((2,), ["batch"], ONE * 2)
    ids = []
    for pid in range(4):
        dp._process_id = pid
        ids.append(dp.data_shard_id)
    assert ids == [0, 0, 1, 1] and dp.num_data_shards == 2


def test_set_distribution_and_nested_scopes():
    assert dl.distribution() is None
    outer, inner = dl.DataParallel(devices=ONE), dl.DataParallel(devices=ONE)
    with outer.scope():
        assert dl.distribution() is outer
        with inner.scope():
            assert dl.distribution() is inner
        assert dl.distribution() is outer
    assert dl.distribution() is None
    dl.set_distribution(outer)
    assert dl.distribution() is outer
    with pytest.raises(TypeError, match="expected a Distribution"):
        dl.set_distribution("data_parallel")


# -- distribute_tensor -----------------------------------------------------------------------------
def test_distribute_tensor_places_values_unchanged():
    layout = dl.TensorLayout(("batch", None), mesh())
    x = np.arange(6.0, dtype="float32").reshape(3, 2)
    out = dl.distribute_tensor(x, layout)
    np.testing.assert_array_equal(np.asarray(out), x)
    assert tuple(out.sharding.spec) == ("batch", None)
    with pytest.raises(ValueError, match=r"distribute_tensor: layout \('batch', None\) has 2 axes"):
        dl.distribute_tensor(np.ones(3), layout)
    symbolic = lamina.Input((4,))
    assert dl.distribute_tensor(symbolic, layout) is symbolic


def test_distribute_tensor_inside_a_compiled_function_is_a_differentiable_identity():
    layout = dl.TensorLayout((None, "batch"), mesh())

    def fn(x):
        return ops.sum(ops.square(dl.distribute_tensor(ops.multiply(x, 3.0), layout)))

    x = np.random.default_rng(0).normal(size=(2, 3))
    compiled = lamina.backend.transforms.jit(fn)
    np.testing.assert_allclose(compiled(x.astype("float32")), 9.0 * np.sum(x ** 2), rtol=1e-5)
    gradcheck.check_grads(fn, [x], rtol=1e-6, atol=1e-6)


# -- trainer entry points --------------------------------------------------------------------------
def _model():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4), layers.Dense(2)])
    model.compile(optimizer=lamina.optimizers.Adam(), loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def test_distribute_model_variables_keeps_values_and_lays_slots_out_like_their_owner():
    model = _model()
    before = [v.numpy() for v in model.variables]
    layout_map = dl.LayoutMap(mesh((1, 1), ("batch", "model")))
    layout_map[".*dense.*kernel"] = (None, "model")
    used = dl.distribute_model_variables(model, dl.ModelParallel(layout_map=layout_map))
    for variable, value in zip(model.variables, before):
        np.testing.assert_array_equal(variable.numpy(), value)
    kernel = model.layers[1].kernel
    assert used[kernel.path].axes == (None, "model")
    # One device: a placement equivalent to the layout (JAX keeps a single-device sharding).
    assert kernel.value.sharding.is_equivalent_to(used[kernel.path].backend_layout, 2)
    # Slot paths are "<optimizer name>/<variable path with _>_<slot>"; the optimizer's name
    # depends on how many optimizers this process made before.
    slots = {v.path.split("/", 1)[1]: used[v.path].axes for v in model.optimizer.variables}
    name = kernel.path.replace("/", "_")
    assert slots[f"{name}_momentum"] == (None, "model")
    assert slots[f"{name}_velocity"] == (None, "model")
    assert slots["iteration"] == ()
    bias = model.layers[1].bias.path.replace("/", "_")
    assert slots[f"{bias}_momentum"] == (None,)


def test_distribute_model_variables_needs_a_distribution_and_a_fitting_layout():
    model = _model()
    with pytest.raises(ValueError, match="no distribution is set"):
        dl.distribute_model_variables(model)
    layout_map = dl.LayoutMap(mesh((1, 1), ("batch", "model")))
    layout_map[".*dense.*kernel"] = ("model",)
    with pytest.raises(ValueError, match=r"ModelParallel: variable '.*kernel': layout "
                                         r"\('model',\) has 1 axes but the tensor has shape"):
        dl.distribute_model_variables(model, dl.ModelParallel(layout_map=layout_map))
    with dl.DataParallel(devices=ONE).scope():
        assert len(dl.distribute_model_variables(model)) == 4 + len(model.optimizer.variables)


def test_distribute_data_lays_out_structures_and_keeps_values():
    dp = dl.DataParallel(devices=ONE)
    x, y = np.ones((4, 3), "float32"), np.arange(4)
    out = dl.distribute_data({"x": x, "pair": (y, None)}, dp)
    np.testing.assert_array_equal(np.asarray(out["x"]), x)
    np.testing.assert_array_equal(np.asarray(out["pair"][0]), y)
    assert out["pair"][1] is None
    assert tuple(out["x"].sharding.spec) == ("batch", None)
    with pytest.raises(ValueError, match="scalar has no batch axis"):
        dl.distribute_data(np.float32(1.0), dp)


def test_replicate_places_whole_arrays_and_batch_sizes_must_divide():
    dp = dl.DataParallel(devices=ONE)
    x = np.arange(6.0, dtype="float32").reshape(3, 2)
    out = dl.replicate({"x": x, "none": None}, dp)
    np.testing.assert_array_equal(np.asarray(out["x"]), x)
    assert out["none"] is None
    assert dl.check_global_batch_size(5, dp) == 5
    dp._device_mesh = dl.DeviceMesh((4,), ["batch"], ONE * 4)  # never placed: arithmetic only
    with pytest.raises(ValueError, match=r"The global batch size 6 does not divide into the 4 "
                                         r"data shards of mesh axis 'batch'"):
        dl.check_global_batch_size(6, dp)
    with pytest.raises(ValueError, match="no distribution is set"):
        dl.check_global_batch_size(8)


def test_process_shard_splits_each_global_batch_like_numpy_slicing():
    data = np.arange(24).reshape(12, 2)
    dp = dl.DataParallel(devices=ONE)
    assert dl.process_shard(data, distribution=dp) is data  # one process: unchanged
    dp._num_processes = 2
    dp._device_mesh = dl.DeviceMesh((2,), ["batch"], ONE * 2)
    expected_blocks = {0: data[:6], 1: data[6:]}
    # Batches of 4: process 0 takes rows 0-1, 4-5, 8-9; process 1 rows 2-3, 6-7, 10-11.
    expected_batched = {0: data[[0, 1, 4, 5, 8, 9]], 1: data[[2, 3, 6, 7, 10, 11]]}
    for pid in (0, 1):
        dp._process_id = pid
        np.testing.assert_array_equal(dl.process_shard(data, distribution=dp),
                                      expected_blocks[pid])
        x, y = dl.process_shard((data, data[:, 0]), batch_size=4, distribution=dp)
        np.testing.assert_array_equal(x, expected_batched[pid])
        np.testing.assert_array_equal(y, expected_batched[pid][:, 0])
    with pytest.raises(ValueError, match=r"12 rows in batches of 3 do not divide among the 2 "
                                         r"processes"):
        dl.process_shard(data, batch_size=3, distribution=dp)
    with pytest.raises(ValueError, match="positive int"):
        dl.process_shard(data, batch_size=0, distribution=dp)
    with dp.scope():  # the current distribution, when none is passed
        np.testing.assert_array_equal(dl.process_shard(data), expected_blocks[1])
    assert dl.process_shard(data) is data  # no distribution, one process


def test_chief_and_gather_in_one_process():
    assert dl.is_chief() and dl.process_id() == 0 and dl.num_processes() == 1
    variable = lamina.Variable(np.arange(3.0))
    np.testing.assert_array_equal(dl.gather(variable), [0.0, 1.0, 2.0])


def test_distribute_dataset_is_unchanged_with_one_process():
    data = (np.arange(4),)
    assert dl.DataParallel(devices=ONE).distribute_dataset(data) is data


# -- initialize ------------------------------------------------------------------------------------
@pytest.fixture
def captured(monkeypatch):
    """Record what initialize hands the backend instead of starting a cluster."""
    calls = []
    backend = dl._backend()
    monkeypatch.setattr(backend, "initialize", lambda *args: calls.append(args))
    for prefix in ("LAMINA_", "KERAS_"):
        for name in ("JOB_ADDRESSES", "NUM_PROCESSES", "PROCESS_ID"):
            monkeypatch.delenv(f"{prefix}DISTRIBUTION_{name}", raising=False)
    return calls


def test_initialize_passes_the_coordinator_of_a_job_list(captured):
    dl.initialize("10.0.0.1:1234, 10.0.0.2:2345", num_processes=2, process_id=1)
    assert captured == [("10.0.0.1:1234", 2, 1)]


def test_initialize_reads_lamina_then_keras_environment_variables(captured, monkeypatch):
    monkeypatch.setenv("KERAS_DISTRIBUTION_JOB_ADDRESSES", "10.0.0.9:1")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "4")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "3")
    monkeypatch.setenv("LAMINA_DISTRIBUTION_PROCESS_ID", "2")
    dl.initialize()
    dl.initialize(process_id=1)
    assert captured == [("10.0.0.9:1", 4, 2), ("10.0.0.9:1", 4, 1)]


@pytest.mark.parametrize("kwargs,env,match", [
    ({"job_addresses": "a:1,b:2,c:3", "num_processes": 2, "process_id": 0}, {},
     r"lists 3 processes .* but num_processes=2"),
    ({"job_addresses": "a:1", "num_processes": 2, "process_id": 2}, {},
     r"\[0, num_processes\) = \[0, 2\). Received: process_id=2"),
    ({"job_addresses": "a:1", "num_processes": 0}, {}, "at least 1"),
    ({"job_addresses": "a:1", "num_processes": "2"}, {}, "must be an int"),
    ({"job_addresses": ["a:1"]}, {}, "must be a string"),
    ({}, {"KERAS_DISTRIBUTION_NUM_PROCESSES": "two"},
     "KERAS_DISTRIBUTION_NUM_PROCESSES must be an integer. Received: 'two'"),
])
def test_initialize_rejects_mismatched_or_malformed_settings(captured, monkeypatch, kwargs, env,
                                                             match):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises((ValueError, TypeError), match=match):
        dl.initialize(**kwargs)
    assert captured == []  # nothing reached the backend


def test_public_names_match_keras():
    from lamina import distribution
    assert sorted(distribution.__all__) == [
        "DataParallel", "DeviceMesh", "LayoutMap", "ModelParallel", "TensorLayout",
        "distribute_tensor", "distribution", "get_device_count", "initialize", "list_devices",
        "set_distribution"]
