"""How every op runs: symbolic inputs record a graph node, concrete inputs go to the backend."""

from lamina.backend.common.variables import Variable
from lamina.ops.symbolic import KerasTensor, symbolic_call


def run(op, backend_fn, *args, **kwargs):
    """Call `backend_fn` on concrete inputs, or record `op` on symbolic ones.

    Variables (also inside a list argument, as for `concatenate`) are read through their
    current value, so ops honour the stateless scope.
    """
    unwrapped = []
    symbolic = False
    for x in args:
        if isinstance(x, KerasTensor):
            symbolic = True
        elif isinstance(x, Variable):
            x = x.value
        elif isinstance(x, (list, tuple)) and x and not isinstance(x[0], int):
            if any(isinstance(v, KerasTensor) for v in x):
                symbolic = True
            elif any(isinstance(v, Variable) for v in x):
                x = type(x)(v.value if isinstance(v, Variable) else v for v in x)
        unwrapped.append(x)
    for key, x in kwargs.items():
        if isinstance(x, KerasTensor):
            symbolic = True
        elif isinstance(x, Variable):
            kwargs[key] = x.value
    if symbolic:
        return symbolic_call(op, *args, **kwargs)
    return backend_fn(*unwrapped, **kwargs)
