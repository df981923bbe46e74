"""The `.keras` archive: a zip of metadata.json, config.json and model.weights.h5 (Keras 3 layout).

Loading is safe by construction: members are read by name into memory with size limits (nothing
is extracted to disk, no path from the file is ever used), classes resolve only through lamina's
name tables, registered classes and `custom_objects`, nothing is imported or unpickled, and
Python bytecode in a config (a Keras Lambda's `__lambda__`) is refused unless
`safe_mode=False`. Saving is atomic: a temporary file in the same folder, then `os.replace`.
"""

import base64
import builtins
import datetime
import io
import json
import marshal
import os
import posixpath
import types
import warnings
import zipfile

from lamina.saving import serialization, weights_h5
from lamina.saving.errors import LoadError, loading

KERAS_SUFFIX = ".keras"
METADATA_MEMBER = "metadata.json"
CONFIG_MEMBER = "config.json"
WEIGHTS_MEMBER = "model.weights.h5"
# The Keras file format version lamina writes and reads.
KERAS_FORMAT_VERSION = "3.15.1"
# Tests only: when set to a path, a save pauses half-way through writing its temporary file,
# after creating that path, so a test can kill the process mid-save.
PAUSE_ENV = "LAMINA_TEST_PAUSE_MID_SAVE"
MAX_MEMBER_BYTES = {METADATA_MEMBER: 1 << 20, CONFIG_MEMBER: 64 << 20, WEIGHTS_MEMBER: 64 << 30}
# Keras stores members uncompressed; DEFLATE tops out near 1000:1. A big member that expands far
# more than this is a decompression bomb, not a model.
MAX_EXPANSION = 100
_EXPANSION_FLOOR = 1 << 28
_CHUNK = 1 << 20


# -- reading the zip ------------------------------------------------------------------------------
def _check_member_names(archive, source):
    seen = set()
    for info in archive.infolist():
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if (name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name
                or posixpath.isabs(name)):
            raise LoadError(f"Refused to load '{source}': the archive has a member with an unsafe "
                            f"path {name!r} (absolute, or climbing out with '..'). A genuine "
                            ".keras file holds only metadata.json, config.json, "
                            "model.weights.h5 and assets/.")
        if name in seen:
            raise LoadError(f"Refused to load '{source}': the archive holds member {name!r} "
                            "twice, so which one would be read is ambiguous.")
        seen.add(name)


def _open_zip(source):
    try:
        archive = zipfile.ZipFile(source, "r")
    except zipfile.BadZipFile as error:
        raise LoadError(f"'{_label(source)}' is not a .keras archive (not a zip file: {error}). "
                        "Keras 1/2 HDF5 model files load from their `.h5` path.") from None
    _check_member_names(archive, _label(source))
    return archive


def _label(source):
    return source if isinstance(source, (str, os.PathLike)) else "<file object>"


def _read(archive, name, source):
    """Read one member into memory, refusing sizes over the member's limit."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise LoadError(f"'{_label(source)}' is not a complete .keras archive: it has no "
                        f"'{name}' (members: {archive.namelist()}).") from None
    limit = MAX_MEMBER_BYTES.get(name, MAX_MEMBER_BYTES[CONFIG_MEMBER])
    bomb = info.file_size > _EXPANSION_FLOOR and \
        info.file_size > MAX_EXPANSION * max(info.compress_size, 1)
    if info.file_size > limit or bomb:
        raise LoadError(f"Refused to load '{_label(source)}': member '{name}' declares "
                        f"{info.file_size} bytes uncompressed ({info.compress_size} stored), "
                        f"over the limit of {limit} bytes or {MAX_EXPANSION}x expansion. This "
                        "looks like a decompression bomb, not a model.")
    chunks, total = [], 0
    with archive.open(info, "r") as member:
        while True:
            chunk = member.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > min(limit, info.file_size):  # never trust the declared size alone
                raise LoadError(f"Refused to load '{_label(source)}': member '{name}' "
                                "decompresses to more than it declares.")
            chunks.append(chunk)
    return b"".join(chunks)


def read_member(filepath, name):
    """The bytes of one member of a `.keras` archive, read safely into memory."""
    with _open_zip(filepath) as archive:
        return _read(archive, name, filepath)


# -- configs and code -----------------------------------------------------------------------------
def _find_lambdas(config, where="config"):
    found = []
    if isinstance(config, dict):
        if config.get("class_name") == "__lambda__":
            return [where]
        for key, value in config.items():
            found += _find_lambdas(value, f"{where}.{key}")
    elif isinstance(config, list):
        for i, value in enumerate(config):
            name = value.get("config", {}).get("name") if isinstance(value, dict) and isinstance(
                value.get("config"), dict) else None
            found += _find_lambdas(value, f"{where}[{name or i}]")
    return found


def _load_lambda(config):
    """A function from Keras's `__lambda__` record (base64 marshal); only with safe_mode=False."""
    import lamina
    code = marshal.loads(base64.b64decode(config["code"].encode("ascii")))
    defaults = config.get("defaults")
    closure = config.get("closure")
    cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
    # A lambda saved by Keras refers to `keras` / `ops`; lamina stands in for them.
    env = {"__builtins__": builtins, "keras": lamina, "lamina": lamina, "ops": lamina.ops}
    return types.FunctionType(code, env, code.co_name,
                              tuple(defaults) if defaults is not None else None, cells)


