"""Devices and layouts on NumPy: one CPU device, one process, nothing to split.

The same functions as the JAX backend's `distribution` module, so `lamina.distribution` runs
unchanged: a mesh of the single device "cpu:0" is accepted and every placement is the identity.
Several devices or processes need the jax backend.
"""

import numpy as np

_DEVICE = "cpu:0"
_NEEDS_JAX = ("The numpy backend has a single CPU device and a single process. Use the jax "
              "backend (LAMINA_BACKEND=jax) to distribute over several devices or processes.")


def list_devices(device_type=None):
    """The one device, ["cpu:0"]; other device types do not exist here."""
    if device_type is not None and str(device_type).lower() != "cpu":
        raise ValueError(f"list_devices: no {device_type!r} devices are available on the numpy "
                         f"backend; it has only {_DEVICE!r}. {_NEEDS_JAX}")
    return [_DEVICE]


def get_device_count(device_type=None):
    return len(list_devices(device_type))


class _Mesh:
    """The mesh of one device: what `make_mesh` gives on this backend."""

    def __init__(self, devices, axis_names):
        self.devices = devices
        self.axis_names = tuple(axis_names)
        self.shape = dict(zip(self.axis_names, devices.shape))


class _Layout:
    """A layout on the one-device mesh: every tensor is whole on that device."""

    def __init__(self, mesh, axes):
        self.mesh = mesh
        self.spec = tuple(axes)


def make_mesh(devices, axis_names):
    devices = np.asarray(devices, dtype=object)
    names = [str(d) for d in devices.ravel()]
    if names != [_DEVICE]:
        raise ValueError(f"DeviceMesh: the numpy backend has the single device {_DEVICE!r}; "
                         f"received devices {names}. {_NEEDS_JAX}")
    return _Mesh(devices, axis_names)


def make_layout(mesh, axes):
    return _Layout(mesh, axes)


def is_traced(x):
    return False  # NumPy runs everything eagerly


def distribute_tensor(tensor, layout):
    return np.asarray(tensor)


def distribute_data_input(local_data, layout):
    return np.asarray(local_data)


def local_axis_size(mesh, axis_name):
    return 1


def to_host(tensor):
    return np.asarray(tensor)


def broadcast_from_chief(value):
    return value


def initialize(coordinator_address, num_processes, process_id):
    """Accepts a one-process "cluster" only."""
    if (num_processes or 1) != 1 or (process_id or 0) != 0 or coordinator_address:
        raise NotImplementedError(f"initialize: received coordinator_address="
                                  f"{coordinator_address!r}, num_processes={num_processes!r}, "
                                  f"process_id={process_id!r}. {_NEEDS_JAX}")


def num_processes():
    return 1


def process_id():
    return 0
