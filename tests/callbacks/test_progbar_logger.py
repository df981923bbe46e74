import re
import sys

import numpy as np
import pytest

from lamina.callbacks import CallbackList, ProgbarLogger
from lamina.utils import progbar

BAR = "\u2501"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar, "_clock", fake)
    return fake


def set_tty(monkeypatch, is_tty):
    """Make the current stdout (capsys's, so call it in the test body) a terminal or not."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: is_tty)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)


def run_fit(callbacks, clock, epochs, steps_run, logs_per_epoch, validate=False):
    """Drive the hooks like the trainer: one compiled call per epoch (coarse batch hooks)."""
    callbacks.on_train_begin()
    for epoch in range(epochs):
        clock.now = 10.0 * epoch
        callbacks.on_epoch_begin(epoch)
        clock.now += 1.0
        train_names = [name for name in logs_per_epoch[epoch] if not name.startswith("val_")]
        callbacks.on_train_batch_end(steps_run - 1, dict.fromkeys(train_names, 9.0))
        if validate:
            callbacks.on_test_begin()
            callbacks.on_test_batch_end(0, {"loss": 8.0})
            callbacks.on_test_end({"loss": 8.0})
        callbacks.on_epoch_end(epoch, logs_per_epoch[epoch])
    callbacks.on_train_end(logs_per_epoch[-1])


def test_progbar_logger_fit_log_file_output(monkeypatch, capsys, clock):
    set_tty(monkeypatch, False)
    callbacks = CallbackList(add_progbar=True, epochs=2, steps=4, verbose=1)
    logs = [{"loss": 0.5, "val_loss": 0.6, "accuracy": 0.75},
            {"loss": 0.25, "val_loss": 0.375, "accuracy": 0.8125}]
    run_fit(callbacks, clock, 2, 4, logs, validate=True)
    # 4 steps in 1 s: 250 ms/step; the logs are sorted by name, val_ ones (new at the epoch's
    # end) last; validation prints nothing of its own
    line = "4/4 " + BAR * 20 + " 1s 250ms/step"
    assert capsys.readouterr().out == (
        f"Epoch 1/2\n{line} - accuracy: 0.7500 - loss: 0.5000 - val_loss: 0.6000\n"
        f"Epoch 2/2\n{line} - accuracy: 0.8125 - loss: 0.2500 - val_loss: 0.3750\n")


def test_progbar_logger_single_epoch_has_no_epoch_line(monkeypatch, capsys, clock):
    set_tty(monkeypatch, False)
    run_fit(CallbackList(add_progbar=True, epochs=1, steps=4, verbose=1), clock, 1, 4,
            [{"loss": 0.5}])
    assert capsys.readouterr().out == "4/4 " + BAR * 20 + " 1s 250ms/step - loss: 0.5000\n"


def test_progbar_logger_tty_live_bar(monkeypatch, capsys, clock):
    set_tty(monkeypatch, True)
    callbacks = CallbackList(add_progbar=True, epochs=3, steps=10, verbose=1)
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(1)
    clock.now = 0.5
    callbacks.on_train_batch_end(4, {"loss": 0.75})     # 5 steps in 0.5 s, ETA 0.5 s
    out = ANSI.sub("", capsys.readouterr().out)
    assert out == "Epoch 2/3\n\r 5/10 " + BAR * 20 + " 0s 100ms/step - loss: 0.7500"
    clock.now = 1.0
    callbacks.on_epoch_end(1, {"loss": 0.5})
    assert ANSI.sub("", capsys.readouterr().out) == (
        "\r10/10 " + BAR * 20 + " 1s 100ms/step - loss: 0.5000\n")


def test_progbar_logger_verbose_2_prints_one_line_per_epoch(monkeypatch, capsys, clock):
    set_tty(monkeypatch, True)
    run_fit(CallbackList(add_progbar=True, epochs=2, steps=4, verbose=2), clock, 2, 4,
            [{"loss": 0.5}, {"loss": 0.25}])
    assert capsys.readouterr().out == ("Epoch 1/2\n4/4 - 1s - 250ms/step - loss: 0.5000\n"
                                       "Epoch 2/2\n4/4 - 1s - 250ms/step - loss: 0.2500\n")


def test_progbar_logger_verbose_0_prints_nothing(monkeypatch, capsys, clock):
    set_tty(monkeypatch, True)
    run_fit(CallbackList([ProgbarLogger()], epochs=2, steps=4, verbose=0), clock, 2, 4,
            [{"loss": 0.5}, {"loss": 0.25}])
    assert capsys.readouterr().out == ""


def test_progbar_logger_unknown_steps_learns_the_length(monkeypatch, capsys, clock):
    set_tty(monkeypatch, True)
    callbacks = CallbackList(add_progbar=True, epochs=2, steps=None, verbose=1)
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    clock.now = 0.3
    callbacks.on_train_batch_end(2, {"loss": 1.0})
    assert capsys.readouterr().out == "Epoch 1/2\n\r      3/Unknown 0s 100ms/step - loss: 1.0000"
    callbacks.on_epoch_end(0, {"loss": 0.5})
    assert ANSI.sub("", capsys.readouterr().out) == (
        "\r3/3 " + BAR * 20 + " 0s 100ms/step - loss: 0.5000\n")
    clock.now = 1.0
    callbacks.on_epoch_begin(1)
    clock.now = 1.1
    callbacks.on_train_batch_end(0, {"loss": 0.5})    # the second epoch knows the length
    assert ANSI.sub("", capsys.readouterr().out).startswith("Epoch 2/2\n\r1/3 ")


def test_progbar_logger_evaluate_and_predict_bars(monkeypatch, capsys, clock):
    set_tty(monkeypatch, False)
    logger = ProgbarLogger()
    callbacks = CallbackList([logger], epochs=1, steps=5, verbose=1)
    callbacks.on_test_begin()
    clock.now = 1.0
    callbacks.on_test_batch_end(4, {"loss": 0.5, "accuracy": 0.5})
    callbacks.on_test_end({"loss": 0.25, "accuracy": 0.75})
    assert capsys.readouterr().out == (
        "5/5 " + BAR * 20 + " 1s 200ms/step - accuracy: 0.7500 - loss: 0.2500\n")
    callbacks.on_predict_begin()
    clock.now = 2.0
    callbacks.on_predict_batch_end(4, {"outputs": np.ones((2, 2))})
    callbacks.on_predict_end()
    assert capsys.readouterr().out == "5/5 " + BAR * 20 + " 1s 200ms/step\n"


def test_progbar_logger_evaluate_after_fit_shows_its_bar(monkeypatch, capsys, clock):
    set_tty(monkeypatch, False)
    logger = ProgbarLogger()
    run_fit(CallbackList([logger], epochs=1, steps=2, verbose=1), clock, 1, 2, [{"loss": 0.5}])
    capsys.readouterr()
    CallbackList([logger], epochs=1, steps=2, verbose=1).on_test_begin()
    logger.on_test_end({"loss": 0.125})
    assert capsys.readouterr().out.endswith(" - loss: 0.1250\n")


@pytest.mark.parametrize("verbose, expected", [("auto", 1), (1, 1), (2, 2), (0, 0)])
def test_progbar_logger_reads_params(verbose, expected):
    logger = ProgbarLogger()
    logger.set_params({"verbose": verbose, "epochs": 7, "steps": 3})
    assert (logger.verbose, logger.epochs, logger.target) == (expected, 7, 3)
    assert logger.params == {"verbose": verbose, "epochs": 7, "steps": 3}


def test_progbar_logger_rejects_bad_verbose():
    with pytest.raises(ValueError, match="params\\['verbose'\\] must be 0, 1, 2 or 'auto'. "
                                         "Received: 'loud'"):
        ProgbarLogger().set_params({"verbose": "loud", "epochs": 1, "steps": 1})


def test_progbar_logger_hook_needs():
    logger = ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 2, "steps": 3})
    assert not logger._needs_batch_hooks("train")      # one update per compiled call is fine
    assert not logger._needs_batch_hooks("test") and not logger._needs_batch_hooks("predict")
    assert logger._needs_epoch_hooks()
    logger.set_params({"verbose": 0, "epochs": 2, "steps": 3})
    assert not logger._needs_epoch_hooks()


PIPED_FIT = """
import numpy as np
import lamina
x = np.linspace(-1, 1, 40, dtype="float32").reshape(20, 2)
y = x.sum(axis=1, keepdims=True)
model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
model.fit(x, y, epochs=3, batch_size=4, validation_split=0.2, verbose=1)
model.evaluate(x, y, verbose=1)
"""


def test_piped_fit_output_is_plain_lines(tmp_path):
    """fit(verbose=1) with stdout redirected to a file, in a fresh process: no \\r, no escapes."""
    import os
    import subprocess
    log = tmp_path / "fit.log"
    env = {**os.environ, "LAMINA_BACKEND": "jax"}
    env.pop("PYCHARM_HOSTED", None)
    with open(log, "w", encoding="utf-8") as out:
        subprocess.run([sys.executable, "-c", PIPED_FIT], stdout=out, stderr=subprocess.PIPE,
                       env=env, check=True, timeout=120)
    text = log.read_text(encoding="utf-8")
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert lines[0::2][:3] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    # 16 training samples in batches of 4: one finished bar per epoch with val_ metrics
    for line in lines[1:6:2]:
        assert re.fullmatch(r"4/4 \u2501{20} \d+s \d+(?:s|ms|us)/step - loss: \S+ - mae: \S+ - "
                            r"val_loss: \S+ - val_mae: \S+", line), line
    assert re.fullmatch(r"1/1 \u2501{20} \d+s \d+(?:s|ms|us)/step - loss: \S+ - mae: \S+", lines[6])
    assert len(lines) == 7
