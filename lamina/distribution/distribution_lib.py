"""Keras 3's distribution API: data and model parallelism over device meshes.

Meshes and layouts live in `layouts.py` (re-exported here). A `Distribution` (`DataParallel`,
`ModelParallel`) combines them into layouts for variables and for the input batches. The backend (JAX sharding) does the rest:
a compiled step whose inputs are laid out over a mesh is compiled once for the whole mesh.

The trainer's entry points sit at the end: `distribute_model_variables`, `distribute_data`,
`replicate`, `check_global_batch_size`, `process_shard`, `is_chief`, `gather`.
"""

import contextlib
import os
import warnings

import numpy as np

from lamina.distribution.layouts import (
    DeviceMesh,
    LayoutMap,
    TensorLayout,
    _backend,
    get_device_count,
    list_devices,
)

DEFAULT_BATCH_DIM_NAME = "batch"
_STATE = {"distribution": None}


def _env(name):
    """LAMINA_<name>, else KERAS_<name>, else None."""
    for prefix in ("LAMINA_", "KERAS_"):
        value = os.environ.get(prefix + name)
        if value not in (None, ""):
            return prefix + name, value
    return None, None


def _env_int(name):
    variable, value = _env(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"initialize: environment variable {variable} must be an integer. "
                         f"Received: {value!r}") from None


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Join a cluster of several processes (hosts), before any computation.

    Arguments left None are read from the environment: `LAMINA_DISTRIBUTION_JOB_ADDRESSES`,
    `LAMINA_DISTRIBUTION_NUM_PROCESSES`, `LAMINA_DISTRIBUTION_PROCESS_ID`, or their `KERAS_`
    spellings. Afterwards every process draws the same default random stream (process 0's), so
    models start from identical weights, and `list_devices()` lists the devices of all processes.

    Args:
        job_addresses: "host:port" of process 0 (the coordinator), or a comma-separated list of
            every process's address (the first is the coordinator). None on platforms that
            detect the cluster themselves (Cloud TPU, SLURM).
        num_processes: Number of processes in the cluster.
        process_id: This process's index, from 0 to `num_processes - 1`; 0 is the coordinator.

    Returns:
        None.

    >>> initialize("10.0.0.1:1234", num_processes=2, process_id=0)  # doctest: +SKIP
    """
    if job_addresses is None:
        job_addresses = _env("DISTRIBUTION_JOB_ADDRESSES")[1]
    if num_processes is None:
        num_processes = _env_int("DISTRIBUTION_NUM_PROCESSES")
    if process_id is None:
        process_id = _env_int("DISTRIBUTION_PROCESS_ID")
    if job_addresses is not None and not isinstance(job_addresses, str):
        raise TypeError(f"initialize: `job_addresses` must be a string such as "
                        f"'10.0.0.1:1234' or '10.0.0.1:1234,10.0.0.2:1234'. Received: "
                        f"job_addresses={job_addresses!r}")
    for name, value in (("num_processes", num_processes), ("process_id", process_id)):
        if value is not None and (not isinstance(value, (int, np.integer))
                                  or isinstance(value, bool)):
            raise TypeError(f"initialize: `{name}` must be an int or None. Received: "
                            f"{name}={value!r}")
    if num_processes is not None and num_processes < 1:
        raise ValueError(f"initialize: `num_processes` must be at least 1. Received: "
                         f"num_processes={num_processes}")
    if process_id is not None and (process_id < 0 or (num_processes is not None
                                                      and process_id >= num_processes)):
        raise ValueError(f"initialize: `process_id` must be in [0, num_processes) = "
                         f"[0, {num_processes}). Received: process_id={process_id}. Give each "
                         "process its own index, 0 for the coordinator.")
    coordinator = job_addresses
    if job_addresses and "," in job_addresses:
        addresses = [a.strip() for a in job_addresses.split(",")]
        if num_processes is not None and num_processes != len(addresses):
            raise ValueError(f"initialize: `job_addresses` lists {len(addresses)} processes "
                             f"({addresses}) but num_processes={num_processes}. List one "
                             "address per process, or only the coordinator's.")
        coordinator = addresses[0]
    _backend().initialize(coordinator, num_processes, process_id)
    # Every process must build the same initial weights: all continue process 0's stream.
    from lamina.random.seed_generator import draw_int_seed, set_random_seed
    seed = _backend().broadcast_from_chief(np.int32(draw_int_seed()))
    set_random_seed(int(seed))


def num_processes():
    """The number of processes in the cluster (1 without `initialize`)."""
    return _backend().num_processes()


def process_id():
    """This process's index in the cluster (0 without `initialize`)."""
    return _backend().process_id()


# -- distributions ---------------------------------------------------------------------------------
class Distribution:
    """The base of distribution strategies: layouts for variables, input data and activations.

    Args:
        device_mesh: The `DeviceMesh`.
        batch_dim_name: The mesh axis that splits the batch.
        auto_shard_dataset: Whether, with several processes, each process keeps only its own
            share of an in-memory dataset (`distribute_dataset`). False when every process
            already loads its own shard.
    """

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"{type(self).__name__}: `device_mesh` must be a DeviceMesh. "
                            f"Received: {device_mesh!r}")
        if batch_dim_name is not None and batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"{type(self).__name__}: batch_dim_name={batch_dim_name!r} is not "
                             f"an axis of the device mesh, whose axes are "
                             f"{list(device_mesh.axis_names)}.")
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = bool(auto_shard_dataset)
        self._num_processes = _backend().num_processes()
        self._process_id = _backend().process_id()
        self._is_multi_process = self._num_processes > 1

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value):
        self._auto_shard_dataset = bool(value)

    @property
    def num_processes(self):
        return self._num_processes

    @property
    def num_model_replicas(self):
        """The number of slices the batch is split into (devices along the batch axis)."""
        return self._device_mesh.axis_size(self._batch_dim_name)

    @property
    def data_shard_id(self):
        """Which share of the data this process feeds (processes holding parts of one model
        replica feed the same share)."""
        replicas = self.num_model_replicas
        if replicas >= self._num_processes:
            return self._process_id
        return self._process_id // (self._num_processes // replicas)

    @property
    def num_data_shards(self):
        """How many distinct shares of the data the processes feed."""
        return min(self._num_processes, self.num_model_replicas)

    def get_data_layout(self, data_shape):
        """The layout of an input of `data_shape`: the batch axis split over `batch_dim_name`."""
        return TensorLayout((self._batch_dim_name,) + (None,) * (len(data_shape) - 1),
                            self._device_mesh)

    def get_variable_layout(self, variable):
        """The layout of `variable`: its own `_layout` if set, else whole on every device."""
        layout = getattr(variable, "_layout", None)
        if layout is not None:
            return layout
        return TensorLayout((None,) * len(variable.shape), self._device_mesh)

    def get_tensor_layout(self, path):
        """The layout for an intermediate tensor named `path`, or None to leave it to XLA."""

    @contextlib.contextmanager
    def scope(self):
        """Make this the current distribution inside a `with` block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)

    def distribute_dataset(self, dataset):
        """This process's share of `dataset` (arrays, or a tuple/list/dict of arrays).

        Unchanged with one process or `auto_shard_dataset=False`; see `process_shard`.
        """
        if not self._is_multi_process or not self._auto_shard_dataset:
            return dataset
        return process_shard(dataset, self)

    def __repr__(self):
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: each device holds every variable and computes on a slice of the batch.

    Give `device_mesh` (its first axis splits the batch) or `devices` (a 1D mesh named "batch"),
    or neither (all devices of `list_devices()`).

    Args:
        device_mesh: Optional `DeviceMesh`.
        devices: Optional list of devices.
        auto_shard_dataset: See `Distribution`.

    >>> DataParallel(devices=list_devices("cpu")[:1]).batch_dim_name
    'batch'
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel: pass `device_mesh` or `devices`, not both. Received "
                             f"device_mesh={device_mesh!r}, devices={devices!r}")
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise TypeError(f"DataParallel: `device_mesh` must be a DeviceMesh. Received: "
                                f"{device_mesh!r} of type {type(device_mesh).__name__}")
            if len(device_mesh.shape) != 1:
                warnings.warn(f"DataParallel expects a 1D device mesh; received shape "
                              f"{tuple(device_mesh.shape)}. Its first axis, "
                              f"'{device_mesh.axis_names[0]}', splits the batch.", stacklevel=2)
            super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
            return
        devices = np.array(list_devices() if devices is None else devices, dtype=object)
        if devices.size == 0:
            raise ValueError("DataParallel: `devices` is empty; pass at least one device.")
        mesh = DeviceMesh((devices.size,), [DEFAULT_BATCH_DIM_NAME], devices.ravel())
        super().__init__(mesh, DEFAULT_BATCH_DIM_NAME, auto_shard_dataset)

    @property
    def num_model_replicas(self):
        return int(self._device_mesh.devices.size)

    def get_config(self):
        return {"device_mesh": self._device_mesh.get_config(),
                "auto_shard_dataset": self._auto_shard_dataset}

    @classmethod
    def from_config(cls, config):
        return cls(DeviceMesh.from_config(config["device_mesh"]),
                   auto_shard_dataset=config.get("auto_shard_dataset", True))


class ModelParallel(Distribution):
    """Model (and data) parallelism: variables split over mesh axes by a `LayoutMap`, batches
    split over `batch_dim_name`; variables that match no key stay whole on every device.

    Args:
        layout_map: The `LayoutMap` (it carries the `DeviceMesh`).
        batch_dim_name: The mesh axis that splits the batch; defaults to the mesh's first axis.
        auto_shard_dataset: See `Distribution`.

    >>> mesh = DeviceMesh((1, 1), ["batch", "model"], devices=list_devices("cpu")[:1])
    >>> layout_map = LayoutMap(mesh)
    >>> layout_map[".*kernel"] = (None, "model")
    >>> ModelParallel(layout_map=layout_map).batch_dim_name
    'batch'
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 **kwargs):
        mesh = kwargs.pop("device_mesh", None)  # Keras accepts and ignores it
        if kwargs:
            raise TypeError(f"ModelParallel: unexpected keyword argument(s) {sorted(kwargs)}. "
                            "Arguments: layout_map, batch_dim_name, auto_shard_dataset.")
        if layout_map is None:
            raise ValueError("ModelParallel: `layout_map` is required: a LayoutMap from "
                             "variable-path patterns to layouts over a DeviceMesh.")
        if not isinstance(layout_map, LayoutMap):
            raise TypeError(f"ModelParallel: `layout_map` must be a LayoutMap. Received: "
                            f"{layout_map!r} of type {type(layout_map).__name__}")
        if mesh is not None and mesh is not layout_map.device_mesh:
            raise ValueError("ModelParallel: `device_mesh` differs from the layout map's mesh; "
                             "the layout map's mesh is used. Drop `device_mesh=`.")
        device_mesh = layout_map.device_mesh
        super().__init__(device_mesh, batch_dim_name or device_mesh.axis_names[0],
                         auto_shard_dataset)
        self._layout_map = layout_map
        replicas = self.num_model_replicas
        if self._num_processes > replicas and self._num_processes % replicas:
            raise ValueError(f"ModelParallel: {self._num_processes} processes cannot share "
                             f"{replicas} model replicas (the size of mesh axis "
                             f"'{self._batch_dim_name}'): with more processes than replicas, "
                             "the number of processes must be a multiple of the number of "
                             f"replicas. Got num_processes={self._num_processes}, "
                             f"num_model_replicas={replicas}.")

    @property
    def layout_map(self):
        return self._layout_map

    def get_variable_layout(self, variable):
        layout = getattr(variable, "_layout", None)
        if layout is not None:
            return layout
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return TensorLayout((None,) * len(variable.shape), self._device_mesh)

    def get_tensor_layout(self, path):
        return self._layout_map[path]

    def get_config(self):
        return {"layout_map": self._layout_map.get_config(),
                "batch_dim_name": self._batch_dim_name,
                "auto_shard_dataset": self._auto_shard_dataset}

    @classmethod
    def from_config(cls, config):
        return cls(layout_map=LayoutMap.from_config(config["layout_map"]),
                   batch_dim_name=config.get("batch_dim_name"),
                   auto_shard_dataset=config.get("auto_shard_dataset", True))