def _replace_lambdas(config):
    if isinstance(config, dict):
        if config.get("class_name") == "__lambda__":
            return _load_lambda(config.get("config", {}))
        return {k: _replace_lambdas(v) for k, v in config.items()}
    if isinstance(config, list):
        return [_replace_lambdas(v) for v in config]
    return config


def find_safe_mode_switches(config, where="config"):
    """Where a config asks to turn safe mode off (a `safe_mode` key whose value is not True)."""
    found = []
    if isinstance(config, dict):
        found += [f"{where}.{k}" for k, v in config.items() if k == "safe_mode" and v is not True]
        for key, value in config.items():
            found += find_safe_mode_switches(value, f"{where}.{key}")
    elif isinstance(config, list):
        for i, value in enumerate(config):
            found += find_safe_mode_switches(value, f"{where}[{i}]")
    return found


def check_safe(config, safe_mode, source):
    """Refuse Python bytecode in `config` in safe mode; turn it into functions otherwise.

    A file cannot turn safe mode off: a `safe_mode` entry anywhere in its config is refused.
    """
    switches = find_safe_mode_switches(config) if safe_mode else []
    if switches:
        raise LoadError(f"Refused to load {source}: its config asks to turn safe mode off at "
                        f"{switches}. A file cannot change safe mode; if you trust it, pass "
                        "safe_mode=False to the loader.")
    lambdas = _find_lambdas(config)
    if not lambdas:
        return config
    if safe_mode:
        raise LoadError(
            f"Refused to load {source}: it carries Python bytecode (a serialized lambda) at "
            f"{lambdas}, and running it could execute arbitrary code. If you trust the file, "
            "pass safe_mode=False to load it.")
    return _replace_lambdas(config)


# Arguments Keras 3.15 writes that lamina's layers do not take yet; dropped when they hold the
# default, which changes nothing. Any other value still fails with the layer's own error.
_KERAS_ONLY_DEFAULTS = {"quantization_config": None}


def _drop_keras_only_defaults(config):
    if isinstance(config, dict):
        inner = config.get("config")
        if "class_name" in config and isinstance(inner, dict):
            config = {**config, "config": {k: v for k, v in inner.items() if not (
                k in _KERAS_ONLY_DEFAULTS and v == _KERAS_ONLY_DEFAULTS[k])}}
        return {k: _drop_keras_only_defaults(v) for k, v in config.items()}
    if isinstance(config, list):
        return [_drop_keras_only_defaults(v) for v in config]
    return config


def _to_shape(shape):
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) or s is None for s in shape) and any(
            isinstance(s, (list, tuple)) for s in shape):
        return [tuple(s) if s is not None else None for s in shape]
    return tuple(shape) if isinstance(shape, (list, tuple)) else shape


def model_from_config(config, custom_objects=None, compile=True, safe_mode=True,
                      source="the model config"):
    """Rebuild a model (architecture, build state, optionally compile state) from its config."""
    from lamina import layers
    from lamina.models.model import Model
    if not isinstance(config, dict) or "class_name" not in config:
        raise LoadError(f"Cannot load {source}: expected a dict with 'class_name' and 'config' "
                        f"(a serialized model). Received: {str(config)[:200]}")
    config = _drop_keras_only_defaults(check_safe(config, safe_mode, source))
    with serialization.CustomObjectScope(custom_objects or {}):
        model = layers.deserialize({k: v for k, v in config.items()
                                    if k not in ("build_config", "compile_config")},
                                   custom_objects=custom_objects)
        build_config = config.get("build_config") or {}
        shape = build_config.get("input_shape")
        if not model.built and shape is not None:
            if isinstance(model, Model):
                model.build(_to_shape(shape))
            else:
                model.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile and compile_config and hasattr(model, "compile_from_config"):
            try:
                model.compile_from_config(compile_config)
            except (ValueError, TypeError) as error:
                warnings.warn(f"The model loaded, but compiling it from the saved compile "
                              f"config failed ({error}); call model.compile(...) yourself.",
                              stacklevel=3)
    return model


def model_config(model):
    """The config Keras writes to config.json: the serialized model with "build_config" and
    "compile_config"."""
    config = serialization.serialize_keras_object(model)
    build = model.get_build_config() if model.built else None
    config["build_config"] = build if build is not None else {"input_shape": None}
    compile_config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    config["compile_config"] = compile_config or {}
    return config


def _json_default(value):
    raise TypeError(f"Cannot write the model config as JSON: a value of type "
                    f"{type(value).__name__} ({value!r:.80}) is not serializable. Make get_config() "
                    "return plain Python values (numbers, strings, lists, dicts).")


def to_json_string(config, **kwargs):
    return json.dumps(config, default=_json_default, **kwargs)


