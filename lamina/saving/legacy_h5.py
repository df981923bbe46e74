"""Keras 1.x/2.x files: whole-model `.h5` files, `save_weights` `.h5` files and `to_json` strings.

The HDF5 layout of that era: root attributes `keras_version`, `backend`, `model_config` (JSON of
`{"class_name": "Sequential"|"Model"|"Functional", "config": ...}`) and optionally
`training_config`; a group `model_weights` (the root itself in a `save_weights` file) whose
attribute `layer_names` lists one group per layer, each with an attribute `weight_names` naming
its datasets (Keras 2: `dense_1/kernel:0`, Keras 1: `dense_1_W`). Old class and argument names
become today's through `lamina.legacy` (`Convolution2D(nb_filter=, dim_ordering="th")` ->
`Conv2D(filters=, data_format="channels_first")`), and weights today's layouts:

- Keras 1 LSTM: 12 arrays (W, U, b for gates i, c, f, o) -> kernel, recurrent_kernel, bias in
  today's gate order i, f, c, o. Keras 1 GRU: 9 arrays (gates z, r, h) -> a GRU with
  reset_after=False (the era's GRU).
- Keras 1 kernels with dim_ordering "th": (filters, channels, rows, cols) -> (rows, cols,
  channels, filters); Keras 1 Conv1D (length, 1, channels, filters) -> (length, channels,
  filters). Files whose `backend` attribute is "theano" hold kernels of a true convolution, so
  they are flipped spatially (TensorFlow and lamina correlate). A file without the attribute is
  taken as not Theano, as Keras 2 did.
- Keras 1 BatchNormalization's `running_std`: from Keras 1.2 (mode 0) it holds the moving
  *variance* under that name and loads as `moving_variance` unchanged. Files of Keras 1.0/1.1
  held a true standard deviation `s` used as `(x - mean) / (s + epsilon)`; it loads as
  `(s + epsilon) ** 2 - epsilon`, which gives the same outputs.

Safety is the same as for `.keras` files (Keras's CVE-2025-9905 was .h5 loading that ignored
safe mode): class names resolve only through lamina's tables, `custom_objects` and registered
classes; code in the file (a Lambda's or Merge's marshalled function, `function_type: "lambda"`)
is refused unless `safe_mode=False`; a named function is looked up only in `custom_objects`;
datasets are read only from the file itself; nothing is unpickled or imported.
"""

import builtins
import codecs
import contextlib
import io
import json
import marshal
import os
import re
import types
import warnings

import numpy as np

from lamina.saving import serialization, weights_h5
from lamina.saving.errors import LoadError, loading

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_CONFIG_BYTES = 64 << 20
_MODEL_CLASSES = ("Sequential", "Model", "Functional")
_INPUT_KEYS = ("batch_input_shape", "input_shape", "input_dim", "input_length", "input_dtype",
               "batch_size")
# Keras 2 config keys with no counterpart in today's layers (their era defaults change nothing).
_OBSOLETE_KEYS = ("time_major", "sparse", "ragged")
_CODE_TYPES = ("function_type", "mode_type", "output_shape_type", "output_mask_type")
_CONV_CLASSES = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose")


# -- detecting legacy files and configs -----------------------------------------------------------
def is_hdf5(filepath):
    """Whether `filepath` (a path or a seekable binary file) starts with HDF5's signature."""
    if hasattr(filepath, "read"):
        position = filepath.tell()
        head = filepath.read(len(HDF5_SIGNATURE))
        filepath.seek(position)
    else:
        with open(filepath, "rb") as f:
            head = f.read(len(HDF5_SIGNATURE))
    return head == HDF5_SIGNATURE


def is_legacy_config(config):
    """Whether a parsed `to_json()` config was written by Keras 1 or 2 (not Keras 3 / lamina)."""
    if not isinstance(config, dict):
        return False
    version = config.get("keras_version")
    if isinstance(version, str) and _major(version) in (1, 2):
        return True
    inner = config.get("config")
    if isinstance(inner, list):  # Keras 1 and early Keras 2 Sequential: a plain list of layers
        return True
    if isinstance(inner, dict) and isinstance(inner.get("layers"), list):
        return any(isinstance(node, list) for layer in inner["layers"] if isinstance(layer, dict)
                   for node in (layer.get("inbound_nodes") or []))
    return False


def is_legacy_weights(h5file):
    """Whether an open h5 file has Keras 1/2's layout (`layer_names`), not Keras 3's."""
    return _has_attr(h5file, "layer_names") or _has_attr(h5file, "model_config")


