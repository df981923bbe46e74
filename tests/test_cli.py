import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import lamina
from lamina import cli, layers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def saved_model(path):
    inputs = lamina.Input((3,), name="features")
    x = layers.Dense(4, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(2, name="scores")(x)
    lamina.Model(inputs, outputs, name="tiny").save(path)
    return str(path)


def with_code_inside(path, marker):
    """Rewrite a saved model so that a layer's activation is serialized Python bytecode (as
    Keras writes a lambda) that would create `marker` if it ever ran."""
    import base64
    import json
    import marshal
    import zipfile

    code = compile(f"open({str(marker)!r}, 'w').close()", "<payload>", "exec")
    record = {"class_name": "__lambda__", "config": {
        "code": base64.b64encode(marshal.dumps(code)).decode("ascii"), "defaults": None,
        "closure": None}}
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    for layer in config["config"]["layers"]:
        if layer["config"]["name"] == "hidden":
            layer["config"]["activation"] = record
    members["config.json"] = json.dumps(config).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_info_reports_version_backend_devices_and_extras(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"lamina {lamina.__version__}\n")
    assert "backend: jax (platform cpu)" in out
    assert "devices: cpu:0" in out
    for extra in ("plot", "tensorboard", "examples", "dev"):
        assert f"\n  {extra} " in out
    assert "graphviz: " in out


def test_info_marks_a_missing_extra(capsys, monkeypatch):
    real = cli._version
    monkeypatch.setattr(cli, "_version", lambda m: None if m == "tensorboardX" else real(m))
    cli.main(["info"])
    assert "tensorboard  missing tensorboardX" in capsys.readouterr().out


def test_summary_of_a_saved_model(tmp_path, capsys):
    path = saved_model(tmp_path / "tiny.keras")
    assert cli.main(["summary", path]) == 0
    out = capsys.readouterr().out
    assert 'Model: "tiny"' in out and "hidden (Dense)" in out and "scores (Dense)" in out
    # (3 * 4 + 4) + (4 * 2 + 2) = 26 weights
    assert "Total params: 26 " in out


def test_plot_writes_svg_with_layer_names_and_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = saved_model(tmp_path / "tiny.keras")
    svg = tmp_path / "tiny.svg"
    assert cli.main(["plot", path, str(svg)]) == 0
    assert capsys.readouterr().out == f"wrote {svg}\n"
    text = svg.read_text(encoding="utf-8")
    ET.fromstring(text)
    for name in ("features", "hidden", "scores"):
        assert name in text
    png = tmp_path / "tiny.png"
    assert cli.main(["plot", path, str(png), "--rankdir", "LR", "--dpi", "50"]) == 0
    head = png.read_bytes()[:24]
    width, height = struct.unpack(">II", head[16:24])
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and width > height and 100 < width < 2000


def test_summary_and_plot_refuse_code_in_the_file(tmp_path, capsys):
    marker = tmp_path / "code_ran"
    path = with_code_inside(saved_model(tmp_path / "payload.keras"), marker)
    assert cli.main(["summary", path]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"lamina summary: could not load '{path}'")
    assert "Python bytecode" in err and "safe_mode=False" in err
    assert cli.main(["plot", path, str(tmp_path / "p.png")]) == 1
    assert not marker.exists() and not (tmp_path / "p.png").exists()


def test_missing_file_is_one_line_error(capsys):
    assert cli.main(["plot", "nowhere.keras", "out.png"]) == 1
    assert capsys.readouterr().err == ("lamina plot: no such file: 'nowhere.keras'. Pass a model "
                                       "saved with model.save(...).\n")


def test_usage_errors_exit_2(capsys):
    for argv in ([], ["fly"], ["plot", "only_one_argument.keras"]):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


def test_upgrade_delegates_to_the_legacy_tools(tmp_path, capsys):
    pytest.importorskip("lamina.legacy.upgrade")
    script = tmp_path / "old.py"
    script.write_text("from keras.layers import Convolution2D\n")
    assert cli.main(["upgrade", str(script)]) == 0
    assert "Conv2D" in capsys.readouterr().out


def test_legacy_tools_absent_is_said_clearly(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "lamina.legacy.cli", None)
    assert cli.main(["legacy", "script.py"]) == 1
    assert "the old-Keras tools (lamina.legacy.cli) are not available" in capsys.readouterr().err


def test_demo_runs_xor_then_digits_and_says_where_the_curves_are(tmp_path, monkeypatch,
                                                                   capsys):
    calls = []

    def fake_call(command):
        calls.append(command)
        if command[1].endswith("digits.py"):
            with open(command[command.index("--curves") + 1], "wb") as f:
                f.write(b"\x89PNG\r\n\x1a\n")
        return 0

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    curves = tmp_path / "curves.png"
    assert cli.main(["demo", "--epochs", "3", "--curves", str(curves)]) == 0
    examples = os.path.join(ROOT, "examples")
    assert calls == [[sys.executable, os.path.join(examples, "xor.py")],
                     [sys.executable, os.path.join(examples, "digits.py"), "--epochs", "3",
                      "--curves", str(curves)]]
    assert capsys.readouterr().out.endswith(
        f"Training curves of the digits example: {curves}\n")


def test_demo_stops_when_an_example_fails(monkeypatch, capsys):
    monkeypatch.setattr(cli.subprocess, "call", lambda command: 3)
    assert cli.main(["demo"]) == 1
    assert "examples/xor.py failed with exit status 3" in capsys.readouterr().err


def test_digits_example_writes_its_training_curves(tmp_path, capsys):
    """What `make demo` / `lamina demo` run: the digits example draws its curves to a PNG."""
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    import importlib.util
    spec = importlib.util.spec_from_file_location("digits_example",
                                                  os.path.join(ROOT, "examples", "digits.py"))
    digits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(digits)
    curves = tmp_path / "curves.png"
    digits.main(["--epochs", "2", "--curves", str(curves)])
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"training curves written to {curves}")
    head = curves.read_bytes()[:24]
    width, height = struct.unpack(">II", head[16:24])
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and 600 <= width <= 950 and 250 <= height <= 400


def test_python_dash_m_lamina_runs_the_command():
    result = subprocess.run([sys.executable, "-m", "lamina", "demo", "--epochs", "0"],
                            check=False, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "LAMINA_BACKEND": "jax"})
    assert result.returncode == 1
    assert "lamina demo: --epochs must be a positive int" in result.stderr


def test_demo_rejects_bad_epochs(capsys):
    assert cli.main(["demo", "--epochs", "0"]) == 1
    assert "--epochs must be a positive int" in capsys.readouterr().err


def test_pyproject_declares_the_console_script():
    tomllib = pytest.importorskip("tomllib")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert project["scripts"]["lamina"] == "lamina.cli:main"
    extras = project["optional-dependencies"]
    assert any(req.startswith("tensorboardX") for req in extras["tensorboard"])
    assert {"matplotlib", "tensorboardX", "tensorboard", "pydot"} <= {
        req.split(">")[0].split("=")[0] for req in extras["dev"]}
