"""Kill-and-resume: a fit killed with SIGKILL twice and rerun ends where an uninterrupted fit does.

The training script runs in subprocesses. BackupAndRestore backs up every 2 batches; a callback
pauses the script at a chosen (epoch, batch) after a backup, and the test SIGKILLs it there.
Rerunning the same script restores the backup and resumes at the batch after the backup (the
trainer reads the batch BackupAndRestore records), so batches between the backup and the kill
are redone, and the shuffled order of later epochs is the one an uninterrupted run draws.
"""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

SCRIPT = r'''
import os, sys, time
import numpy as np
import lamina
from lamina import callbacks, layers, optimizers

backup_dir, out_path, pause = sys.argv[1], sys.argv[2], sys.argv[3]
target = None if pause == "none" else tuple(int(v) for v in pause.split(":"))
lamina.utils.set_random_seed(7)
rng = np.random.default_rng(0)
x = rng.normal(size=(40, 4)).astype("float32")
y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype("float32")
model = lamina.Sequential([lamina.Input((4,)), layers.Dense(8, activation="tanh"),
                           layers.Dense(1)])
model.compile(optimizer=optimizers.Adam(0.01), loss="mse")


class Pause(callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == target:
            with open(out_path + ".paused", "w") as f:
                f.write("paused")
            time.sleep(600)  # the test kills the process here


extra = [] if backup_dir == "none" else [callbacks.BackupAndRestore(backup_dir, save_freq=2)]
model.fit(x, y, batch_size=8, epochs=4, shuffle=True, callbacks=extra + [Pause()], verbose=0)
np.savez(out_path, *model.get_weights())
'''


def _start(script, backup_dir, out_path, pause):
    env = {**os.environ, "LAMINA_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, str(script), str(backup_dir), str(out_path), pause],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _kill_when_paused(process, out_path, backup_dir, timeout=120):
    marker = f"{out_path}.paused"
    deadline = time.monotonic() + timeout
    while not os.path.exists(marker):
        if process.poll() is not None:
            raise AssertionError(f"the script ended before pausing:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the script never paused")
        time.sleep(0.05)
    assert os.path.exists(os.path.join(backup_dir, "training_metadata.json"))
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    os.remove(marker)


def _finish(process, timeout=180):
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out.decode()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_twice_then_resume_matches_uninterrupted_run(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    backup = tmp_path / "backup"
    reference_out, resumed_out = tmp_path / "reference.npz", tmp_path / "resumed.npz"
    # The uninterrupted reference runs alongside the first interrupted run.
    reference = _start(script, "none", reference_out, "none")
    run = _start(script, backup, resumed_out, "1:3")  # last backup after epoch 1, batch 2
    _kill_when_paused(run, resumed_out, backup)
    run = _start(script, backup, resumed_out, "2:1")  # last backup after epoch 2, batch 0
    _kill_when_paused(run, resumed_out, backup)
    _finish(reference)
    _finish(_start(script, backup, resumed_out, "none"))
    expected, resumed = np.load(reference_out), np.load(resumed_out)
    assert len(expected.files) == 4
    for name in expected.files:
        np.testing.assert_allclose(resumed[name], expected[name], rtol=1e-5, atol=1e-6)
    # The completed run removed its backup.
    assert not os.path.exists(backup / "training_metadata.json")