def _major(version):
    match = re.match(r"\s*(\d+)(?:\.(\d+))?", version or "")
    return int(match.group(1)) if match else None


class _Era:
    """What the file says about who wrote it: the Keras version and the backend."""

    def __init__(self, keras_version, backend):
        self.keras_version = keras_version or "1"  # files of early Keras 1 carry no version
        match = re.match(r"\s*(\d+)(?:\.(\d+))?", self.keras_version)
        self.major = int(match.group(1)) if match else 1
        self.minor = int(match.group(2) or 0) if match else 0
        self.backend = backend

    @classmethod
    def of(cls, config):
        version = config.get("keras_version") if isinstance(config, dict) else None
        backend = config.get("backend") if isinstance(config, dict) else None
        if not isinstance(version, str):
            version = "1" if isinstance(config.get("config"), list) else "2"
        return cls(version, backend if isinstance(backend, str) else None)


# -- reading h5 attributes ------------------------------------------------------------------------
def _has_attr(node, name):
    return name in node.attrs or f"{name}0" in node.attrs


def _text(value, what):
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    if isinstance(value, str):
        return value
    raise LoadError(f"Legacy Keras file: attribute {what} should be text, found "
                    f"{type(value).__name__}.")


def _attr_text(node, name):
    if name not in node.attrs:
        return None
    value = node.attrs[name]
    if isinstance(value, np.ndarray) and value.size * value.itemsize > MAX_CONFIG_BYTES:
        raise LoadError(f"Refused to load: attribute '{name}' is over {MAX_CONFIG_BYTES} bytes.")
    return _text(value, f"'{name}'")


def _attr_list(node, name):
    """A list-of-text attribute; Keras 2 splits long ones into `name0`, `name1`, ..."""
    if name in node.attrs:
        values = node.attrs[name]
        chunks = [values]
    else:
        chunks, i = [], 0
        while f"{name}{i}" in node.attrs:
            chunks.append(node.attrs[f"{name}{i}"])
            i += 1
    out = []
    for chunk in chunks:
        items = np.atleast_1d(np.asarray(chunk))
        if items.ndim != 1:
            raise LoadError(f"Legacy Keras file: attribute '{name}' of '{node.name}' should be a "
                            f"list of names, found shape {items.shape}.")
        out += [_text(v, f"'{name}' of '{node.name}'") for v in items]
    return out


def _child(group, path, what):
    """`group[path]` following only hard links inside the file, part by part."""
    node = group
    for part in [p for p in path.split("/") if p]:
        node = weights_h5._safe_child(node, part, what)
        if node is None:
            raise LoadError(f"Legacy Keras file: '{group.name}' lists '{path}', which the file "
                            "does not hold. The file is incomplete or damaged.")
    return node


# -- safe mode ------------------------------------------------------------------------------------
def _find_code(config, where="model_config"):
    """Where a legacy config carries marshalled Python code."""
    found = []
    if isinstance(config, dict):
        if config.get("class_name") == "__lambda__":
            found.append(where)
        found += [f"{where}.{key}" for key in _CODE_TYPES if config.get(key) == "lambda"]
        for key, value in config.items():
            found += _find_code(value, f"{where}.{key}")
    elif isinstance(config, list):
        for i, value in enumerate(config):
            found += _find_code(value, f"{where}[{i}]")
    return found


def check_safe(config, safe_mode, source):
    """Refuse code (or a request to turn safe mode off) in a legacy config in safe mode."""
    from lamina.saving.archive import find_safe_mode_switches
    if not safe_mode:
        return
    switches = find_safe_mode_switches(config)
    if switches:
        raise LoadError(f"Refused to load {source}: its config asks to turn safe mode off at "
                        f"{switches}. A file cannot change safe mode; if you trust it, pass "
                        "safe_mode=False to the loader.")
    code = _find_code(config)
    if code:
        raise LoadError(f"Refused to load {source}: it carries Python bytecode (a marshalled "
                        f"lambda of a Lambda or Merge layer) at {code}, and running it could "
                        "execute arbitrary code. If you trust the file, pass safe_mode=False "
                        "(bytecode only loads on the Python version that wrote it).")


