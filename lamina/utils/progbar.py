"""A text progress bar in Keras 3's format, for fit/evaluate/predict and for user loops.

On a terminal the bar rewrites its line with `\\r`, at most once per `interval` seconds. In a
Jupyter notebook it is one output updated in place through an IPython display handle (an HTML
progress bar with the text line under it). Anywhere else (a log file, CI) it prints one plain
line when it is finalized, so logs hold no carriage returns or escape codes.
"""

import numbers
import os
import sys
import time

import numpy as np

from lamina.utils import io_utils

_DONE = "\u2501"          # heavy horizontal line, as Keras draws its bar
_TODO_PLAIN = "\u2500"    # light line: without colours, the undone part must look different
_GREEN, _GREY, _RESET = "\x1b[32m", "\x1b[37m", "\x1b[0m"
_ASCII_FALLBACK = str.maketrans({_DONE: "=", _TODO_PLAIN: "."})


def _clock():
    """Seconds on a monotonic clock (a function, so tests can replace it)."""
    return time.monotonic()


def print_msg(message, line_break=True):
    """Write `message` to the current `sys.stdout` and flush it.

    Args:
        message: Text to write.
        line_break: Whether to end the text with a newline.

    >>> print_msg("Epoch 1/3")
    Epoch 1/3
    """
    if not io_utils.is_interactive_logging_enabled():
        # Logged messages are whole lines: a bar's in-place updates are not logged.
        if line_break:
            io_utils.log_message(str(message).strip("\r"))
        return
    message = f"{message}\n" if line_break else str(message)
    stream = sys.stdout
    try:
        stream.write(message)
    except UnicodeEncodeError:
        # A stream that cannot encode the bar characters (e.g. ASCII locale) gets ASCII ones.
        encoding = getattr(stream, "encoding", None) or "ascii"
        message = message.translate(_ASCII_FALLBACK)
        stream.write(message.encode(encoding, errors="replace").decode(encoding))
    stream.flush()


def is_dynamic_display():
    """Whether stdout can rewrite a line in place: a terminal or a Jupyter notebook (and
    interactive logging is on)."""
    if not io_utils.is_interactive_logging_enabled():
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool((isatty is not None and isatty()) or "ipykernel" in sys.modules
                or "PYCHARM_HOSTED" in os.environ or in_notebook())


def in_notebook():
    """Whether this runs in a Jupyter kernel (IPython's ZMQ shell, or a subclass like Colab's)."""
    # Looked up in sys.modules: a kernel has imported IPython already; a script should not.
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return False
    try:
        shell = get_ipython()
    except Exception:  # noqa: BLE001  (a half-initialized IPython: treat as no notebook)
        return False
    return shell is not None and any(cls.__name__ == "ZMQInteractiveShell"
                                     for cls in type(shell).__mro__)


class _NotebookLine:
    """One progress line for IPython's display: HTML (a bar and the text) or the plain text."""

    def __init__(self, text, fraction):
        self.text = text
        self.fraction = fraction

    def __repr__(self):
        return self.text

    def _repr_html_(self):
        import html

        bar = ("" if self.fraction is None else
               f'<progress value="{self.fraction:.4f}" max="1" style="width:20em"></progress> ')
        return f'<div style="font-family:monospace">{bar}{html.escape(self.text)}</div>'


def _notebook_display(line, handle):
    """Show `line` in a new notebook output, or update `handle`'s; returns the handle (None if
    IPython's display is unavailable)."""
    try:
        from IPython.display import display
    except ImportError:
        return None
    if handle is None:
        return display(line, display_id=True)
    handle.update(line)
    return handle


