"""The backends' `distribution` modules: the numpy backend mirrors JAX's functions (one device,
one process), and JAX's pieces behave as lamina.distribution relies on."""

import importlib
import inspect

import numpy as np
import pytest

jax_distribution = importlib.import_module("lamina.backend.jax.distribution")
numpy_distribution = importlib.import_module("lamina.backend.numpy.distribution")


def _public_functions(module):
    return {name: obj for name, obj in vars(module).items()
            if not name.startswith("_") and inspect.isfunction(obj)
            and obj.__module__ == module.__name__}


def test_numpy_backend_has_every_jax_distribution_function_with_its_signature():
    jax_functions = _public_functions(jax_distribution)
    numpy_functions = _public_functions(numpy_distribution)
    assert set(jax_functions) == set(numpy_functions)
    for name, fn in jax_functions.items():
        assert inspect.signature(fn) == inspect.signature(numpy_functions[name]), name


def test_numpy_backend_has_one_cpu_device_and_one_process():
    assert numpy_distribution.list_devices() == ["cpu:0"]
    assert numpy_distribution.list_devices("CPU") == ["cpu:0"]
    assert numpy_distribution.get_device_count() == 1
    with pytest.raises(ValueError, match=r"no 'gpu' devices .*\(LAMINA_BACKEND=jax\)"):
        numpy_distribution.list_devices("gpu")
    assert (numpy_distribution.num_processes(), numpy_distribution.process_id()) == (1, 0)
    numpy_distribution.initialize(None, None, None)
    numpy_distribution.initialize(None, 1, 0)
    with pytest.raises(NotImplementedError, match="num_processes=2.*single process"):
        numpy_distribution.initialize("127.0.0.1:1234", 2, 0)


def test_numpy_backend_places_values_as_they_are():
    mesh = numpy_distribution.make_mesh(np.array(["cpu:0"]).reshape(1, 1), ["batch", "model"])
    assert mesh.axis_names == ("batch", "model") and mesh.shape == {"batch": 1, "model": 1}
    layout = numpy_distribution.make_layout(mesh, ("batch", None))
    x = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(numpy_distribution.distribute_tensor(x, layout), x)
    np.testing.assert_array_equal(numpy_distribution.distribute_data_input(x, layout), x)
    np.testing.assert_array_equal(numpy_distribution.to_host(x), x)
    assert numpy_distribution.local_axis_size(mesh, "batch") == 1
    assert not numpy_distribution.is_traced(x)
    with pytest.raises(ValueError, match=r"single device 'cpu:0'; received devices "
                                         r"\['cpu:0', 'cpu:1'\]"):
        numpy_distribution.make_mesh(np.array(["cpu:0", "cpu:1"]), ["batch"])


def test_jax_backend_builds_named_shardings_over_its_devices():
    import jax

    mesh = jax_distribution.make_mesh(np.array(["cpu:0"]).reshape(1, 1), ["batch", "model"])
    assert isinstance(mesh, jax.sharding.Mesh) and mesh.axis_names == ("batch", "model")
    layout = jax_distribution.make_layout(mesh, (None, "model"))
    assert tuple(layout.spec) == (None, "model")
    x = jax_distribution.distribute_tensor(np.ones((2, 3), "float32"), layout)
    assert x.sharding.is_equivalent_to(layout, 2)
    assert jax_distribution.distribute_tensor(x, layout) is x  # already laid out
    assert jax_distribution.local_axis_size(mesh, "model") == 1
    np.testing.assert_array_equal(jax_distribution.to_host(x), np.ones((2, 3)))
    assert jax_distribution.broadcast_from_chief(np.int32(5)) == 5
    seen = []
    jax.jit(lambda t: seen.append(jax_distribution.is_traced(t)) or t)(np.ones(2))
    assert seen == [True] and not jax_distribution.is_traced(x)


def test_jax_backend_initialize_refuses_once_arrays_exist():
    import jax.numpy as jnp

    alive = jnp.ones(2)  # an array on the local devices, which could not join a cluster
    with pytest.raises(RuntimeError, match="before creating any tensor, model or layer"):
        jax_distribution.initialize("127.0.0.1:1", 2, 0)
    assert float(alive.sum()) == 2.0


def test_lamina_distribution_runs_on_the_numpy_backend_without_jax():
    import os
    import pathlib
    import subprocess
    import sys

    script = """
import sys
import numpy as np
import lamina
from lamina import layers
from lamina.distribution import distribution_lib as dl
dp = dl.DataParallel()
model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
before = [v.numpy() for v in model.variables]
dl.distribute_model_variables(model, dp)
x = dl.distribute_data(np.arange(12.0, dtype="float32").reshape(4, 3), dp)
assert type(x) is np.ndarray and x[1, 2] == 5.0
assert all(np.array_equal(v.numpy(), b) for v, b in zip(model.variables, before))
print(dl.list_devices(), dp.device_mesh.shape, "jax" in sys.modules)
"""
    root = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ, LAMINA_BACKEND="numpy",
               PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-c", script], env=env, cwd=root, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split("\n")[0] == "['cpu:0'] (1,) False"
