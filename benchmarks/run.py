"""Time the same workloads on lamina, Keras 3 (JAX and torch backends), PyTorch and JAX.

Run: python -m benchmarks.run [--only W1,W3] [--systems lamina,jax-scan] [--epochs 3]
     [--repeat 3] [--quick] [--markdown benchmarks/RESULTS.md]   (or python benchmarks/run.py,
     make bench)

Each (workload, system) pair runs in a fresh process (sharing one, PyTorch's CPU threads fought
XLA's: an LSTM epoch went from 3 s to 100 s); a system whose framework is not installed gets a
"not installed" row. Systems:
- lamina; keras-jax and keras-torch: Keras 3 with KERAS_BACKEND set in the child;
- torch: an idiomatic hand-written PyTorch loop (workloads_torch.py);
- jax-step / jax-scan: hand-written JAX, a jitted step per batch / one jitted `lax.scan` per
  epoch over device-resident data (workloads_jax.py, models in jax_models.py).

Workloads (the benchmark issue's; synthetic data of the real shapes, common.py):
- W1: the XOR net (Dense 2 sigmoid, Dense 1 sigmoid, SGD 0.1 momentum 0.9 nesterov, MSE), a
  fit of 10000 epochs of batch 4 is the timed unit.
- W2: MLP 784-512-512-10 with Dropout 0.2, RMSprop, sparse categorical CE, 60000 rows, batch 128.
- W3: Conv2D 32 - MaxPool - Conv2D 64 - MaxPool - Flatten - Dropout 0.5 - Dense 10, Adam,
  12000 28x28x1 images, batch 128.
- W4: Embedding(20000, 128) - LSTM(64) - Dense(1, sigmoid), Adam, 4000x100 tokens, batch 64.
- W5: token and position embedding 64, MultiHeadAttention (2 heads, key_dim 32), two
  LayerNormalizations, FFN 128, GlobalAveragePooling1D, Dense 2, Adam, 4000x128, batch 32.
- W6p / W6c / W6t: the W2 model's predict on 1 row, model(x) on 1 row, predict on 10000 rows.
- W7: build, fit one step and drop the W2 model 200 times (lamina and keras-jax): resident
  memory after 20 and after 200 models.

Columns: first = the first epoch (W1: fit; W6: call), compilation included; steady = the median
of `--epochs` further ones; samples/s from steady; the training loss of the first and of the
last epoch; the child's peak RSS at its end; each system's time over lamina's.

`--repeat N` runs every (workload, system) child N times, in rounds that take the systems in
turn (so a slow spell of a shared machine hits all of them); first and steady are then the
medians over the N runs, a "steady range" column shows the runs' lowest and highest, and peak
RSS is the highest.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import warnings

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import common, report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "BENCHMARK-RESULT "

SYSTEMS = ("lamina", "keras-jax", "keras-torch", "torch", "jax-step", "jax-scan")
# What each system needs installed (checked without importing, in the parent).
REQUIRES = {"lamina": ("lamina", "jax"), "keras-jax": ("keras", "jax"),
            "keras-torch": ("keras", "torch"), "torch": ("torch",), "jax-step": ("jax",),
            "jax-scan": ("jax",)}
_TRAINING = SYSTEMS
_INFERENCE = ("lamina", "keras-jax", "keras-torch", "torch", "jax-step")
WORKLOADS = {  # titles are formatted with common.sizes(quick)
    "W1": ("W1 XOR fit, {xor_epochs} epochs of batch 4", _TRAINING),
    "W2": ("W2 MLP 784-512-512-10, RMSprop, {mlp_rows} rows", _TRAINING),
    "W3": ("W3 convnet 28x28x1, Adam, {cnn_rows} rows", _TRAINING),
    "W4": ("W4 Embedding-LSTM(64), {seq_rows}x100 tokens", _TRAINING),
    "W5": ("W5 transformer block, {seq_rows}x128 tokens", _TRAINING),
    "W6p": ("W6 predict, 1 row (latency)", _INFERENCE),
    "W6c": ("W6 model(x), 1 row (latency)", _INFERENCE),
    "W6t": ("W6 predict, {predict_rows} rows", _INFERENCE),
    "W7": ("W7 memory, {memory_models} models", ("lamina", "keras-jax")),
}
ALIASES = {"W6": ("W6p", "W6c", "W6t")}


def _installed(system):
    return all(importlib.util.find_spec(name) is not None for name in REQUIRES[system])


def _module_for(system):
    if system in ("lamina", "keras-jax", "keras-torch"):
        from benchmarks import workloads_keras as module
    elif system == "torch":
        from benchmarks import workloads_torch as module
    else:
        from benchmarks import workloads_jax as module
    return module


def _worker(workload, system, steady_epochs, quick):
    """Run one (workload, system) in this fresh process; print its result as a JSON line."""
    warnings.filterwarnings("ignore", message=".*donated buffers.*")
    size = common.sizes(quick)
    out = _module_for(system).run(workload, system, size, steady_epochs)
    out["peak_rss_mib"] = common.peak_rss_mib()  # at the end of the child, as the issue asks
    print(MARKER + json.dumps(out), flush=True)


def _child(workload, system, args):
    """Run the worker in a subprocess; returns (result dict or None, failure text or None)."""
    env = dict(os.environ)
    if system.startswith("keras-"):
        env["KERAS_BACKEND"] = system.split("-", 1)[1]
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "benchmarks.run", "--worker", workload, system,
               "--epochs", str(args.epochs)] + (["--quick"] if args.quick else [])
    try:
        run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                             timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {args.timeout} s"
    lines = [line for line in run.stdout.splitlines() if line.startswith(MARKER)]
    if run.returncode != 0 or not lines:
        return None, f"exit code {run.returncode}:\n{run.stderr[-3000:]}"
    return json.loads(lines[-1][len(MARKER):]), None


def _parse_list(text, known, flag, aliases=None):
    aliases = aliases or {}
    names = []
    for name in (part.strip() for part in text.split(",") if part.strip()):
        expanded = aliases.get(name, (name,))
        if any(n not in known for n in expanded):
            raise SystemExit(f"benchmarks.run: unknown {flag} name {name!r}. "
                             f"Known names: {', '.join(list(known) + list(aliases))}.")
        names.extend(n for n in expanded if n not in names)
    if not names:
        raise SystemExit(f"benchmarks.run: {flag} selected nothing. Received: {text!r}.")
    return names


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(WORKLOADS),
                        help="workloads, comma-separated (W6 means W6p,W6c,W6t)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"systems, comma-separated, among {', '.join(SYSTEMS)}")
    parser.add_argument("--epochs", type=int, default=3,
                        help="steady epochs (W1: fits) timed after the first; median reported")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each (workload, system), in rounds across the systems; "
                             "medians reported")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, to exercise the runner; the times mean nothing")
    parser.add_argument("--markdown", metavar="PATH",
                        help="append a dated section (machine, versions, table) to PATH")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds before one (workload, system) child is stopped")
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "SYSTEM"),
                        help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.epochs < 1:
        raise SystemExit(f"benchmarks.run: --epochs must be a positive int (the steady epochs "
                         f"whose median is reported). Received: {args.epochs}.")
    if args.worker:
        _worker(args.worker[0], args.worker[1], args.epochs, args.quick)
        return
    if args.repeat < 1:
        raise SystemExit(f"benchmarks.run: --repeat must be a positive int (runs of each "
                         f"workload and system). Received: {args.repeat}.")
    workloads = _parse_list(args.only, WORKLOADS, "--only", ALIASES)
    systems = _parse_list(args.systems, SYSTEMS, "--systems")
    rows = []
    for workload in workloads:
        chosen = [s for s in systems if s in WORKLOADS[workload][1]]
        runs = {system: [] for system in chosen}
        failures = {}
        for round_ in range(args.repeat):
            for system in chosen:
                if system in failures:
                    continue  # failed once: not retried in later rounds
                if not _installed(system):
                    failures[system] = "not installed"
                    continue
                result, failure = _child(workload, system, args)
                label = f"{workload} on {system}" + (
                    f" (run {round_ + 1} of {args.repeat})" if args.repeat > 1 else "")
                if failure:
                    failures[system] = failure
                    print(f"{label} failed: {failure}", file=sys.stderr)
                else:
                    runs[system].append(result)
                    print(f"{label}: done", file=sys.stderr, flush=True)
        title = WORKLOADS[workload][0].format(**common.sizes(args.quick))
        for system in chosen:
            failure = failures.get(system)
            rows.append({"workload": workload, "title": title, "system": system,
                         "result": None if failure else common.combine_runs(runs[system]),
                         "failure": failure and failure.splitlines()[0]})
    text = report.render(rows, args)
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + report.section_header(_argv_text(argv)) + "\n" + text + "\n")


def _argv_text(argv):
    return " ".join(["python -m benchmarks.run"] + list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
