import io
import re
import sys

import numpy as np
import pytest

from lamina import ops
from lamina.utils import progbar
from lamina.utils.progbar import Progbar, print_msg

BAR = "\u2501"
LIGHT = "\u2500"
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


def test_progbar_tty_line_has_counter_bar_eta_and_metrics(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(50, stateful_metrics=["accuracy", "loss"])
    clock.now = 1.2                     # 12 steps in 1.2 s: 100 ms/step, ETA 38 * 0.1 = 3.8 s
    bar.update(12, [("accuracy", 0.8125), ("loss", 0.4713)])
    out = capsys.readouterr().out
    assert out.startswith("\r") and not out.endswith("\n")
    # int(20 * 12 / 50) = 4 steps of the bar are done (green), 16 to go (grey)
    assert "\x1b[32m" + BAR * 4 + "\x1b[0m" + "\x1b[37m" + BAR * 16 + "\x1b[0m" in out
    assert ANSI.sub("", out) == ("\r12/50 " + BAR * 20
                                 + " 3s 100ms/step - accuracy: 0.8125 - loss: 0.4713")


def test_progbar_tty_final_line_shows_elapsed_time_and_newline(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(50, stateful_metrics=["loss"])
    clock.now = 5.0
    bar.update(50, [("loss", 0.4713)])
    out = capsys.readouterr().out
    assert ANSI.sub("", out) == "\r50/50 " + BAR * 20 + " 5s 100ms/step - loss: 0.4713\n"


def test_progbar_counter_is_padded_to_the_target_width(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(10000)
    clock.now = 2.0                     # 2 s/step, ETA 9999 * 2 = 19998 s = 5:33:18
    bar.update(1)
    assert ANSI.sub("", capsys.readouterr().out) == "\r    1/10000 " + BAR * 20 + " 5:33:18 2s/step"


def test_progbar_eta_in_minutes(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(100)
    clock.now = 1.0                     # 1 s/step, ETA 99 s = 1:39
    bar.update(1)
    assert " 1:39 1s/step" in capsys.readouterr().out


def test_progbar_time_per_step_in_microseconds(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(100, unit_name="sample")
    clock.now = 5e-5
    bar.update(10)
    assert " 0s 5us/sample" in capsys.readouterr().out


def test_progbar_time_per_step_leaves_out_the_first_step(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(100, interval=0.0)
    clock.now = 10.0                    # the first step compiles
    bar.update(1)
    clock.now = 11.0                    # 10 more steps in 1 s
    bar.update(11)
    last = ANSI.sub("", capsys.readouterr().out).split("\r")[-1]
    # ETA 89 * 0.1 = 8.9 s; one space wipes the end of the longer first line ("16:30 10s/step")
    assert last == " 11/100 " + BAR * 20 + " 8s 100ms/step "


@pytest.mark.parametrize("value, text", [(0.5, "0.5000"), (-0.5, "-0.5000"),
                                         (123.456789, "123.4568"), (0.0005, "5.0000e-04"),
                                         (0.0, "0.0000e+00"), (-2e-4, "-2.0000e-04")])
def test_progbar_metric_format(monkeypatch, clock, capsys, value, text):
    set_tty(monkeypatch, False)
    bar = Progbar(1)
    bar.update(1, [("m", value)])
    assert capsys.readouterr().out.endswith(f" - m: {text}\n")


def test_progbar_averages_stateless_values_weighted_by_steps(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(10, interval=0.0)
    bar.update(2, [("loss", 1.0)])
    bar.update(5, [("loss", 0.5)])      # (1.0 * 2 + 0.5 * 3) / 5 = 0.7
    assert capsys.readouterr().out.endswith(" - loss: 0.7000")
    bar.update(10, [("loss", 0.25)])    # a finalizing update shows its values as given
    assert capsys.readouterr().out.endswith(" - loss: 0.2500\n")


def test_progbar_stateful_metrics_are_shown_as_given(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(10, interval=0.0, stateful_metrics=["acc"])
    bar.update(2, [("loss", 1.0), ("acc", 0.9)])
    bar.update(4, [("loss", 0.0), ("acc", 0.5)])     # loss: (1 * 2 + 0 * 2) / 4 = 0.5
    assert capsys.readouterr().out.endswith(" - loss: 0.5000 - acc: 0.5000")


def test_progbar_stateless_metrics_are_the_only_averaged_ones(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(10, interval=0.0, stateless_metrics=["loss"])
    bar.update(1, [("loss", 1.0), ("acc", 0.9)])
    bar.update(4, [("loss", 0.0), ("acc", 0.5)])     # loss: (1 * 1 + 0 * 3) / 4 = 0.25
    assert capsys.readouterr().out.endswith(" - loss: 0.2500 - acc: 0.5000")


def test_progbar_accepts_tensor_and_dict_values(monkeypatch, clock, capsys):
    set_tty(monkeypatch, False)
    bar = Progbar(2)
    bar.update(2, {"loss": ops.convert_to_tensor(np.float32(0.125)), "acc": np.array([0.5, 1.0])})
    assert capsys.readouterr().out.endswith(" - loss: 0.1250 - acc: 0.7500\n")


def test_progbar_redraws_at_most_once_per_interval(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(10, interval=0.05)
    for now, step in [(0.0, 1), (0.01, 2), (0.04, 3), (0.06, 4), (0.07, 5), (0.08, 10)]:
        clock.now = now
        bar.update(step)
    lines = ANSI.sub("", capsys.readouterr().out).split("\r")[1:]
    # shown: the first update, the first after 0.05 s, and the final one (always)
    assert [line.split()[0] for line in lines] == ["1/10", "4/10", "10/10"]


def test_progbar_non_tty_prints_one_plain_line_when_finalized(monkeypatch, clock, capsys):
    set_tty(monkeypatch, False)
    bar = Progbar(50, stateful_metrics=["loss"])
    for step in range(1, 50):
        clock.now = step * 0.1
        bar.update(step, [("loss", 0.5)])
    assert capsys.readouterr().out == ""
    clock.now = 5.0
    bar.update(50, [("loss", 0.4713)])
    # time per step leaves out the first: (5.0 - 0.1) / 49 = 0.1 s
    assert capsys.readouterr().out == "50/50 " + BAR * 20 + " 5s 100ms/step - loss: 0.4713\n"


def test_progbar_non_tty_early_finalize_shows_the_undone_part(monkeypatch, clock, capsys):
    set_tty(monkeypatch, False)
    bar = Progbar(50)
    bar.update(20, finalize=True)
    out = capsys.readouterr().out
    assert out.startswith("20/50 " + BAR * 8 + LIGHT * 12 + " ")
    assert "\r" not in out and "\b" not in out and "\x1b" not in out


def test_progbar_verbose_2_prints_one_line_at_the_end(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(50, verbose=2, stateful_metrics=["accuracy", "loss"])
    for step in range(1, 50):
        clock.now = step * 0.1
        bar.update(step, [("accuracy", 0.5), ("loss", 0.2)])
    assert capsys.readouterr().out == ""
    clock.now = 5.0                     # (5.0 - 0.1) / 49 = 0.1 s per step after the first
    bar.update(50, [("accuracy", 0.9), ("loss", 0.1)])
    assert capsys.readouterr().out == "50/50 - 5s - 100ms/step - accuracy: 0.9000 - loss: 0.1000\n"


def test_progbar_verbose_0_prints_nothing(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(3, verbose=0)
    for step in range(1, 4):
        bar.update(step, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_progbar_unknown_target(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(None, stateful_metrics=["loss"], interval=0.0)
    clock.now = 1.5
    bar.update(3, [("loss", 0.5)])
    assert capsys.readouterr().out == "\r      3/Unknown 2s 500ms/step - loss: 0.5000"
    clock.now = 2.0
    bar.update(4, [("loss", 0.25)], finalize=True)
    assert capsys.readouterr().out.startswith("\r      4/Unknown 2s ")


def test_progbar_pads_a_shorter_line_with_spaces(monkeypatch, clock, capsys):
    set_tty(monkeypatch, True)
    bar = Progbar(None, stateful_metrics=["loss"], interval=0.0)
    bar.update(1, [("loss", 123.456789)])
    first = capsys.readouterr().out
    bar.update(2, [("loss", 1.0)])
    second = capsys.readouterr().out
    assert second == "\r      2/Unknown 0s 0s/step - loss: 1.0000  "
    assert len(second) == len(first)


def test_progbar_add_advances_by_n(monkeypatch, clock, capsys):
    set_tty(monkeypatch, False)
    bar = Progbar(5)
    bar.add(3, [("loss", 1.0)])
    bar.add(2, [("loss", 0.0)])
    assert capsys.readouterr().out.startswith("5/5 ")
    assert bar._seen_so_far == 5


def test_progbar_ascii_stream_gets_ascii_bar(monkeypatch, clock):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.setattr(stream, "isatty", lambda: False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    Progbar(4, width=4).update(2, finalize=True)
    stream.seek(0)
    assert stream.read().startswith("2/4 ==.. ")


def test_print_msg_writes_and_flushes(capsys):
    print_msg("Epoch 1/3")
    print_msg("no newline", line_break=False)
    assert capsys.readouterr().out == "Epoch 1/3\nno newline"


@pytest.mark.parametrize("kwargs, match", [
    ({"target": -1}, "`target` must be a non-negative int"),
    ({"target": 2.5}, "`target` must be a non-negative int"),
    ({"target": 3, "width": 0}, "`width` must be a positive int"),
    ({"target": 3, "verbose": 3}, "`verbose` must be 0, 1 or 2"),
    ({"target": 3, "interval": -1}, "`interval` must be a non-negative"),
    ({"target": 3, "stateful_metrics": ["a"], "stateless_metrics": ["b"]}, "not both"),
])
def test_progbar_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Progbar(**kwargs)


def test_progbar_rejects_bad_unit_name():
    with pytest.raises(TypeError, match="`unit_name` must be a string"):
        Progbar(3, unit_name=1)


def test_progbar_update_rejects_bad_current_and_values(clock):
    bar = Progbar(3, verbose=0)
    with pytest.raises(ValueError, match="`current` must be a non-negative int. Received: "
                                         "current=-1"):
        bar.update(-1)
    with pytest.raises(TypeError, match="the value of 'loss' must be a number"):
        bar.update(1, [("loss", "low")])
    with pytest.raises(ValueError, match="`n` must be a non-negative int"):
        bar.add(1.5)


# -- notebook display -------------------------------------------------------------------------------
class ZMQInteractiveShell:
    """Named like ipykernel's shell, which is all the detection looks at."""


class ColabShell(ZMQInteractiveShell):
    pass


class TerminalInteractiveShell:
    pass


class FakeHandle:
    def __init__(self, first):
        self.shown = [first]

    def update(self, obj):
        self.shown.append(obj)


@pytest.fixture
def fake_kernel(monkeypatch):
    """An IPython kernel stand-in: `get_ipython()` and `display(obj, display_id=True)`."""
    import types
    handles = []

    def display(obj, display_id=False):
        assert display_id is True
        handles.append(FakeHandle(obj))
        return handles[-1]

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = ZMQInteractiveShell
    ipython.display = types.ModuleType("IPython.display")
    ipython.display.display = display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython.display)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    return ipython, handles


@pytest.mark.parametrize("shell, expected", [
    (ZMQInteractiveShell, True), (ColabShell, True), (TerminalInteractiveShell, False),
    (lambda: None, False)])
def test_in_notebook_detects_the_kernel_shell(fake_kernel, shell, expected):
    fake_kernel[0].get_ipython = shell
    assert progbar.in_notebook() is expected
    assert progbar.is_dynamic_display() is expected


def test_in_notebook_false_without_ipython(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert progbar.in_notebook() is False


def test_notebook_bar_updates_one_output_and_prints_nothing(fake_kernel, clock, capsys):
    _, handles = fake_kernel
    bar = Progbar(4, stateful_metrics=["loss"], interval=0.5)
    for step, now in ((1, 0.1), (2, 0.2), (3, 0.7)):      # step 2 is within the interval
        clock.now = now
        bar.update(step, [("loss", 1.0 / step)])
    clock.now = 1.0
    bar.update(4, [("loss", 0.25)])
    assert capsys.readouterr().out == ""
    assert len(handles) == 1
    shown = handles[0].shown
    assert len(shown) == 3                 # steps 1, 3 and the final update
    # after step 1 (0.1 s): 100 ms/step, 3 steps left -> ETA 0 s
    assert repr(shown[0]) == "1/4 " + BAR * 5 + LIGHT * 15 + " 0s 100ms/step - loss: 1.0000"
    assert repr(shown[-1]) == "4/4 " + BAR * 20 + " 1s 300ms/step - loss: 0.2500"
    assert '<progress value="1.0000" max="1"' in shown[-1]._repr_html_()
    assert '<progress value="0.2500" max="1"' in shown[0]._repr_html_()
    assert "\r" not in repr(shown[-1]) and not ANSI.search(shown[-1]._repr_html_())


def test_notebook_html_escapes_metric_names(fake_kernel, clock):
    bar = Progbar(None, stateful_metrics=["<b>"])
    bar.update(3, [("<b>", 1.0)], finalize=True)
    html = fake_kernel[1][0].shown[-1]._repr_html_()
    assert "&lt;b&gt;: 1.0000" in html and "<progress" not in html


def test_notebook_without_display_falls_back_to_carriage_returns(fake_kernel, monkeypatch,
                                                                  clock, capsys):
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    bar = Progbar(2, stateful_metrics=["loss"])
    clock.now = 1.0
    bar.update(1, [("loss", 0.5)])
    assert capsys.readouterr().out.startswith("\r1/2 ")


def test_notebook_verbose_2_prints_one_plain_line(fake_kernel, clock, capsys):
    bar = Progbar(2, verbose=2, stateful_metrics=["loss"])
    clock.now = 2.0
    bar.update(2, [("loss", 0.5)])
    assert capsys.readouterr().out == "2/2 - 2s - 1s/step - loss: 0.5000\n"
    assert fake_kernel[1] == []
