"""What every system's workloads share: sizes, data, timing and memory readings.

The data is synthetic, of the real datasets' shapes, and generated from a fixed NumPy seed, so
every system trains on the same arrays. Labels come from a fixed "teacher" so that the loss can
fall and the hand-written models' final losses can be compared with lamina's.
"""

import os
import resource
import statistics
import time

import numpy as np

# Full sizes are the issue's; `--quick` shrinks them so that the runner itself can be tested.
FULL = {"xor_epochs": 10000, "mlp_rows": 60000, "cnn_rows": 12000, "seq_rows": 4000,
        "predict_rows": 10000, "latency_calls": 50, "memory_models": 200}
QUICK = {"xor_epochs": 100, "mlp_rows": 2000, "cnn_rows": 512, "seq_rows": 256,
         "predict_rows": 1000, "latency_calls": 10, "memory_models": 10}

VOCAB = 20000
LSTM_LENGTH = 100
TRANSFORMER_LENGTH = 128
SEED = 3  # the seed's XOR example uses 3: some initialisations of a 2-2-1 net never learn XOR

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
XOR_Y = np.array([[0], [1], [1], [0]], dtype="float32")


def sizes(quick):
    """The workload sizes: `QUICK` when `quick`, else `FULL`."""
    return QUICK if quick else FULL


def _teacher_labels(rng, x, classes):
    # A fixed random linear teacher: learnable, so the loss falls and bugs show as a flat loss.
    weights = rng.normal(size=(x.shape[1], classes)).astype("float32")
    return np.argmax((x - 0.5) @ weights, axis=1).astype("int32")


def mlp_data(rows):
    """(x float32 (rows, 784) in [0, 1), y int32 (rows,) in [0, 10)): MNIST's shape."""
    rng = np.random.default_rng(0)
    x = rng.random((rows, 784), dtype=np.float32)
    return x, _teacher_labels(rng, x, 10)


def cnn_data(rows):
    """(x float32 (rows, 28, 28, 1), y int32 (rows,) in [0, 10))."""
    x, y = mlp_data(rows)
    return x.reshape(rows, 28, 28, 1), y


def sequence_data(rows, length):
    """(tokens int32 (rows, length) in [1, VOCAB), y int32 (rows,)): 1 when most tokens are
    in the vocabulary's lower half."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, VOCAB, size=(rows, length)).astype("int32")
    y = (np.mean(tokens < VOCAB // 2, axis=1) > 0.5).astype("int32")
    return tokens, y


def timed(fn):
    """(seconds, value) of one call of `fn`."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run_epochs(epoch, steady_epochs, samples):
    """Time one first and `steady_epochs` further calls of `epoch`.

    Args:
        epoch: Callable running one timed unit (an epoch, or W1's whole fit) to completion and
            returning the list of its per-epoch training losses as Python floats.
        steady_epochs: How many further calls to time; their median is the steady time.
        samples: Samples processed by one call (for samples/s).

    Returns:
        The result dict the runner prints (see `result`).
    """
    first, losses = timed(epoch)
    first_loss = losses[0]
    steady = []
    for _ in range(steady_epochs):
        seconds, losses = timed(epoch)
        steady.append(seconds)
    return result(first, steady, samples, first_loss, losses[-1])


def latency(call, calls, samples):
    """Result of a latency workload: the first call, then the median of `calls` more."""
    first, _ = timed(call)
    call()  # one more warm-up: some systems finish compiling or caching on the second call
    steady = [timed(call)[0] for _ in range(calls)]
    return result(first, steady, samples, None, None)


def result(first, steady, samples, first_loss, final_loss):
    """The per-(workload, system) record: seconds, samples/s and losses (None if not trained)."""
    median = statistics.median(steady) if steady else first
    return {"first": first, "steady": median, "steady_runs": steady,
            "samples_per_s": samples / median if median > 0 else float("nan"),
            "first_loss": None if first_loss is None else float(first_loss),
            "final_loss": None if final_loss is None else float(final_loss)}


def combine_runs(runs):
    """One record from repeated runs of a (workload, system), in separate processes: the
    medians of first and steady, the lowest and highest steady, the highest peak RSS; the
    losses and W7's memory figures come from the run whose steady time is the median."""
    if len(runs) == 1:
        return runs[0]
    by_steady = sorted(runs, key=lambda r: r["steady"])
    out = dict(by_steady[(len(runs) - 1) // 2])
    steadies = [r["steady"] for r in by_steady]
    median = statistics.median(steadies)
    samples = out["samples_per_s"] * out["steady"]  # the same count in every run
    out.update(first=statistics.median(r["first"] for r in runs), steady=median,
               samples_per_s=samples / median if median > 0 else float("nan"),
               steady_range=(steadies[0], steadies[-1]), runs=len(runs),
               peak_rss_mib=max(r.get("peak_rss_mib", 0.0) for r in runs))
    return out


def peak_rss_mib():
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mib():
    """This process's current resident set size in MiB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
