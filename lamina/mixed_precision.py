"""Mixed precision (Keras's `keras.mixed_precision`): compute in 16 bits, keep float32 weights.

>>> set_global_policy("mixed_bfloat16")
>>> global_policy().compute_dtype
'bfloat16'
>>> set_global_policy("float32")
"""

from lamina.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from lamina.optimizers import LossScaleOptimizer

Policy = DTypePolicy


def set_global_policy(policy):
    """Set the dtype policy of layers created from now on ("mixed_float16", "mixed_bfloat16",
    "float32", ...). With "mixed_float16", `compile` wraps the optimizer in a
    LossScaleOptimizer so small float16 gradients do not underflow."""
    set_dtype_policy(policy)


def global_policy():
    """The current global dtype policy."""
    return dtype_policy()


__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