def _function_from_bytecode(value, where):
    """A function from Keras 1/2's `func_dump`: `(code, defaults, closure)` (safe_mode=False)."""
    import lamina
    from lamina.legacy import backend as legacy_backend
    code, defaults, closure = (list(value) + [None, None])[:3] if isinstance(
        value, (list, tuple)) else (value, None, None)
    try:
        try:  # Keras 2 writes base64 of marshal.dumps; Keras 1 wrote it as raw_unicode_escape
            raw = codecs.decode(code.encode("ascii"), "base64")
        except ValueError:  # binascii.Error and UnicodeEncodeError are ValueErrors
            raw = code.encode("raw_unicode_escape")
        function_code = marshal.loads(raw)
        if not isinstance(function_code, types.CodeType):
            raise TypeError("not a code object")
    except (TypeError, ValueError, EOFError, AttributeError) as error:
        raise LoadError(f"{where}: the marshalled function cannot be loaded ({error}); bytecode "
                        "only loads on the Python version that wrote it. Pass the function as "
                        "custom_objects and rebuild the layer yourself.") from None
    cells = tuple(types.CellType(v) for v in closure) if closure else None
    env = {"__builtins__": builtins, "keras": lamina, "lamina": lamina, "K": legacy_backend,
           "ops": lamina.ops}
    return types.FunctionType(function_code, env, function_code.co_name,
                              tuple(defaults) if defaults else None, cells)


# -- configs -> layers ----------------------------------------------------------------------------
class _Context:
    """State of one conversion: the era, custom objects, and every layer made, by name."""

    def __init__(self, era, custom_objects, safe_mode):
        self.era = era
        self.custom_objects = custom_objects or {}
        self.safe_mode = safe_mode
        self.layers = {}  # name -> (layer, class name in the file, its config)

    def record(self, layer, class_name, config):
        self.layers.setdefault(layer.name, (layer, class_name, config))
        return layer


def _legacy_factories():
    from lamina.legacy import layers as legacy_layers
    table = {name: obj for name, obj in vars(legacy_layers).items()
             if isinstance(obj, legacy_layers.LegacyLayer)}
    table.update(TimeDistributedDense=legacy_layers.TimeDistributedDense,
                 MaxoutDense=legacy_layers.MaxoutDense, Highway=legacy_layers.Highway)
    return table


_KERAS1_OBJECTS = {"WeightRegularizer": "L1L2", "ActivityRegularizer": "L1L2", "L1L2": "L1L2",
                   "MaxNorm": "MaxNorm", "NonNeg": "NonNeg", "UnitNorm": "UnitNorm"}


def _keras1_object(value, where):
    """Keras 1's `{"name": "WeightRegularizer", "l2": 0.01}` as `{"class_name", "config"}`."""
    if not isinstance(value, dict) or "class_name" in value or "name" not in value:
        return value
    name = value["name"]
    if name not in _KERAS1_OBJECTS:
        raise LoadError(f"{where}: unknown Keras 1 regularizer or constraint {name!r}. Known: "
                        f"{sorted(_KERAS1_OBJECTS)}.")
    config = {k: v for k, v in value.items() if k != "name"}
    if name == "MaxNorm" and "m" in config:
        config["max_value"] = config.pop("m")
    return {"class_name": _KERAS1_OBJECTS[name], "config": config}


def era_hard_sigmoid(x):
    """Keras 1/2's hard sigmoid `clip(0.2 * x + 0.5, 0, 1)` (today's has slope 1/6).

    Registered as "lamina.legacy>hard_sigmoid", so a converted model saved again as `.keras`
    keeps the era's numbers instead of silently loading today's function under the same name.

    >>> era_hard_sigmoid(np.array([-5.0, 1.0])).tolist()  # doctest: +SKIP
    [0.0, 0.7]
    """
    from lamina.legacy.backend import hard_sigmoid
    return hard_sigmoid(x)


serialization.register_keras_serializable("lamina.legacy", "hard_sigmoid")(era_hard_sigmoid)
_ACTIVATION_KEYS = ("activation", "recurrent_activation", "inner_activation")


def _modernize_values(config, where):
    out = {}
    for key, value in config.items():
        if key in _ACTIVATION_KEYS and value == "hard_sigmoid":
            value = era_hard_sigmoid
        elif key.endswith(("regularizer", "constraint")):
            value = _keras1_object(value, f"{where}.{key}")
        elif key.endswith("initializer") and isinstance(value, dict) and value.get(
                "class_name") == "VarianceScaling" and isinstance(value.get("config"), dict) \
                and value["config"].get("distribution") == "normal":
            # Keras 2.0-2.2's "normal" was a truncated normal.
            value = {**value, "config": {**value["config"], "distribution": "truncated_normal"}}
        out[key] = value
    return out