def distribution():
    """The current distribution (set by `set_distribution` or a `scope()`), or None.

    >>> distribution() is None
    True
    """
    return _STATE["distribution"]


def set_distribution(value):
    """Make `value` (a Distribution, or None to clear) the current distribution.

    Args:
        value: A `DataParallel`, `ModelParallel` (any `Distribution`) or None.
    """
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"set_distribution: expected a Distribution (DataParallel, "
                        f"ModelParallel) or None. Received: {value!r}")
    _STATE["distribution"] = value


def distribute_tensor(tensor, layout):
    """`tensor` laid out by `layout`: placed on the mesh's devices, or, inside a compiled
    function, constrained to that layout (the compiler inserts the communication).

    Args:
        tensor: A tensor.
        layout: A `TensorLayout` with a device mesh (or a backend sharding).

    Returns:
        The laid-out tensor, with the same values.

    >>> mesh = DeviceMesh((1,), ["batch"], devices=list_devices("cpu")[:1])
    >>> distribute_tensor(np.ones((2, 3)), TensorLayout(("batch", None), mesh)).shape
    (2, 3)
    """
    from lamina.ops.symbolic import KerasTensor  # symbolic tensors carry no placement
    if isinstance(tensor, KerasTensor):
        return tensor
    if isinstance(layout, TensorLayout):
        layout.backend_layout  # noqa: B018 (raises the clear error when no mesh is set)
        layout.check_shape(np.shape(tensor), "distribute_tensor")
        layout = layout.backend_layout
    return _backend().distribute_tensor(tensor, layout)


