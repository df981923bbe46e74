"""The runner's output: a Markdown table of results, footnotes, and the machine's description."""

import datetime
import importlib.metadata
import os
import platform

LATENCY = ("W6p", "W6c")  # reported in milliseconds
COLUMNS = ("workload", "system", "first", "steady", "samples/s", "loss, epoch 1", "final loss",
           "peak RSS (MiB)", "steady vs lamina", "first vs lamina")
DASH = "—"


def _time(seconds, workload):
    if workload in LATENCY:
        return f"{seconds * 1000:.4g} ms"
    return f"{seconds:.4g} s"


def _number(value, digits=4):
    if value is None:
        return DASH
    if abs(value) >= 10 ** digits:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def _ratio(value, base):
    if base is None or not base > 0:
        return DASH
    return f"{value / base:.2f}x"


def _line(cells):
    return "| " + " | ".join(cells) + " |"


def _repeated(rows):
    return any(row["result"] and row["result"].get("runs", 1) > 1 for row in rows)


def _main_table(rows):
    lamina = {row["workload"]: row["result"] for row in rows
              if row["system"] == "lamina" and row["result"]}
    columns = list(COLUMNS)
    repeated = _repeated(rows)
    if repeated:
        columns.insert(columns.index("steady") + 1, "steady range")
    lines = [_line(columns), _line(["---"] * len(columns))]
    for row in rows:
        result, workload = row["result"], row["workload"]
        if result is None:
            cells = [row["title"], row["system"], row["failure"] or "failed"]
            lines.append(_line(cells + [DASH] * (len(columns) - len(cells))))
            continue
        base = lamina.get(workload)
        cells = [row["title"], row["system"], _time(result["first"], workload),
                 _time(result["steady"], workload)]
        if repeated:
            low, high = result.get("steady_range", (result["steady"], result["steady"]))
            cells.append(f"{_time(low, workload)} - {_time(high, workload)}")
        lines.append(_line(cells + [
            _number(result["samples_per_s"]),
            _number(result["first_loss"]), _number(result["final_loss"]),
            _number(result["peak_rss_mib"]),
            _ratio(result["steady"], base and base["steady"]),
            _ratio(result["first"], base and base["first"])]))
    return lines


def _memory_table(rows):
    rows = [row for row in rows if row["workload"] == "W7" and row["result"]]
    if not rows:
        return []
    first = rows[0]["result"]
    header = ("system", "models", f"RSS after {first['mark']} (MiB)",
              f"RSS after {first['models']} (MiB)", "ratio (target <= 1.10)")
    lines = ["", "W7 memory (resident set after `gc.collect()`):", "", _line(header),
             _line(["---"] * len(header))]
    for row in rows:
        r = row["result"]
        lines.append(_line([row["system"], str(r["models"]), f"{r['rss_mark']:.0f}",
                            f"{r['rss_last']:.0f}", f"{r['rss_ratio']:.3f}"]))
    return lines


def _footnotes(rows, args):
    present = {(row["workload"], row["system"]) for row in rows if row["result"]}
    workloads = {workload for workload, _ in present}
    notes = [(f"- first: the first epoch, compilation included; steady: the median of "
              f"{args.epochs} further epochs. Times are wall-clock; gaps under ~1.2x are noise "
              f"on a shared machine.")]
    repeat = getattr(args, "repeat", 1)
    if repeat > 1:
        notes.append(f"- Each (workload, system) ran {repeat} times in separate processes, in "
                     f"rounds taking the systems in turn: first and steady are the medians over "
                     f"the runs, steady range the lowest and highest run, peak RSS the highest; "
                     f"the losses are the median run's.")
    if any(system == "lamina" for _, system in present):
        notes.append("- lamina keeps a persistent XLA compilation cache (~/.cache/lamina/xla), so "
                     "its first epoch is faster once the cache is warm; "
                     "`LAMINA_COMPILATION_CACHE=0` in the runner's environment measures a cold "
                     "start.")
    if "W1" in workloads:
        notes.append("- W1: the timed unit is a whole fit (all its epochs); samples/s counts "
                     "every epoch's 4 rows. jax-scan runs the fit as one `lax.scan` over epochs.")
    if ("W1", "keras-torch") in present and args.epochs > 1:
        notes.append("- W1 keras-torch: steady is 1 further fit, not the median of "
                     f"{args.epochs} (about 30 s a fit).")
    if workloads & {"W6p", "W6c", "W6t"}:
        notes.append("- W6: latency rows in ms: first call, then the median of later calls "
                     "after one warm-up call. torch's predict row is a plain call under "
                     "`no_grad()` (PyTorch has no predict); jax-step's W6 rows are a bare "
                     "`jax.jit(forward)(params, x)` converted to NumPy.")
    if "W7" in workloads:
        notes.append("- W7: first is the first model's build + one-step fit; steady the median "
                     "of the others.")
    if args.quick:
        notes.append("- `--quick`: tiny sizes; the figures only show that the runner works.")
    return notes


def render(rows, args):
    """The Markdown text: main table, W7 memory table (if run), then footnotes."""
    return "\n".join(_main_table(rows) + _memory_table(rows) + [""] + _footnotes(rows, args))


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (Linux), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions():
    """Installed versions of the benchmarked packages, read without importing them."""
    found = {"Python": platform.python_version()}
    for name in ("lamina", "jax", "keras", "torch"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def section_header(command):
    """A dated Markdown heading with the command, machine and versions."""
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    found = ", ".join(f"{name} {version}" for name, version in versions().items())
    return (f"## {stamp}: `{command}`\n\nMachine: {cpu_model()}, {os.cpu_count()} cores, "
            f"{platform.system()} {platform.machine()}. Versions: {found}.\n")