def _format_value(value):
    """Four decimals, or scientific notation for magnitudes at or below 1e-3 (Keras's format)."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_time_per_unit(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds):
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _to_float(name, value):
    try:
        return float(np.mean(np.asarray(value, dtype="float64")))
    except (TypeError, ValueError):
        raise TypeError(f"Progbar.update: the value of {name!r} must be a number or a numeric "
                        f"array. Received: {value!r} of type {type(value).__name__}. Pass metric "
                        "values, not strings or other objects.") from None


class Progbar:
    """Progress bar with running metrics, printed like Keras 3's.

    Values of metrics not in `stateful_metrics` are averaged over the steps seen, each update
    weighted by the steps it covers; stateful ones are shown as given. A finalizing update shows
    the values it is given as they are (they are the final results).

    Args:
        target: Total number of steps, or `None` if unknown.
        width: Width of the bar, in characters.
        verbose: 0 (silent), 1 (a live bar) or 2 (one line when finalized).
        interval: Minimum seconds between two redraws of the live bar.
        stateful_metrics: Names of metrics shown as given, not averaged. Give this or
            `stateless_metrics`, not both.
        stateless_metrics: Names of the only metrics to average; all others are shown as given.
        unit_name: Name of one step in the time-per-step display (e.g. `"step"`, `"sample"`).

    >>> bar = Progbar(target=10, verbose=0)
    >>> for step in range(1, 11):
    ...     bar.update(step, [("loss", 1.0 / step)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if target is not None and (not _is_int(target) or target < 0):
            raise ValueError(f"Progbar: `target` must be a non-negative int or None. Received: "
                             f"target={target!r}. Pass the number of steps, or None if unknown.")
        if not _is_int(width) or width <= 0:
            raise ValueError(f"Progbar: `width` must be a positive int. Received: width={width!r}")
        if verbose not in (0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"Progbar: `verbose` must be 0, 1 or 2. Received: verbose={verbose!r}")
        if (not isinstance(interval, numbers.Real) or isinstance(interval, bool)
                or not interval >= 0):
            raise ValueError("Progbar: `interval` must be a non-negative number of seconds. "
                             f"Received: interval={interval!r}")
        if not isinstance(unit_name, str):
            raise TypeError(f"Progbar: `unit_name` must be a string. Received: "
                            f"unit_name={unit_name!r} of type {type(unit_name).__name__}")
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: pass `stateful_metrics` (names shown as given; all others "
                             "averaged) or `stateless_metrics` (names averaged; all others shown "
                             "as given), not both.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ()) if stateless_metrics is None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        self._dynamic_display = is_dynamic_display()
        self._notebook = self.verbose == 1 and in_notebook()
        self._notebook_handle = None
        self._values = {}         # name -> [weighted sum, weight]; insertion order is display order
        self._seen_so_far = 0
        self._start = _clock()
        self._last_update = None
        self._time_after_first_step = None
        self._prev_width = 0

    def update(self, current, values=None, finalize=None):
        """Move the bar to step `current` and record metric values.

        Args:
            current: Index of the current step (the number of steps done).
            values: List of `(name, value)` pairs (or a dict) for the latest step(s).
            finalize: Whether this is the last update. `None` means `current >= target`.
        """
        if not _is_int(current) or current < 0:
            raise ValueError(f"Progbar.update: `current` must be a non-negative int. Received: "
                             f"current={current!r}")
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values, finalize)
        now = _clock()
        time_per_unit = self._time_per_unit(current, now)
        if self.verbose == 1:
            self._show_live(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize:
            count = (f"{current:{len(str(self.target))}d}/{self.target}" if self.target
                     else f"{current}/Unknown")
            print_msg(f"{count} - {now - self._start:.0f}s - "
                      f"{_format_time_per_unit(time_per_unit, self.unit_name)}"
                      f"{self._metrics_text()}")

    def add(self, n, values=None):
        """Advance the bar by `n` steps: `update(steps_seen + n, values)`."""
        if not _is_int(n) or n < 0:
            raise ValueError(f"Progbar.add: `n` must be a non-negative int. Received: n={n!r}")
        self.update(self._seen_so_far + n, values)

    def _is_stateful(self, name):
        if self.stateful_metrics is not None:
            return name in self.stateful_metrics
        return name not in self.stateless_metrics

    def _record(self, current, values, finalize):
        if isinstance(values, dict):
            values = values.items()
        steps = max(current - self._seen_so_far, 1)
        for name, value in values or ():
            value = _to_float(name, value)
            if finalize or self._is_stateful(name) or name not in self._values:
                weight = 1 if finalize or self._is_stateful(name) else steps
                self._values[name] = [value * weight, weight]
            else:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
        self._seen_so_far = current

    def _time_per_unit(self, current, now):
        """Seconds per step, leaving out the first step (compilation) once later ones exist."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    def _metrics_text(self):
        return "".join(f" - {name}: {_format_value(total / max(weight, 1))}"
                       for name, (total, weight) in self._values.items())

    def _show_live(self, current, now, time_per_unit, finalize):
        if not finalize:
            if not self._dynamic_display:
                return
            if self._last_update is not None and now - self._last_update < self.interval:
                return
        if self._notebook and self._show_in_notebook(current, now, time_per_unit, finalize):
            return
        if self.target:
            count = f"{current:{len(str(self.target))}d}/{self.target}"
            done = min(int(self.width * current / self.target), self.width)
            plain_bar = _DONE * done + _TODO_PLAIN * (self.width - done)
            bar = (_colour(_GREEN, _DONE * done) + _colour(_GREY, _DONE * (self.width - done))
                   if self._dynamic_display else plain_bar)
            head, plain_head = f"{count} {bar}", f"{count} {plain_bar}"
        else:
            head = plain_head = f"{current:7d}/Unknown"
        if self.target and not finalize:
            clock = _format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        tail = f" {clock} {_format_time_per_unit(time_per_unit, self.unit_name)}"
        tail += self._metrics_text()
        width = len(plain_head) + len(tail)
        if self._dynamic_display:
            # Spaces wipe what is left of a longer previous line after the carriage return.
            padding = " " * max(self._prev_width - width, 0)
            print_msg(f"\r{head}{tail}{padding}", line_break=finalize)
        else:
            print_msg(f"{plain_head}{tail}")
        self._prev_width = width
        self._last_update = now

    def _plain_line(self, current, now, time_per_unit, finalize):
        """The bar's text without colours or carriage returns."""
        if self.target:
            done = min(int(self.width * current / self.target), self.width)
            head = (f"{current:{len(str(self.target))}d}/{self.target} "
                    f"{_DONE * done}{_TODO_PLAIN * (self.width - done)}")
            clock = (f"{now - self._start:.0f}s" if finalize
                     else _format_eta(time_per_unit * (self.target - current)))
        else:
            head, clock = f"{current:7d}/Unknown", f"{now - self._start:.0f}s"
        return (f"{head} {clock} {_format_time_per_unit(time_per_unit, self.unit_name)}"
                f"{self._metrics_text()}")

    def _show_in_notebook(self, current, now, time_per_unit, finalize):
        """Update the bar's notebook output; False when IPython cannot display it."""
        fraction = min(current / self.target, 1.0) if self.target else None
        line = _NotebookLine(self._plain_line(current, now, time_per_unit, finalize), fraction)
        handle = _notebook_display(line, self._notebook_handle)
        if handle is None:
            self._notebook = False
            return False
        self._notebook_handle = handle
        self._last_update = now
        return True


def _colour(code, text):
    return f"{code}{text}{_RESET}" if text else ""


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