# -- entry points for the trainer ------------------------------------------------------------------
def _require(dist, what):
    dist = distribution() if dist is None else dist
    if dist is None:
        raise ValueError(f"{what}: no distribution is set. Call `set_distribution(...)`, use "
                         "`with distribution.scope():`, or pass `distribution=`.")
    if not isinstance(dist, Distribution):
        raise TypeError(f"{what}: `distribution` must be a Distribution (DataParallel, "
                        f"ModelParallel). Received: {dist!r}")
    return dist


def _map_leaves(fn, data):
    if isinstance(data, dict):
        return type(data)((k, _map_leaves(fn, v)) for k, v in data.items())
    if isinstance(data, (list, tuple)):
        items = [_map_leaves(fn, v) for v in data]
        return type(data)(*items) if hasattr(data, "_fields") else type(data)(items)
    return None if data is None else fn(data)


def _place_variable(variable, layout, dist):
    if layout.device_mesh is None:
        layout.device_mesh = dist.device_mesh
    layout.check_shape(variable.shape, f"{type(dist).__name__}: variable '{variable.path}'")
    value = _backend().distribute_tensor(variable.value, layout.backend_layout)
    variable._value = value  # storage itself: `assign` would convert (and may copy) the value
    variable._layout = layout


def _slot_owner(slot, owners):
    """The trained variable an optimizer slot belongs to (slots are named
    "<owner path with '/' as '_'>_<kind>" and shaped like their owner), or None."""
    best = None
    for prefix, owner in owners.items():
        if slot.name.startswith(prefix + "_") and tuple(slot.shape) == tuple(owner.shape) \
                and (best is None or len(prefix) > len(best[0])):
            best = (prefix, owner)
    return None if best is None else best[1]