def _entry(entry, where):
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise LoadError(f"{where}: expected a layer as {{'class_name': ..., 'config': ...}}, "
                        f"found {str(entry)[:120]}.")
    config = entry.get("config", {})
    if not isinstance(config, (dict, list)):
        raise LoadError(f"{where}: the config of {entry['class_name']!r} should be a dict, "
                        f"found {type(config).__name__}.")
    return entry["class_name"], config


def _input_of(class_name, config):
    """`(batch_shape, dtype)` for the Input before a first layer, or None when unknown."""
    shape = config.get("batch_input_shape")
    if shape is None and config.get("input_shape") is not None:
        shape = [None, *config["input_shape"]]
    elif shape is None and class_name == "Embedding" and "input_length" in config:
        shape = [None, config.get("input_length")]
    elif shape is None and config.get("input_dim") is not None and class_name != "Embedding":
        shape = ([None, config.get("input_length"), config["input_dim"]]
                 if "input_length" in config else [None, config["input_dim"]])
    if shape is None:
        return None
    if not isinstance(shape, (list, tuple)) or not all(
            d is None or (isinstance(d, int) and d >= 0) for d in shape):
        raise LoadError(f"Layer {config.get('name')!r}: input shape {shape!r} should be a list "
                        "of non-negative ints or nulls.")
    dtype = config.get("input_dtype") or config.get("dtype")
    return tuple(shape), dtype if isinstance(dtype, str) else None


def _lambda_layer(config, ctx, where):
    from lamina import layers

    def resolve(value, kind, label):
        if kind == "lambda":
            return _function_from_bytecode(value, f"{where}.{label}")
        if isinstance(value, str):
            found = serialization.get_registered_object(value, ctx.custom_objects)
            if found is None:
                raise LoadError(f"{where}: the Lambda uses function {value!r}, which lamina "
                                f"never looks up by module (the file names module "
                                f"{config.get('module')!r}). Pass custom_objects={{'{value}': "
                                "your_function}.")
            return found
        return value

    kind = config.get("function_type", "function")
    function = resolve(config.get("function"), kind, "function")
    output_shape = config.get("output_shape")
    output_shape = resolve(output_shape, config.get("output_shape_type", "raw"), "output_shape")
    if isinstance(output_shape, list):
        output_shape = tuple(output_shape)
    return layers.Lambda(function, output_shape=output_shape,
                         arguments=config.get("arguments") or None, name=config.get("name"))


def _merge_layer(config, where):
    from lamina.legacy.layers import merge_layer
    mode = config.get("mode", "sum")
    if not isinstance(mode, str):
        raise LoadError(f"{where}: Merge mode {mode!r} is code, not a name; it needs "
                        "safe_mode=False and the Python version that wrote it.")
    return merge_layer(mode, config.get("concat_axis", -1), config.get("dot_axes", -1),
                       name=config.get("name"))


def make_layer(entry, ctx, where="layer"):
    """Today's layer for one legacy `{"class_name", "config"}` entry."""
    from lamina import layers
    class_name, config = _entry(entry, where)
    where = f"{where} {config.get('name', class_name) if isinstance(config, dict) else ''}"
    if class_name in _MODEL_CLASSES:
        model = build_model(entry, ctx, where)
        return ctx.record(model, class_name, config)
    if not isinstance(config, dict):
        raise LoadError(f"{where}: the config of {class_name!r} should be a dict.")
    config = _modernize_values(config, where)
    keep_dim = class_name == "Embedding"
    kwargs = {k: v for k, v in config.items() if k not in _OBSOLETE_KEYS and not (
        k in _INPUT_KEYS and not (keep_dim and k == "input_dim"))}
    if class_name == "Lambda":
        layer = _lambda_layer(kwargs, ctx, where)
    elif class_name == "Merge":
        layer = _merge_layer(kwargs, where)
    else:
        if isinstance(kwargs.get("layer"), dict):  # TimeDistributed, Bidirectional
            kwargs["layer"] = make_layer(kwargs["layer"], ctx, f"{where}.layer")
        factory = _legacy_factories().get(class_name)
        if factory is not None:
            # The translation prints one line per old name for scripts; a file is not a script.
            with contextlib.redirect_stderr(io.StringIO()):
                layer = factory(**kwargs)
        else:
            layer = layers.deserialize({"class_name": class_name, "config": kwargs},
                                       custom_objects=ctx.custom_objects)
    return ctx.record(layer, class_name, config)