# -- public ---------------------------------------------------------------------------------------
def metadata():
    import lamina
    return {"keras_version": f"{KERAS_FORMAT_VERSION}+lamina.{lamina.__version__}",
            "lamina_version": lamina.__version__,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def save_model(model, filepath, overwrite=True, zipped=True):
    """Save a model (architecture, weights, compile and optimizer state) to a `.keras` file.

    Args:
        model: A lamina model (Sequential, Functional or a registered subclass).
        filepath: Path ending in `.keras`, or a writable binary file object.
        overwrite: Whether to replace an existing file; False raises FileExistsError.
        zipped: Must be True (lamina writes only zipped archives).

    Returns:
        None. A file path is written atomically.

    >>> model.save("model.keras")  # doctest: +SKIP
    """
    if zipped is False:
        raise ValueError("save_model: zipped=False (an unzipped model folder) is not supported by "
                         "lamina. Save to a `.keras` file with zipped=True.")
    is_file = hasattr(filepath, "write")
    if not is_file:
        filepath = os.fspath(filepath)
        if not filepath.endswith(KERAS_SUFFIX):
            hint = (" Use model.save_weights() for a `.weights.h5` file." if filepath.endswith(
                ".h5") else "")
            raise ValueError("Invalid filepath: save_model expects a `.keras` extension "
                             f"(weights only: `.weights.h5` with save_weights).{hint} Received: "
                             f"filepath={filepath}")
    if not model.built:
        warnings.warn(f"Saving model '{model.name}', which is not built yet: the file will hold "
                      "no weights. Call the model on data first.", stacklevel=3)
    # Everything is serialized in memory first, so a failing get_config writes nothing.
    config_json = to_json_string(model_config(model))
    weights = io.BytesIO()
    with weights_h5._h5py().File(weights, "w") as h5file:
        weights_h5.write_weights(model, h5file)
    members = [(METADATA_MEMBER, json.dumps(metadata()).encode()),
               (CONFIG_MEMBER, config_json.encode()), (WEIGHTS_MEMBER, weights.getvalue())]

    def write(target):
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            for i, (name, data) in enumerate(members):
                archive.writestr(name, data)
                if i == 1 and os.environ.get(PAUSE_ENV):
                    _pause_for_tests(archive)

    if is_file:
        write(filepath)
    else:
        weights_h5.atomic_write(filepath, write, overwrite=overwrite, what="model")


def _pause_for_tests(archive):
    """Tests only (see PAUSE_ENV): flush what is written, signal, and wait to be killed."""
    import time
    archive.fp.flush()
    with open(os.environ[PAUSE_ENV], "w") as marker:
        marker.write(str(archive.fp.tell()))
    time.sleep(600)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved as `.keras` by lamina or Keras 3, or as `.h5` by Keras 1.x/2.x.

    Args:
        filepath: Path of a `.keras` file (or of a Keras 1/2 `.h5` model file, converted by
            `legacy_h5`), or a readable binary file object.
        custom_objects: Dict of names to custom classes or functions the config refers to.
        compile: Whether to compile the model from its saved compile config (and restore the
            optimizer state).
        safe_mode: Refuse Python bytecode (Lambda layers saved with a lambda). Pass False only
            for files you trust.

    Returns:
        The model, with its weights (and optimizer state) restored.

    >>> model = lamina.saving.load_model("model.keras")  # doctest: +SKIP
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError("load_model: `custom_objects` must be a dict of names to classes or "
                        f"functions. Received: {type(custom_objects).__name__}")
    from lamina.saving import legacy_h5
    if not hasattr(filepath, "read"):
        filepath = os.fspath(filepath)
        legacy = filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(
            weights_h5.WEIGHTS_SUFFIX)
        if not filepath.endswith(KERAS_SUFFIX) and not legacy:
            raise ValueError("Invalid filename: load_model expects a `.keras` extension, or "
                             "`.h5` for a Keras 1/2 model file (for weights only, use "
                             f"model.load_weights with `.weights.h5`). Received: "
                             f"filepath={filepath}")
        if not os.path.isfile(filepath):
            raise FileNotFoundError(f"load_model: no file at '{filepath}'.")
    if legacy_h5.is_hdf5(filepath):
        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    with loading(f"'{_label(filepath)}'"):
        return _load_archive(filepath, custom_objects, compile, safe_mode)


def _load_archive(filepath, custom_objects, compile, safe_mode):
    with _open_zip(filepath) as archive:
        config_bytes = _read(archive, CONFIG_MEMBER, filepath)
        weights = (_read(archive, WEIGHTS_MEMBER, filepath)
                   if WEIGHTS_MEMBER in archive.namelist() else None)
    try:
        config = json.loads(config_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadError(f"'{_label(filepath)}': config.json is not valid JSON ({error}).") \
            from None
    model = model_from_config(config, custom_objects=custom_objects, compile=compile,
                              safe_mode=safe_mode, source=f"'{_label(filepath)}'")
    if weights is None:
        raise LoadError(f"'{_label(filepath)}' has no {WEIGHTS_MEMBER}; lamina reads the h5 "
                        "weights format only.")
    with weights_h5._h5py().File(io.BytesIO(weights), "r") as h5file:
        weights_h5.read_weights(model, h5file)
    return model
