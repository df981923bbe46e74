"""Loading is safe by construction and saving is atomic (lamina/saving/archive.py,
weights_h5.py): nothing named in a file is imported or run, hostile zips and h5 links are
refused, bytecode needs safe_mode=False, a failed save leaves the old file."""

import io
import json
import os
import struct
import sys
import zipfile

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.saving import archive
from lamina.saving.errors import LoadError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras_files")


def _model():
    return lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])


def _valid_members(tmp_path):
    path = tmp_path / "good.keras"
    _model().save(path)
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


# -- nothing named in a file is imported or run -------------------------------------------------
@pytest.fixture
def evil_module(tmp_path, monkeypatch):
    """A module on sys.path that, if ever imported, creates a sentinel file."""
    sentinel = tmp_path / "sentinel"
    (tmp_path / "evil_payload.py").write_text(
        f"open({str(sentinel)!r}, 'w').write('pwned')\n"
        "class Boom:\n    def __init__(self, **kw):\n        open(__file__ + '.ran', 'w')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("evil_payload", None)
    return sentinel


HOSTILE = [
    {"module": "os", "class_name": "system", "config": {"command": "touch SENTINEL"}},
    {"module": "subprocess", "class_name": "Popen", "config": {"args": ["touch", "SENTINEL"]}},
    {"module": "builtins", "class_name": "eval", "config": {"source": "open('SENTINEL','w')"}},
    {"module": "evil_payload", "class_name": "Boom", "config": {}},
]


def _sequential_with(entry):
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "seq", "trainable": True, "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                 "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "in"}},
                entry]}}


@pytest.mark.parametrize("entry", HOSTILE, ids=lambda e: f"{e['module']}.{e['class_name']}")
@pytest.mark.parametrize("where", ["top", "layer", "activation"])
def test_hostile_module_is_refused_and_nothing_runs(entry, where, tmp_path, evil_module,
                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    if where == "top":
        config = entry
    elif where == "layer":
        config = _sequential_with(entry)
    else:
        dense = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
                 "config": {"units": 2, "activation": {**entry, "class_name": "function",
                                                       "config": entry["class_name"]}}}
        config = _sequential_with(dense)
    members = _valid_members(tmp_path)
    members["config.json"] = json.dumps(config).encode()
    _write_zip(tmp_path / "evil.keras", members)
    with pytest.raises(ValueError, match=r"Unknown .*never imports modules named in a config"):
        lamina.saving.load_model(tmp_path / "evil.keras")
    with pytest.raises(ValueError, match="never imports"):
        lamina.saving.model_from_json(json.dumps(config))
    assert not evil_module.exists()
    assert not (tmp_path / "SENTINEL").exists()
    assert "evil_payload" not in sys.modules


# -- bytecode and safe_mode -------------------------------------------------------------------
def test_keras_lambda_refused_in_safe_mode():
    with pytest.raises(ValueError, match=r"(?s)Python bytecode.*lambda.*safe_mode=False"):
        lamina.saving.load_model(os.path.join(FIXTURES, "lambda_model.keras"))