def distribute_model_variables(model, distribution=None):
    """Place every variable of `model` (and of its optimizer and metrics) by its layout.

    Model variables take `distribution.get_variable_layout` (LayoutMap match on `path`,
    replicated by default); optimizer slots are laid out like the variable they belong to, and
    other optimizer and metric variables are replicated. Call it once the model and optimizer
    are built; compiled steps then keep these layouts.

    Args:
        model: A built model (or layer).
        distribution: The Distribution; defaults to the current one.

    Returns:
        A dict from variable path to the `TensorLayout` used.

    >>> layouts = distribute_model_variables(model, DataParallel())  # doctest: +SKIP
    """
    dist = _require(distribution, "distribute_model_variables")
    if not getattr(model, "built", True):
        raise ValueError(f"distribute_model_variables: model '{getattr(model, 'name', model)}' "
                         "is not built. Build it first (call it on data, or `model.build(shape)`).")
    used = {}
    for variable in model.variables:
        layout = dist.get_variable_layout(variable)
        _place_variable(variable, layout, dist)
        used[variable.path] = layout
    owners = {v.path.replace("/", "_").replace(":", "_"): v for v in model.trainable_variables}
    optimizer = getattr(model, "optimizer", None)
    others = list(optimizer.variables) if getattr(optimizer, "built", False) else []
    for metric in getattr(model, "metrics", None) or []:
        others.extend(getattr(metric, "variables", []))
    for variable in others:
        owner = _slot_owner(variable, owners)
        layout = (TensorLayout(owner._layout.axes, dist.device_mesh) if owner is not None
                  else TensorLayout((None,) * len(variable.shape), dist.device_mesh))
        _place_variable(variable, layout, dist)
        used[variable.path] = layout
    return used


