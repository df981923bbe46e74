"""A save killed with SIGKILL never damages the previous file (lamina/saving/archive.py writes a
temporary file in the same folder, then renames it over the target).

Two ways to kill mid-save: deterministically, with the tests-only hook `archive.PAUSE_ENV` that
makes a save stop half-way through its temporary file (after config.json, before the weights);
and at a random moment while a child process saves a ~2 MB model over and over.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.saving import archive
from lamina.saving.errors import LoadError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import lamina
    from lamina import layers

    path, width, repeat = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "repeat"
    model = lamina.Sequential([lamina.Input((8,)), layers.Dense(width), layers.Dense(width),
                               layers.Dense(1)])
    model.set_weights([np.full(w.shape, 0.01, "float32") for w in model.get_weights()])
    np.save(path + ".expected.npy", model.predict(np.ones((2, 8)), verbose=0))
    while True:
        model.save(path)
        print("saved", flush=True)
        if not repeat:
            break
""")


def _child(path, width, mode, **env):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(width), mode], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": ROOT, **env})


def _previous(tmp_path):
    """The file the killed save would replace, and its predictions on ones((2, 8))."""
    model = lamina.Sequential([lamina.Input((8,)), layers.Dense(3), layers.Dense(1)])
    path = tmp_path / "m.keras"
    model.save(path)
    return path, path.read_bytes(), model.predict(np.ones((2, 8)), verbose=0)


def _wait_for(condition, process, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the child exited early with status {process.returncode}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the child did not reach the save in time")
        time.sleep(0.05)


def test_sigkill_half_way_through_a_save_leaves_the_previous_file(tmp_path):
    path, before, predictions = _previous(tmp_path)
    marker = tmp_path / "paused"
    child = _child(path, 64, "once", **{archive.PAUSE_ENV: str(marker)})
    _wait_for(marker.exists, child)
    _wait_for(lambda: marker.read_text() != "", child)
    temporary = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(temporary) == 1 and temporary[0].name.startswith(".m.keras.")
    assert temporary[0].stat().st_size == int(marker.read_text()) > 0  # half written
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(np.ones((2, 8)), verbose=0), predictions,
                               rtol=1e-6)
    # The half-written temporary file is left behind (SIGKILL runs no cleanup) but is refused.
    with pytest.raises(LoadError):
        lamina.saving.load_model(temporary[0].rename(tmp_path / "partial.keras"))


def test_sigkill_at_a_random_moment_of_repeated_saves(tmp_path):
    path, before, predictions = _previous(tmp_path)
    child = _child(path, 384, "repeat")  # ~1.2 MB of weights per save
    _wait_for(lambda: os.path.exists(f"{path}.expected.npy"), child)
    time.sleep(np.random.default_rng(7).uniform(0.0, 0.5))
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    saves = child.stdout.read().count("saved")
    unchanged = path.read_bytes() == before
    assert not (saves and unchanged), "a completed save must have replaced the file"
    loaded = lamina.saving.load_model(path)  # the old file or a complete new one, never a part
    expected = predictions if unchanged else np.load(f"{path}.expected.npy")
    np.testing.assert_allclose(loaded.predict(np.ones((2, 8)), verbose=0), expected, rtol=1e-5)