def test_keras_lambda_loads_with_safe_mode_false():
    model = lamina.saving.load_model(os.path.join(FIXTURES, "lambda_model.keras"),
                                     safe_mode=False)
    x = np.load(os.path.join(FIXTURES, "lambda_model_x0.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), x * 3.0 + 1.0, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.load(os.path.join(FIXTURES, "lambda_model_pred.npy")),
                               rtol=1e-6)


def test_lambda_anywhere_in_config_is_refused():
    config = _sequential_with({"module": "keras.layers", "class_name": "Dense",
                               "config": {"units": 2, "activation": {
                                   "class_name": "__lambda__", "config": {"code": "AAAA"}}}})
    with pytest.raises(ValueError, match=r"bytecode.*activation"):
        lamina.saving.model_from_json(json.dumps(config))


def test_lambda_of_a_lamina_op_needs_no_unsafe_mode(tmp_path):
    model = lamina.Sequential([lamina.Input((2,)), layers.Lambda(lamina.ops.square)])
    model.save(tmp_path / "sq.keras")
    loaded = lamina.saving.load_model(tmp_path / "sq.keras")
    np.testing.assert_allclose(loaded.predict(np.array([[2.0, -3.0]]), verbose=0), [[4.0, 9.0]])


# -- a file cannot switch safe mode off ---------------------------------------------------------
def _lambda_entry(sentinel):
    """A Keras 3 Lambda layer whose bytecode, if ever run, creates `sentinel`."""
    import base64
    import marshal
    payload = eval(f"lambda x: (open({str(sentinel)!r}, 'w').write('pwned'), x)[1]")
    code = base64.b64encode(marshal.dumps(payload.__code__)).decode("ascii")
    return {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "lam", "function": {"class_name": "__lambda__", "config": {
                "code": code, "defaults": None, "closure": None}}, "arguments": {}}}


@pytest.mark.parametrize("where", ["top", "inner", "layer", "lambda"])
def test_config_asking_for_unsafe_mode_is_refused(where, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sentinel = tmp_path / "sentinel"
    config = _sequential_with(_lambda_entry(sentinel))
    if where == "top":
        config["safe_mode"] = False
    elif where == "inner":
        config["config"]["safe_mode"] = False
    elif where == "layer":
        config["config"]["layers"][0]["config"]["safe_mode"] = False
    else:
        config["config"]["layers"][1]["config"]["safe_mode"] = "off"
    members = _valid_members(tmp_path)
    members["config.json"] = json.dumps(config).encode()
    _write_zip(tmp_path / "evil.keras", members)
    with pytest.raises(LoadError, match=r"asks to turn safe mode off at .*safe_mode.*"
                                        r"pass safe_mode=False"):
        lamina.saving.load_model(tmp_path / "evil.keras")
    with pytest.raises(LoadError, match="turn safe mode off"):
        lamina.saving.model_from_json(json.dumps(config))
    # Safe mode is still on afterwards: the plain Lambda file is refused as before.
    with pytest.raises(LoadError, match="Python bytecode"):
        lamina.saving.load_model(os.path.join(FIXTURES, "lambda_model.keras"))
    assert not sentinel.exists()


def test_config_naming_keras_unsafe_switch_is_not_a_function(tmp_path):
    # CVE-2025-8747/9906: configs that called keras.config.enable_unsafe_deserialization.
    switch = {"module": "keras.config", "class_name": "function",
              "config": "enable_unsafe_deserialization",
              "registered_name": "enable_unsafe_deserialization"}
    dense = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"units": 2, "activation": switch}}
    for config in (_sequential_with(dense), _sequential_with(switch)):
        with pytest.raises(LoadError, match="enable_unsafe_deserialization"):
            lamina.saving.model_from_json(json.dumps(config))
    with pytest.raises(LoadError, match="Python bytecode"):
        lamina.saving.load_model(os.path.join(FIXTURES, "lambda_model.keras"))


# -- hostile archives --------------------------------------------------------------------------
@pytest.mark.parametrize("bad_name", ["../evil", "a/../../evil", "/etc/evil", "\\evil",
                                      "C:/evil"])
def test_unsafe_member_paths_are_refused(bad_name, tmp_path):
    members = _valid_members(tmp_path)
    members[bad_name] = b"x"
    (tmp_path / "sub").mkdir()
    _write_zip(tmp_path / "sub" / "bad.keras", members)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ValueError, match="unsafe path"):
        lamina.saving.load_model(tmp_path / "sub" / "bad.keras")
    assert sorted(os.listdir(tmp_path)) == before
    assert sorted(os.listdir(tmp_path / "sub")) == ["bad.keras"]


def test_duplicate_members_are_refused(tmp_path):
    members = _valid_members(tmp_path)
    with zipfile.ZipFile(tmp_path / "dup.keras", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning):
            zf.writestr("config.json", b"{}")
    with pytest.raises(ValueError, match="twice"):
        lamina.saving.load_model(tmp_path / "dup.keras")


