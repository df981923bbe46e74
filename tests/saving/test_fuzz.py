"""Property-based fuzzing of the loaders (lamina/saving/archive.py, weights_h5.py, legacy_h5.py):
a mutated file either loads or raises `LoadError` (lamina's one error type for bad files, a
ValueError), never a stray KeyError/AttributeError/IndexError/UnicodeDecodeError, and never hangs.

Mutations: flipped bytes and truncation anywhere in a `.keras` zip, members replaced or removed,
config.json corrupted as text or as JSON (any value anywhere replaced by arbitrary JSON), and
h5 datasets changed in shape, dtype or kind. Raw byte corruption *inside* an HDF5 payload is not
fuzzed: libhdf5 itself can crash (SIGSEGV) on some corrupt files, which no Python caller can
catch. A `.keras` archive guards its members with zip CRC-32 checks, which fail before h5py
parses anything, so flipped bytes in an archive are covered.
"""

import functools
import io
import json
import os
import shutil
import signal
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamina
from lamina import layers
from lamina.saving.errors import LoadError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras_files")


def _settings(examples):
    # About 100 examples over the file, derandomized so a failure reproduces on every run.
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


SECONDS_PER_EXAMPLE = 20


@functools.cache
def _archive_members():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2, activation="relu"),
                               layers.BatchNormalization(), layers.Dense(1)])
    buffer = io.BytesIO()
    model.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        return buffer.getvalue(), {name: zf.read(name) for name in zf.namelist()}


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


class _Hang(Exception):
    pass


def _loads_or_load_error(load):
    """Run `load()`: it may succeed or raise LoadError; anything else, or a hang, fails."""
    def alarm(signum, frame):
        raise _Hang(f"the loader ran for more than {SECONDS_PER_EXAMPLE} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(SECONDS_PER_EXAMPLE)
    try:
        load()
    except LoadError as error:
        assert str(error), "a LoadError must say what went wrong"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _load_bytes(data):
    lamina.saving.load_model(io.BytesIO(data))


# -- JSON values and paths -----------------------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**40) | st.floats(allow_nan=True) |
    st.text(max_size=8) | st.sampled_from(["Dense", "relu", "__lambda__", "float64", "keras"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["class_name", "config", "name", "units", "layers", "module", "shape",
                         "batch_shape", "inbound_nodes", "keras_history", "x"]),
        children, max_size=3),
    max_leaves=6)


def _paths(value, prefix=()):
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


def _replace(value, path, new, delete=False):
    if not path:
        return new
    value = json.loads(json.dumps(value))
    node = value
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return value


# -- .keras archives -----------------------------------------------------------------------------
@_settings(15)
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
                min_size=1, max_size=6))
def test_flipped_bytes_in_archive(flips):
    data = bytearray(_archive_members()[0])
    for where, mask in flips:
        data[int(where * len(data))] ^= mask
    _loads_or_load_error(lambda: _load_bytes(bytes(data)))


@_settings(8)
@given(st.floats(0, 1, exclude_max=True))
def test_truncated_archive(fraction):
    data = _archive_members()[0]
    _loads_or_load_error(lambda: _load_bytes(data[:int(fraction * len(data))]))


@_settings(10)
@given(st.sampled_from(["metadata.json", "config.json", "model.weights.h5"]),
       st.one_of(st.none(), st.binary(max_size=64), st.sampled_from(["config", "weights", "half"])))
