"""The op namespace: the only thing layers, losses, metrics and optimizers call for math.

Every op is importable from `lamina.ops` directly and from its family module
(`lamina.ops.numpy`, `.nn`, `.math`, `.linalg`, `.core`).
"""

from lamina.ops import core, image, linalg, math, nn, numpy  # noqa: F401 - submodules are public
from lamina.ops.core import *
from lamina.ops.linalg import *
from lamina.ops.math import *
from lamina.ops.nn import *
from lamina.ops.numpy import *
from lamina.ops.symbolic import KerasTensor, is_keras_tensor  # noqa: F401