def _declare_size(path, member, size):
    """Patch the central directory so `member` declares `size` uncompressed bytes."""
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start != -1:
        name_len = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, start + 24, size)
            break
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("member", ["config.json", "model.weights.h5", "metadata.json"])
def test_zip_bomb_declared_size_is_refused(member, tmp_path):
    path = tmp_path / "bomb.keras"
    _write_zip(path, _valid_members(tmp_path), compression=zipfile.ZIP_DEFLATED)
    _declare_size(path, member, 0xFFFFFFF0)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(member).file_size == 0xFFFFFFF0
    with pytest.raises(ValueError, match=r"(?s)declares \d+ bytes.*decompression bomb"):
        archive.read_member(path, member)
    if member != "metadata.json":
        with pytest.raises(ValueError, match="decompression bomb"):
            lamina.saving.load_model(path)


def test_real_compressed_bomb_over_config_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(archive.MAX_MEMBER_BYTES, "config.json", 1 << 16)
    members = _valid_members(tmp_path)
    members["config.json"] = b" " * (1 << 17)
    _write_zip(tmp_path / "big.keras", members, compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(ValueError, match="over the limit of 65536 bytes"):
        lamina.saving.load_model(tmp_path / "big.keras")


def test_not_a_zip_and_missing_members(tmp_path):
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a zip"):
        lamina.saving.load_model(tmp_path / "junk.keras")
    members = _valid_members(tmp_path)
    del members["config.json"]
    _write_zip(tmp_path / "partial.keras", members)
    with pytest.raises(ValueError, match="no 'config.json'"):
        lamina.saving.load_model(tmp_path / "partial.keras")


# -- hostile weights files ---------------------------------------------------------------------
def _weights_file(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "w.weights.h5")
    return model


def test_external_link_in_weights_is_refused(tmp_path):
    model = _weights_file(tmp_path)
    with h5py.File(tmp_path / "other.h5", "w") as other:
        other["data"] = np.zeros((3, 2), "float32")
    with h5py.File(tmp_path / "w.weights.h5", "a") as h5file:
        del h5file["layers/dense/vars/0"]
        h5file["layers/dense/vars/0"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "data")
    with pytest.raises(ValueError, match="ExternalLink"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_external_storage_dataset_is_refused(tmp_path):
    model = _weights_file(tmp_path)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(6, dtype="float32").tobytes())
    with h5py.File(tmp_path / "w.weights.h5", "a") as h5file:
        del h5file["layers/dense/vars/0"]
        h5file.create_dataset("layers/dense/vars/0", shape=(3, 2), dtype="float32",
                              external=[(str(secret), 0, 24)])
    with pytest.raises(ValueError, match="other files"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_non_numeric_dataset_is_refused(tmp_path):
    model = _weights_file(tmp_path)
    with h5py.File(tmp_path / "w.weights.h5", "a") as h5file:
        del h5file["layers/dense/vars/1"]
        h5file.create_dataset("layers/dense/vars/1", data=np.array([b"ab", b"cd"]))
    with pytest.raises(ValueError, match="numeric"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_broken_legacy_h5_model_is_refused_clearly(tmp_path):
    # Keras 1/2 .h5 files load (tests/saving/test_legacy_h5.py); one without layers cannot.
    with h5py.File(tmp_path / "old.h5", "w") as h5file:
        h5file.attrs["model_config"] = json.dumps({"class_name": "Sequential"})
    with pytest.raises(LoadError, match=r"old\.h5', model_config: a Sequential config should "
                                        "list its layers"):
        lamina.saving.load_model(tmp_path / "old.h5")
    with pytest.raises(LoadError, match="weights for 0 layers"):
        _model().load_weights(tmp_path / "old.h5")


def test_truncated_weights_file_is_refused(tmp_path):
    model = _weights_file(tmp_path)
    data = (tmp_path / "w.weights.h5").read_bytes()
    before = [w.copy() for w in model.get_weights()]
    for cut in (0, 8, len(data) // 3, len(data) - 1):
        (tmp_path / "w.weights.h5").write_bytes(data[:cut])
        with pytest.raises(LoadError, match=r"malformed.*OSError: Unable to .*open file"):
            model.load_weights(tmp_path / "w.weights.h5")
        for old, new in zip(before, model.get_weights()):
            np.testing.assert_array_equal(old, new)
    assert sorted(os.listdir(tmp_path)) == ["w.weights.h5"]


def test_truncated_weights_inside_archive_is_refused(tmp_path):
    members = _valid_members(tmp_path)
    members["model.weights.h5"] = members["model.weights.h5"][:1000]
    _write_zip(tmp_path / "cut.keras", members)
    with pytest.raises(LoadError, match="malformed.*truncated"):
        lamina.saving.load_model(tmp_path / "cut.keras")


def test_weights_with_wrong_shapes_name_layer_and_variable(tmp_path):
    model = _weights_file(tmp_path)
    with h5py.File(tmp_path / "w.weights.h5", "a") as h5file:
        del h5file["layers/dense/vars/0"]
        h5file["layers/dense/vars/0"] = np.zeros((2, 3), "float32")
    with pytest.raises(LoadError, match=r"Dense 'dense.*' \(file group 'layers/dense/vars'\): "
                                        r"variable 'kernel' has shape \(3, 2\), the file holds "
                                        r"shape \(2, 3\)"):
        model.load_weights(tmp_path / "w.weights.h5")
    members = _valid_members(tmp_path)
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "a") as h5file:
        del h5file["layers/dense/vars/1"]
        h5file["layers/dense/vars/1"] = np.zeros((5,), "float32")
    members["model.weights.h5"] = buffer.getvalue()
    _write_zip(tmp_path / "shapes.keras", members)
    with pytest.raises(LoadError, match=r"variable 'bias' has shape \(2,\), the file holds "
                                        r"shape \(5,\)"):
        lamina.saving.load_model(tmp_path / "shapes.keras")


# -- atomic writes -----------------------------------------------------------------------------
class _Broken(layers.Dense):
    def get_config(self):
        raise RuntimeError("get_config exploded")


def test_failed_save_leaves_previous_file_and_no_temp_files(tmp_path):
    path = tmp_path / "m.keras"
    good = _model()
    good.save(path)
    before = path.read_bytes()
    broken = lamina.Sequential([lamina.Input((3,)), _Broken(2)])
    with pytest.raises(RuntimeError, match="exploded"):
        broken.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]
    lamina.saving.load_model(path)  # still a valid archive


def test_failure_while_writing_removes_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    path.write_bytes(b"previous")

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive.zipfile.ZipFile, "writestr", explode)
    with pytest.raises(OSError, match="disk full"):
        _model().save(path)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["m.keras"]


def test_failed_weights_save_leaves_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "w.weights.h5"
    path.write_bytes(b"previous")
    from lamina.saving import weights_h5

    def explode(model, h5file):
        raise OSError("disk full")

    monkeypatch.setattr(weights_h5, "write_weights", explode)
    with pytest.raises(OSError, match="disk full"):
        _model().save_weights(path)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["w.weights.h5"]


def test_overwrite_false_raises_file_exists(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"previous")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        _model().save(path, overwrite=False)
    assert path.read_bytes() == b"previous"


def test_saved_file_gets_normal_permissions(tmp_path):
    _model().save(tmp_path / "m.keras")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(tmp_path / "m.keras").st_mode & 0o777 == 0o666 & ~mask


def test_in_memory_file_object_never_touches_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    buffer = io.BytesIO()
    _model().save(buffer)
    assert os.listdir(tmp_path) == []
    buffer.seek(0)
    lamina.saving.load_model(buffer)
    assert os.listdir(tmp_path) == []
