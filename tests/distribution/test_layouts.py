"""Devices, device meshes, tensor layouts and layout maps (lamina/distribution/layouts.py)."""

import collections.abc

import pytest

from lamina.distribution import layouts

ONE = layouts.list_devices("cpu")[:1]


def mesh(shape=(1,), names=("batch",)):
    return layouts.DeviceMesh(shape, list(names), devices=ONE)


# -- devices ---------------------------------------------------------------------------------------
def test_list_devices_names_cpu_devices_and_counts_them():
    devices = layouts.list_devices("cpu")
    assert devices[0] == "cpu:0"
    assert all(d.startswith("cpu:") for d in devices)
    assert layouts.get_device_count("cpu") == len(devices)
    assert layouts.list_devices("CPU") == devices


def test_list_devices_rejects_unknown_types():
    with pytest.raises(TypeError, match="device_type"):
        layouts.list_devices(3)
    with pytest.raises(ValueError, match="no 'abacus' devices"):
        layouts.list_devices("abacus")


# -- DeviceMesh ------------------------------------------------------------------------------------
def test_device_mesh_reshapes_devices_and_round_trips():
    m = layouts.DeviceMesh((1, 1), ["batch", "model"], devices=ONE)
    assert m.shape == (1, 1) and m.axis_names == ["batch", "model"]
    assert m.devices.shape == (1, 1) and m.devices[0, 0] == "cpu:0"
    assert m.axis_size("model") == 1
    again = layouts.DeviceMesh.from_config(m.get_config())
    assert (again.shape, again.axis_names, again.devices.tolist()) == \
        ((1, 1), ["batch", "model"], [["cpu:0"]])
    assert tuple(m.backend_mesh.axis_names) == ("batch", "model")


@pytest.mark.parametrize("shape,names,match", [
    ((), ["batch"], "non-empty"),
    ((1,), "batch", "not one string"),
    ((1, 1), ["batch"], "same length"),
    ((1, 1), ["a", "a"], "distinct"),
    ((0,), ["batch"], "positive"),
    ((2,), ["batch"], r"needs 2 devices; received 1"),
])
def test_device_mesh_rejects_bad_arguments(shape, names, match):
    with pytest.raises((ValueError, TypeError), match=match):
        layouts.DeviceMesh(shape, names, devices=ONE)


def test_device_mesh_rejects_unknown_devices_when_made():
    m = layouts.DeviceMesh((1,), ["batch"], devices=["cpu:99"])
    with pytest.raises(ValueError, match="'cpu:99' does not exist"):
        m.backend_mesh  # noqa: B018


# -- TensorLayout ----------------------------------------------------------------------------------
def test_tensor_layout_checks_axes_against_its_mesh():
    m = mesh((1, 1), ("batch", "model"))
    layout = layouts.TensorLayout((None, "model"), m)
    assert layout.axes == (None, "model") and layout.device_mesh is m
    with pytest.raises(ValueError, match=r"\['modle'\] is not an axis of the device mesh, whose "
                                         r"axes are \['batch', 'model'\]"):
        layouts.TensorLayout((None, "modle"), m)
    late = layouts.TensorLayout(("data",))
    with pytest.raises(ValueError, match="'data'"):
        late.device_mesh = m


def test_tensor_layout_rejects_bad_axes():
    with pytest.raises(TypeError, match=r"use \('model',\)"):
        layouts.TensorLayout("model")
    with pytest.raises(TypeError, match="mesh axis name or None"):
        layouts.TensorLayout((0, None))
    with pytest.raises(ValueError, match="only one tensor axis"):
        layouts.TensorLayout(("model", "model"))
    layout = layouts.TensorLayout((None,), mesh())
    with pytest.raises(ValueError, match="already set"):
        layout.device_mesh = mesh()
    with pytest.raises(ValueError, match="no device mesh is set"):
        layouts.TensorLayout((None,)).backend_layout  # noqa: B018


def test_tensor_layout_shape_check_names_the_mismatch():
    layout = layouts.TensorLayout((None, "model"), mesh((1, 1), ("batch", "model")))
    layout.check_shape((3, 5), "here")
    with pytest.raises(ValueError, match=r"here: layout \(None, 'model'\) has 2 axes but the "
                                         r"tensor has shape \(3,\)"):
        layout.check_shape((3,), "here")


def test_tensor_layout_round_trips_its_config():
    layout = layouts.TensorLayout((None, "model"), mesh((1, 1), ("batch", "model")))
    again = layouts.TensorLayout.from_config(layout.get_config())
    assert again.axes == (None, "model") and again.device_mesh.axis_names == ["batch", "model"]
    assert layouts.TensorLayout.from_config(layouts.TensorLayout((None,)).get_config()).device_mesh is None


# -- LayoutMap -------------------------------------------------------------------------------------
def test_layout_map_matches_exact_keys_first_then_full_regexes():
    layout_map = layouts.LayoutMap(mesh((1, 1), ("batch", "model")))
    layout_map[".*dense.*kernel"] = (None, "model")
    layout_map[".*dense.*bias"] = ("model",)
    layout_map["special/dense/kernel"] = ("model", None)
    assert layout_map["dense_1/kernel"].axes == (None, "model")
    assert layout_map["my_model/dense_2/bias"].axes == ("model",)
    # Exact keys win over patterns that also match.
    assert layout_map["special/dense/kernel"].axes == ("model", None)
    # Patterns must match the whole path: "kernel_extra" is not "...kernel".
    assert layout_map["dense/kernel_extra"] is None
    assert layout_map["conv2d/kernel"] is None
    assert layout_map.get("conv2d/kernel", "fallback") == "fallback"
    assert layout_map["dense/kernel"].device_mesh is layout_map.device_mesh
    assert list(layout_map) == [".*dense.*kernel", ".*dense.*bias", "special/dense/kernel"]
    assert len(layout_map) == 3


def test_layout_map_rejects_ambiguous_duplicate_and_bad_entries():
    layout_map = layouts.LayoutMap(mesh((1, 1), ("batch", "model")))
    layout_map[".*kernel"] = (None, "model")
    layout_map["dense.*"] = ("model", None)
    with pytest.raises(ValueError, match=r"path 'dense/kernel' matches several keys: "
                                         r"\['\.\*kernel', 'dense\.\*'\]"):
        layout_map["dense/kernel"]
    with pytest.raises(ValueError, match="may be set once"):
        layout_map[".*kernel"] = (None, None)
    with pytest.raises(TypeError, match="TensorLayouts or tuples"):
        layout_map["x"] = "model"
    with pytest.raises(ValueError, match="not a valid regular expression"):
        layout_map["dense/("] = (None,)
    with pytest.raises(ValueError, match=r"\['data'\] is not an axis"):
        layout_map["y"] = ("data",)
    with pytest.raises(TypeError, match="must be a DeviceMesh"):
        layouts.LayoutMap("mesh")
    del layout_map["dense.*"]
    assert layout_map["dense/kernel"].axes == (None, "model")


def test_layout_map_round_trips_its_config():
    layout_map = layouts.LayoutMap(mesh((1, 1), ("batch", "model")))
    layout_map[".*kernel"] = (None, "model")
    again = layouts.LayoutMap.from_config(layout_map.get_config())
    assert [(k, v.axes) for k, v in again.items()] == [(".*kernel", (None, "model"))]
    assert isinstance(again, collections.abc.MutableMapping)
    assert again.pop(".*kernel").axes == (None, "model") and len(again) == 0