# -- configs -> models ----------------------------------------------------------------------------
def _sequential_graph(layer_list, ctx, where):
    """`(inputs, output)` tensors of a Keras 1 Sequential that starts with a Merge of branches."""
    _, config = _entry(layer_list[0], f"{where}[0]")
    inputs, outputs = [], []
    for i, branch in enumerate(config.get("layers") or []):
        branch_name, branch_config = _entry(branch, f"{where}.Merge.layers[{i}]")
        if branch_name != "Sequential":
            raise LoadError(f"{where}: Merge branches should be Sequential models, found "
                            f"{branch_name!r}.")
        branch_layers = branch_config if isinstance(branch_config, list) else \
            branch_config.get("layers")
        branch_inputs, output = _chain(branch_layers, ctx, f"{where}.Merge.layers[{i}]")
        inputs += branch_inputs
        outputs.append(output)
    if len(outputs) < 2:
        raise LoadError(f"{where}: a Merge of models needs at least two branches, found "
                        f"{len(outputs)}.")
    return inputs, ctx.record(_merge_layer(config, where), "Merge", config)(outputs)


def _chain(layer_list, ctx, where):
    """Input tensors and output of a list of layer entries applied in sequence."""
    from lamina import layers
    if not isinstance(layer_list, list) or not layer_list:
        raise LoadError(f"{where}: a Sequential config should list its layers, found "
                        f"{str(layer_list)[:120]}.")
    first_class, first_config = _entry(layer_list[0], f"{where}[0]")
    if first_class == "Merge" and isinstance(first_config.get("layers"), list):
        inputs, x = _sequential_graph(layer_list, ctx, where)
        rest = layer_list[1:]
    else:
        spec = _input_of(first_class, first_config) if isinstance(first_config, dict) else None
        if spec is None:
            raise LoadError(f"{where}: the first layer gives no input shape (batch_input_shape "
                            "or input_dim), so the model cannot be built.")
        x = layers.Input(batch_shape=spec[0], dtype=spec[1])
        inputs = [x]
        rest = layer_list[1:] if first_class == "InputLayer" else layer_list
    for i, entry in enumerate(rest):
        x = make_layer(entry, ctx, f"{where}[{i}]")(x)
    return inputs, x


def _sequential(config, ctx, where):
    import lamina
    from lamina import layers
    layer_list = config if isinstance(config, list) else config.get("layers")
    name = None if isinstance(config, list) else config.get("name")
    if not isinstance(layer_list, list) or not layer_list:
        raise LoadError(f"{where}: a Sequential config should list its layers.")
    first_class, first_config = _entry(layer_list[0], f"{where}[0]")
    if first_class == "Merge" and isinstance(first_config, dict) and isinstance(
            first_config.get("layers"), list):
        inputs, output = _chain(layer_list, ctx, where)
        return lamina.Model(inputs, output, name=name)
    spec = _input_of(first_class, first_config) if isinstance(first_config, dict) else None
    rest = layer_list[1:] if first_class == "InputLayer" else layer_list
    made = [make_layer(e, ctx, f"{where}[{i}]") for i, e in enumerate(rest)]
    # Without an input shape in the file the model stays unbuilt, as Keras 2's would.
    head = [layers.Input(batch_shape=spec[0], dtype=spec[1])] if spec is not None else []
    return lamina.Sequential(head + made, name=name)


def _ref(ref, where):
    if not (isinstance(ref, (list, tuple)) and len(ref) >= 3 and isinstance(ref[0], str)
            and isinstance(ref[1], int) and isinstance(ref[2], int)):
        raise LoadError(f"{where}: expected a tensor reference [layer_name, node_index, "
                        f"tensor_index], found {str(ref)[:120]}.")
    return ref[0], ref[1], ref[2]


