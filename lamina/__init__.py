"""lamina: a Keras-3-compatible deep learning toolkit on JAX.

`import lamina as keras` runs Keras 3 programs that use the names exported here.
"""

from lamina import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distribution,
    dtype_policies,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from lamina.backend import StatelessScope, Variable, device, remat
from lamina.backend.common.scopes import RematScope, name_scope
from lamina.dtype_policies import DTypePolicy, FloatDTypePolicy
from lamina.initializers import Initializer
from lamina.layers import Input, InputSpec, Layer
from lamina.losses import Loss
from lamina.metrics import Metric
from lamina.models import Model, Sequential
from lamina.ops.symbolic import KerasTensor
from lamina.optimizers import Optimizer
from lamina.regularizers import Regularizer

__version__ = "0.1.0"


def version():
    """lamina's version string."""
    return __version__


__all__ = ["DTypePolicy", "FloatDTypePolicy", "Initializer", "Input", "InputSpec", "KerasTensor",
           "Layer", "Loss", "Metric", "Model", "Optimizer", "Regularizer", "RematScope",
           "Sequential", "StatelessScope", "Variable", "activations", "backend", "callbacks",
           "config", "constraints", "datasets", "device", "distribution", "dtype_policies",
           "initializers", "layers", "losses", "metrics", "mixed_precision", "models",
           "name_scope", "ops", "optimizers", "random", "regularizers", "remat", "saving", "utils",
           "version"]
