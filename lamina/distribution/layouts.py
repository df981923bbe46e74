"""Devices, device meshes and tensor layouts: where each piece of a tensor lives.

A `DeviceMesh` names the axes of a grid of devices; a `TensorLayout` says which mesh axis splits
each axis of a tensor (None: not split); a `LayoutMap` gives variables layouts by regular
expressions over their paths. The backend's `distribution` module turns them into its own
objects (JAX: `Mesh`, `NamedSharding`).
"""

import collections.abc
import math
import re

import numpy as np

from lamina import backend


def _backend():
    """The backend's distribution module (mesh, shardings, processes)."""
    return backend.distribution


# -- devices and processes -------------------------------------------------------------------------
def list_devices(device_type=None):
    """All devices of one type in the cluster, as "type:id" strings.

    Args:
        device_type: "cpu", "gpu" or "tpu". `None` means the accelerator when there is one,
            else the CPU; the list never mixes types.

    Returns:
        A list of strings such as `["cpu:0", "cpu:1"]`.

    >>> list_devices("cpu")[0]
    'cpu:0'
    """
    if device_type is not None and not isinstance(device_type, str):
        raise TypeError(f"list_devices: `device_type` must be 'cpu', 'gpu', 'tpu' or None. "
                        f"Received: device_type={device_type!r}")
    return _backend().list_devices(device_type)


def get_device_count(device_type=None):
    """The number of devices of one type (see `list_devices`).

    Args:
        device_type: "cpu", "gpu", "tpu" or None (the default type).

    Returns:
        An int.

    >>> get_device_count("cpu") >= 1
    True
    """
    return len(list_devices(device_type))


# -- meshes and layouts ----------------------------------------------------------------------------
class DeviceMesh:
    """A grid of devices with named axes, such as `("batch", "model")`.

    Args:
        shape: Tuple of ints, the grid's shape, e.g. `(8,)` or `(2, 4)`.
        axis_names: One name per axis of `shape`.
        devices: Devices to arrange (names from `list_devices()`); defaults to all of them.

    >>> mesh = DeviceMesh((1,), ["batch"], devices=list_devices("cpu")[:1])
    >>> mesh.shape, mesh.axis_names
    ((1,), ['batch'])
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"DeviceMesh: `shape` and `axis_names` must be non-empty. Received: "
                             f"shape={shape!r}, axis_names={axis_names!r}")
        if isinstance(axis_names, str):
            raise TypeError(f"DeviceMesh: `axis_names` must be a list of strings, not one "
                            f"string. Received: axis_names={axis_names!r}; use [{axis_names!r}].")
        if any(not isinstance(d, (int, np.integer)) or d < 1 for d in shape):
            raise ValueError(f"DeviceMesh: `shape` must hold positive ints. Received: "
                             f"shape={shape!r}")
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: `shape` and `axis_names` must have the same length. "
                             f"Received: shape={shape!r} ({len(shape)} axes), "
                             f"axis_names={axis_names!r} ({len(axis_names)} names)")
        if any(not isinstance(n, str) for n in axis_names) or len(set(axis_names)) != \
                len(axis_names):
            raise ValueError(f"DeviceMesh: `axis_names` must be distinct strings. Received: "
                             f"axis_names={axis_names!r}")
        if devices is None:
            devices = list_devices()
        devices = np.array(devices, dtype=object)
        if math.prod(shape) != devices.size:
            raise ValueError(f"DeviceMesh: a mesh of shape {tuple(shape)} needs "
                             f"{math.prod(shape)} devices; received {devices.size} "
                             f"(devices.shape={devices.shape}). Pick a shape whose product is "
                             "the number of devices, or pass that many `devices`.")
        self._shape = shape
        self._axis_names = axis_names
        self._devices = np.reshape(devices, tuple(shape))
        self._backend_mesh = None

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    @property
    def backend_mesh(self):
        """The backend's mesh (a `jax.sharding.Mesh`), made on first use."""
        if self._backend_mesh is None:
            self._backend_mesh = _backend().make_mesh(self._devices, self._axis_names)
        return self._backend_mesh

    def axis_size(self, axis_name):
        """The number of devices along mesh axis `axis_name`."""
        return dict(zip(self._axis_names, self._shape))[axis_name]

    def get_config(self):
        return {"shape": list(self._shape), "axis_names": list(self._axis_names),
                "devices": [str(d) for d in self._devices.ravel()]}

    @classmethod
    def from_config(cls, config):
        return cls(tuple(config["shape"]), list(config["axis_names"]), config.get("devices"))

    def __repr__(self):
        return f"<DeviceMesh shape={tuple(self._shape)}, axis_names={list(self._axis_names)}>"


