"""The `lamina` command: `demo`, `info`, `summary`, `plot`, and `legacy` / `upgrade`.

`lamina demo` runs the XOR and digits examples (what `make demo` runs) and says where the
training-curve PNG went. `lamina info` reports the version, backend, devices and which extras
are installed. `lamina summary m.keras` and `lamina plot m.keras out.png` load a saved model in
safe mode (no code from the file runs). `lamina legacy` and `lamina upgrade` are the old-Keras
tools of `lamina.legacy.cli`.
"""

import argparse
import importlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys

# Each extra of pyproject.toml and the import names of what it installs.
_EXTRAS = {
    "plot": ("matplotlib", "pydot"),
    "tensorboard": ("tensorboardX",),
    "examples": ("sklearn", "matplotlib"),
    "dev": ("pytest", "hypothesis", "ruff", "sklearn", "matplotlib", "pydot", "PIL",
            "tensorboardX", "tensorboard"),
}
_DISTRIBUTIONS = {"sklearn": "scikit-learn", "PIL": "Pillow"}
_DELEGATED = ("legacy", "upgrade")
_CURVES = "digits_curves.png"


def _parser():
    parser = argparse.ArgumentParser(prog="lamina", description="lamina's command-line tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="train the XOR and digits examples (as `make demo`)")
    demo.add_argument("--epochs", type=int, default=30,
                      help="epochs of the digits example (default 30)")
    demo.add_argument("--curves", default=_CURVES,
                      help=f"where the digits training-curve PNG goes (default {_CURVES})")
    commands.add_parser("info", help="version, backend, devices and installed extras")
    summary = commands.add_parser("summary", help="print the layer table of a saved model")
    summary.add_argument("model", help="a .keras file")
    plot = commands.add_parser("plot", help="draw a saved model's layer graph (PNG, SVG, ...)")
    plot.add_argument("model", help="a .keras file")
    plot.add_argument("output", help="image to write; the suffix picks the format")
    plot.add_argument("--rankdir", default="TB", choices=["TB", "LR", "BT", "RL"])
    plot.add_argument("--dpi", type=int, default=200)
    plot.add_argument("--no-shapes", action="store_true", help="leave out the tensor shapes")
    plot.add_argument("--no-layer-names", action="store_true", help="show class names only")
    plot.add_argument("--show-dtype", action="store_true")
    plot.add_argument("--show-layer-activations", action="store_true")
    plot.add_argument("--show-trainable", action="store_true")
    plot.add_argument("--expand-nested", action="store_true")
    # Listed for --help; their arguments are parsed by lamina.legacy.cli.
    commands.add_parser("legacy", help="run a Keras 0.x/1.x/2.x script unmodified")
    commands.add_parser("upgrade", help="rewrite an old Keras script in today's API")
    return parser


def main(argv=None):
    """Entry point of the `lamina` console script (and `python -m lamina`).

    Args:
        argv: Arguments without the program name; default `sys.argv[1:]`.

    Returns:
        The exit status: 0 on success, 1 when a command fails, 2 on a usage error.

    >>> main(["info"])   # doctest: +SKIP
    lamina 0.1.0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _DELEGATED:
        return _delegate(argv)
    args = _parser().parse_args(argv)
    try:
        return {"demo": _demo, "info": _info, "summary": _summary, "plot": _plot}[args.command](
            args)
    except _CommandError as error:
        print(f"lamina {args.command}: {error}", file=sys.stderr)
        return 1


class _CommandError(Exception):
    """A failure to report in one line, without a traceback."""


def _delegate(argv):
    try:
        legacy_cli = importlib.import_module("lamina.legacy.cli")
    except ImportError as error:
        print(f"lamina {argv[0]}: the old-Keras tools (lamina.legacy.cli) are not available in "
              f"this installation ({error}).", file=sys.stderr)
        return 1
    return legacy_cli.main(argv)


# -- demo -----------------------------------------------------------------------------------------
def _examples_dir():
    import lamina

    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(lamina.__file__))),
                          "examples")
    if not os.path.isfile(os.path.join(folder, "xor.py")):
        raise _CommandError(f"the examples are not here ({folder}); they ship with the source "
                            "tree, not the installed package. Run it from a clone of lamina.")
    return folder


def _demo(args):
    if args.epochs < 1:
        raise _CommandError(f"--epochs must be a positive int. Received: {args.epochs}")
    folder = _examples_dir()
    curves = os.path.abspath(args.curves)
    runs = [("xor.py", []), ("digits.py", ["--epochs", str(args.epochs), "--curves", curves])]
    for script, script_args in runs:
        print(f"== examples/{script}", flush=True)
        status = subprocess.call([sys.executable, os.path.join(folder, script), *script_args])
        if status != 0:
            raise _CommandError(f"examples/{script} failed with exit status {status}.")
    if os.path.isfile(curves):
        print(f"Training curves of the digits example: {curves}")
    else:
        print("No training-curve PNG: matplotlib is not installed (pip install 'lamina[plot]').")
    return 0


# -- info -----------------------------------------------------------------------------------------
def _version(module):
    name = _DISTRIBUTIONS.get(module, module)
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "installed" if importlib.util.find_spec(module) else None


def _info(args):
    import lamina
    from lamina import backend

    print(f"lamina {lamina.__version__}")
    print(f"python {sys.version.split()[0]} ({sys.executable})")
    print(f"backend: {backend.backend()} (platform {backend.core.accelerator()})")
    print(f"devices: {', '.join(_devices()) or 'none found'}")
    print("extras:")
    for extra, modules in _EXTRAS.items():
        found = {m: _version(m) for m in modules}
        missing = [m for m, v in found.items() if v is None]
        state = "installed" if not missing else f"missing {', '.join(missing)}"
        versions = ", ".join(f"{_DISTRIBUTIONS.get(m, m)} {v}" for m, v in found.items() if v)
        print(f"  {extra:<12} {state}" + (f" ({versions})" if versions else ""))
    dot = shutil.which("dot")
    print(f"graphviz: {dot or 'not found (plot_model draws with matplotlib instead)'}")
    return 0


def _devices():
    from lamina import backend

    if backend.backend() != "jax":
        return ["cpu (numpy)"]
    # Only asks JAX which devices it sees; no computation.
    import jax

    return [f"{d.platform}:{d.id} ({getattr(d, 'device_kind', d.platform)})"
            for d in jax.devices()]


# -- summary and plot ------------------------------------------------------------------------------
def _load(path):
    if not os.path.isfile(path):
        raise _CommandError(f"no such file: {path!r}. Pass a model saved with model.save(...).")
    from lamina.saving import load_model

    try:
        # safe_mode: a file holding Python code (lambdas) is refused, never run.
        return load_model(path, compile=False, safe_mode=True)
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise _CommandError(f"could not load {path!r}: {error}") from None


def _summary(args):
    _load(args.model).summary()
    return 0


def _plot(args):
    from lamina.utils.model_visualization import plot_model

    model = _load(args.model)
    try:
        plot_model(model, to_file=args.output, show_shapes=not args.no_shapes,
                   show_dtype=args.show_dtype, show_layer_names=not args.no_layer_names,
                   rankdir=args.rankdir, expand_nested=args.expand_nested, dpi=args.dpi,
                   show_layer_activations=args.show_layer_activations,
                   show_trainable=args.show_trainable)
    except (ImportError, ValueError, TypeError) as error:
        raise _CommandError(str(error)) from None
    print(f"wrote {os.path.abspath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
