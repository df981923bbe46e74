"""Model weights in Keras 3's HDF5 layout, shared by `.weights.h5` files and `.keras` archives.

Each object with state gets a group `<path>/vars` (attribute `name`) holding its variables as
datasets "0", "1", ...; the model's own variables sit in the root group `vars`. Paths follow
Keras's walk of the model: a Sequential or Functional model lists its layers under `layers/`,
each named after its class in snake_case with `_1`, `_2`, ... for repeats (`layers/dense_1`),
in Keras's layer order; other layers and subclassed models name children by attribute
(`d1/vars`, `blocks/dense_1/vars`); a compiled model's optimizer follows as `optimizer/vars`.

Reading never follows links out of the file, never reads external or virtual datasets and
accepts only plain numeric datasets, so a weights file cannot make lamina read other files.
"""

import contextlib
import os
import tempfile
import warnings

import numpy as np

from lamina import backend
from lamina.saving.errors import LoadError
from lamina.utils.naming import to_snake_case

WEIGHTS_SUFFIX = ".weights.h5"
# The biggest single dataset lamina reads; a larger one is refused before any memory is used.
MAX_DATASET_BYTES = 1 << 36
_NUMERIC_KINDS = "biuf"
# Trainer bookkeeping that holds no weights Keras would save.
_SKIPPED_ATTRIBUTES = {"_layers", "_compile_loss", "_compile_metrics", "_steps",
                       "_predict_only_steps", "history"}


def _h5py():
    try:
        import h5py
    except ImportError as error:  # pragma: no cover - h5py is a dependency
        raise ImportError("Saving and loading weights needs h5py: pip install h5py") from error
    return h5py


# -- walking the model ----------------------------------------------------------------------------
def _is_saveable(obj):
    from lamina.layers.layer import Layer
    from lamina.optimizers.optimizer import Optimizer
    return isinstance(obj, (Layer, Optimizer))


def _name_key(name):
    # Keras visits private attributes after public ones.
    return f"~{name}" if name.startswith("_") else name


def _join(path, name):
    return f"{path}/{name}" if path else name


def keras_layer_order(model):
    """A Functional model's layers in Keras's order: deepest first, ties in the order a
    depth-first walk from the outputs first meets them."""
    inputs = model._inputs
    first_seen, post_order, done = {}, [], set()

    def visit(tensor):
        node = tensor.node
        if id(node) in done:
            return
        first_seen.setdefault(id(node.operation), len(first_seen))
        is_input = any(tensor is x for x in inputs)
        if not is_input:
            for parent in node.inputs:
                visit(parent)
        done.add(id(node))
        post_order.append(node)

    for output in model._outputs:
        visit(output)
    for x in inputs:
        if id(x.node) not in done:  # an input no output depends on
            first_seen.setdefault(id(x.node.operation), len(first_seen))
            post_order.insert(0, x.node)
            done.add(id(x.node))
    node_depth, op_depth, ops = {}, {}, {}
    in_graph = {id(n) for n in post_order}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(id(node), 0), op_depth.get(id(node.operation), 0))
        op_depth[id(node.operation)] = depth
        ops[id(node.operation)] = node.operation
        node_depth[id(node)] = depth
        if any(node is x.node for x in inputs):
            continue
        for parent in node.inputs:
            if id(parent.node) in in_graph:
                node_depth[id(parent.node)] = max(depth + 1, node_depth.get(id(parent.node), 0))
    order = sorted(ops, key=lambda k: (-op_depth[k], first_seen[k]))
    from lamina.layers.layer import Layer
    return [ops[k] for k in order if isinstance(ops[k], Layer)]