def _functional(config, ctx, where):
    """A Keras 1/2 "Model" config: layers with `inbound_nodes` as `[[name, node, tensor, kw]]`."""
    import lamina
    from lamina import layers
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise LoadError(f"{where}: a Model config should have a 'layers' list.")
    outputs = {}  # layer name -> list of node outputs (each a list of tensors)
    pending = []
    for i, entry in enumerate(config["layers"]):
        class_name, layer_config = _entry(entry, f"{where}.layers[{i}]")
        name = entry.get("name") or (layer_config.get("name") if isinstance(
            layer_config, dict) else None)
        if not isinstance(name, str):
            raise LoadError(f"{where}.layers[{i}]: the layer has no name.")
        if class_name == "InputLayer":
            spec = _input_of(class_name, layer_config)
            if spec is None:
                raise LoadError(f"{where}: InputLayer {name!r} has no batch_input_shape.")
            outputs[name] = [[layers.Input(batch_shape=spec[0], dtype=spec[1], name=name)]]
            continue
        layer = make_layer({"class_name": class_name, "config": layer_config}, ctx,
                           f"{where}.layers[{i}]")
        outputs[name] = []
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise LoadError(f"{where}: inbound_nodes of {name!r} should be a list.")
        pending += [(name, layer, node) for node in nodes]
    while pending:  # shared layers may need a later layer's node first
        waiting = []
        for name, layer, node in pending:
            refs = [_ref(r, f"{where} {name}.inbound_nodes") for r in (
                node if isinstance(node, list) else [node])]
            if not all(r[0] in outputs and len(outputs[r[0]]) > r[1] for r in refs):
                waiting.append((name, layer, node))
                continue
            tensors = [outputs[r[0]][r[1]][r[2]] for r in refs]
            result = layer(tensors[0] if len(tensors) == 1 else tensors)
            outputs[name].append(list(result) if isinstance(result, (list, tuple)) else [result])
        if len(waiting) == len(pending):
            missing = sorted({r[0] for _, _, node in waiting for r in node
                              if isinstance(r, (list, tuple)) and r and r[0] not in outputs})
            raise LoadError(f"{where}: layers {[n for n, _, _ in waiting]} take inputs from "
                            f"layers that never produce them ({missing or 'a missing node'}).")
        pending = waiting

    def lookup(ref_list, what):
        if not isinstance(ref_list, list) or not ref_list:
            raise LoadError(f"{where}: '{what}' should list tensor references.")
        found = []
        for ref in ref_list:
            name, node_index, tensor_index = _ref(ref, f"{where}.{what}")
            try:
                found.append(outputs[name][node_index][tensor_index])
            except (KeyError, IndexError):
                raise LoadError(f"{where}.{what}: no tensor {list(ref)[:3]}.") from None
        return found[0] if len(found) == 1 else found

    return lamina.Model(lookup(config.get("input_layers"), "input_layers"),
                        lookup(config.get("output_layers"), "output_layers"),
                        name=config.get("name"))


def build_model(model_config, ctx, where="model_config"):
    """Today's model for a legacy `{"class_name": "Sequential"|"Model", "config": ...}`."""
    class_name, config = _entry(model_config, where)
    if class_name == "Sequential":
        return _sequential(config, ctx, where)
    if class_name in ("Model", "Functional"):
        return _functional(config, ctx, where)
    raise LoadError(f"{where}: a legacy model config should be a Sequential, Model or "
                    f"Functional, found {class_name!r}. Custom model classes of the era cannot be "
                    "rebuilt from their config; build the model in lamina and use load_weights.")


def model_from_config(config, custom_objects=None, safe_mode=True, source="the JSON config",
                      era=None):
    """A model (fresh weights) from a Keras 1/2 `to_json()` config; see the module docstring."""
    check_safe(config, safe_mode, source)
    ctx = _Context(era or _Era.of(config), custom_objects, safe_mode)
    with serialization.CustomObjectScope(custom_objects or {}):
        return build_model(config, ctx, f"{source}, model_config"), ctx


# -- weights --------------------------------------------------------------------------------------
def _file_layers(group):
    """`[(layer name, [(weight name, dataset)])]` of a Keras 1/2 weights group, in file order."""
    out = []
    for name in _attr_list(group, "layer_names"):
        layer_group = _child(group, name, "group")
        weight_names = _attr_list(layer_group, "weight_names")
        datasets = [(w, _child(layer_group, w, "dataset")) for w in weight_names]
        for weight_name, dataset in datasets:
            if not isinstance(dataset, weights_h5._h5py().Dataset):
                raise LoadError(f"Legacy Keras file: weight '{weight_name}' of layer '{name}' "
                                f"should be a dataset (an array), found a "
                                f"{type(dataset).__name__}.")
        out.append((name, datasets))
    return out


def _read(datasets):
    return [weights_h5._read_dataset(d) for _, d in datasets]


def _conv_kernel(kernel, layer, era):
    spatial = kernel.ndim - 2
    kind = type(layer).__name__
    if era.major == 1 and kind == "Conv1D" and kernel.ndim == 4 and kernel.shape[1] == 1:
        kernel = kernel[:, 0]  # Keras 1 ran Conv1D as a (length, 1) Conv2D
        spatial = 1
    elif era.major == 1 and getattr(layer, "data_format", None) == "channels_first" \
            and kernel.ndim >= 4:
        # Keras 1 "th" kernels: (filters, channels, *spatial) -> (*spatial, channels, filters)
        kernel = np.transpose(kernel, (*range(2, kernel.ndim), 1, 0))
    if era.backend == "theano":
        kernel = np.flip(kernel, axis=tuple(range(spatial)))
    return np.ascontiguousarray(kernel)


