"""W7: build, fit one step and discard models in a loop; resident memory must level off.

Run: python benchmarks/memory.py [--models 200] [--keras]
A thin wrapper over the runner's W7 (`python -m benchmarks.run --only W7` runs it on lamina and
Keras 3 in fresh processes). Prints the process's resident memory after a tenth of the models
(20 of 200) and after the last, and their ratio; the target is within 1.10. The models are the
W2 MLP (784-512-512-10 with Dropout, RMSprop), fit on one batch of 128 rows.
"""

import argparse
import os
import sys

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import common, workloads_keras


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--keras", action="store_true",
                        help="measure Keras 3 (set KERAS_BACKEND) instead of lamina")
    args = parser.parse_args()
    if args.models < 1:
        raise SystemExit(f"memory.py: --models must be a positive int. Received: {args.models}.")
    size = dict(common.FULL, memory_models=args.models)
    system = "keras-" + os.environ.get("KERAS_BACKEND", "jax") if args.keras else "lamina"
    out = workloads_keras.run("W7", system, size, 1)
    print(f"after {out['mark']} models: {out['rss_mark']:.0f} MiB resident")
    print(f"after {out['models']} models: {out['rss_last']:.0f} MiB resident")
    print(f"ratio {out['models']} / {out['mark']}: {out['rss_ratio']:.3f}")


if __name__ == "__main__":
    main()