class TensorLayout:
    """How a tensor's axes split over a `DeviceMesh`: one mesh axis name (or None) per axis.

    Args:
        axes: Tuple with, for each tensor axis, the mesh axis that splits it or None (whole on
            every device).
        device_mesh: The `DeviceMesh`; may be set later (a `LayoutMap` sets its own).

    >>> mesh = DeviceMesh((1,), ["model"], devices=list_devices("cpu")[:1])
    >>> TensorLayout((None, "model"), mesh).axes
    (None, 'model')
    """

    def __init__(self, axes, device_mesh=None):
        if isinstance(axes, str) or not isinstance(axes, (tuple, list)):
            raise TypeError(f"TensorLayout: `axes` must be a tuple of mesh axis names or None. "
                            f"Received: axes={axes!r}" + (f"; use ({axes!r},)."
                                                          if isinstance(axes, str) else ""))
        if any(a is not None and not isinstance(a, str) for a in axes):
            raise TypeError(f"TensorLayout: each entry of `axes` must be a mesh axis name or "
                            f"None. Received: axes={tuple(axes)!r}")
        named = [a for a in axes if a is not None]
        if len(named) != len(set(named)):
            raise ValueError(f"TensorLayout: a mesh axis can split only one tensor axis. "
                             f"Received: axes={tuple(axes)!r}")
        if device_mesh is not None and not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"TensorLayout: `device_mesh` must be a DeviceMesh or None. "
                            f"Received: {device_mesh!r}")
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._backend_layout = None
        self._validate_axes()

    @property
    def axes(self):
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh):
        if self._device_mesh is not None:
            raise ValueError(f"TensorLayout {self._axes}: its device mesh is already set to "
                             f"{self._device_mesh}; make a new TensorLayout for another mesh.")
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def backend_layout(self):
        """The backend's layout (a `jax.sharding.NamedSharding`), made on first use."""
        if self._device_mesh is None:
            raise ValueError(f"TensorLayout {self._axes}: no device mesh is set. Pass "
                             "`device_mesh=` or add the layout to a LayoutMap.")
        if self._backend_layout is None:
            self._backend_layout = _backend().make_layout(self._device_mesh.backend_mesh,
                                                          self._axes)
        return self._backend_layout

    def _validate_axes(self):
        if self._device_mesh is None:
            return
        unknown = [a for a in self._axes if a is not None
                   and a not in self._device_mesh.axis_names]
        if unknown:
            raise ValueError(f"TensorLayout {self._axes}: {unknown} is not an axis of the device "
                             f"mesh, whose axes are {list(self._device_mesh.axis_names)}. Use "
                             "those names (or None) in the layout.")

    def check_shape(self, shape, what):
        """Raise a ValueError naming `what` unless the layout fits a tensor of `shape`."""
        shape = tuple(shape)
        if len(self._axes) != len(shape):
            raise ValueError(f"{what}: layout {self._axes} has {len(self._axes)} axes but the "
                             f"tensor has shape {shape} ({len(shape)} axes). Give one entry "
                             "(mesh axis or None) per tensor axis.")
        for dim, axis in zip(shape, self._axes):
            if axis is None:
                continue
            size = self._device_mesh.axis_size(axis)
            if dim % size:
                raise ValueError(f"{what}: layout {self._axes} splits an axis of size {dim} "
                                 f"over mesh axis '{axis}' of {size} devices, and {dim} is not "
                                 f"divisible by {size}. Use a size divisible by {size}, or "
                                 "None for that axis.")

    def get_config(self):
        return {"axes": list(self._axes), "device_mesh": None if self._device_mesh is None
                else self._device_mesh.get_config()}

    @classmethod
    def from_config(cls, config):
        mesh = config.get("device_mesh")
        return cls(tuple(config["axes"]), DeviceMesh.from_config(mesh) if mesh else None)

    def __repr__(self):
        return f"<TensorLayout axes={self._axes}, device_mesh={self._device_mesh}>"