def convert_weights(layer, values, era):
    """A legacy layer's arrays in the layout of today's `layer` (see the module docstring)."""
    kind = type(layer).__name__
    if kind == "LSTM" and len(values) == 12:
        # File gates are i, c, f, o (3 arrays each); today's are i, f, c, o.
        blocks = [values[3 * g:3 * g + 3] for g in (0, 2, 1, 3)]
        values = [np.concatenate([b[k] for b in blocks], axis=-1) for k in range(3)]
    elif kind == "GRU" and len(values) == 9:
        blocks = [values[3 * g:3 * g + 3] for g in range(3)]  # z, r, h in both
        values = [np.concatenate([b[k] for b in blocks], axis=-1) for k in range(3)]
    elif kind in _CONV_CLASSES and values:
        values = [_conv_kernel(values[0], layer, era), *values[1:]]
    elif kind == "BatchNormalization" and len(values) == 4 and era.major == 1 and era.minor < 2:
        # Keras 1.0/1.1 kept a true std s used as (x - mean) / (s + eps).
        eps = layer.epsilon
        values = [*values[:3], (values[3] + eps) ** 2 - eps]
    return values


def _assign(layer, values, where):
    own = layer.weights
    if len(values) != len(own):
        raise LoadError(f"{where}: {type(layer).__name__} '{layer.name}' has {len(own)} weights "
                        f"{[w.name for w in own]}, the file holds {len(values)} arrays for it.")
    for variable, value in zip(own, values):
        if tuple(value.shape) != tuple(variable.shape):
            raise LoadError(f"{where}: {type(layer).__name__} '{layer.name}': weight "
                            f"'{variable.name}' has shape {tuple(variable.shape)}, the file "
                            f"holds shape {tuple(value.shape)} (after converting the era's "
                            "layout). The file was saved from a different architecture.")
    for variable, value in zip(own, values):
        variable.assign(value.astype(variable.dtype))


def _check_sizes(layer, datasets, where):
    """Refuse before reading when the element counts cannot match (conversions keep them)."""
    expected = sum(int(np.prod(w.shape)) for w in layer.weights)
    found = sum(int(np.prod(d.shape)) if d.shape is not None else 0 for _, d in datasets)
    if expected != found:
        shapes = {w: tuple(d.shape) if d.shape is not None else None for w, d in datasets}
        raise LoadError(f"{where}: {type(layer).__name__} '{layer.name}' has weights of shapes "
                        f"{[tuple(w.shape) for w in layer.weights]}, the file holds {shapes}. "
                        "The file was saved from a different architecture.")


def _by_prefix(model, datasets):
    """Split a nested model's datasets among its layers by weight-name prefix."""
    names = sorted((layer.name for layer in model.layers if layer.weights), key=len, reverse=True)
    split = {}
    for weight_name, dataset in datasets:
        owner = next((n for n in names if weight_name.startswith((f"{n}/", f"{n}_"))), None)
        if owner is None:
            raise LoadError(f"Legacy weights: '{weight_name}' of nested model '{model.name}' "
                            f"belongs to none of its layers {names}.")
        split.setdefault(owner, []).append((weight_name, dataset))
    return split


def _load_named(file_layers, ctx, where):
    """Whole-model files: each file group goes to the layer of the same name."""
    from lamina.models.model import Model
    loaded = set()
    for name, datasets in file_layers:
        if not datasets:
            continue
        if name not in ctx.layers:
            raise LoadError(f"{where}: the file holds weights for layer '{name}', which its "
                            f"model_config does not define (layers: {sorted(ctx.layers)}).")
        layer = ctx.layers[name][0]
        # A nested model's group holds all its layers' weights, named after those layers.
        parts = [(ctx.layers[n][0], d) for n, d in _by_prefix(layer, datasets).items()] \
            if isinstance(layer, Model) else [(layer, datasets)]
        for target, part in parts:
            _check_sizes(target, part, where)
            _assign(target, convert_weights(target, _read(part), ctx.era), where)
            loaded.add(id(target))
    missing = [n for n, (layer, _, _) in ctx.layers.items()
               if layer.weights and not isinstance(layer, Model) and id(layer) not in loaded]
    if missing:
        raise LoadError(f"{where}: the file has no weights for layers {missing}; it is "
                        "incomplete or belongs to another model.")


