"""A meta-path finder that serves `keras` and its old module paths from lamina's compatibility
modules, only while a legacy script runs (`with installed(): ...`).

Nothing named `keras` is installed: each `keras.*` module is a fresh module object filled with
the names of the legacy module it stands for, created on import and removed afterwards.
"""

import contextlib
import importlib
import importlib.abc
import importlib.util
import sys

KERAS_VERSION = "1.2.2"


def _public(module_name, names=None):
    def load():
        module = importlib.import_module(module_name)
        keys = names or getattr(module, "__all__", None) or [
            k for k in vars(module) if not k.startswith("_")]
        return {k: getattr(module, k) for k in keys}
    return load


def _merged(*loaders):
    def load():
        out = {}
        for loader in loaders:
            out.update(loader())
        return out
    return load


def _compat(function_name):
    def load():
        from lamina.legacy import compat
        return getattr(compat, function_name)()
    return load


def _unavailable(what, advice):
    def load():
        return {"__getattr__": _missing(what, advice)}
    return load


def _missing(what, advice):
    def __getattr__(name):
        raise AttributeError(f"{what}.{name} is not available under lamina.legacy: {advice}")
    return __getattr__


_LAYERS = _public("lamina.legacy.layers", None)
_LAYER_NAMES = ("core", "convolutional", "recurrent", "embeddings", "normalization", "pooling",
                "advanced_activations", "wrappers", "noise", "merge", "local",
                "convolutional_recurrent", "cudnn_recurrent")
_UTILS = _merged(_public("lamina.utils"), _public("lamina.legacy.utils"))
_ENGINE = _merged(_public("lamina.legacy.layers", ["Layer", "Input", "InputLayer", "Merge",
                                                   "merge"]),
                  _public("lamina.layers", ["InputSpec"]),
                  _public("lamina.legacy.models", ["Model"]))

# Module path -> (is a package, loader of its attributes).
MODULES = {
    "keras": (True, lambda: {"__version__": KERAS_VERSION}),
    "keras.models": (False, _public("lamina.legacy.models")),
    "keras.layers": (True, _LAYERS),
    **{f"keras.layers.{name}": (False, _LAYERS) for name in _LAYER_NAMES},
    "keras.optimizers": (False, _public("lamina.legacy.optimizers")),
    "keras.objectives": (False, _compat("objectives_names")),
    "keras.losses": (False, _compat("objectives_names")),
    "keras.metrics": (False, _compat("metrics_names")),
    "keras.initializations": (False, _compat("initializations_names")),
    "keras.initializers": (False, _compat("initializations_names")),
    "keras.regularizers": (False, _compat("regularizers_names")),
    "keras.constraints": (False, _compat("constraints_names")),
    "keras.activations": (False, _compat("activations_names")),
    "keras.callbacks": (False, _public("lamina.callbacks")),
    "keras.backend": (False, _public("lamina.legacy.backend")),
    "keras.engine": (True, _ENGINE),
    "keras.engine.topology": (False, _ENGINE),
    "keras.engine.training": (False, _ENGINE),
    "keras.utils": (True, _UTILS),
    "keras.utils.np_utils": (False, _UTILS),
    "keras.utils.generic_utils": (False, _UTILS),
    "keras.utils.visualize_util": (False, _UTILS),
    "keras.utils.vis_utils": (False, _UTILS),
    "keras.utils.data_utils": (False, _unavailable(
        "keras.utils.data_utils", "lamina downloads nothing at run time; load files locally.")),
    "keras.preprocessing": (True, _public("lamina.legacy.preprocessing")),
    "keras.preprocessing.sequence": (False, _public("lamina.legacy.preprocessing")),
    "keras.preprocessing.text": (False, _public("lamina.legacy.preprocessing")),
    "keras.preprocessing.image": (False, _unavailable(
        "keras.preprocessing.image", "image augmentation (ImageDataGenerator) is not part of "
        "the legacy layer; load images as NumPy arrays and use a Python generator with "
        "fit_generator.")),
    "keras.wrappers": (True, dict),
    "keras.wrappers.scikit_learn": (False, _public("lamina.legacy.scikit_learn")),
    # lamina.datasets: Keras's loaders, reading offline copies first (lamina's and Keras's
    # caches, data that installed packages ship), then downloading with hash checks.
    "keras.datasets": (True, _public("lamina.datasets")),
    **{f"keras.datasets.{name}": (False, _public(f"lamina.datasets.{name}"))
       for name in ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
                    "boston_housing", "california_housing")},
}


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return None  # the default: a plain module object named `spec.name`

    def exec_module(self, module):
        is_package, load = MODULES[module.__name__]
        if is_package:
            module.__path__ = []
        module.__dict__.update(load())
        module.__dict__.setdefault("__getattr__", _missing(
            module.__name__, "lamina's legacy layer does not provide it; see the table in "
            "lamina.legacy's documentation, or run `lamina upgrade` and use today's API."))
        # Keras 1's packages imported their submodules: `keras.layers.recurrent.LSTM` works
        # after `import keras`.
        prefix = module.__name__ + "."
        for child in MODULES:
            if child.startswith(prefix) and "." not in child[len(prefix):]:
                setattr(module, child[len(prefix):], importlib.import_module(child))


class LegacyFinder(importlib.abc.MetaPathFinder):
    """Finds `keras` and `keras.*` in `MODULES`; anything else is left to the next finder."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MODULES:
            return importlib.util.spec_from_loader(fullname, _Loader(),
                                                   is_package=MODULES[fullname][0])
        if fullname.startswith("keras."):
            parent = fullname.rpartition(".")[0]
            known = sorted(n for n in MODULES if n.startswith(parent + "."))
            raise ModuleNotFoundError(
                f"No module named {fullname!r} under lamina.legacy. Known modules under "
                f"{parent!r}: {', '.join(known) or 'none'}.", name=fullname)
        return None


def _drop_keras_modules():
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        del sys.modules[name]


@contextlib.contextmanager
def installed():
    """Serve `keras` from lamina's compatibility modules inside the `with` block.

    Any `keras` modules imported before are set aside and put back afterwards.

    >>> with installed():
    ...     import keras.layers.core
    >>> "keras" in sys.modules
    False
    """
    saved = {n: m for n, m in sys.modules.items() if n == "keras" or n.startswith("keras.")}
    _drop_keras_modules()
    finder = LegacyFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)
        _drop_keras_modules()
        sys.modules.update(saved)