class LayoutMap(collections.abc.MutableMapping):
    """A dict from variable-path patterns to `TensorLayout`s.

    Looking up a path returns the layout stored under exactly that key; otherwise every key is
    a regular expression that must match the whole path (`re.fullmatch`): one match gives its
    layout, none gives None, several raise a ValueError. A tuple value is a shortcut for
    `TensorLayout(tuple)` on this map's mesh.

    Args:
        device_mesh: The `DeviceMesh` for the layouts.

    >>> mesh = DeviceMesh((1,), ["model"], devices=list_devices("cpu")[:1])
    >>> layout_map = LayoutMap(mesh)
    >>> layout_map[".*dense.*kernel"] = (None, "model")
    >>> layout_map["sequential/dense_1/kernel"].axes, layout_map["dense/bias"]
    ((None, 'model'), None)
    """

    def __init__(self, device_mesh):
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"LayoutMap: `device_mesh` must be a DeviceMesh. Received: "
                            f"{device_mesh!r}")
        self._layouts = {}
        self._device_mesh = device_mesh

    @property
    def device_mesh(self):
        return self._device_mesh

    def __getitem__(self, key):
        if key in self._layouts:
            return self._layouts[key]
        matches = [pattern for pattern in self._layouts if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"LayoutMap: path '{key}' matches several keys: {matches}. Make the "
                             "patterns specific enough that each path matches at most one.")
        return self._layouts[matches[0]] if matches else None

    def get(self, key, default=None):
        layout = self[key]
        return default if layout is None else layout

    def __setitem__(self, key, layout):
        if not isinstance(key, str):
            raise TypeError(f"LayoutMap: keys must be strings (regular expressions over "
                            f"variable paths). Received: {key!r}")
        try:
            re.compile(key)
        except re.error as error:
            raise ValueError(f"LayoutMap: key {key!r} is not a valid regular expression "
                             f"({error}).") from None
        if key in self._layouts:
            raise ValueError(f"LayoutMap: key {key!r} already holds {self._layouts[key]}. Each "
                             "key may be set once; delete it first to replace it.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(tuple(layout))
        if not isinstance(layout, TensorLayout):
            raise TypeError(f"LayoutMap: values must be TensorLayouts or tuples of mesh axis "
                            f"names. Received for {key!r}: {layout!r}")
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key):
        del self._layouts[key]

    def __len__(self):
        return len(self._layouts)

    def __iter__(self):
        return iter(self._layouts)

    def __contains__(self, key):
        return key in self._layouts  # exact keys only, as for a dict

    def get_config(self):
        return {"device_mesh": self._device_mesh.get_config(),
                "layouts": {key: list(layout.axes) for key, layout in self._layouts.items()}}

    @classmethod
    def from_config(cls, config):
        layout_map = cls(DeviceMesh.from_config(config["device_mesh"]))
        for key, axes in config["layouts"].items():
            layout_map[key] = tuple(axes)
        return layout_map

    def __repr__(self):
        axes = {key: layout.axes for key, layout in self._layouts.items()}
        return f"<LayoutMap {axes}>"
