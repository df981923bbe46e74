"""Devices, meshes and shardings on JAX: the backend half of `lamina.distribution`.

A lamina `DeviceMesh` becomes a `jax.sharding.Mesh`, a `TensorLayout` a `NamedSharding` over it;
placing a value is `jax.device_put` (or, for a mesh that spans several processes, an array
assembled from each process's own pieces), and inside a traced function it is a sharding
constraint that XLA's SPMD partitioner honours. Several processes start with `jax.distributed`.
"""

import jax
import jax.extend.backend
import numpy as np
from jax.experimental import multihost_utils


def list_devices(device_type=None):
    """Global devices of one type as "platform:id" strings ("cpu:0", "gpu:3", ...).

    `None` means JAX's default platform (an accelerator when there is one, else the CPU).
    """
    platform = device_type.lower() if device_type else None
    try:
        devices = jax.devices(platform)
    except RuntimeError as error:
        raise ValueError(f"list_devices: no {device_type!r} devices are available here "
                         f"({error}). Known device types: 'cpu', 'gpu', 'tpu'; "
                         f"this machine has {jax.default_backend()!r}.") from None
    return [f"{d.platform}:{d.id}" for d in devices]


def get_device_count(device_type=None):
    """How many devices of one type (default: JAX's default platform) the cluster has."""
    return len(list_devices(device_type))


def _to_device(device):
    if isinstance(device, jax.Device):
        return device
    name = str(device)
    platform, _, index = name.partition(":")
    index = int(index) if index else 0
    for d in jax.devices(platform.lower()):
        if d.id == index:
            return d
    raise ValueError(f"DeviceMesh: device {name!r} does not exist here. Available devices: "
                     f"{list_devices(platform)}. Use the names `list_devices()` returns.")


def make_mesh(devices, axis_names):
    """A `jax.sharding.Mesh` over `devices` (an array of names or jax devices, in mesh shape)."""
    devices = np.asarray(devices, dtype=object)
    flat = [_to_device(d) for d in devices.ravel()]
    return jax.sharding.Mesh(np.array(flat, dtype=object).reshape(devices.shape),
                             tuple(axis_names))


def make_layout(mesh, axes):
    """A `NamedSharding` that splits tensor axis i over mesh axis `axes[i]` (None: replicated)."""
    return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec(*axes))


def is_traced(x):
    return isinstance(x, jax.core.Tracer)


def distribute_tensor(tensor, layout):
    """`tensor` laid out by `layout` (a sharding): a constraint when traced, else a placement."""
    if is_traced(tensor):
        return jax.lax.with_sharding_constraint(tensor, layout)
    if isinstance(tensor, jax.Array) and tensor.sharding.is_equivalent_to(layout, tensor.ndim):
        return tensor
    if layout.is_fully_addressable:
        return jax.device_put(tensor, layout)
    # A mesh spanning several processes: every process holds the same full value (variables
    # start from the same seed), and each builds only the shards on its own devices.
    value = np.asarray(tensor)
    return jax.make_array_from_callback(value.shape, layout, lambda index: value[index])


def distribute_data_input(local_data, layout):
    """One global array from this process's rows of a batch (all rows in a single process)."""
    if layout.is_fully_addressable:
        return jax.device_put(local_data, layout)
    return jax.make_array_from_process_local_data(layout, np.asarray(local_data))


def local_axis_size(mesh, axis_name):
    """How many distinct positions along mesh axis `axis_name` this process's devices hold."""
    axis = mesh.axis_names.index(axis_name)
    here = jax.process_index()
    positions = {index[axis] for index, device in np.ndenumerate(mesh.devices)
                 if device.process_index == here}
    return len(positions)


def to_host(tensor):
    """A NumPy copy of the whole tensor, gathered from other processes when it is split there."""
    if isinstance(tensor, jax.Array) and not tensor.is_fully_addressable \
            and not tensor.is_fully_replicated:
        return np.asarray(multihost_utils.process_allgather(tensor, tiled=True))
    return np.asarray(tensor)


def broadcast_from_chief(value):
    """Process 0's `value` (a NumPy scalar or array), on every process."""
    if jax.process_count() == 1:
        return value
    return np.asarray(multihost_utils.broadcast_one_to_all(np.asarray(value)))


def initialize(coordinator_address, num_processes, process_id):
    """Join the cluster with `jax.distributed.initialize` (None: JAX's own cluster detection).

    JAX refuses once its devices are set up, which merely asking for the platform (as importing
    lamina does) already does. While no array exists yet, nothing depends on those devices:
    they are dropped and set up again, this time as part of the cluster.
    """
    def start():
        jax.distributed.initialize(coordinator_address=coordinator_address,
                                   num_processes=num_processes, process_id=process_id)

    try:
        start()
    except RuntimeError as error:
        if "must be called before" not in str(error):
            raise
        if jax.live_arrays():
            raise RuntimeError(
                "initialize: call it at the start of the program, before creating any tensor, "
                "model or layer: this process already holds arrays on its local devices, and "
                "those devices cannot join a cluster afterwards.") from None
        jax.extend.backend.clear_backends()
        start()


def num_processes():
    return jax.process_count()


def process_id():
    return jax.process_index()