def _era_of(h5file, group):
    version = _attr_text(group, "keras_version") or _attr_text(h5file, "keras_version")
    backend = _attr_text(group, "backend") or _attr_text(h5file, "backend")
    return _Era(version, backend)


def _weights_group(h5file):
    group = weights_h5._safe_child(h5file, "model_weights", "group")
    return h5file if group is None else group


# -- public ---------------------------------------------------------------------------------------
def _compile(model, training_config):
    """Compile like the era's `load_model` did, from `training_config`; warn when it cannot."""
    from lamina import optimizers
    from lamina.legacy.optimizers import ERA_DEFAULTS, optimizer_arguments
    try:
        optimizer = training_config["optimizer_config"]
        class_name = optimizer.get("class_name") or optimizer.get("name")
        config = optimizer.get("config") or {k: v for k, v in optimizer.items() if k != "name"}
        if class_name not in ERA_DEFAULTS:
            raise ValueError(f"unknown optimizer {class_name!r} (known: {sorted(ERA_DEFAULTS)})")
        target = getattr(optimizers, class_name)
        # Only today's classes, so a model saved again writes names Keras 3 knows.
        with contextlib.redirect_stderr(io.StringIO()):
            optimizer = target(**optimizer_arguments(class_name, target, config))
            model.compile(optimizer=optimizer, loss=training_config.get("loss"),
                          metrics=training_config.get("metrics"),
                          loss_weights=training_config.get("loss_weights"))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        warnings.warn(f"The legacy model loaded, but compiling it from its training_config "
                      f"failed ({error}); call model.compile(...) yourself.", stacklevel=4)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a Keras 1.x/2.x whole-model `.h5` file, with its weights.

    Args:
        filepath: Path of the `.h5` file, or a readable binary file object.
        custom_objects: Dict of names to custom classes or functions the config refers to.
        compile: Whether to compile from the file's `training_config` (optimizer state of
            that era is not restored).
        safe_mode: Refuse marshalled Python code (Lambda/Merge functions); pass False only for
            trusted files.

    Returns:
        The model, built from today's layers, with the file's weights.

    >>> model = lamina.saving.load_model("keras2_model.h5")  # doctest: +SKIP
    """
    source = f"'{filepath if isinstance(filepath, (str, os.PathLike)) else '<file object>'}'"
    with loading(source), weights_h5._h5py().File(filepath, "r") as h5file:
        text = _attr_text(h5file, "model_config")
        if text is None:
            raise LoadError(f"{source} holds no model_config: it is a weights-only file. Build "
                            "the model in lamina and call model.load_weights on it.")
        config = json.loads(text)
        group = _weights_group(h5file)
        era = _era_of(h5file, group)
        model, ctx = model_from_config(config, custom_objects, safe_mode, source, era)
        _load_named(_file_layers(group), ctx, source)
        training = _attr_text(h5file, "training_config")
    if compile and training:
        _compile(model, json.loads(training))
    return model


def load_weights(model, filepath, skip_mismatch=False):
    """Load a Keras 1/2 `.h5` weights file (or whole-model file) into a built lamina model.

    As Keras 2's `load_weights` did by default, the file's layers that have weights are matched
    in order with the model's layers that have weights (names may differ), and each layer's
    arrays are converted from the era's layout.

    Args:
        model: A built lamina model with the architecture that saved the file.
        filepath: Path of the `.h5` file.
        skip_mismatch: Skip (with a warning) layers whose weights do not fit instead of raising.

    Returns:
        None.

    >>> model.load_weights("keras2_weights.h5")  # doctest: +SKIP
    """
    source = f"'{filepath}'"
    with loading(source), weights_h5._h5py().File(filepath, "r") as h5file:
        group = _weights_group(h5file)
        era = _era_of(h5file, group)
        file_layers = [(n, d) for n, d in _file_layers(group) if d]
        model_layers = [layer for layer in model.layers if layer.weights]
        if len(file_layers) != len(model_layers):
            raise LoadError(f"{source} holds weights for {len(file_layers)} layers "
                            f"{[n for n, _ in file_layers]}, model '{model.name}' has "
                            f"{len(model_layers)} layers with weights "
                            f"{[layer.name for layer in model_layers]}. Build the model as the "
                            "one that saved the file.")
        for layer, (name, datasets) in zip(model_layers, file_layers):
            where = f"{source}, file layer '{name}'"
            try:
                _check_sizes(layer, datasets, where)
                _assign(layer, convert_weights(layer, _read(datasets), era), where)
            except LoadError as error:
                if not skip_mismatch:
                    raise
                warnings.warn(f"Skipped loading weights: {error}", stacklevel=3)
