"""The op namespace: the only thing layers, losses, metrics and optimizers call for math.

Every op is importable from `lamina.ops` directly and from its family module
(`lamina.ops.numpy`, `.nn`, `.math`, `.linalg`, `.core`).
"""

from lamina.ops import core, linalg, math, nn, numpy
from lamina.ops.core import *  # noqa: F401,F403
from lamina.ops.linalg import *  # noqa: F401,F403
from lamina.ops.math import *  # noqa: F401,F403
from lamina.ops.nn import *  # noqa: F401,F403
from lamina.ops.numpy import *  # noqa: F401,F403
from lamina.ops.symbolic import KerasTensor, is_keras_tensor