def _data_shards(dist):
    mesh = dist.device_mesh
    return (mesh.axis_size(dist.batch_dim_name),
            _backend().local_axis_size(mesh.backend_mesh, dist.batch_dim_name))


def distribute_data(data, distribution=None):
    """Lay a batch out over the mesh: its leading (batch) axis split along the batch axis.

    With one process, `data` is the global batch. With several, each process passes its own
    rows (from `process_shard`) and gets back the global batch, split over every process's
    devices. Inside a compiled function it constrains the batch's layout instead.

    Args:
        data: An array, or a list/tuple/dict of arrays (None entries stay None).
        distribution: The Distribution; defaults to the current one.

    Returns:
        `data` with every array laid out over the mesh.

    Raises:
        ValueError: when the global batch does not divide into the data shards.

    >>> x = distribute_data(np.ones((8, 3)), DataParallel())  # doctest: +SKIP
    """
    dist = _require(distribution, "distribute_data")
    shards, local_shards = _data_shards(dist)

    def place(x):
        shape = tuple(np.shape(x))
        if not shape:
            raise ValueError("distribute_data: a scalar has no batch axis to split. Pass arrays "
                             "whose first axis is the batch.")
        layout = dist.get_data_layout(shape)
        traced = _backend().is_traced(x)
        batch = shape[0] if traced else shape[0] * shards // local_shards
        if batch % shards or (not traced and shape[0] % local_shards):
            raise ValueError(f"distribute_data: the global batch of {batch} rows does not "
                             f"divide into the {shards} data shards of mesh axis "
                             f"'{dist.batch_dim_name}'. Use a global batch size that is a "
                             f"multiple of {shards}.")
        if traced:
            return _backend().distribute_tensor(x, layout.backend_layout)
        return _backend().distribute_data_input(x, layout.backend_layout)

    return _map_leaves(place, data)


def replicate(data, distribution=None):
    """Place whole arrays on every device of the mesh: in-memory datasets that compiled code
    indexes into (it then lays each batch out with `distribute_data`). With several processes,
    every process must pass the same arrays.

    Args:
        data: An array, or a list/tuple/dict of arrays (None entries stay None).
        distribution: The Distribution; defaults to the current one.

    Returns:
        `data` with every array on every device.

    >>> replicate(np.arange(3), DataParallel()).shape  # doctest: +SKIP
    (3,)
    """
    dist = _require(distribution, "replicate")

    def place(x):
        layout = TensorLayout((None,) * np.ndim(x), dist.device_mesh)
        return _backend().distribute_tensor(x, layout.backend_layout)

    return _map_leaves(place, data)