def test_replaced_or_removed_member(name, replacement):
    members = dict(_archive_members()[1])
    if replacement is None:
        del members[name]
    elif replacement == "config":
        members[name] = members["config.json"]
    elif replacement == "weights":
        members[name] = members["model.weights.h5"]
    elif replacement == "half":
        members[name] = members[name][:len(members[name]) // 2]
    else:
        members[name] = replacement
    _loads_or_load_error(lambda: _load_bytes(_zip(members)))


@_settings(25)
@given(st.data())
def test_corrupted_config_json(data):
    members = dict(_archive_members()[1])
    config = json.loads(members["config.json"])
    path = data.draw(st.sampled_from(_paths(config)), label="path")
    how = data.draw(st.sampled_from(["replace", "delete", "text"]), label="how")
    if how == "text":
        text = members["config.json"]
        start = data.draw(st.integers(0, len(text) - 1), label="start")
        junk = data.draw(st.binary(max_size=4), label="junk")
        members["config.json"] = text[:start] + junk + text[start + data.draw(
            st.integers(0, 20), label="cut"):]
    elif how == "delete" and path:
        members["config.json"] = json.dumps(_replace(config, path, None, delete=True)).encode()
    else:
        members["config.json"] = json.dumps(_replace(
            config, path, data.draw(JSON, label="value"))).encode()
    _loads_or_load_error(lambda: _load_bytes(_zip(members)))


DATASET_CHANGES = st.sampled_from(["shape", "dtype_int", "dtype_half", "string", "complex",
                                   "scalar", "delete", "extra", "group", "rename"])


def _mutate_h5(h5bytes, change, index):
    """Apply one structural change to the index-th dataset of an h5 file's bytes."""
    buffer = io.BytesIO(h5bytes)
    with h5py.File(buffer, "a") as f:
        paths = []
        f.visititems(lambda p, o: paths.append(p) if isinstance(o, h5py.Dataset) else None)
        path = sorted(paths)[index % len(paths)]
        value = f[path][()]
        del f[path]
        if change == "shape":
            f[path] = np.zeros((*np.shape(value), 2), "float32")
        elif change == "dtype_int":
            f[path] = np.asarray(value).astype("int8")
        elif change == "dtype_half":
            f[path] = np.asarray(value).astype("float16")
        elif change == "string":
            f[path] = np.array([b"x"] * max(np.size(value), 1))
        elif change == "complex":
            f[path] = np.asarray(value).astype("complex64")
        elif change == "scalar":
            f[path] = np.float32(1.0)
        elif change == "extra":
            f[path] = value
            f[path + "_extra"] = value
        elif change == "group":
            f.create_group(path)
        elif change == "rename":
            f[path + "x"] = value
    return buffer.getvalue()


@_settings(10)
@given(DATASET_CHANGES, st.integers(0, 20))
def test_changed_h5_datasets_in_archive(change, index):
    members = dict(_archive_members()[1])
    members["model.weights.h5"] = _mutate_h5(members["model.weights.h5"], change, index)
    _loads_or_load_error(lambda: _load_bytes(_zip(members)))


# -- .weights.h5 and Keras 1/2 .h5 files ---------------------------------------------------------
@pytest.fixture
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@_settings(10)
@given(DATASET_CHANGES, st.integers(0, 20))
def test_changed_datasets_in_weights_file(work, change, index):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2), layers.Dense(1)])
    path = work / "w.weights.h5"
    model.save_weights(path)
    path.write_bytes(_mutate_h5(path.read_bytes(), change, index))
    _loads_or_load_error(lambda: model.load_weights(path))


@_settings(15)
@given(st.sampled_from(["legacy_k2_functional_two_inputs.h5", "legacy_k1_lstm.h5",
                        "legacy_k1_merge_of_sequentials.h5"]),
       st.one_of(DATASET_CHANGES, st.just("config")), st.integers(0, 20), st.data())
def test_changed_legacy_h5_files(work, name, change, index, data):
    path = work / name
    shutil.copy(os.path.join(FIXTURES, name), path)
    if change == "config":
        with h5py.File(path, "a") as f:
            config = json.loads(f.attrs["model_config"])
            where = data.draw(st.sampled_from(_paths(config)), label="path")
            f.attrs["model_config"] = json.dumps(_replace(config, where, data.draw(
                JSON, label="value")))
    else:
        path.write_bytes(_mutate_h5(path.read_bytes(), change, index))
    _loads_or_load_error(lambda: lamina.saving.load_model(path, compile=False))


@_settings(10)
@given(st.sampled_from(["layer_names", "weight_names", "keras_version", "backend"]),
       st.one_of(st.integers(-2**31, 2**31), st.text(max_size=6), st.lists(st.text(max_size=4), max_size=3),
                 st.just(b"\xff\xfe")))
def test_changed_legacy_attributes(work, attribute, value):
    path = work / "m.h5"
    shutil.copy(os.path.join(FIXTURES, "legacy_k2_sequential_mlp.h5"), path)
    with h5py.File(path, "a") as f:
        node = f["model_weights/dense_1"] if attribute == "weight_names" else f["model_weights"]
        node.attrs[attribute] = np.void(value) if isinstance(value, bytes) else value
    _loads_or_load_error(lambda: lamina.saving.load_model(path, compile=False))
