"""Run a table of op calls as one compiled program.

On CPU, compiling is what these tests pay for: about 40 ms per XLA program however tiny, and an
eager op call compiles one program per new shape and dtype. A table's calls therefore run
together under one `jit` with constant inputs, and each parametrized test checks its own entry.
The ops run the same lamina code as eager calls (dtype rules, conversions); only JAX's dispatch
differs. Tests of eager-only behaviour (errors, Variables, scopes) call ops directly.
"""

from lamina import backend

_RESULTS = {}


def batched(calls):
    """Results of the zero-argument callables `calls`, computed once per list."""
    key = id(calls)
    if key not in _RESULTS:
        _RESULTS[key] = (calls, backend.transforms.jit(lambda: [call() for call in calls])())
    return _RESULTS[key][1]