def check_global_batch_size(batch_size, distribution=None):
    """The rows each data shard gets from a global batch of `batch_size`; a ValueError naming
    both numbers when the batch does not divide into the mesh's data shards.

    Args:
        batch_size: The global batch size (an int).
        distribution: The Distribution; defaults to the current one.

    Returns:
        `batch_size // number_of_data_shards`.

    >>> check_global_batch_size(64, DataParallel())  # doctest: +SKIP
    8
    """
    dist = _require(distribution, "check_global_batch_size")
    shards = dist.device_mesh.axis_size(dist.batch_dim_name)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1 or batch_size % shards:
        raise ValueError(f"The global batch size {batch_size!r} does not divide into the "
                         f"{shards} data shards of mesh axis '{dist.batch_dim_name}' ({dist}). "
                         f"Use a batch size that is a multiple of {shards}.")
    return int(batch_size) // shards


def process_shard(data, batch_size=None, distribution=None):
    """This process's rows of host data: what it feeds to `distribute_data`.

    Processes that hold parts of the same model replicas feed the same rows. Without
    `batch_size` the rows split into contiguous blocks; with it, every global batch of
    `batch_size` rows splits, so that the batches `distribute_data` rebuilds are exactly the
    global batches of the undivided data. With one process the data comes back unchanged.

    Args:
        data: A NumPy array, or a list/tuple/dict of them (None entries stay None).
        batch_size: Optional global batch size.
        distribution: The Distribution; defaults to the current one (or, without one, an even
            split among processes).

    Returns:
        `data` with only this process's rows.

    >>> process_shard(np.arange(8))  # one process: unchanged
    array([0, 1, 2, 3, 4, 5, 6, 7])
    """
    dist = _STATE["distribution"] if distribution is None else distribution
    if dist is None:
        count, index = num_processes(), process_id()
    else:
        count, index = dist.num_data_shards, dist.data_shard_id
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"process_shard: `batch_size` must be a positive int or None. "
                         f"Received: batch_size={batch_size!r}")
    if count == 1:
        return data

    def take(x):
        x = np.asarray(x)
        n = x.shape[0] if x.ndim else 0
        block = batch_size or n
        if n % block or block % count:
            raise ValueError(f"process_shard: {n} rows in batches of {block} do not divide "
                             f"among the {count} processes feeding data. Use a (global) batch "
                             f"size that is a multiple of {count} and a number of rows that is "
                             f"a multiple of the batch size.")
        part = block // count
        return x.reshape(n // block, block, *x.shape[1:])[:, index * part:(index + 1) * part] \
            .reshape(n // count, *x.shape[1:])

    return _map_leaves(take, data)


def is_chief():
    """Whether this is process 0, the one that writes checkpoints and logs.

    >>> is_chief()
    True
    """
    return process_id() == 0


def gather(tensor):
    """A NumPy copy of a whole (possibly split) tensor, on every process: what saving writes.

    Args:
        tensor: A tensor or Variable.

    Returns:
        A NumPy array.

    >>> gather(np.arange(3)).tolist()
    [0, 1, 2]
    """
    value = getattr(tensor, "value", tensor)
    return _backend().to_host(value)


__all__ = ["DEFAULT_BATCH_DIM_NAME", "DataParallel", "DeviceMesh", "Distribution", "LayoutMap",
           "ModelParallel", "TensorLayout", "check_global_batch_size", "distribute_data",
           "distribute_model_variables", "distribute_tensor", "distribution", "gather",
           "get_device_count", "initialize", "is_chief", "list_devices", "num_processes",
           "process_id", "process_shard", "replicate", "set_distribution"]