def _children(obj):
    """`(attribute, child)` pairs of a saveable, in the order Keras visits them."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential
    if isinstance(obj, (Sequential, Functional)):
        layers = keras_layer_order(obj) if isinstance(obj, Functional) else obj.layers
        children = [("layers", layers)]
        if getattr(obj, "optimizer", None) is not None:
            children.append(("optimizer", obj.optimizer))
        return children
    if not hasattr(obj, "_layers"):  # optimizers hold no nested saveables
        return []
    attributes = vars(obj)
    names = sorted((k for k in attributes if k not in _SKIPPED_ATTRIBUTES), key=_name_key)
    return [(k, attributes[k]) for k in names]


def walk(model):
    """`(path, object)` for each object with state, in Keras's order and with Keras's paths."""
    visited, out = set(), []

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for name, child in _children(obj):
            if _is_saveable(child):
                visit(child, _join(path, name))
            elif isinstance(child, (list, tuple, dict)):
                visit_container(child, _join(path, name), set())

    def visit_container(container, path, seen):
        if id(container) in seen:
            return
        seen.add(id(container))
        used = {}
        items = container.values() if isinstance(container, dict) else container
        for item in items:
            if _is_saveable(item):
                visit(item, _join(path, _unique(to_snake_case(type(item).__name__), used)))
            elif isinstance(item, (list, tuple, dict)):
                visit_container(item, _join(path, _unique("container", used)), seen)

    visit(model, "")
    return out


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def own_variables(obj, model=None):
    """The variables an object saves itself: a layer's own trainable then non-trainable ones
    (not its sublayers'), or all of an optimizer's, with slots in Keras's variable order."""
    from lamina.optimizers.optimizer import Optimizer
    if isinstance(obj, Optimizer):
        return _optimizer_variables_in_keras_order(obj, model)
    own = obj.__dict__.get("_variables", [])
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


def _keras_trainable_variables(layer):
    """`layer.trainable_variables` as Keras orders them (Functional layers in Keras's order)."""
    from lamina.models.functional import Functional
    if not layer.trainable:
        return []
    sublayers = keras_layer_order(layer) if isinstance(layer, Functional) else layer._layers
    found, seen = [v for v in layer._variables if v.trainable], set()
    for sublayer in sublayers:
        found += _keras_trainable_variables(sublayer)
    return [v for v in found if not (id(v) in seen or seen.add(id(v)))]


def _optimizer_variables_in_keras_order(optimizer, model):
    """The optimizer's variables, with the slots permuted to follow Keras's order of the model's
    trainable variables (lamina builds the optimizer in its own order, which can differ for
    Functional models with branches)."""
    variables = list(optimizer.variables)
    built_for = getattr(optimizer, "_trainable_variables", [])
    if model is None or not optimizer.built or not built_for:
        return variables
    keras_order = _keras_trainable_variables(model)
    if [id(v) for v in keras_order] == [id(v) for v in built_for] or \
            {id(v) for v in keras_order} != {id(v) for v in built_for}:
        return variables
    # A twin built in Keras's order names its slots like ours (from the same variables), so
    # matching names gives the permutation without knowing how the optimizer lays out slots.
    try:
        twin = type(optimizer).from_config(optimizer.get_config())
        twin.build(keras_order)
    except Exception:  # noqa: BLE001 - an optimizer that cannot be cloned keeps its own order
        return variables
    by_name = {v.name: v for v in variables}
    names = [v.name for v in twin.variables]
    if len(by_name) != len(variables) or sorted(names) != sorted(by_name):
        return variables
    return [by_name[n] for n in names]


def _describe(obj):
    from lamina.optimizers.optimizer import Optimizer
    kind = "optimizer" if isinstance(obj, Optimizer) else type(obj).__name__
    return f"{kind} '{obj.name}'"


# -- writing --------------------------------------------------------------------------------------
def _values_to_save(obj, model):
    if hasattr(obj, "save_own_variables") and not _uses_default_store(obj):
        store = {}
        obj.save_own_variables(store)
        return [np.asarray(store[k]) for k in sorted(store, key=int)]
    return [backend.convert_to_numpy(v.value) for v in own_variables(obj, model)]


def _uses_default_store(obj):
    # Optimizers store `variables` in order, which is what the default path writes too.
    from lamina.optimizers.optimizer import Optimizer
    return isinstance(obj, Optimizer) or not hasattr(obj, "save_own_variables")


def write_weights(model, h5file):
    """Write every object's variables into an open, empty `h5py.File`."""
    for path, obj in walk(model):
        group = h5file.create_group(_join(path, "vars"))
        group.attrs["name"] = obj.name
        for i, value in enumerate(_values_to_save(obj, model)):
            group.create_dataset(str(i), data=value)


# -- reading --------------------------------------------------------------------------------------
def _safe_child(group, name, what):
    """`group[name]` if it is a hard link inside this file, else a clear error."""
    h5py = _h5py()
    link = group.get(name, getlink=True)
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise LoadError(f"Refused to read weights: '{group.name}/{name}' is a "
                         f"{type(link).__name__}, which points outside the file's own data. "
                         f"lamina reads only plain {what}s stored in the file.")
    return group[name]


def _read_dataset(dataset):
    h5py = _h5py()
    if not isinstance(dataset, h5py.Dataset):
        raise LoadError(f"Refused to read weights: '{dataset.name}' is not a dataset.")
    if dataset.is_virtual or dataset.external:
        raise LoadError(f"Refused to read weights: dataset '{dataset.name}' stores its data in "
                        "other files (virtual or external storage); lamina reads only data "
                        "stored in the weights file itself.")
    if dataset.dtype.kind not in _NUMERIC_KINDS:
        raise LoadError(f"Refused to read weights: dataset '{dataset.name}' has dtype "
                        f"{dataset.dtype}, expected a numeric (bool, int or float) dtype.")
    if dataset.size * dataset.dtype.itemsize > MAX_DATASET_BYTES:
        raise LoadError(f"Refused to read weights: dataset '{dataset.name}' declares "
                        f"{dataset.size * dataset.dtype.itemsize} bytes, more than the limit of "
                        f"{MAX_DATASET_BYTES}.")
    return dataset[()]


def _read_group(h5file, path):
    """The datasets of `<path>/vars` as a list ordered by index, or None when it is absent."""
    group = h5file
    for part in [p for p in path.split("/") if p] + ["vars"]:
        group = _safe_child(group, part, "group")
        if group is None:
            return None
    h5py = _h5py()
    if not isinstance(group, h5py.Group):
        raise LoadError(f"Refused to read weights: '{group.name}' is not a group.")
    keys = list(group.keys())
    if sorted(keys, key=lambda k: (len(k), k)) != [str(i) for i in range(len(keys))]:
        raise LoadError(f"Weights group '{group.name}' should hold datasets named 0..."
                        f"{len(keys) - 1}; found {sorted(keys)}.")
    datasets = [_safe_child(group, str(i), "dataset") for i in range(len(keys))]
    for dataset in datasets:
        if not isinstance(dataset, h5py.Dataset):
            raise LoadError(f"Weights group '{group.name}': '{dataset.name}' should be a dataset "
                            f"(an array), found a {type(dataset).__name__}.")
    return datasets


def _all_dataset_paths(h5file):
    h5py = _h5py()
    paths = []

    def visit(group, prefix):
        for name in group:
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                continue
            child = group[name]
            if isinstance(child, h5py.Group):
                visit(child, _join(prefix, name))
            else:
                paths.append(_join(prefix, name))

    visit(h5file, "")
    return paths


class _Mismatch(LoadError):
    pass


def _load_object(obj, path, datasets, model):
    variables = own_variables(obj, model)
    where = f"(file group '{_join(path, 'vars')}')"
    if len(datasets) != len(variables):
        names = [v.name for v in variables]
        raise _Mismatch(f"{_describe(obj)} {where} expects {len(variables)} variables {names}, "
                        f"the file holds {len(datasets)}.")
    for variable, dataset in zip(variables, datasets):
        if tuple(dataset.shape) != tuple(variable.shape):
            raise _Mismatch(f"{_describe(obj)} {where}: variable '{variable.name}' has shape "
                            f"{tuple(variable.shape)}, the file holds shape "
                            f"{tuple(dataset.shape)}.")
    values = [_read_dataset(d) for d in datasets]
    if hasattr(obj, "load_own_variables") and not _uses_default_store(obj):
        obj.load_own_variables({str(i): v for i, v in enumerate(values)})
        return
    for variable, value in zip(variables, values):
        variable.assign(value.astype(variable.dtype) if value.dtype != variable.dtype else value)


def _prepare_optimizer(model, h5file):
    """Build a compiled model's optimizer when the file holds its slots and it has none yet."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or optimizer.built:
        return
    saved = _read_group(h5file, "optimizer")
    if saved is not None and len(saved) > len(optimizer.variables) and model.built:
        optimizer.build(model.trainable_variables)


def read_weights(model, h5file, skip_mismatch=False):
    """Load every object's variables from an open `h5py.File` written in Keras's layout.

    Raises a ValueError naming the layer, variable and shapes on a mismatch, and listing the
    missing or extra weights; with `skip_mismatch=True` such objects are skipped with a warning.
    """
    _prepare_optimizer(model, h5file)
    problems, used = [], set()
    has_optimizer = getattr(model, "optimizer", None) is not None
    for path, obj in walk(model):
        datasets = _read_group(h5file, path)
        is_optimizer = not hasattr(obj, "_layers")
        if datasets is None:
            if own_variables(obj) and not is_optimizer:
                problems.append(f"{_describe(obj)}: the file has no weights for it (expected "
                                f"group '{_join(path, 'vars')}' with "
                                f"{len(own_variables(obj))} variables).")
            continue
        used.update(_join(_join(path, "vars"), str(i)) for i in range(len(datasets)))
        try:
            _load_object(obj, path, datasets, model)
        except _Mismatch as error:
            if is_optimizer:
                warnings.warn(f"Skipped loading the optimizer state: {error} Train one step or "
                              "build the optimizer before loading.", stacklevel=3)
                continue
            problems.append(str(error))
    extra = [p for p in _all_dataset_paths(h5file)
             if p not in used and not (p.startswith("optimizer/") and not has_optimizer)]
    if extra:
        problems.append(f"The file holds weights that match no variable of the model: {extra}.")
    if problems:
        message = ("Could not load all weights into model "
                   f"'{model.name}':\n- " + "\n- ".join(problems))
        if skip_mismatch:
            warnings.warn(message + "\nThese were skipped (skip_mismatch=True).", stacklevel=3)
        else:
            raise LoadError(message + "\nCheck that the model is built the same way as the one "
                            "that saved the file, or pass skip_mismatch=True to skip them.")


# -- files ----------------------------------------------------------------------------------------
def _file_mode():
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(filepath, write, overwrite=True, what="file"):
    """Run `write(tmp_path)` on a temporary file next to `filepath`, then move it into place.

    A failure leaves any existing file untouched and removes the temporary file.
    """
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"Not saving the {what}: '{filepath}' exists and overwrite=False. "
                              "Pass overwrite=True to replace it, or choose another path.")
    directory = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot save the {what} to '{filepath}': the folder "
                                f"'{directory}' does not exist. Create it first.")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(filepath)}.",
                               suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def _check_built(model, action):
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so it has no weights to {action}. "
                         "Call it on data, or call model.build(input_shape), first.")


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Write the model's weights (and a compiled model's optimizer state) to a `.weights.h5` file.

    Args:
        model: A built lamina model.
        filepath: Path ending in `.weights.h5`.
        overwrite: Whether to replace an existing file; False raises FileExistsError.
        max_shard_size: Not supported yet; must be None.

    Returns:
        None. The file is written atomically (temporary file, then rename).

    >>> model.save_weights("model.weights.h5")  # doctest: +SKIP
    """
    filepath = os.fspath(filepath)
    if max_shard_size is not None:
        raise ValueError("save_weights: `max_shard_size` (sharded .weights.json files) is not "
                         f"supported by lamina yet. Received: max_shard_size={max_shard_size!r}. "
                         "Pass max_shard_size=None to write one .weights.h5 file.")
    if not filepath.endswith(WEIGHTS_SUFFIX):
        raise ValueError("save_weights: the filename must end in `.weights.h5` (use model.save() "
                         f"with a `.keras` path for the whole model). Received: filepath={filepath}")
    _check_built(model, "save")
    h5py = _h5py()

    def write(tmp):
        with h5py.File(tmp, "w") as h5file:
            write_weights(model, h5file)

    atomic_write(filepath, write, overwrite=overwrite, what="weights")


def load_weights(model, filepath, skip_mismatch=False):
    """Load weights from a `.weights.h5` file, a `.keras` archive or a Keras 1/2 `.h5` file.

    Args:
        model: A built lamina model with the architecture that saved the file.
        filepath: Path ending in `.weights.h5` or `.keras`, or a Keras 1/2 `.h5` weights or
            model file (matched by layer order and converted by `legacy_h5`).
        skip_mismatch: Whether to skip (with a warning) layers whose weights do not match.

    Returns:
        None.

    >>> model.load_weights("model.weights.h5")  # doctest: +SKIP
    """
    import io

    from lamina.saving import archive, legacy_h5
    from lamina.saving.errors import loading
    filepath = os.fspath(filepath)
    if filepath.endswith(archive.KERAS_SUFFIX):
        _check_built(model, "load into")
        with loading(f"'{filepath}'"):
            data = archive.read_member(filepath, archive.WEIGHTS_MEMBER)
            with _h5py().File(io.BytesIO(data), "r") as h5file:
                read_weights(model, h5file, skip_mismatch=skip_mismatch)
        return
    if not filepath.endswith((".h5", ".hdf5")):
        raise ValueError("load_weights: the filename must end in `.weights.h5` or `.keras` (or "
                         f"`.h5` for a Keras 1/2 weights file). Received: filepath={filepath}")
    _check_built(model, "load into")
    if not os.path.isfile(filepath):
        raise FileNotFoundError(f"load_weights: no file at '{filepath}'.")
    with loading(f"'{filepath}'"):
        with _h5py().File(filepath, "r") as h5file:
            legacy = legacy_h5.is_legacy_weights(h5file)
            if not legacy:
                read_weights(model, h5file, skip_mismatch=skip_mismatch)
        if legacy:  # Keras 1/2 layout (`layer_names`), whatever the file is called
            legacy_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch)
